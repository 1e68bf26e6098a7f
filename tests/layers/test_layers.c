/* The layering of src/ (docs/design.md): the checker reads the module order
 * from the doc's machine-readable `layers:` line, so the doc and this test
 * cannot disagree; it is run on the repository and on a small tree built to
 * break every rule once. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"

#define MAX_TOKENS 32
#define TOKEN_LEN 128
#define PATH_LEN 512

/* What docs/design.md states: the layers, lowest first. */
typedef struct {
  char module[MAX_TOKENS][TOKEN_LEN];
  size_t n_modules;
} layers;

/* Where a registered object (`const qrd_X_type qrd_NAME = ...`) lives. */
typedef struct {
  char name[TOKEN_LEN];
  char path[PATH_LEN];
  int rank; /* -1: a folder that is not a module */
} definition;

typedef struct {
  const char *root;
  layers order;
  definition *defs;
  size_t n_defs;
  /* The file being read: its module ("experiments" for the drivers) and
   * the highest layer it may use. */
  const char *module;
  int rank;
  FILE *report;
  int count;
} checker;

typedef int (*entry_fn)(checker *c, const char *rel);
typedef void (*line_fn)(checker *c, const char *rel, unsigned line, const char *text);

/* Reads the modules of the line `layers: a b c` of root/docs/design.md. */
static int read_layers(const char *root, layers *l)
{
  char path[PATH_LEN];
  snprintf(path, sizeof path, "%s/docs/design.md", root);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  static const char key[] = "layers:";
  char *text = NULL;
  size_t cap = 0;
  int found = 0;
  while (!found && getline(&text, &cap, f) > 0) {
    if (strncmp(text, key, strlen(key)))
      continue;
    found = 1;
    l->n_modules = 0;
    for (char *t = strtok(text + strlen(key), " \t\r\n"); t && l->n_modules < MAX_TOKENS;
         t = strtok(NULL, " \t\r\n"))
      snprintf(l->module[l->n_modules++], TOKEN_LEN, "%s", t);
  }
  free(text);
  fclose(f);
  return found ? 0 : -1;
}

/* The position of the `len` characters at `name` in the order, or -1. */
static int rank_of(const layers *l, const char *name, size_t len)
{
  for (size_t i = 0; i < l->n_modules; i++)
    if (strlen(l->module[i]) == len && strncmp(l->module[i], name, len) == 0)
      return (int)i;
  return -1;
}

static void print_allowed(checker *c)
{
  for (int i = 0; i <= c->rank; i++)
    fprintf(c->report, "%s%s", i ? " " : "", c->order.module[i]);
  fputc('\n', c->report);
}

/* Calls fn, in sorted order so that reports are stable, on each entry of
 * root/rel that is a folder (want_dir) or a .c/.h file (otherwise). */
static int for_each_entry(checker *c, const char *rel, int want_dir, entry_fn fn)
{
  char dir[PATH_LEN];
  snprintf(dir, sizeof dir, "%s/%s", c->root, rel);
  struct dirent **e;
  int n = scandir(dir, &e, NULL, alphasort);
  if (n < 0)
    return -1;
  int st = 0;
  for (int i = 0; i < n; i++) {
    char sub[PATH_LEN], full[2 * PATH_LEN];
    snprintf(sub, sizeof sub, "%s/%s", rel, e[i]->d_name);
    snprintf(full, sizeof full, "%s/%s", c->root, sub);
    const char *dot = strrchr(e[i]->d_name, '.');
    struct stat s;
    int source = dot && (strcmp(dot, ".c") == 0 || strcmp(dot, ".h") == 0);
    if (!st && e[i]->d_name[0] != '.' && stat(full, &s) == 0 &&
        (want_dir ? S_ISDIR(s.st_mode) : S_ISREG(s.st_mode) && source))
      st = fn(c, sub);
    free(e[i]);
  }
  free(e);
  return st;
}

