/* Results files: one HDF5 file per figure, layout of docs/design.md.
 *
 *   /                      provenance attributes (qrd_version, git_commit,
 *                          created_utc, config, seed, gsl_version,
 *                          hdf5_version, openblas_config, threads,
 *                          merged_shards, ...)
 *   /<panel>               attributes title, x_label, y_label
 *   /<panel>/<curve>       float64 datasets x, y (and y_err), attribute label
 *                          (and params, y_err: qrd_results_describe)
 *
 * Every dataset is chunked with HDF5's Fletcher-32 checksum filter and the
 * root attribute dataset_checksums = "fletcher32" says so; the exporters
 * below refuse a file that declares checksums and has a dataset without
 * one, a dataset whose checksum fails, or a value that is not finite.
 *
 * The file is built in memory (HDF5's core driver) and written out only by
 * qrd_results_commit(): as a new temporary file beside the target, created
 * exclusively (qrd_output_write), then renamed over it, so a failed or
 * killed run never leaves a half-written file under the real name, and a
 * full disk is an ordinary error.  Object timestamps are off, so identical
 * runs give identical data. */
#ifndef QRD_RESULTS_H
#define QRD_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct qrd_results qrd_results;

/* What every results file records about how it was made. */
typedef struct {
  const char *config_path; /* the raw bytes of this file are stored;
                              NULL: none (stored as "") */
  unsigned long seed;
  const char *rng;         /* GSL generator name, e.g. "mt19937" */
  int threads;             /* worker threads used */
  const char *merged_shards; /* the shard files merged into it (harness/
                                shard.h); NULL: one process (stored as "") */
} qrd_provenance;

/* Checks the target first (qrd_output_check, protecting the config). */
int qrd_results_create(const char *path, const qrd_provenance *prov,
                       qrd_results **out);

/* At most this many points per curve (writer and exporters). */
#define QRD_RESULTS_MAX_POINTS ((size_t)1 << 26)

/* Panel and curve names: lower-case letters and digits in words joined by
 * '-' (QRD_EINVAL otherwise); labels and titles: no control characters. */
int qrd_results_panel(qrd_results *r, const char *panel, const char *title,
                      const char *x_label, const char *y_label);

/* What the curves written next carry as attributes: `params`, their
 * parameters as "key=value; key=value" (source, format, scaling, block,
 * bits, ...; "" for none), and `y_err`, what their y_err means (e.g.
 * "standard error of the mean: jackknife over 64 batches of whole
 * blocks").  NULL keeps the current text.  A curve with y_err in a file
 * that never said what y_err means is an error (QRD_EINVAL).  qrd export
 * prints both. */
int qrd_results_describe(qrd_results *r, const char *params, const char *y_err);

/* y_err may be NULL (exact values).  Every value must be finite: NaN or
 * an infinity is QRD_EDOM naming the curve, the dataset and the index. */
int qrd_results_curve(qrd_results *r, const char *panel, const char *curve,
                      const char *label, size_t n, const double *x,
                      const double *y, const double *y_err);

/* Extra root attribute (numeric or string), e.g. a figure's parameters.
 * Names are lower-case words joined by '_' and may not repeat a provenance
 * name. */
int qrd_results_attr_double(qrd_results *r, const char *name, double value);
int qrd_results_attr_string(qrd_results *r, const char *name, const char *value);

/* Writes the file (qrd_output_write).  `r` is freed either way; on
 * failure no temporary file is left and the target is unchanged. */
int qrd_results_commit(qrd_results *r);

/* *out <- the whole text of the config file at path (NUL-terminated, no
 * NUL inside), as results files store it; the caller frees it. */
int qrd_results_read_config(const char *path, char **out);

/* The git commit of the working directory's tree as results files record
 * it: the hash, "-dirty" appended when anything is changed or untracked,
 * "unknown" outside a repository. */
void qrd_results_git_commit(char *buf, size_t size);

/* Discards the file (after an error); nothing was written to disk. */
void qrd_results_abort(qrd_results *r);

/* Export for gnuplot and other tools.  Each first reads and checks every
 * dataset of the file (the checksums it declares, 1-D float64 of at most
 * QRD_RESULTS_MAX_POINTS, finite values: NaN is refused, QRD_EIO naming
 * the file, the dataset and the index) and prints nothing if one fails.  Long format, one row per point:
 * "panel\tcurve\tlabel\tx\ty\ty_err" after '#' provenance comments. */
int qrd_results_export_tsv(const char *path, FILE *out);
/* One panel as gnuplot data blocks: per curve a comment line
 * "# curve=<curve>;" (for gnuplot's `index "curve=<curve>;"`), followed
 * on that line by " y_err=<meaning>; params=<params>;" when set, a header
 * line "x\t<label>\ty_err", the rows, then two blank lines. */
int qrd_results_export_panel(const char *path, const char *panel, FILE *out);
/* Panel names, one per line. */
int qrd_results_list_panels(const char *path, FILE *out);
/* The curve names of one panel, one per line, in export order. */
int qrd_results_list_curves(const char *path, const char *panel, FILE *out);

/* ---- Safe output files: results, shard (io/shard.h) and Sigma
 * (io/sigma_write.h) files ---- */

/* Whether `path` may be created or replaced by a file written here: if it
 * exists it must be a regular file (a symbolic link, a directory, a device
 * or a FIFO is refused) other than `protect` (same device and inode; e.g.
 * the config; NULL: none): QRD_EINVAL, one line naming the path and why.
 * Its directory must exist and be writable: QRD_EIO otherwise. */
int qrd_output_check(const char *path, const char *protect);

/* *tmp <- a fresh name beside `path`, "<path>.tmp.<host>.<pid>.<random>",
 * that does not exist (the caller creates it exclusively and frees the
 * name).  First removes the temporaries that runs on this host which no
 * longer exist left beside `path` (a kill -9), so they never pile up; a
 * stale temporary never blocks a run, since each run's name is its own. */
int qrd_output_temp_name(const char *path, char **tmp);

/* Writes `size` bytes as the new content of `path`: qrd_output_check, a
 * temporary of qrd_output_temp_name created with O_EXCL | O_NOFOLLOW,
 * every byte written and fsync'ed, then renamed over `path`.  On any
 * failure (e.g. "No space left on device") the temporary is removed,
 * `path` is unchanged, and the error (QRD_EIO) names the file and the
 * system's reason. */
int qrd_output_write(const char *path, const char *protect, const void *bytes, size_t size);

/* *image <- the bytes of an HDF5 file built in memory (a file created with
 * qrd_output_mem_fapl), which is then closed; the caller frees it.  `name`
 * names the file in errors. */
int64_t qrd_output_mem_fapl(void); /* an hid_t: H5Pclose it */
int qrd_output_mem_image(int64_t file, const char *name, void **image, size_t *size);

/* After an H5Fclose() of a file on disk has failed (e.g. on a full disk),
 * HDF5 1.10 keeps an identifier to a freed file and its exit handler
 * would crash on it: this skips the library's shutdown at exit (the
 * process should report the error and exit). */
void qrd_output_h5_close_failed(void);

#endif
