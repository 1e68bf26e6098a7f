#include "harness/driver_config.h"

#include <stdio.h>

#include "core/error.h"
#include "fmt/scale.h"

/* The words of list `key`: at most max of them (a value is never empty),
 * each a `what`. */
static int read_words(qrd_config *cfg, const char *key, const char *what, size_t max,
                      const char **words, size_t *n)
{
  int st = qrd_config_list(cfg, key, words, n);
  if (st || *n <= max)
    return st;
  char why[96];
  if (max == 1)
    snprintf(why, sizeof why, "want one %s", what);
  else
    snprintf(why, sizeof why, "want at most %zu %ss", max, what);
  return qrd_config_invalid(cfg, key, why);
}

int qrd_driver_read_dists(qrd_config *cfg, const char *key, qrd_dist *out, size_t max,
                          size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = read_words(cfg, key, "distribution", max, words, n);
  for (size_t i = 0; !st && i < *n; i++)
    if (qrd_dist_parse(words[i], &out[i]))
      return qrd_config_invalid_error(cfg, key);
  return st;
}

int qrd_driver_read_sources(qrd_config *cfg, const char *key, qrd_driver_source *out,
                            size_t max, size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = read_words(cfg, key, "distribution", max, words, n);
  for (size_t i = 0; !st && i < *n; i++) {
    qrd_driver_source *s = &out[i];
    if (qrd_dist_parse(words[i], &s->dist))
      return qrd_config_invalid_error(cfg, key);
    qrd_crd_params_for_dist(&s->dist, &s->crd, s->slug, s->label, QRD_DRIVER_NAME_LEN);
  }
  return st;
}

int qrd_driver_read_scales(qrd_config *cfg, const char *key, int need_sign,
                           char (*out)[QRD_DRIVER_NAME_LEN], size_t max, size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = read_words(cfg, key, "scale format", max, words, n);
  for (size_t i = 0; !st && i < *n; i++) {
    qrd_scale_format f;
    if (qrd_scale_parse(words[i], &f))
      return qrd_config_invalid_error(cfg, key);
    if (need_sign && !qrd_scale_is_signed(&f)) {
      char why[128];
      snprintf(why, sizeof why, "'%s' drops the sign, which signmax scaling needs (allowed: "
               "fp32, bf16, e<E>m<M>)", words[i]);
      return qrd_config_invalid(cfg, key, why);
    }
    qrd_scale_name(&f, out[i], QRD_DRIVER_NAME_LEN);
  }
  return st;
}

int qrd_driver_read_scale(qrd_config *cfg, const char *key, int need_sign, char *out,
                          size_t len)
{
  char name[1][QRD_DRIVER_NAME_LEN];
  size_t n;
  int st = qrd_driver_read_scales(cfg, key, need_sign, name, 1, &n);
  if (!st)
    snprintf(out, len, "%s", name[0]);
  return st;
}

int qrd_driver_read_samples(qrd_config *cfg, const char *key, const unsigned long *blocks,
                            size_t n_blocks, unsigned long *n)
{
  int st = qrd_config_whole(cfg, key, QRD_DRIVER_SAMPLES_MIN, QRD_DRIVER_SAMPLES_MAX, n);
  for (size_t j = 0; !st && j < n_blocks; j++)
    if (*n % blocks[j] != 0) {
      char why[96];
      snprintf(why, sizeof why, "must be a whole number of blocks of %lu", blocks[j]);
      return qrd_config_invalid(cfg, key, why);
    }
  return st;
}