static int for_each_line(checker *c, const char *rel, line_fn fn)
{
  char path[PATH_LEN];
  snprintf(path, sizeof path, "%s/%s", c->root, rel);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char *text = NULL;
  size_t cap = 0;
  for (unsigned line = 1; getline(&text, &cap, f) > 0; line++)
    fn(c, rel, line, text);
  free(text);
  fclose(f);
  return 0;
}

/* The target of an include line with its delimiters ("m/x.h" or <x.h>),
 * `len` characters long, or NULL if the line is not an include. */
static const char *include_target(const char *text, size_t *len)
{
  const char *p = text + strspn(text, " \t");
  if (*p++ != '#')
    return NULL;
  p += strspn(p, " \t");
  if (strncmp(p, "include", 7))
    return NULL;
  p += 7;
  p += strspn(p, " \t");
  char close = *p == '"' ? '"' : *p == '<' ? '>' : 0;
  const char *end = close ? strchr(p + 1, close) : NULL;
  if (!end)
    return NULL;
  *len = (size_t)(end + 1 - p);
  return p;
}

/* The object a line `extern const qrd_X_type qrd_NAME;` names (a registry
 * entry), or a definition `const qrd_X_type qrd_NAME =`. */
static int registered_name(const char *text, int definition, char *name)
{
  char type[TOKEN_LEN], end;
  const char *fmt = definition ? " const %127s %127[A-Za-z0-9_] %c"
                               : " extern const %127s %127[A-Za-z0-9_] %c";
  if (sscanf(text, fmt, type, name, &end) != 3 || end != (definition ? '=' : ';'))
    return 0;
  size_t n = strlen(type);
  return strncmp(type, "qrd_", 4) == 0 && n > 9 && strcmp(type + n - 5, "_type") == 0 &&
         strncmp(name, "qrd_", 4) == 0;
}

static const definition *find_definition(const checker *c, const char *name)
{
  for (size_t i = 0; i < c->n_defs; i++)
    if (strcmp(c->defs[i].name, name) == 0)
      return &c->defs[i];
  return NULL;
}

static void check_module_include(checker *c, const char *rel, unsigned line,
                                 const char *inc, size_t len)
{
  const char *slash = memchr(inc, '/', len);
  if (inc[0] != '"' || !slash)
    return; /* a system header, or one beside the file */
  int r = rank_of(&c->order, inc + 1, (size_t)(slash - inc - 1));
  if (r >= 0 && r <= c->rank)
    return;
  fprintf(c->report, "%s:%u: #include %.*s: %s may include only ", rel, line, (int)len,
          inc, c->module);
  print_allowed(c);
  c->count++;
}

static void check_hdf5_include(checker *c, const char *rel, unsigned line,
                               const char *inc, size_t len)
{
  int hdf5 = (len == 8 && strncmp(inc, "<hdf5.h>", len) == 0) ||
             (len == 11 && strncmp(inc, "<hdf5_hl.h>", len) == 0);
  if (!hdf5 || strcmp(c->module, "io") == 0)
    return;
  fprintf(c->report, "%s:%u: #include %.*s: only io may include HDF5 (reach it through io/)\n",
          rel, line, (int)len, inc);
  c->count++;
}

/* A registry may list only what its own module can reach. */
static void check_registry_entry(checker *c, const char *rel, unsigned line,
                                 const char *text)
{
  char name[TOKEN_LEN];
  if (!registered_name(text, 0, name))
    return;
  const definition *d = find_definition(c, name);
  if (d && d->rank >= 0 && d->rank <= c->rank)
    return;
  fprintf(c->report, "%s:%u: registry names %s (", rel, line, name);
  if (d)
    fprintf(c->report, "defined in %s", d->path);
  else
    fputs("defined nowhere in src/", c->report);
  fprintf(c->report, "): %s may name only objects of ", c->module);
  print_allowed(c);
  c->count++;
}

static void check_line(checker *c, const char *rel, unsigned line, const char *text)
{
  size_t len;
  const char *inc = include_target(text, &len);
  if (inc) {
    check_module_include(c, rel, line, inc, len);
    check_hdf5_include(c, rel, line, inc, len);
  } else if (strcmp(c->module, "experiments")) {
    check_registry_entry(c, rel, line, text);
  }
}

