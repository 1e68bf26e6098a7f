/* Running a figure driver from a test as `make fig-N` runs it (from the
 * repository root, after make): in a scratch directory of its own, on a
 * config the test writes, with its exit status, its stderr and its HDF5
 * curves read back. */
#ifndef QRD_TEST_FIG_RUN_H
#define QRD_TEST_FIG_RUN_H

#include <stddef.h>

#include <check.h>

#define QRD_TEST_FIG_PATH 128

typedef struct {
  char name[16];               /* "fig-9": the driver is QRD_TEST_BIN/fig-9 */
  char dir[64];                /* the sandbox, /tmp/qrd-fig-9-XXXXXX */
  char h5[QRD_TEST_FIG_PATH];  /* <dir>/fig-9.h5: what qrd_test_fig_make writes */
  char err[1024];              /* stderr of the last run */
} qrd_test_fig;

/* Makes the sandbox of driver `name`, which must be built. */
void qrd_test_fig_open(qrd_test_fig *f, const char *name);
/* Removes the sandbox with everything in it. */
void qrd_test_fig_close(const qrd_test_fig *f);

/* Writes <dir>/<file> from a printf format. */
void qrd_test_fig_write(const qrd_test_fig *f, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs the driver --config <dir>/<config> --out <dir>/<out> --quiet
 * <flags> (stdin empty, stdout dropped); returns its exit status (-1: it
 * did not exit), its stderr in f->err. */
int qrd_test_fig_run(qrd_test_fig *f, const char *config, const char *out, const char *flags);

/* Writes the config <dir>/<name>.cfg from fmt and runs the driver on it
 * into f->h5 with `flags`, which must succeed. */
void qrd_test_fig_make(qrd_test_fig *f, const char *flags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Dataset /<panel>/<curve>/<set> ("x", "y", "y_err") of f->h5 into v: it
 * must hold n values; the _upto form takes up to max and returns how many. */
void qrd_test_fig_curve(const qrd_test_fig *f, const char *panel, const char *curve,
                        const char *set, double *v, size_t n);
size_t qrd_test_fig_curve_upto(const qrd_test_fig *f, const char *panel, const char *curve,
                               const char *set, double *v, size_t max);
/* Whether f->h5 has the group or dataset at `path`. */
int qrd_test_fig_has(const qrd_test_fig *f, const char *path);

/* Bad input as the command-line contract in docs/design.md wants it: the driver on <dir>/<config> exits
 * with 2, writes one stderr line that names the config file and each
 * keyword (NULL ends the list), and leaves no results file. */
void qrd_test_fig_rejects(qrd_test_fig *f, const char *config, ...)
    __attribute__((sentinel));

/* Adds to tc the two checks the figure conventions in docs/design.md asks of every driver, on the run
 * of f that tc's fixture makes with qrd_test_fig_make: its config run
 * again with one thread gives the same datasets (attributes such as the
 * thread count differ by design), and the config text `bad` is refused
 * (qrd_test_fig_rejects) with a message naming `key`.  f, bad and key
 * must outlive the suite. */
void qrd_test_fig_add_checks(TCase *tc, qrd_test_fig *f, const char *bad, const char *key);

#endif
