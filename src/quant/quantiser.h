/* Scalar quantiser designs: a registry of vtables.
 *
 * A design turns a distribution and a target into a codebook.  Fixed-length
 * designs take a level count; entropy-coded designs take a rate (index
 * entropy in bits).  Adding a design is one file defining a
 * `const qrd_quantiser_type` plus one line in law/registry.c, the list of
 * every design (it names law's block codes too, so it sits in law/). */
#ifndef QRD_QUANTISER_H
#define QRD_QUANTISER_H

#include "core/spec.h"
#include "dist/dist.h"
#include "quant/codebook.h"

#define QRD_QUANTISER_MAX_PARAMS 4

typedef enum {
  QRD_TARGET_LEVELS, /* fixed-length code: rate = log2 levels */
  QRD_TARGET_RATE    /* variable-length code: rate = index entropy */
} qrd_target_kind;

typedef struct qrd_quantiser_type {
  const char *name;
  const char *doc;
  size_t n_params;
  const qrd_param_def *params;
  qrd_target_kind target;
  /* Optional: the high-rate limit of D 2^{2R} for this design (NULL when
   * there is none, e.g. a uniform fixed-length grid, whose gap grows). */
  int (*high_rate_constant)(const qrd_dist *d, const double *params, double *k);
  /* target: a level count (QRD_TARGET_LEVELS) or a rate in bits. */
  int (*design)(const qrd_dist *d, const double *params, double target,
                qrd_codebook **out);
  /* Optional: the law the code is always designed for, whatever the
   * source it is evaluated on (a published table: "gaussian" for NF4 and
   * AF4-pub).  NULL: designed for the source. */
  const char *design_law;
} qrd_quantiser_type;

typedef struct {
  const qrd_quantiser_type *type;
  double params[QRD_QUANTISER_MAX_PARAMS];
  char spec[128];
} qrd_quantiser;

/* The largest targets a design takes, bounds on its cost: a fixed-length
 * design costs O(levels) quadratures per iteration (Lloyd-Max at 2^14
 * levels: about 5 s, at 2^16 about 30 s), an entropy-coded one O(cells)
 * per iteration with cells growing as 2^rate (ECSQ at 14 bits: about
 * 10 s; it also stops at QRD_ECSQ_MAX_WORK cell updates, quant/ecsq.h). */
#define QRD_QUANTISER_MAX_LEVELS 16384
#define QRD_QUANTISER_MAX_RATE 14.0

/* Designs q for d (or for q's fixed design law, qrd_quantiser_type).
 * Level targets must be whole numbers from 2 to QRD_QUANTISER_MAX_LEVELS,
 * rate targets in (0, QRD_QUANTISER_MAX_RATE] bits; anything else is
 * QRD_EINVAL with a message. */
int qrd_quantiser_design(const qrd_quantiser *q, const qrd_dist *d,
                         double target, qrd_codebook **out);

/* The spec of the law q is designed for when evaluated on d: q's fixed
 * design law, or d's own. */
const char *qrd_quantiser_design_law(const qrd_quantiser *q, const qrd_dist *d);

/* The high-rate limit of D 2^{2R}; QRD_ENOTFOUND when q has none. */
int qrd_quantiser_high_rate_constant(const qrd_quantiser *q, const qrd_dist *d,
                                     double *k);

#endif
