/* Sweeps that several figure drivers run alike.
 *
 * Block-size sweeps (fig-10, fig-11): per source one sample, and at each
 * block size B the formats of that source and B, evaluated together in
 * one pass over the sample (qrd_block_eval_direct): a sweep point.
 *
 * Coded sweeps (fig-9, fig-14): formats at target element bits on an
 * evaluation sample, the entropy models of coded indices trained on an
 * independent sample; the config keys, root attributes and samples that
 * such a figure reads, writes and draws. */
#ifndef QRD_DRIVER_SWEEP_H
#define QRD_DRIVER_SWEEP_H

#include <stddef.h>

#include "fmt/block.h"
#include "harness/driver.h"

#define QRD_DRIVER_MAX_DISTS 8

/* ---- block sizes ---- */

#define QRD_DRIVER_MAX_BLOCKS 16

typedef struct {
  qrd_driver_source src[QRD_DRIVER_MAX_DISTS]; /* one sample each */
  size_t n_dist;
  unsigned long block[QRD_DRIVER_MAX_BLOCKS];
  size_t n_block;
  unsigned long samples;
} qrd_driver_block_sweep;

/* Config keys blocks (block sizes from 4 to 2^20: the block CRDs model
 * the block maximum through ln(B / pi)), samples (a whole number of
 * blocks of every size) and dists (sources with a CRD family). */
int qrd_driver_read_block_sweep(qrd_config *cfg, qrd_driver_block_sweep *out);

/* Root attributes samples and sample_generator. */
int qrd_driver_block_sweep_attrs(qrd_results *res, const qrd_driver_block_sweep *sw);

/* Makes the formats f[0 .. n_formats) of source d at block size `block`
 * (qrd_block_direct_init); ctx is the caller's.  Called from every
 * thread at once, one call per sweep point. */
typedef int (*qrd_driver_formats_fn)(const void *ctx, size_t d, unsigned long block,
                                     qrd_block_direct *f);

/* Runs the sweep's points, one per (source, block size) and one progress
 * step each (qrd_driver_run_items: a shard computes only its own), every
 * source's sample drawn with the driver's seed (as the reference draws
 * each source) by the first of its points to run, the n_formats formats
 * of each point made by `make`.  *out <- the results (zeroed where this
 * process computed nothing), format k of source d at block size j at
 * [(d n_block + j) n_formats + k]: point d n_block + j's slot; the caller
 * frees them. */
int qrd_driver_run_block_sweep(qrd_driver *drv, const qrd_driver_block_sweep *sw,
                               size_t n_formats, qrd_driver_formats_fn make, const void *ctx,
                               qrd_block_result **out);

/* ---- element bits, coded with a trained model ---- */

#define QRD_DRIVER_MAX_BITS 32

typedef struct {
  qrd_driver_source src[QRD_DRIVER_MAX_DISTS]; /* one panel each */
  size_t n_dist;
  double elem_bits[QRD_DRIVER_MAX_BITS]; /* the targets b_elem */
  size_t n_bits;
  unsigned long samples, train_seed, block;
  char scale[QRD_DRIVER_NAME_LEN];       /* format of the evaluated scales */
  char train_scale[QRD_DRIVER_NAME_LEN]; /* of the training sample's scales */
} qrd_driver_coded_sweep;

/* Config keys train_seed, block, samples (a whole number of blocks), dists
 * (sources with a CRD family), element_bits_min, element_bits_max,
 * element_bits_step (targets from 1 to 12), scale, train_scale. */
int qrd_driver_read_coded_sweep(qrd_config *cfg, qrd_driver_coded_sweep *out);

/* Root attributes train_seed, samples, block_size, scale_format,
 * train_scale_format and sample_generator. */
int qrd_driver_coded_sweep_attrs(qrd_results *res, const qrd_driver_coded_sweep *s);

/* Source d's evaluation sample x (the driver's seed) and training sample
 * xt (train_seed), the same seeds for every source as the reference draws
 * each; the caller frees both, also on failure (NULL then). */
int qrd_driver_coded_samples(const qrd_driver *drv, const qrd_driver_coded_sweep *s, size_t d,
                             double **x, double **xt);

#endif
