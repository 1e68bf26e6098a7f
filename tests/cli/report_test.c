/* `qrd report` (cli/cmd_report.c on io/curve_read.h): the reproduction
 * report's verdicts on a fixture published.tsv against a tiny results file
 * written here, the rule |d| <= tol + 3 SE, missing files and curves, a
 * malformed row's one-line error, and the shipped data/published.tsv (every
 * row cites a source and has a locator that parses). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_run.h"
#include "core/error.h"
#include "io/curve_read.h"
#include "io/results.h"
#include "suites.h"

static char dir[64];

static void sandbox_rm(const char *d)
{
  DIR *h = opendir(d);
  struct dirent *e;
  char p[512];
  while (h != NULL && (e = readdir(h)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(p, sizeof p, "%s/%s", d, e->d_name);
    struct stat sb;
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
      sandbox_rm(p);
    else
      unlink(p);
  }
  if (h != NULL)
    closedir(h);
  rmdir(d);
}

/* results/fig-1.h5: panel p with an exact curve, a Monte Carlo curve (y_err),
 * a flat line, and the root attribute saving = 0.6. */
static const double XE[] = {1, 2, 3}, YE[] = {0.5, 0.25, 0.125};
static const double XM[] = {0, 1}, YM[] = {0.1004, 0.2}, EM[] = {1e-4, 1e-3};
static const double XF[] = {1, 8}, YF[] = {0.2546, 0.2546};

