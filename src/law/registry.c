/* The list of quantiser designs: the scalar designs of quant/ and the
 * block codes of law/.  Adding one: write src/quant/NAME.c or
 * src/law/code_NAME.c defining `const qrd_quantiser_type
 * qrd_quantiser_NAME`, then list it here. */
#include "law/registry.h"

#include <string.h>

#include "core/error.h"

extern const qrd_quantiser_type qrd_quantiser_uniform;
extern const qrd_quantiser_type qrd_quantiser_lloyd_max;
extern const qrd_quantiser_type qrd_quantiser_crd;
extern const qrd_quantiser_type qrd_quantiser_uniform_ec;
extern const qrd_quantiser_type qrd_quantiser_ecsq;
extern const qrd_quantiser_type qrd_quantiser_nf4;
extern const qrd_quantiser_type qrd_quantiser_af4_pub;
extern const qrd_quantiser_type qrd_quantiser_af4_shoot;
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
  &qrd_quantiser_af4_shoot,
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

static const qrd_quantiser_type *find(const char *name)
{
  for (size_t i = 0; i < qrd_quantiser_count(); i++)
    if (strcmp(qrd_quantiser_type_at(i)->name, name) == 0)
      return qrd_quantiser_type_at(i);
  return NULL;
}

static const char *name_at(size_t i) { return qrd_quantiser_type_at(i)->name; }

int qrd_quantiser_parse(const char *text, qrd_quantiser *q)
{
  qrd_spec s;
  int st = qrd_spec_parse(text, &s);
  if (st)
    return st;
  const qrd_quantiser_type *t = find(s.name);
  if (!t)
    return qrd_spec_unknown("quantiser", s.name, qrd_quantiser_count(), name_at);
  unsigned given;
  memset(q, 0, sizeof *q);
  q->type = t;
  if ((st = qrd_spec_bind(&s, "quantiser", t->params, t->n_params, q->params, &given)))
    return st;
  qrd_spec_format(q->spec, sizeof q->spec, t->name, t->params, t->n_params,
                  q->params, given);
  return QRD_OK;
}
