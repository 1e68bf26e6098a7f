/* AF4 codes as quantisers (Yoshida (NF4 vs AF4)):
 *   af4-pub     the published tables: the generator's shooting algorithm
 *               under the exact block law of the Gaussian, whatever the
 *               source it is evaluated on;
 *   af4-shoot   the same algorithm redesigned for the source's own law;
 *   af4-exact   the true L1 optimum with -1, 0, +1 pinned (cell medians);
 *   af4-approx  the shooting algorithm under the median-maximum
 *               approximation of the law.
 * Each designs for blocks of B values scaled by absmax. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "law/af4.h"
#include "law/code.h"
#include "law/pinned.h"
#include "quant/quantiser.h"

static const qrd_param_def params[] = {QRD_CODE_PARAM_BLOCK};

/* The shooting algorithm's n levels into a codebook with midpoint cells. */
static int shoot_code(const qrd_af4_law *law, double levels, qrd_codebook **out)
{
  qrd_codebook *c = qrd_codebook_alloc((size_t)levels);
  if (!c)
    return qrd_error_set(QRD_ENOMEM, "af4 codebook");
  int st = qrd_af4_shoot(law, c->n, c->level);
  if (st) {
    qrd_codebook_free(c);
    return st;
  }
  qrd_codebook_set_midpoints(c);
  *out = c;
  return QRD_OK;
}

static int design_shoot(const qrd_dist *d, const double *th, double levels,
                      qrd_codebook **out)
{
  qrd_law *law;
  int st = qrd_law_alloc(d, th[0], QRD_LAW_ABSMAX, INFINITY, &law);
  if (st)
    return st;
  qrd_af4_law walk;
  qrd_af4_law_exact(law, &walk);
  st = shoot_code(&walk, levels, out);
  qrd_law_free(law);
  return st;
}

static int design_approx(const qrd_dist *d, const double *th, double levels,
                         qrd_codebook **out)
{
  qrd_af4_approx approx;
  int st = qrd_af4_approx_init(d, th[0], &approx);
  if (st)
    return st;
  qrd_af4_law walk;
  qrd_af4_law_approx(&approx, &walk);
  return shoot_code(&walk, levels, out);
}

static int design_exact(const qrd_dist *d, const double *th, double levels,
                        qrd_codebook **out)
{
  qrd_law *law;
  int st = qrd_law_alloc(d, th[0], QRD_LAW_ABSMAX, INFINITY, &law);
  if (st)
    return st;
  st = qrd_pinned_code(law, QRD_LAW_L1N, QRD_PINS_SYMMETRIC, (size_t)levels, out);
  qrd_law_free(law);
  return st;
}

const qrd_quantiser_type qrd_quantiser_af4_pub = {
  .name = "af4-pub",
  .doc = "AF4 (Yoshida): the published tables, the generator's shooting algorithm under "
         "the Gaussian absmax block law, whatever the source",
  .n_params = 1, .params = params,
  .target = QRD_TARGET_LEVELS,
  .design = design_shoot,
  .design_law = "gaussian",
};

const qrd_quantiser_type qrd_quantiser_af4_shoot = {
  .name = "af4-shoot",
  .doc = "AF4's shooting algorithm redesigned for the source's own absmax block law",
  .n_params = 1, .params = params,
  .target = QRD_TARGET_LEVELS,
  .design = design_shoot,
};

const qrd_quantiser_type qrd_quantiser_af4_exact = {
  .name = "af4-exact",
  .doc = "L1-optimal code of absmax-normalised blocks with -1, 0, +1 pinned (cell medians)",
  .n_params = 1, .params = params,
  .target = QRD_TARGET_LEVELS,
  .design = design_exact,
};

const qrd_quantiser_type qrd_quantiser_af4_approx = {
  .name = "af4-approx",
  .doc = "AF4 shooting under the median-block-maximum approximation of the law",
  .n_params = 1, .params = params,
  .target = QRD_TARGET_LEVELS,
  .design = design_approx,
};