static void sandbox_open(void)
{
  strcpy(dir, "/tmp/qrd-report-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char p[128];
  snprintf(p, sizeof p, "%s/results", dir);
  ck_assert_int_eq(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/empty", dir);
  ck_assert_int_eq(mkdir(p, 0755), 0);
  snprintf(p, sizeof p, "%s/results/fig-1.h5", dir);
  qrd_provenance prov = {NULL, 1UL, "mt19937", 1, NULL};
  qrd_results *r;
  ck_assert_int_eq(qrd_results_create(p, &prov, &r), QRD_OK);
  ck_assert_int_eq(qrd_results_panel(r, "p", "panel", "x", "y"), QRD_OK);
  ck_assert_int_eq(qrd_results_describe(r, NULL, "standard error"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "exact", "exact", 3, XE, YE, NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "mc", "Monte Carlo", 2, XM, YM, EM), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "flat", "line", 2, XF, YF, NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_attr_double(r, "saving", 0.6), QRD_OK);
  ck_assert_int_eq(qrd_results_commit(r), QRD_OK);
}

static void sandbox_close(void)
{
  if (dir[0])
    sandbox_rm(dir);
  dir[0] = '\0';
}

static const char HEADER[] = "figure\tquantity\tpublished\ttolerance\tkind\tsource\tlocator\tnote\n";

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

/* Field `col` (0-based) of TSV line `line` (0 = header) of text, into buf. */
static void tsv_field(const char *text, int line, int col, char *buf, size_t size)
{
  const char *p = text;
  for (int l = 0; l < line; l++) {
    p = strchr(p, '\n');
    ck_assert_msg(p != NULL, "no line %d in '%s'", line, text);
    p++;
  }
  for (int c = 0; c < col; c++) {
    p += strcspn(p, "\t\n");
    ck_assert_msg(*p == '\t', "no column %d on line %d", col, line);
    p++;
  }
  size_t len = strcspn(p, "\t\n");
  ck_assert_uint_lt(len, size);
  memcpy(buf, p, len);
  buf[len] = '\0';
}

#define VERDICT_COL 10

/* Each row with the verdict the rule gives; in file order. */
static const struct {
  const char *row, *verdict;
} CASES[] = {
  /* half a unit in the last digit: 0.50 stands for [0.495, 0.505] */
  {"fig-1\texact value\t0.50\tulp\tprinted\tS\tp/exact@x=1\t", "agrees"},
  {"fig-1\tone unit off\t0.26\tulp\tprinted\tS\tp/exact@x=2\twhy", "disagrees (last digit)"},
  {"fig-1\tfar off\t0.30\tulp\tprinted\tS\tp/exact@x=2\twhy", "disagrees"},
  /* SE rule: d = 0.0003 <= 0.00005 + 3e-4; d = 0.0004 is not */
  {"fig-1\twithin tol + 3 SE\t0.1001\tulp\tprinted\tS\tp/mc@x=0\t", "agrees"},
  {"fig-1\tbeyond tol + 3 SE\t0.1000\tulp\tprinted\tS\tp/mc@x=0\t", "disagrees"},
  {"fig-1\ty_err ignored\t0.1001\tulp\tprinted\tS\tp/mc@x=0,noerr\t", "disagrees"},
  {"fig-1\tabsolute tolerance\t0.1\tabs:0.0005\tprinted\tS\tp/mc@i=0,noerr\t", "agrees"},
  {"fig-1\trelative tolerance\t0.13\trel:0.05\tclosed-form\tS\tp/exact@last\t", "agrees"},
  {"fig-1\tdifference of curves\t0.25\tulp\tclosed-form\tS\tp/exact@x=1 - p/exact@x=2\t",
   "agrees"},
  {"fig-1\tscaled\t0.125\tulp\tclosed-form\tS\tp/exact@x=1 / 2^2\t", "agrees"},
  {"fig-1\tinside a range\t0.4..0.6\tulp\tprinted\tS\tp/exact@min + 0.375\t", "agrees"},
  {"fig-1\toutside a range\t0.1..0.2\tulp\tprinted\tS\tp/exact@max\twhy", "disagrees"},
  {"fig-1\tflat line\t0.2546\tulp\tclosed-form\tS\tp/flat@const\t", "agrees"},
  {"fig-1\tx of the least y\t3\tulp\tprinted\tS\tp/exact@argmin\t", "agrees"},
  {"fig-1\tnear x\t0.25\tulp\tprinted\tS\tp/exact@near=2.01\t", "agrees"},
  {"fig-1\troot attribute\t0.6\tulp\tclosed-form\tS\tattr:saving\t", "agrees"},
  {"fig-1\tnot comparable\t0.25\tnone\tprinted\tS\tattr:saving\treal data", "not comparable"},
  {"fig-1\tmissing curve\t1\tulp\tprinted\tS\tp/nope@x=1\t", "missing"},
  {"fig-1\tno such x\t1\tulp\tprinted\tS\tp/exact@x=7\t", "missing"},
  {"fig-2\tmissing file\t1\tulp\tplot\tS\tp/exact@x=1\t", "missing"},
  {"fig-2\tmissing file, second row\t1\tulp\tplot\tS\tp/exact@x=2\t", "missing"},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

START_TEST(test_report_verdicts)
{
  char pub[128], tsv[128], md[128], text[8192] = "# fixture\n";
  snprintf(pub, sizeof pub, "%s/published.tsv", dir);
  snprintf(tsv, sizeof tsv, "%s/out.tsv", dir);
  snprintf(md, sizeof md, "%s/report-markdown", dir);
  strcat(text, HEADER);
  for (size_t i = 0; i < N_CASES; i++) {
    strcat(text, CASES[i].row);
    strcat(text, "\n");
  }
  write_file(pub, text);
  qrd_test_require_binary(QRD);
  qrd_run_result r = qrd_test_run(QRD " report --published %s --results %s/results/ --tsv %s "
                                  "--md %s", pub, dir, tsv, md);
  ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
  ck_assert_str_eq(r.out, "");
  /* One warning per missing file (not per row), one per missing curve or
   * point, and the summary line. */
  ck_assert_msg(qrd_test_count_lines(r.err) == 4, "stderr '%s'", r.err);
  ck_assert_ptr_nonnull(strstr(r.err, "fig-2.h5"));
  ck_assert_ptr_nonnull(strstr(r.err, "nope"));
  ck_assert_ptr_nonnull(strstr(r.err, "x = 7"));
  ck_assert_ptr_nonnull(strstr(r.err, "11 agree, 5 disagree, 1 not comparable, 4 missing"));
  qrd_test_run_free(&r);

  char *out = qrd_test_slurp(tsv);
  ck_assert_uint_eq(qrd_test_count_lines(out), N_CASES + 1);
  char field[256];
  tsv_field(out, 0, VERDICT_COL, field, sizeof field);
  ck_assert_str_eq(field, "verdict");
  for (size_t i = 0; i < N_CASES; i++) {
    tsv_field(out, (int)i + 1, VERDICT_COL, field, sizeof field);
    ck_assert_msg(strcmp(field, CASES[i].verdict) == 0, "row '%s': verdict '%s', want '%s'",
                  CASES[i].row, field, CASES[i].verdict);
  }
  /* qrd value, SE and difference of the Monte Carlo row */
  tsv_field(out, 4, 5, field, sizeof field);
  ck_assert_double_eq_tol(strtod(field, NULL), 0.1004, 1e-15);
  tsv_field(out, 4, 6, field, sizeof field);
  ck_assert_double_eq_tol(strtod(field, NULL), 1e-4, 1e-15);
  tsv_field(out, 4, 7, field, sizeof field);
  ck_assert_double_eq_tol(strtod(field, NULL), 3e-4, 1e-12);
  free(out);

  char *m = qrd_test_slurp(md);
  ck_assert_ptr_nonnull(strstr(m, "tol + 3·SE"));
  ck_assert_ptr_nonnull(strstr(m, "fig-1.md#known-deviations"));
  ck_assert_ptr_null(strstr(m, "fig-2.md#known-deviations"));
  ck_assert_ptr_nonnull(strstr(m, "| fig-1 | 19 | 11 | 5 | 1 | 2 |"));
  ck_assert_ptr_nonnull(strstr(m, "| fig-2 | 2 | 0 | 0 | 0 | 2 |"));
  free(m);
  /* Nothing left under the temporary names. */
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp", tsv);
  ck_assert_int_ne(access(tmp, F_OK), 0);
  snprintf(tmp, sizeof tmp, "%s.tmp", md);
  ck_assert_int_ne(access(tmp, F_OK), 0);
}
END_TEST

START_TEST(test_report_stdout)
{
  char pub[128], args[512];
  snprintf(pub, sizeof pub, "%s/published.tsv", dir);
  write_file(pub, "figure\tquantity\tpublished\ttolerance\tkind\tsource\tlocator\tnote\n"
                  "fig-1\tv\t0.5\tulp\tprinted\tS\tp/exact@i=0\n");
  snprintf(args, sizeof args, "report --published %s --results %s/results", pub, dir);
  char *out = qrd_test_expect_ok(args);
  ck_assert_uint_eq(qrd_test_count_lines(out), 2);
  ck_assert_ptr_nonnull(strstr(out, "\tagrees\t"));
  free(out);
}
END_TEST

/* A malformed row: one line naming the file, the line, the column and the
 * value; exit 2; no output written. */
START_TEST(test_report_malformed)
{
  static const struct {
    const char *row, *key1, *key2;
  } bad[] = {
    {"fig-1\tq\tabc\tulp\tprinted\tS\tp/exact@x=1\t",
     ":3: column 'published': 'abc' is not a number", NULL},
    {"fig-1\tq\t0.1..x\tulp\tprinted\tS\tp/exact@x=1\t", "column 'published'", "0.1..x"},
    {"fig-x\tq\t1\tulp\tprinted\tS\tp/exact@x=1\t", "column 'figure'", "fig-x"},
    {"fig-1\tq\t1\tabout\tprinted\tS\tp/exact@x=1\t", "column 'tolerance'", "abs:X"},
    {"fig-1\tq\t1\tulp\tguess\tS\tp/exact@x=1\t", "column 'kind'", "closed-form"},
    {"fig-1\tq\t1\tulp\tprinted\t\tp/exact@x=1\t", "column 'source'", "empty"},
    {"fig-1\tq\t1\tulp\tprinted\tS\tp/exact\t", "column 'locator'", "@PICK"},
    {"fig-1\tq\t1\tulp\tprinted\tS\tp/exact@middle\t", "column 'locator'", "middle"},
    {"fig-1\tq\t1\tulp\tprinted\tS\tp/exact@x=1-p/exact@x=2\t", "column 'locator'", "x=1-p"},
    {"fig-1\tq\t1\tulp\tprinted\tS\tp/Exact@x=1\t", "column 'locator'", "lower-case"},
    {"fig-1\tq\t1\tulp\tprinted\tS\tattr:Bad\t", "column 'locator'", "Bad"},
    {"fig-1\tq\t1\tulp\tprinted", ":3:", "columns"},
  };
  char pub[128], tsv[128], text[1024], args[512];
  snprintf(pub, sizeof pub, "%s/bad.tsv", dir);
  snprintf(tsv, sizeof tsv, "%s/bad-out.tsv", dir);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(text, sizeof text, "# comment\n%s%s\n", HEADER, bad[i].row);
    write_file(pub, text);
    snprintf(args, sizeof args, "report --published %s --results %s/results --tsv %s", pub, dir,
             tsv);
    qrd_test_expect_bad(args, pub, bad[i].key1, bad[i].key2, NULL);
    qrd_run_result r = qrd_test_run(QRD " %s", args);
    ck_assert_int_eq(r.status, 2);
    qrd_test_run_free(&r);
    ck_assert_int_ne(access(tsv, F_OK), 0);
  }
  /* A wrong header */
  write_file(pub, "figure\tvalue\n");
  snprintf(args, sizeof args, "report --published %s --results %s/results", pub, dir);
  qrd_test_expect_bad(args, ":1:", "header", NULL);
  /* Usage */
  qrd_test_expect_bad("report --bogus", "bogus", NULL);
  qrd_test_expect_bad("report --published /nonexistent/p.tsv", "/nonexistent/p.tsv", NULL);
}
END_TEST

/* The shipped table: every row has a figure, a printed value, a source and
 * a locator that parses (run against an empty results folder: every row
 * is then 'missing', none malformed). */
START_TEST(test_report_shipped_table)
{
  const char *shipped = "data/published.tsv";
  char *text = qrd_test_slurp(shipped);
  size_t rows = 0;
  int header = 0;
  char field[1024];
  for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
    if (line[0] == '#' || line[0] == '\n') {
      if (!strchr(line, '\n'))
        break;
      continue;
    }
    if (!header) {
      ck_assert_int_eq(strncmp(line, HEADER, strlen(HEADER)), 0);
      header = 1;
    } else {
      rows++;
      size_t tabs = 0;
      for (const char *p = line; *p && *p != '\n'; p++)
        tabs += *p == '\t';
      ck_assert_msg(tabs == 7, "%s row %zu: %zu columns", shipped, rows, tabs + 1);
      tsv_field(line, 0, 5, field, sizeof field);
      ck_assert_msg(strlen(field) > 0, "%s row %zu: no source", shipped, rows);
      tsv_field(line, 0, 6, field, sizeof field);
      ck_assert_msg(strlen(field) > 0, "%s row %zu: no locator", shipped, rows);
    }
    if (!strchr(line, '\n'))
      break;
  }
  free(text);
  ck_assert_uint_gt(rows, 100);

  char tsv[128];
  snprintf(tsv, sizeof tsv, "%s/shipped.tsv", dir);
  qrd_run_result r = qrd_test_run(QRD " report --published %s --results %s/empty --tsv %s",
                                  shipped, dir, tsv);
  ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
  qrd_test_run_free(&r);
  char *out = qrd_test_slurp(tsv);
  ck_assert_uint_eq(qrd_test_count_lines(out), rows + 1);
  for (size_t i = 1; i <= rows; i++) {
    tsv_field(out, (int)i, VERDICT_COL, field, sizeof field);
    ck_assert_str_eq(field, "missing");
  }
  free(out);
}
END_TEST

/* io/curve_read.h directly: a curve, its y_err, a root attribute, and the
 * errors for what is absent. */
START_TEST(test_curve_read)
{
  char p[128];
  snprintf(p, sizeof p, "%s/results/fig-1.h5", dir);
  qrd_curve c;
  ck_assert_int_eq(qrd_results_read_curve(p, "p", "mc", &c), QRD_OK);
  ck_assert_uint_eq(c.n, 2);
  ck_assert_ptr_nonnull(c.y_err);
  ck_assert_double_eq(c.y[0], 0.1004);
  ck_assert_double_eq(c.y_err[1], 1e-3);
  qrd_curve_free(&c);
  ck_assert_int_eq(qrd_results_read_curve(p, "p", "exact", &c), QRD_OK);
  ck_assert_ptr_null(c.y_err);
  ck_assert_double_eq(c.x[2], 3.0);
  qrd_curve_free(&c);
  ck_assert_int_eq(qrd_results_read_curve(p, "p", "nope", &c), QRD_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "nope"));
  ck_assert_int_eq(qrd_results_read_curve(p, "q", "exact", &c), QRD_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "no panel 'q'"));
  qrd_curve_file *f;
  ck_assert_int_eq(qrd_curve_file_open(p, &f), QRD_OK);
  double v;
  ck_assert_int_eq(qrd_curve_file_attr(f, "saving", &v), QRD_OK);
  ck_assert_double_eq(v, 0.6);
  ck_assert_int_eq(qrd_curve_file_attr(f, "seed", &v), QRD_OK);
  ck_assert_double_eq(v, 1.0);
  ck_assert_int_eq(qrd_curve_file_attr(f, "rng", &v), QRD_EINVAL);
  ck_assert_int_eq(qrd_curve_file_attr(f, "absent", &v), QRD_ENOTFOUND);
  qrd_curve_file_close(f);
  snprintf(p, sizeof p, "%s/results/fig-9.h5", dir);
  ck_assert_int_eq(qrd_curve_file_open(p, &f), QRD_ENOTFOUND);
}
END_TEST

Suite *qrd_suite_report(void)
{
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("report");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_report_verdicts);
  tcase_add_test(tc, test_report_stdout);
  tcase_add_test(tc, test_report_malformed);
  tcase_add_test(tc, test_report_shipped_table);
  tcase_add_test(tc, test_curve_read);
  suite_add_tcase(s, tc);
  return s;
}
