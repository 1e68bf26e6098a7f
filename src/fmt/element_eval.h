/* Element formats measured on a sample: the steps of a codebook, R of
 * several formats under one scaling, Lloyd-Max trained on normalised data,
 * and CRDs whose codepoints are stretched by a multiplier (a scale search
 * around moment matching, Orr et al. F-S7). */
#ifndef QRD_FMT_ELEMENT_EVAL_H
#define QRD_FMT_ELEMENT_EVAL_H

#include <stddef.h>

#include "fmt/block.h"
#include "fmt/element.h"

/* step[i] <- Q_{i+1} - Q_i for i < levels - 1; returns levels - 1. */
size_t qrd_element_steps(const qrd_element *e, double *step);

/* r[f] <- R, its SE and bits of formats e[0 .. k) on x[0 .. n) (drawn
 * from `source`, or NULL: unknown; qrd_block_sample_set_source) under
 * scaling sc, each format normalised for its own range [lo, hi] (as any
 * LUT maps the block extreme onto its extreme codepoints); formats in a
 * row with the same range, or any range when sc stores no scale, share
 * one sorted sample. */
int qrd_element_eval_all(const double *x, size_t n, const qrd_dist *source,
                         const qrd_scaling *sc, qrd_element *const *e, size_t k,
                         qrd_block_result *r);

/* Lloyd-Max with b bits trained on x[0 .. n) normalised by sc onto
 * [-1, 1] (none: the raw values); the normalised values are unweighted, as
 * the reference trains on them. */
int qrd_element_lloyd_max_normalised(const double *x, size_t n, const qrd_scaling *sc,
                                     double b, const qrd_lm_params *p, qrd_element **out);

/* The CRD parameters (defaults, the family of the distribution) of a
 * distribution spec such as "student-t:nu=7.5". */
int qrd_crd_params_for_spec(const char *spec, qrd_crd_params *p);

/* r[i] <- R on data of the b-bit CRD p with every codepoint multiplied by
 * mult[i] (cells at the midpoints, as a CRD's), i < n. */
int qrd_crd_eval_scaled(const qrd_block_sample *data, const qrd_crd_params *p, double b,
                        const double *mult, size_t n, qrd_block_result *r);

#endif
