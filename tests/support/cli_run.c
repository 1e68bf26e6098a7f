#include "cli_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

char *qrd_test_slurp(const char *file)
{
  size_t n;
  return qrd_test_slurp_n(file, &n);
}

char *qrd_test_slurp_n(const char *file, size_t *n)
{
  FILE *f = fopen(file, "rb");
  ck_assert_msg(f != NULL, "cannot read %s", file);
  size_t cap = 4096, len = 0, got;
  char *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap) {
      buf = realloc(buf, cap *= 2);
      ck_assert_ptr_nonnull(buf);
    }
  }
  fclose(f);
  buf[len] = '\0';
  *n = len;
  return buf;
}

void qrd_test_temp_file(char *name)
{
  strcpy(name, "/tmp/qrd-cli-XXXXXX");
  int fd = mkstemp(name);
  ck_assert_int_ge(fd, 0);
  close(fd);
}

/* Runs the shell command built from fmt with stdout and stderr captured. */
qrd_run_result qrd_test_run(const char *fmt, ...)
{
  char cmd[2048], full[2200], out[32], err[32];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  qrd_test_temp_file(out);
  qrd_test_temp_file(err);
  snprintf(full, sizeof full, "%s </dev/null >%s 2>%s", cmd, out, err);
  int st = system(full);
  ck_assert_int_ne(st, -1);
  qrd_run_result r = {.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1};
  r.out = qrd_test_slurp(out);
  r.err = qrd_test_slurp(err);
  unlink(out);
  unlink(err);
  return r;
}

void qrd_test_run_free(qrd_run_result *r)
{
  free(r->out);
  free(r->err);
}

size_t qrd_test_count_lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

void qrd_test_require_binary(const char *bin)
{
  ck_assert_msg(access(bin, X_OK) == 0, "%s not built (run from the repository root "
                "after make)", bin);
}

/* Bad input: non-zero exit, nothing on stdout, one stderr line naming the
 * problem (each of the keywords; NULL ends the list). */
void qrd_test_expect_bad(const char *args, ...)
{
  qrd_test_require_binary(QRD);
  qrd_run_result r = qrd_test_run(QRD " %s", args);
  ck_assert_msg(r.status > 0, "qrd %s: exit %d", args, r.status);
  ck_assert_msg(r.out[0] == '\0', "qrd %s: stdout '%s'", args, r.out);
  ck_assert_msg(qrd_test_count_lines(r.err) == 1 && r.err[strlen(r.err) - 1] == '\n',
                "qrd %s: want one stderr line, got '%s'", args, r.err);
  va_list ap;
  va_start(ap, args);
  for (const char *k; (k = va_arg(ap, const char *)) != NULL;)
    ck_assert_msg(strstr(r.err, k) != NULL, "qrd %s: expected '%s' in '%s'", args, k, r.err);
  va_end(ap);
  qrd_test_run_free(&r);
}

/* Successful run: exit 0, empty stderr; returns stdout (caller frees). */
char *qrd_test_expect_ok(const char *args)
{
  qrd_test_require_binary(QRD);
  qrd_run_result r = qrd_test_run(QRD " %s", args);
  ck_assert_msg(r.status == 0, "qrd %s: exit %d, stderr '%s'", args, r.status, r.err);
  ck_assert_msg(r.err[0] == '\0', "qrd %s: stderr '%s'", args, r.err);
  free(r.err);
  return r.out;
}


char *qrd_test_tsv_field(const char *text, int line, int col, char *buf, size_t len)
{
  const char *p = text;
  for (int l = 0; l < line && p; l++)
    if ((p = strchr(p, '\n')))
      p++;
  ck_assert_ptr_nonnull(p);
  for (int c = 0; c < col && p; c++)
    if ((p = strchr(p, '\t')))
      p++;
  ck_assert_ptr_nonnull(p);
  size_t n = strcspn(p, "\t\n");
  ck_assert_uint_lt(n, len);
  memcpy(buf, p, n);
  buf[n] = '\0';
  return buf;
}
