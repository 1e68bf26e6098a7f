/* The list of quantiser designs.  Adding one: write src/quant/NAME.c
 * defining `const qrd_quantiser_type qrd_quantiser_NAME`, then list it here. */
#include "quant/quantiser.h"

extern const qrd_quantiser_type qrd_quantiser_uniform;
extern const qrd_quantiser_type qrd_quantiser_lloyd_max;
extern const qrd_quantiser_type qrd_quantiser_crd;
extern const qrd_quantiser_type qrd_quantiser_uniform_ec;
extern const qrd_quantiser_type qrd_quantiser_ecsq;
extern const qrd_quantiser_type qrd_quantiser_nf4;
extern const qrd_quantiser_type qrd_quantiser_af4_pub;
extern const qrd_quantiser_type qrd_quantiser_af4_exact;
extern const qrd_quantiser_type qrd_quantiser_af4_approx;
extern const qrd_quantiser_type qrd_quantiser_bof4;
extern const qrd_quantiser_type qrd_quantiser_bof4s;
extern const qrd_quantiser_type qrd_quantiser_opq;

static const qrd_quantiser_type *const registry[] = {
  &qrd_quantiser_uniform,
  &qrd_quantiser_lloyd_max,
  &qrd_quantiser_crd,
  &qrd_quantiser_uniform_ec,
  &qrd_quantiser_ecsq,
  &qrd_quantiser_nf4,
  &qrd_quantiser_af4_pub,
  &qrd_quantiser_af4_exact,
  &qrd_quantiser_af4_approx,
  &qrd_quantiser_bof4,
  &qrd_quantiser_bof4s,
  &qrd_quantiser_opq,
};

size_t qrd_quantiser_count(void) { return sizeof registry / sizeof registry[0]; }

const qrd_quantiser_type *qrd_quantiser_type_at(size_t i)
{
  return i < qrd_quantiser_count() ? registry[i] : NULL;
}
