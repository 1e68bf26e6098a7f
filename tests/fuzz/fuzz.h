/* Fuzz targets: one entry function per parser or reader,
 *   int qrd_fuzz_NAME(const uint8_t *data, size_t size)
 * defined in tests/fuzz/fuzz_NAME.c and called both by libFuzzer (make
 * fuzz builds each file with -DQRD_FUZZ_LIBFUZZER, where QRD_FUZZ_MAIN
 * defines LLVMFuzzerTestOneInput) and by the Check suite fuzz_regress,
 * which replays every file of tests/fuzz/corpus/NAME and
 * tests/fuzz/regress/NAME through it in the ordinary build.
 *
 * An entry returns 0 when the input was handled cleanly: a status of
 * core/error.h, with a detail whenever it is an error, and results that
 * agree with themselves; anything else aborts (a crash for libFuzzer, a
 * failure for Check). */
#ifndef QRD_FUZZ_H
#define QRD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define QRD_FUZZ_TARGETS(X)                                                                    \
  X(spec) X(config) X(stats) X(h5cov) X(export) X(curve) X(safetensors) X(npy) X(tfjs)          \
  X(tensor_hdf5)

#define QRD_FUZZ_DECLARE(name) int qrd_fuzz_##name(const uint8_t *data, size_t size);
QRD_FUZZ_TARGETS(QRD_FUZZ_DECLARE)
#undef QRD_FUZZ_DECLARE

#ifdef QRD_FUZZ_LIBFUZZER
#define QRD_FUZZ_MAIN(name)                                                                    \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                 \
  {                                                                                            \
    return qrd_fuzz_##name(data, size);                                                        \
  }
#else
#define QRD_FUZZ_MAIN(name)
#endif

/* A private directory for the files a target writes (removed at exit). */
const char *qrd_fuzz_dir(void);
/* path <- qrd_fuzz_dir()/name, holding exactly data[0 .. size). */
void qrd_fuzz_write(const char *name, const uint8_t *data, size_t size, char *path, size_t len);
/* data up to its first NUL (or all of it) as a malloc'ed string. */
char *qrd_fuzz_string(const uint8_t *data, size_t size);
/* Aborts unless st is a status of core/error.h with a detail when it is an
 * error (and clears the detail); returns st. */
int qrd_fuzz_status(int st, const char *what);
/* Aborts with `what` when cond is false. */
void qrd_fuzz_assert(int cond, const char *what);
/* An HDF5 target's input: HDF5 set up, the input written to
 * qrd_fuzz_dir()/name, then body(path) — rehearsed as a whole
 * (io/h5probe.h) when the environment has QRD_FUZZ_WHOLE=1: one fork per
 * input instead of one per reader operation, for the mutating runs of
 * make fuzz (tests/fuzz/run.sh); the readers' own rehearsals inside it
 * then run directly, and a failed check of the harness in the child is
 * still a finding.  Without it, body(path) as qrd runs its readers (the
 * Check suite and the ASan replay of the corpus). */
int qrd_fuzz_hdf5_input(const char *name, const uint8_t *data, size_t size,
                        int (*body)(const char *path));
/* The tensor file at path (written from the input): open, list, find and
 * read every tensor (up to a bound), as matrix rows where it is one. */
int qrd_fuzz_tensor_file(const char *path);

#endif
