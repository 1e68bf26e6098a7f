#include "cli/args.h"

#include <stdio.h>
#include <string.h>

static qrd_opt *find(qrd_opt *opts, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(opts[i].name, name) == 0)
      return &opts[i];
  return NULL;
}

int qrd_args_parse(const char *cmd, int argc, char **argv, qrd_opt *opts,
                   size_t n_opts, const char **pos, size_t max_pos, size_t *n_pos)
{
  *n_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (*n_pos == max_pos) {
        fprintf(stderr, "qrd %s: unexpected argument '%s' (see qrd %s --help)\n",
                cmd, a, cmd);
        return 2;
      }
      pos[(*n_pos)++] = a;
      continue;
    }
    qrd_opt *o = find(opts, n_opts, a + 2);
    if (!o) {
      fprintf(stderr, "qrd %s: unknown option '%s' (see qrd %s --help)\n", cmd, a, cmd);
      return 2;
    }
    if (o->takes_value && i + 1 >= argc) {
      fprintf(stderr, "qrd %s: option '%s' needs a value\n", cmd, a);
      return 2;
    }
    o->value = o->takes_value ? argv[++i] : "";
  }
  return 0;
}

const char *qrd_args_get(const qrd_opt *opts, size_t n_opts, const char *name)
{
  for (size_t i = 0; i < n_opts; i++)
    if (strcmp(opts[i].name, name) == 0)
      return opts[i].value;
  return NULL;
}
