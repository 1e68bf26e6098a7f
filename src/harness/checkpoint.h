/* A real checkpoint as a figure's source: the weight matrices of a tensor
 * file (io/tensor.h) that a config selects, each read as rows (output
 * channels) of input-dimension values. */
#ifndef QRD_HARNESS_CHECKPOINT_H
#define QRD_HARNESS_CHECKPOINT_H

#include <stddef.h>

#include "core/config.h"
#include "io/results.h"
#include "io/tensor.h"

#define QRD_CHECKPOINT_MAX 64

typedef struct {
  qrd_tensor_file file;
  size_t idx[QRD_CHECKPOINT_MAX]; /* the selected tensors, in file order */
  int out_in[QRD_CHECKPOINT_MAX]; /* stored [out, in] despite the file's layout */
  size_t n;
} qrd_checkpoint;

/* Config keys: checkpoint (a tensor file), min_count (tensors of two or
 * more dimensions and at least this many floating-point values are the
 * weight matrices), out_in (optional: name fragments of tensors stored
 * [out, in] whatever the file's convention, e.g. an embedding table whose
 * rows are tokens). */
int qrd_checkpoint_read(qrd_config *cfg, qrd_checkpoint *c);
void qrd_checkpoint_free(qrd_checkpoint *c);

const qrd_tensor_info *qrd_checkpoint_info(const qrd_checkpoint *c, size_t k);

/* Matrix k's values (malloc'ed), rows x cols. */
int qrd_checkpoint_matrix(const qrd_checkpoint *c, size_t k, double **x, size_t *rows,
                          size_t *cols);

/* A short name for tensor k: its last path components that tell the
 * matrices apart ("Layer_0/FFN/conv1"), at most len bytes. */
void qrd_checkpoint_short_name(const qrd_checkpoint *c, size_t k, char *buf, size_t len);

/* The root attribute `tensors`: every matrix's short name, in index
 * order, space-separated (what the plots label their x axis with). */
int qrd_checkpoint_write_names(qrd_results *res, const qrd_checkpoint *c);

#endif
