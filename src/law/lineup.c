/* The named codes of the block-law figures (law/lineup.h). */
#include "law/lineup.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"
#include "fmt/element.h"
#include "law/code.h"
#include "law/registry.h"
#include "quant/quantiser.h"

/* INT4's levels divided by the value the block maximum maps to
 * (min(-lo, hi) = 7, as absmax scaling in fmt/block.h does). */
static int int4_grid(qrd_codebook **out)
{
  qrd_element *e;
  int st = qrd_element_int(4.0, 0, &e);
  if (st)
    return st;
  qrd_codebook *c = qrd_codebook_alloc(e->cb->n);
  double top = -e->lo < e->hi ? -e->lo : e->hi;
  for (size_t i = 0; c && i < c->n; i++)
    c->level[i] = e->cb->level[i] / top;
  qrd_element_free(e);
  if (!c)
    return qrd_error_set(QRD_ENOMEM, "int4 codebook");
  qrd_codebook_set_midpoints(c);
  *out = c;
  return QRD_OK;
}

static int uniform_grid(qrd_codebook **out)
{
  *out = qrd_codebook_uniform(QRD_LINEUP_LEVELS, 1.0);
  return *out ? QRD_OK : QRD_ENOMEM;
}

static const qrd_lineup_code lineup[] = {
  {"nf4", "NF4", QRD_LAW_ABSMAX, "nf4", NULL},
  {"af4-pub", "AF4-pub", QRD_LAW_ABSMAX, "af4-pub", NULL},
  {"af4-exact", "AF4-exact", QRD_LAW_ABSMAX, "af4-exact", NULL},
  {"af4-approx", "AF4-approx", QRD_LAW_ABSMAX, "af4-approx", NULL},
  {"bof4", "BOF4 (MSE)", QRD_LAW_ABSMAX, "bof4:metric=mse", NULL},
  {"bof4-mae", "BOF4 (MAE)", QRD_LAW_ABSMAX, "bof4:metric=mae", NULL},
  {"bof4s", "BOF4-S (MSE)", QRD_LAW_SIGNMAX, "bof4s:metric=mse", NULL},
  {"int4", "INT4", QRD_LAW_ABSMAX, NULL, int4_grid},
  {"uniform", "uniform", QRD_LAW_ABSMAX, NULL, uniform_grid},
};

#define N_CODES (sizeof lineup / sizeof lineup[0])

static const char *name_at(size_t i) { return lineup[i].name; }

int qrd_lineup_find(const char *name, const qrd_lineup_code **out)
{
  for (size_t i = 0; i < N_CODES; i++)
    if (strcmp(name, lineup[i].name) == 0) {
      *out = &lineup[i];
      return QRD_OK;
    }
  return qrd_spec_unknown("code", name, N_CODES, name_at);
}

/* Whether the quantiser's design takes the block size parameter. */
static int takes_block(const qrd_quantiser *q)
{
  const qrd_param_def block = QRD_CODE_PARAM_BLOCK;
  for (size_t i = 0; i < q->type->n_params; i++)
    if (strcmp(q->type->params[i].name, block.name) == 0)
      return 1;
  return 0;
}

int qrd_lineup_design(const qrd_lineup_code *c, const qrd_dist *d, double block,
                      qrd_codebook **out)
{
  if (c->grid)
    return c->grid(out);
  qrd_quantiser q;
  int st = qrd_quantiser_parse(c->quantiser, &q);
  if (!st && takes_block(&q)) {
    char spec[160];
    snprintf(spec, sizeof spec, "%s%sB=%.17g", c->quantiser,
             strchr(c->quantiser, ':') ? "," : ":", block);
    st = qrd_quantiser_parse(spec, &q);
  }
  return st ? st : qrd_quantiser_design(&q, d, QRD_LINEUP_LEVELS, out);
}

/* ---- configuration ---- */

static int read_blocks(qrd_config *cfg, qrd_lineup *l)
{
  unsigned long lo, hi;
  int st;
  if ((st = qrd_config_power_of_two(cfg, "block_min", 2, 1 << 20, &lo)) ||
      (st = qrd_config_power_of_two(cfg, "block_max", (double)lo, 1 << 20, &hi)))
    return st;
  l->n_block = 0;
  for (unsigned long b = lo; b <= hi; b *= 2) {
    if (l->n_block == QRD_LINEUP_MAX_BLOCKS)
      return qrd_config_invalid(cfg, "block_max", "at most 24 block sizes");
    l->block[l->n_block++] = (double)b;
  }
  return QRD_OK;
}

static int read_codes(qrd_config *cfg, qrd_lineup *l)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "codes", words, &l->n_code);
  if (st)
    return st;
  if (l->n_code > QRD_LINEUP_MAX_CODES)
    return qrd_config_invalid(cfg, "codes", "want 1 to 16 codes");
  for (size_t c = 0; c < l->n_code; c++)
    if (qrd_lineup_find(words[c], &l->code[c]))
      return qrd_config_invalid_error(cfg, "codes");
  return QRD_OK;
}

int qrd_lineup_read(qrd_config *cfg, qrd_lineup *out)
{
  int st = read_blocks(cfg, out);
  return st ? st : read_codes(cfg, out);
}