static void note_definition(checker *c, const char *rel, unsigned line, const char *text)
{
  (void)line;
  char name[TOKEN_LEN];
  if (!registered_name(text, 1, name))
    return;
  definition *d = realloc(c->defs, (c->n_defs + 1) * sizeof *d);
  ck_assert_ptr_nonnull(d);
  c->defs = d;
  d += c->n_defs++;
  snprintf(d->name, sizeof d->name, "%s", name);
  snprintf(d->path, sizeof d->path, "%s", rel);
  d->rank = c->rank;
}

static int check_file(checker *c, const char *rel) { return for_each_line(c, rel, check_line); }

static int define_file(checker *c, const char *rel)
{
  return for_each_line(c, rel, note_definition);
}

/* Points the checker at src/M: the module name and its layer. */
static void enter_module(checker *c, const char *rel)
{
  c->module = rel + strlen("src/");
  c->rank = rank_of(&c->order, c->module, strlen(c->module));
}

static int define_module(checker *c, const char *rel)
{
  enter_module(c, rel);
  return for_each_entry(c, rel, 0, define_file);
}

static int check_module(checker *c, const char *rel)
{
  enter_module(c, rel);
  if (c->rank >= 0)
    return for_each_entry(c, rel, 0, check_file);
  fprintf(c->report, "%s: unknown module %s: place it in docs/design.md's layers:", rel,
          c->module);
  for (size_t i = 0; i < c->order.n_modules; i++)
    fprintf(c->report, " %s", c->order.module[i]);
  fputc('\n', c->report);
  c->count++;
  return 0;
}

static int check_experiments_dir(checker *c, const char *rel)
{
  return for_each_entry(c, rel, 0, check_file);
}

/* The drivers sit between the top layer (cli) and the one below it. */
static int check_experiments(checker *c)
{
  c->module = "experiments";
  c->rank = rank_of(&c->order, "cli", 3) - 1;
  if (c->rank < 0)
    return -1;
  int st = for_each_entry(c, "experiments", 0, check_file);
  return st ? st : for_each_entry(c, "experiments", 1, check_experiments_dir);
}

/* Checks the tree at `root` against root/docs/design.md.  Writes one line
 * per violation to *report (malloc'd) and returns how many, or -1 if the
 * doc or the tree cannot be read. */
static int qrd_layers_check(const char *root, char **report)
{
  size_t size;
  checker c = {.root = root};
  c.report = open_memstream(report, &size);
  ck_assert_ptr_nonnull(c.report);
  int st = read_layers(root, &c.order);
  if (!st)
    st = for_each_entry(&c, "src", 1, define_module);
  if (!st)
    st = for_each_entry(&c, "src", 1, check_module);
  if (!st)
    st = check_experiments(&c);
  fclose(c.report);
  free(c.defs);
  return st ? -1 : c.count;
}

START_TEST(test_repository_follows_the_layers)
{
  char *report;
  int n = qrd_layers_check(".", &report);
  ck_assert_msg(n == 0, "%d layer violation(s) (docs/design.md):\n%s", n, report);
  free(report);
}
END_TEST

/* ---- a tree that breaks each rule once ---- */

static char fixture[64];

