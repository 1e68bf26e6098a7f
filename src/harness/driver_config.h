/* Config readers that know the library's names: distributions (with the
 * CRD parameters of each), scale formats, and the sample size of a
 * blocked figure.  Errors name FILE:LINE, the key, the value and what is
 * allowed, as the plain getters of core/config.h do. */
#ifndef QRD_DRIVER_CONFIG_H
#define QRD_DRIVER_CONFIG_H

#include <stddef.h>

#include "core/config.h"
#include "dist/dist.h"
#include "fmt/element.h"

#define QRD_DRIVER_NAME_LEN 48
/* The sample sizes a figure may ask for. */
#define QRD_DRIVER_SAMPLES_MIN 1024.0
#define QRD_DRIVER_SAMPLES_MAX 268435456.0 /* 2^28 */

/* A source of a figure, any registered distribution, with its CRD
 * (qrd_crd_params_for_dist: the source set, the rest default) and names. */
typedef struct {
  qrd_dist dist;
  qrd_crd_params crd;
  char slug[QRD_DRIVER_NAME_LEN];  /* results name: "normal", "t-nu-5" (qrd_dist_slug) */
  char label[QRD_DRIVER_NAME_LEN]; /* legend: "Normal", "t[nu=5]" (qrd_dist_label) */
} qrd_driver_source;

/* A list of 1 to max distribution specs ("gaussian student-t:nu=5"). */
int qrd_driver_read_dists(qrd_config *cfg, const char *key, qrd_dist *out, size_t max,
                          size_t *n);

/* The same as figure sources. */
int qrd_driver_read_sources(qrd_config *cfg, const char *key, qrd_driver_source *out,
                            size_t max, size_t *n);

/* A list of 1 to max scale-format names (fmt/scale.h), stored canonical
 * ("bf16", "e8m0"); `need_sign` refuses formats that drop the sign, which
 * signmax scaling needs. */
int qrd_driver_read_scales(qrd_config *cfg, const char *key, int need_sign,
                           char (*out)[QRD_DRIVER_NAME_LEN], size_t max, size_t *n);
/* Exactly one scale-format name, into out (len bytes). */
int qrd_driver_read_scale(qrd_config *cfg, const char *key, int need_sign, char *out,
                          size_t len);

/* The sample size: a whole number from QRD_DRIVER_SAMPLES_MIN to
 * QRD_DRIVER_SAMPLES_MAX that is a whole number of blocks of every size in
 * blocks[0 .. n_blocks). */
int qrd_driver_read_samples(qrd_config *cfg, const char *key, const unsigned long *blocks,
                            size_t n_blocks, unsigned long *n);

#endif
