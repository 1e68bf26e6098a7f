/* Running the command-line programs from a test, as a user would (from the
 * repository root, after make): exit status, stdout and stderr. */
#ifndef QRD_TEST_CLI_RUN_H
#define QRD_TEST_CLI_RUN_H

#include <stddef.h>

#define QRD "./" QRD_TEST_BIN "/qrd"

typedef struct {
  int status; /* exit status; -1 when not exited normally */
  char *out, *err;
} qrd_run_result;

/* The shell command built from fmt, with stdout and stderr captured. */
qrd_run_result qrd_test_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qrd_test_run_free(qrd_run_result *r);

/* A whole file as a fresh string (the _n form also gives its length in
 * bytes, for binary files); a fresh empty temporary file's name (name
 * holds at least 32 bytes). */
char *qrd_test_slurp(const char *file);
char *qrd_test_slurp_n(const char *file, size_t *n);
void qrd_test_temp_file(char *name);

size_t qrd_test_count_lines(const char *s);

/* Field `col` (0-based) of line `line` (0: the header) of TSV text, copied
 * into buf (len bytes, which the field must fit). */
char *qrd_test_tsv_field(const char *text, int line, int col, char *buf, size_t len);
void qrd_test_require_binary(const char *bin);

/* `qrd ARGS` fails as bad input must (the command-line contract in docs/design.md): non-zero exit,
 * nothing on stdout, one stderr line holding each keyword (NULL ends the
 * list). */
void qrd_test_expect_bad(const char *args, ...);

/* `qrd ARGS` succeeds: exit 0, empty stderr; returns stdout (caller frees). */
char *qrd_test_expect_ok(const char *args);

#endif