static void write_fixture(const char *rel, const char *text)
{
  char path[PATH_LEN];
  snprintf(path, sizeof path, "%s/%s", fixture, rel);
  for (char *p = strchr(path + strlen(fixture) + 1, '/'); p; p = strchr(p + 1, '/')) {
    *p = '\0';
    mkdir(path, 0700); /* EEXIST for all but the first file of a folder */
    *p = '/';
  }
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

static void make_fixture(void)
{
  strcpy(fixture, "/tmp/qrd-layers-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(fixture));
  write_fixture("docs/design.md", "# design\n\n"
                                  "layers: core io dist quant mc fmt law mat alloc harness cli\n");
  write_fixture("src/core/error.h", "int qrd_x(void);\n");
  write_fixture("src/io/results.c", "#include <hdf5.h>\n#include <hdf5_hl.h>\n"
                                    "#include \"core/error.h\"\n");
  write_fixture("src/dist/x.c", "/* fine, then not */\n#include \"core/error.h\"\n"
                                "#include \"fmt/element.h\"\n");
  write_fixture("src/quant/uniform.c", "const qrd_quantiser_type qrd_quantiser_uniform = {\n};\n");
  write_fixture("src/quant/registry.c",
                "#include \"quant/quantiser.h\"\n"
                "extern const qrd_quantiser_type qrd_quantiser_uniform;\n"
                "extern const qrd_quantiser_type qrd_quantiser_nf4;\n"
                "extern const qrd_quantiser_type qrd_quantiser_ghost;\n");
  write_fixture("src/mc/sample.h", "#  include   \"law/code.h\"\n");
  write_fixture("src/fmt/element.c", "#include \"mc/sample.h\"\n#include <hdf5.h>\n");
  write_fixture("src/law/code_nf4.c", "const qrd_quantiser_type qrd_quantiser_nf4 = {\n};\n");
  write_fixture("src/mat/cov_file.c", "#include \"io/h5read.h\"\n#include <hdf5.h>\n");
  write_fixture("src/gadgets/y.c", "#include \"core/error.h\"\n");
  write_fixture("experiments/fig-1.c", "#include \"harness/driver.h\"\n#include \"cli/args.h\"\n");
  write_fixture("experiments/bench/k.c", "#include <hdf5_hl.h>\n#include \"cli/commands.h\"\n");
}

static void remove_fixture(void)
{
  char cmd[PATH_LEN];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixture);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_fixture_violations_are_reported)
{
  static const char expected[] =
      "src/dist/x.c:3: #include \"fmt/element.h\": dist may include only core io dist\n"
      "src/fmt/element.c:2: #include <hdf5.h>: only io may include HDF5 (reach it through "
      "io/)\n"
      "src/gadgets: unknown module gadgets: place it in docs/design.md's layers: core io "
      "dist quant mc fmt law mat alloc harness cli\n"
      "src/mat/cov_file.c:2: #include <hdf5.h>: only io may include HDF5 (reach it through "
      "io/)\n"
      "src/mc/sample.h:1: #include \"law/code.h\": mc may include only core io dist quant "
      "mc\n"
      "src/quant/registry.c:3: registry names qrd_quantiser_nf4 (defined in "
      "src/law/code_nf4.c): quant may name only objects of core io dist quant\n"
      "src/quant/registry.c:4: registry names qrd_quantiser_ghost (defined nowhere in "
      "src/): quant may name only objects of core io dist quant\n"
      "experiments/fig-1.c:2: #include \"cli/args.h\": experiments may include only core "
      "io dist quant mc fmt law mat alloc harness\n"
      "experiments/bench/k.c:1: #include <hdf5_hl.h>: only io may include HDF5 (reach it "
      "through io/)\n"
      "experiments/bench/k.c:2: #include \"cli/commands.h\": experiments may include only "
      "core io dist quant mc fmt law mat alloc harness\n";
  make_fixture();
  char *report;
  int n = qrd_layers_check(fixture, &report);
  remove_fixture();
  ck_assert_int_eq(n, 10);
  ck_assert_str_eq(report, expected);
  free(report);
}
END_TEST

START_TEST(test_missing_layers_line_is_an_error)
{
  strcpy(fixture, "/tmp/qrd-layers-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(fixture));
  write_fixture("docs/design.md", "# no machine-readable line\n");
  write_fixture("src/core/error.h", "\n");
  char *report;
  int n = qrd_layers_check(fixture, &report);
  remove_fixture();
  free(report);
  ck_assert_int_eq(n, -1);
}
END_TEST

Suite *qrd_suite_layers(void)
{
  Suite *s = suite_create("layers");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_repository_follows_the_layers);
  tcase_add_test(tc, test_fixture_violations_are_reported);
  tcase_add_test(tc, test_missing_layers_line_is_an_error);
  suite_add_tcase(s, tc);
  return s;
}
