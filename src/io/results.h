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
 * Written to "<path>.tmp" and renamed on qrd_results_commit(), so a failed
 * run never leaves a half-written file under the real name.  Object
 * timestamps are off, so identical runs give identical data. */
#ifndef QRD_RESULTS_H
#define QRD_RESULTS_H

#include <stddef.h>
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

int qrd_results_create(const char *path, const qrd_provenance *prov,
                       qrd_results **out);

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

/* y_err may be NULL (exact values). */
int qrd_results_curve(qrd_results *r, const char *panel, const char *curve,
                      const char *label, size_t n, const double *x,
                      const double *y, const double *y_err);

/* Extra root attribute (numeric or string), e.g. a figure's parameters.
 * Names are lower-case words joined by '_' and may not repeat a provenance
 * name. */
int qrd_results_attr_double(qrd_results *r, const char *name, double value);
int qrd_results_attr_string(qrd_results *r, const char *name, const char *value);

/* Closes the temporary file and renames it into place.  `r` is freed either
 * way; on failure the temporary file is deleted. */
int qrd_results_commit(qrd_results *r);

/* *out <- the whole text of the config file at path (NUL-terminated, no
 * NUL inside), as results files store it; the caller frees it. */
int qrd_results_read_config(const char *path, char **out);

/* The git commit of the working directory's tree as results files record
 * it: the hash, "-dirty" appended when anything is changed or untracked,
 * "unknown" outside a repository. */
void qrd_results_git_commit(char *buf, size_t size);

/* Closes and deletes the temporary file (after an error). */
void qrd_results_abort(qrd_results *r);

/* Export for gnuplot and other tools.  Long format, one row per point:
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

#endif
