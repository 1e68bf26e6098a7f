/* A weight tensor as the source of qrd eval's Monte Carlo paths (element
 * formats, and block codes on its blocks): its values in row order (rows
 * = output channels, blocks of B consecutive input-dimension elements of
 * one row), and, where a design needs a law, the family fitted to it. */
#ifndef QRD_CLI_EVAL_TENSOR_H
#define QRD_CLI_EVAL_TENSOR_H

#include <stddef.h>

#include "dist/dist.h"

typedef struct {
  double *x;       /* rows * cols values, row by row */
  size_t rows, cols;
  char label[160]; /* "tensor:FILE:NAME" */
} qrd_eval_tensor;

/* Loads spec ("FILE" or "FILE:NAME") as a matrix; layout_text (NULL: the
 * file format's convention) is "out-in" | "in-out".  Prints the one-line
 * error as "qrd CMD: ..." and returns the exit status on failure. */
int qrd_eval_tensor_load(const char *cmd, const char *spec, const char *layout_text,
                         qrd_eval_tensor *t);
void qrd_eval_tensor_free(qrd_eval_tensor *t);

/* The registered family that fits the tensor best (maximum likelihood),
 * said on stderr; prints the error and returns the exit status on failure. */
int qrd_eval_tensor_fit(const char *cmd, const qrd_eval_tensor *t, qrd_dist *d);

/* "B" itself, or the row length for "row" in a scaling such as
 * "absmax:row": buf holds the scaling text with the row length put in. */
void qrd_eval_tensor_scaling(const qrd_eval_tensor *t, const char *text, char *buf, size_t len);

#endif
