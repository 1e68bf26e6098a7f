/* qrd eval with an element format: a block-scaled format (Orr et al.)
 * applied to a Monte Carlo sample of the distribution, reporting achieved
 * bits and R with its standard error. */
#include "cli/eval_format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/eval_tensor.h"
#include "core/bigalloc.h"
#include "core/error.h"
#include "core/spec.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "fmt/mx.h"
#include "mat/rotate.h"
#include "law/registry.h"
#include "mc/sample.h"
#include "quant/quantiser.h"
#include "quant/rd.h"

#define MAX_BITS 64

static const char help[] =
  "usage: qrd eval --dist D --format F [--bits B[,B...]] [--scaling S]\n"
  "                [--scale-format SF] [--outliers R] [--compress optimal|huffman]\n"
  "                [--samples N] [--seed S] [--train-seed S]\n"
  "Applies a block-scaled element format to a Monte Carlo sample of D and\n"
  "reports the achieved bits per parameter (elements, scales and outliers)\n"
  "and R = RMS error / RMS value with its standard error.\n"
  "  --format F        int[:sym=1] | fp:e=E,m=M | nf4 | sf4 | crd[:alpha=A,sym=0]\n"
  "                    | crd-block[:alpha=A,sym=0] | lut:FILE  (also accepted\n"
  "                    as --quantiser F); crd shapes follow D's family.\n"
  "                    (--quantiser nf4 --scaling absmax:B alone evaluates NF4\n"
  "                    under the exact block law: qrd eval --quantiser nf4\n"
  "                    --scaling absmax:64 --help)\n"
  "  --bits B          element bits of int, crd, crd-block: round(2^B) levels\n"
  "  --scaling S       rms (tensor) | rms:B | absmax:B | signmax:B | none.\n"
  "                    Default: rms for crd (designed for the scaling),\n"
  "                    absmax:64 for nf4 and sf4 (their definition: blocks of\n"
  "                    64); int, fp and lut span [-1, 1] and need a scaling.\n"
  "  --scale-format SF bf16 (default) | fp32 | e8m0 | e7m<m>\n"
  "  --outliers R      fraction of largest |x| kept as bf16 + 32-bit index (0)\n"
  "  --compress C      entropy-code the element indices with a +1-smoothed model\n"
  "                    of an independent training sample: optimal (ideal code\n"
  "                    length) or huffman; bits are then achieved, not nominal\n"
  "  --samples N       sample size, a multiple of the block (default 1048576):\n"
  "                    at least 2 blocks, or 64 values under rms or none\n"
  "  --seed S          evaluation sample (default 1); --train-seed (default 2)\n"
  "Standard errors: under a tensor scaling (rms, none) without outliers, the\n"
  "source law's standard deviation of R at this sample size (by quadrature;\n"
  "honest under heavy tails, +inf without a finite fourth moment); otherwise\n"
  "the jackknife over 64 batches of whole blocks.\n"
  "columns: dist format scaling scale_format outliers compress samples\n"
  "         method bits rel_rmse rel_rmse_se r2b r2b_se element_bits\n"
  "         (r2b = R 2^bits, Orr et al.'s efficiency; method: monte-carlo)\n";

static const char gap_help[] =
  "usage: qrd gap --dist D --format F --scaling S [options of qrd eval --format]\n"
  "The rate gap in bits of a block-scaled element format on a Monte Carlo\n"
  "sample: its achieved bits per parameter minus the rate the bound needs at\n"
  "its MSE (Shannon's R(D) for a Gaussian, the Shannon lower bound\n"
  "otherwise).  Options and defaults as qrd eval --format F --help.\n"
  "columns: dist format scaling scale_format outliers compress samples\n"
  "         method bits rel_rmse rel_rmse_se bound mse bound_rate gap gap_se\n";

/* Options that only the format path takes: any of them selects it. */
static const char *const FORMAT_ONLY[] = {"--format", "--scaling", "--scale-format",
                                          "--outliers", "--compress", "--samples",
                                          "--seed", "--train-seed", "--tensor", "--layout",
                                          "--rotate", "--clip"};

typedef struct {
  qrd_dist dist;
  const char *format, *scaling_text, *scale_text;
  qrd_scaling scaling;
  double bits[MAX_BITS];
  size_t n_bits;
  double outliers;
  int compress;  /* 0: fixed length, 1: ideal code, 2: Huffman */
  unsigned long samples, seed, train_seed;
  int implied; /* the scaling is the format's definition, not given */
  qrd_eval_tensor tensor; /* the source when tensor.x is set, else dist */
  int is_mx;              /* an MX / NVFP4 format: its scaling is its own */
  size_t affine_group;    /* > 0: affine INT with a zero point per group */
  int clip;               /* searched clipping of the block scales */
  int dq;                 /* --format nf4-dq: NF4 with double-quantised scales */
  const char *rotate;     /* "hadamard:B" | "sylvester:B", or NULL */
  qrd_rotate_kind rot_kind;
  size_t rot_block;
  qrd_mx_format mx;
  char scaling_buf[64];
} request;

/* The subcommand running this path: "eval" or "gap". */
static const char *command = "eval";

/* One printable line: user text escaped and truncated (core/error.h). */
static int bad(const char *fmt, const char *a, const char *b)
{
  char raw[4096];
  snprintf(raw, sizeof raw, fmt, a, b);
  return qrd_args_bad(command, "%s", raw);
}

/* Whether name's family (before any ':') is a registered quantiser: then
 * --quantiser means that design, and a bad parameter is the quantiser's
 * error ("crd:alpha=1e-300" is not the element format crd). */
static int names_quantiser(const char *name)
{
  size_t len = strcspn(name, ":");
  for (size_t i = 0; i < qrd_quantiser_count(); i++) {
    const char *q = qrd_quantiser_type_at(i)->name;
    if (strlen(q) == len && strncmp(q, name, len) == 0)
      return 1;
  }
  return 0;
}

int qrd_eval_is_element_format(const char *name)
{
  qrd_quantiser q;
  qrd_element_request r = {.bits = 4.0};
  qrd_element *e = NULL;
  if (qrd_quantiser_parse(name, &q) == QRD_OK || names_quantiser(name))
    return 0;
  if (strncmp(name, "lut:", 4) == 0 || qrd_element_spec_takes_bits(name))
    return 1;
  int st = qrd_element_from_spec(name, &r, &e);
  qrd_element_free(e);
  return st == QRD_OK;
}

int qrd_eval_is_format(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    for (size_t k = 0; k < sizeof FORMAT_ONLY / sizeof FORMAT_ONLY[0]; k++)
      if (strcmp(argv[i], FORMAT_ONLY[k]) == 0)
        return 1;
    if (strcmp(argv[i], "--quantiser") == 0 && i + 1 < argc && qrd_eval_is_element_format(argv[i + 1]))
      return 1;
  }
  return 0;
}

static int parse_ulong(const char *opt, const char *text, unsigned long min, unsigned long *v)
{
  double d;
  if (qrd_parse_double(text, &d) || d != floor(d) || d < (double)min || d > 0x1p53)
    return bad("--%s %s: want a whole number >= 1", opt, text);
  *v = (unsigned long)d;
  return 0;
}

static int parse_bits(const char *text, request *r)
{
  char buf[1024], *item[MAX_BITS];
  int st = qrd_args_list(command, "bits", text, buf, sizeof buf, item, MAX_BITS, &r->n_bits);
  for (size_t i = 0; !st && i < r->n_bits; i++)
    if (qrd_parse_double(item[i], &r->bits[i]) || !(r->bits[i] >= 1.0))
      return bad("--bits %s: '%s' is not a number >= 1", text, item[i]);
  return st;
}

static int parse_compress(const char *text, int *c)
{
  if (!text)
    *c = 0;
  else if (strcmp(text, "optimal") == 0)
    *c = 1;
  else if (strcmp(text, "huffman") == 0)
    *c = 2;
  else
    return bad("--compress %s: allowed: optimal, huffman%s", text, "");
  return 0;
}

static int parse_numbers(const qrd_opt *o, size_t n, request *r)
{
  const char *v;
  r->outliers = 0.0;
  if ((v = qrd_args_get(o, n, "outliers")) &&
      (qrd_parse_double(v, &r->outliers) || !(r->outliers >= 0.0 && r->outliers < 1.0)))
    return bad("--outliers %s: want a fraction in [0, 1)%s", v, "");
  r->samples = (unsigned long)1 << 20;
  r->seed = 1;
  r->train_seed = 2;
  int st = 0;
  if (!st && (v = qrd_args_get(o, n, "samples")))
    st = parse_ulong("samples", v, 1, &r->samples);
  if (!st && (v = qrd_args_get(o, n, "seed")))
    st = parse_ulong("seed", v, 0, &r->seed);
  if (!st && (v = qrd_args_get(o, n, "train-seed")))
    st = parse_ulong("train-seed", v, 0, &r->train_seed);
  return st;
}

/* The element's bits: the requested ones, or its own fixed width. */
static int check_bits(const qrd_opt *o, size_t n, request *r)
{
  const char *v = qrd_args_get(o, n, "bits");
  int takes = qrd_element_spec_takes_bits(r->format);
  if (takes && !v)
    return bad("format '%s' needs --bits (element bits: round(2^B) levels)%s", r->format, "");
  if (!takes && v)
    return bad("format '%s' has a fixed width: leave out --bits %s", r->format, v);
  if (!takes) {
    r->bits[0] = NAN;
    r->n_bits = 1;
    return 0;
  }
  return parse_bits(v, r);
}

/* The format's name without its parameters. */
static int format_is(const char *format, const char *name)
{
  size_t len = strcspn(format, ":");
  return strlen(name) == len && strncmp(format, name, len) == 0;
}

/* The scaling a format's definition implies (*said: whether the output
 * should say so); NULL when it has none (int, fp and LUTs span [-1, 1]
 * under any scaling given, and crd-block is absmax's by construction). */
static const char *default_scaling(const char *format, int *said)
{
  *said = format_is(format, "nf4") || format_is(format, "sf4");
  return format_is(format, "crd") ? "rms" : *said ? "absmax:64" : NULL;
}

/* A tensor source: loaded as rows; a CRD without --dist is designed for
 * the family fitted to it.  It is its own sample: no --samples, --seed or
 * --train-seed. */
static int parse_tensor(const qrd_opt *o, size_t n, request *r, const char *spec, int has_dist)
{
  static const char *const sampling[] = {"samples", "seed", "train-seed"};
  for (size_t k = 0; k < 3; k++)
    if (qrd_args_get(o, n, sampling[k]))
      return bad("--%s with --tensor %s: a tensor is its own sample", sampling[k], spec);
  int st = qrd_eval_tensor_load(command, spec, qrd_args_get(o, n, "layout"), &r->tensor);
  if (!st && !has_dist && format_is(r->format, "crd") + format_is(r->format, "crd-block"))
    st = qrd_eval_tensor_fit(command, &r->tensor, &r->dist);
  if (!st && !has_dist && !r->dist.type)
    st = qrd_dist_parse("gaussian", &r->dist) ? 1 : 0; /* no design needs it */
  return st;
}

/* --rotate KIND:B, a block rotation of B (a power of two) consecutive
 * values of each row, applied before quantising. */
static int parse_rotate(const char *text, request *r)
{
  if (!text)
    return 0;
  char kind[32];
  double b;
  const char *colon = strchr(text, ':');
  size_t len = colon ? (size_t)(colon - text) : 0;
  if (!colon || len >= sizeof kind || qrd_parse_double(colon + 1, &b) || b != floor(b) ||
      b < 2 || b > 65536 || ((size_t)b & ((size_t)b - 1)))
    return bad("--rotate %s: want hadamard:B or sylvester:B, B a power of two from 2 to "
               "65536%s", text, "");
  snprintf(kind, sizeof kind, "%.*s", (int)len, text);
  if (qrd_rotate_parse(kind, &r->rot_kind) ||
      (r->rot_kind != QRD_ROTATE_HADAMARD && r->rot_kind != QRD_ROTATE_SYLVESTER))
    return bad("--rotate %s: '%s' (allowed: hadamard, randomised; sylvester, fixed)", text, kind);
  r->rotate = text;
  r->rot_block = (size_t)b;
  return 0;
}

/* The rotation of --rotate on x (and xt): the R of rotating, quantising
 * and rotating back, as the rotation is orthogonal. */
static int rotate(const request *r, double *x, double *xt)
{
  size_t row = r->tensor.x ? r->tensor.cols : r->samples;
  if (row % r->rot_block)
    return qrd_error_set(QRD_EINVAL, "--rotate %s: rows of %zu values are not whole blocks of "
                         "%zu", r->rotate, row, r->rot_block);
  qrd_rotation *rot;
  double *work = malloc(r->rot_block * sizeof *work);
  int st = work ? qrd_rotation_alloc(r->rot_kind, r->rot_block, r->seed, NULL, &rot)
                : qrd_error_set(QRD_ENOMEM, "rotation");
  if (!st) {
    st = qrd_rotation_blocks(rot, x, r->samples, 0, work);
    if (!st && xt && xt != x)
      st = qrd_rotation_blocks(rot, xt, r->samples, 0, work);
    qrd_rotation_free(rot);
  }
  free(work);
  return st;
}

/* Options a format with its own blocks and scales does not take. */
static int refuse_own(const qrd_opt *o, size_t n, const request *r, int bits_too)
{
  static const char *const own[] = {"scaling", "scale-format", "outliers", "compress", "bits"};
  for (size_t k = 0; k < sizeof own / sizeof own[0] - !bits_too; k++)
    if (qrd_args_get(o, n, own[k]))
      return bad("--%s with --format %s: the format fixes its own blocks and scales", own[k],
                 r->format);
  return 0;
}

/* The standard error is a jackknife over batches of whole blocks: it needs
 * at least QRD_EVAL_MIN_BLOCKS of them (one block gave rel_rmse_se = nan
 * with exit status 0).  A whole-tensor scaling (rms, none) takes its scale
 * from the sample and cuts it into QRD_BLOCK_BATCHES batches of values; its
 * standard error (that jackknife's, or the source law's at this size) is a
 * large-sample one: at least QRD_EVAL_MIN_VALUES values, one per batch
 * (2 values gave R = 0.12 +- 0.32 at 12 bits with exit status 0). */
#define QRD_EVAL_MIN_BLOCKS 2
#define QRD_EVAL_MIN_VALUES QRD_BLOCK_BATCHES

/* blocks: of `unit` values, or values (unit 1) under a whole-tensor
 * scaling. */
static int enough_blocks(const request *r, size_t blocks, size_t unit)
{
  const char *what = r->tensor.x ? "the tensor holds" : "--samples gives";
  if (unit == 1 && blocks >= QRD_EVAL_MIN_BLOCKS && blocks < QRD_EVAL_MIN_VALUES) {
    char msg[300];
    snprintf(msg, sizeof msg, "%s %zu values: a whole-tensor scaling (%s) takes its scale from "
             "the sample and its standard error is a large-sample one: allowed at least %d "
             "values (one per batch)", what, blocks, r->scaling_text, QRD_EVAL_MIN_VALUES);
    return bad("%s%s", msg, "");
  }
  if (blocks >= QRD_EVAL_MIN_BLOCKS)
    return 0;
  char msg[200], need[200];
  if (unit == 1) /* a whole-tensor scaling: batches of values */
    snprintf(msg, sizeof msg, "%s %zu value(s)", what, blocks);
  else if (r->tensor.x)
    snprintf(msg, sizeof msg, "the tensor holds %zu block(s) of %zu values", blocks, unit);
  else
    snprintf(msg, sizeof msg, "--samples %lu is %zu block(s) of %zu values", r->samples,
             blocks, unit);
  if (unit == 1)
    snprintf(need, sizeof need, "the standard error (a jackknife over batches of whole "
             "blocks) needs at least %d values, and a whole-tensor scaling at least %d",
             QRD_EVAL_MIN_BLOCKS, QRD_EVAL_MIN_VALUES);
  else
    snprintf(need, sizeof need, "the standard error (a jackknife over batches of whole "
             "blocks) needs at least %d blocks", QRD_EVAL_MIN_BLOCKS);
  return bad("%s: %s", msg, need);
}

/* The sample of a format with its own blocks of `unit` values: --samples
 * and --seed, or the tensor, whose rows (or the sample) hold whole blocks
 * (NF4-DQ's groups of 16384 run across rows: the whole tensor must hold
 * whole groups). */
static int own_sample(const qrd_opt *o, size_t n, request *r, size_t unit)
{
  int st = parse_numbers(o, n, r);
  if (!st && r->tensor.x)
    r->samples = (unsigned long)(r->tensor.rows * r->tensor.cols);
  size_t span = r->tensor.x && !r->dq ? r->tensor.cols : r->samples;
  if (!st && span % unit != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "the %s are not whole blocks of %zu",
             r->tensor.x && !r->dq ? "tensor's rows" : "values", unit);
    st = bad("--format %s: %s", r->format, msg);
  }
  return st ? st : enough_blocks(r, r->tensor.x ? r->tensor.rows * (r->tensor.cols / unit)
                                                : r->samples / unit, unit);
}

/* affine-int[:g=G]: zero-point INT of --bits bits per group of G (128). */
static int parse_affine(const qrd_opt *o, size_t n, request *r)
{
  double g = 128.0;
  const char *p = r->format + strlen("affine-int");
  if (*p && (strncmp(p, ":g=", 3) != 0 || qrd_parse_double(p + 3, &g) || g != floor(g) ||
             g < 2 || g > 65536))
    return bad("--format %s: want affine-int or affine-int:g=G, G a whole group size from 2 "
               "to 65536%s", r->format, "");
  int st = refuse_own(o, n, r, 0);
  if (!st && !qrd_args_get(o, n, "bits"))
    st = bad("--format %s needs --bits (a whole number of bits per element)%s", r->format, "");
  if (!st)
    st = parse_bits(qrd_args_get(o, n, "bits"), r);
  r->affine_group = (size_t)g;
  r->scaling_text = "affine";
  r->scale_text = "bf16+zero";
  return st ? st : own_sample(o, n, r, r->affine_group);
}

/* nf4-dq: NF4 on absmax blocks of 64 with QLoRA's double-quantised scales. */
static int parse_dq(const qrd_opt *o, size_t n, request *r)
{
  int st = refuse_own(o, n, r, 1);
  r->dq = 1;
  r->n_bits = 1;
  r->scaling_text = "absmax:64+dq";
  r->scale_text = "int8/256+fp32";
  return st ? st : own_sample(o, n, r, 64 * 256);
}

/* An MX or NVFP4 format brings its own blocks, scales and element width. */
static int parse_mx(const qrd_opt *o, size_t n, request *r)
{
  int own = refuse_own(o, n, r, 1);
  if (own)
    return own;
  r->is_mx = 1;
  r->scaling_text = r->mx.rule == QRD_MX_RULE_NVFP4 ? "nvfp4:16" : "mx:32";
  r->scale_text = r->mx.rule == QRD_MX_RULE_NVFP4 ? "e4m3+fp32" : "e8m0";
  r->n_bits = 1;
  return own_sample(o, n, r, r->mx.block);
}

static int parse(int argc, char **argv, request *r, int gap)
{
  qrd_opt o[] = {{"dist", 1, NULL},       {"format", 1, NULL},     {"quantiser", 1, NULL},
                 {"bits", 1, NULL},       {"scaling", 1, NULL},    {"scale-format", 1, NULL},
                 {"outliers", 1, NULL},   {"compress", 1, NULL},   {"samples", 1, NULL},
                 {"seed", 1, NULL},       {"train-seed", 1, NULL}, {"tensor", 1, NULL},
                 {"layout", 1, NULL},     {"rotate", 1, NULL},     {"clip", 1, NULL},
                 {"help", 0, NULL}};
  size_t n = sizeof o / sizeof o[0], n_pos;
  const char *pos[1], *dist;
  if (qrd_args_parse(gap ? "gap" : "eval", argc, argv, o, n, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(o, n, "help")) {
    fputs(gap ? gap_help : help, stdout);
    return -1;
  }
  const char *format = qrd_args_get(o, n, "format"), *quant = qrd_args_get(o, n, "quantiser");
  if (format && quant)
    return bad("give the element format once: --format %s or --quantiser %s", format, quant);
  r->format = format ? format : quant;
  dist = qrd_args_get(o, n, "dist");
  const char *tensor = qrd_args_get(o, n, "tensor");
  if (!(dist || tensor) || !r->format)
    return bad("--dist (or --tensor) and --format are required (see qrd eval --help)%s%s", "",
               "");
  if (dist && qrd_dist_parse(dist, &r->dist))
    return bad("--dist %s: %s", dist, qrd_error_detail());
  int st = tensor ? parse_tensor(o, n, r, tensor, dist != NULL) : 0;
  if (st)
    return st;
  if ((st = parse_rotate(qrd_args_get(o, n, "rotate"), r)))
    return st;
  if (format_is(r->format, "affine-int"))
    return parse_affine(o, n, r);
  if (strcmp(r->format, "nf4-dq") == 0)
    return parse_dq(o, n, r);
  int mx = qrd_mx_format_parse(r->format, &r->mx);
  if (mx == QRD_OK)
    return parse_mx(o, n, r);
  if (mx == QRD_EINVAL) /* an MX name with a bad rule */
    return bad("--format %s: %s", r->format, qrd_error_detail());
  r->scaling_text = qrd_args_get(o, n, "scaling");
  if (tensor && r->scaling_text) {
    qrd_eval_tensor_scaling(&r->tensor, r->scaling_text, r->scaling_buf, sizeof r->scaling_buf);
    r->scaling_text = r->scaling_buf;
  }
  r->scale_text = qrd_args_get(o, n, "scale-format");
  if (!r->scaling_text)
    r->scaling_text = default_scaling(r->format, &r->implied);
  /* an unknown format is reported as such, when it is built */
  if (!r->scaling_text && !qrd_eval_is_element_format(r->format))
    r->scaling_text = "rms";
  if (!r->scaling_text)
    return bad("format '%s' spans [-1, 1] and has no meaningful default scaling: give "
               "--scaling absmax:B (e.g. absmax:64), signmax:B, rms:B or rms%s", r->format, "");
  r->scale_text = r->scale_text ? r->scale_text : "bf16";
  if (qrd_scaling_parse(r->scaling_text, r->scale_text, &r->scaling))
    return bad("--scaling/--scale-format: %s%s", qrd_error_detail(), "");
  st = parse_numbers(o, n, r);
  if (!st && r->tensor.x)
    r->samples = (unsigned long)(r->tensor.rows * r->tensor.cols);
  size_t block = r->scaling.block;
  int blocked = r->scaling.kind != QRD_SCALING_NONE && r->scaling.kind != QRD_SCALING_TENSOR_RMS;
  if (!st && blocked && r->tensor.x && r->tensor.cols % block != 0) {
    char b[96];
    snprintf(b, sizeof b, "%zu values are not whole blocks of %zu", r->tensor.cols, block);
    st = bad("--scaling %s: the tensor's rows of %s (blocks follow rows; absmax:row scales "
             "each row)", r->scaling_text, b);
  }
  if (!st && blocked && r->samples % block != 0) {
    char b[32];
    snprintf(b, sizeof b, "%zu", block);
    st = bad("--samples: not a multiple of the block size %s (scaling %s)", b, r->scaling_text);
  }
  /* a whole-tensor scaling is batched in pieces of the sample: 2 values */
  if (!st)
    st = enough_blocks(r, blocked ? r->samples / block : r->samples, blocked ? block : 1);
  if (!st)
    st = parse_compress(qrd_args_get(o, n, "compress"), &r->compress);
  const char *clip = qrd_args_get(o, n, "clip");
  if (!st && clip) {
    if (strcmp(clip, "search") != 0)
      st = bad("--clip %s: allowed: search (the block scale multiplier of least squared "
               "error)%s", clip, "");
    else if (r->scaling.kind != QRD_SCALING_ABSMAX && r->scaling.kind != QRD_SCALING_SIGNMAX)
      st = bad("--clip search needs --scaling absmax:B or signmax:B (not %s)%s",
               r->scaling_text, "");
    else if (r->outliers > 0.0 || r->compress)
      st = bad("--clip search takes no --outliers or --compress%s%s", "", "");
    r->clip = 1;
  }
  return st ? st : check_bits(o, n, r);
}

static qrd_crd_scaling crd_scaling_of(const qrd_scaling *sc)
{
  switch (sc->kind) {
  case QRD_SCALING_ABSMAX: return QRD_CRD_ABSMAX;
  case QRD_SCALING_SIGNMAX: return QRD_CRD_SIGNMAX;
  default: return QRD_CRD_RMS;
  }
}

/* The format at element bits b on the sample x (and the training sample
 * xt when coded). */
static int evaluate(const request *r, double b, const double *x, const double *xt,
                    qrd_element **e, qrd_block_result *res)
{
  qrd_element_request er = {.bits = b, .dist = &r->dist,
                            .crd_scaling = crd_scaling_of(&r->scaling),
                            .block = (double)r->scaling.block};
  qrd_block_sample *s = NULL, *t = NULL;
  int st = qrd_element_from_spec(r->format, &er, e);
  if (!st)
    st = qrd_block_sample_alloc(x, r->samples, &r->scaling, (*e)->lo, (*e)->hi, r->outliers, &s);
  /* a tensor has no law, and a rotated sample another one: the jackknife */
  if (!st && !r->tensor.x && !r->rotate)
    qrd_block_sample_set_source(s, &r->dist, 0.0);
  if (!st && r->compress)
    st = qrd_block_sample_alloc(xt, r->samples, &r->scaling, (*e)->lo, (*e)->hi, r->outliers,
                                &t);
  if (!st)
    st = r->clip       ? qrd_clip_eval(*e, &r->scaling, 33, x, r->samples, res)
         : r->compress ? qrd_block_eval_coded(s, t, (*e)->cb, r->compress == 2, res)
                       : qrd_block_eval(s, (*e)->cb, (*e)->bits, res);
  qrd_block_sample_free(s);
  qrd_block_sample_free(t);
  return st;
}

void qrd_eval_print_core(int monte_carlo, double bits, double r, double se)
{
  double scale = exp2(bits);
  printf("%s\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g", monte_carlo ? "monte-carlo" : "exact", bits,
         r, se, r * scale, se * scale);
}

/* What the output should say beside the rows: a scaling taken from the
 * format's definition, or one the format is not designed for (only a CRD
 * is designed for RMS-scaled data: any other format takes its codepoints
 * in units of one RMS -- INT's step is then one RMS, and R about 0.29
 * whatever the bits).  Legal, and said. */
static void notes(const request *r, const qrd_element *e)
{
  int rms = r->scaling.kind == QRD_SCALING_TENSOR_RMS || r->scaling.kind == QRD_SCALING_BLOCK_RMS;
  if (r->is_mx || r->affine_group || r->dq) /* its own scaling, by definition */
    return;
  if (r->implied)
    fprintf(stderr, "qrd %s: note: %s with --scaling %s, its definition (blocks of 64 scaled "
            "by their absmax); give --scaling to change it\n", command, e->name,
            r->scaling_text);
  else if ((rms || r->scaling.kind == QRD_SCALING_NONE) && !format_is(r->format, "crd"))
    fprintf(stderr, "qrd %s: note: under --scaling %s, %s's codepoints (%g ... %g) are taken "
            "in units of %s; it is not designed for that: absmax:B maps each block onto its "
            "range\n", command, r->scaling_text, e->name, e->lo, e->hi,
            rms ? "one RMS" : "the raw values");
}

static const char *const COMPRESS[] = {"none", "optimal", "huffman"};

static void print_ids(const request *r, const qrd_element *e)
{
  printf("%s\t%s\t%s\t%s\t%.10g\t%s\t%lu\t", r->tensor.x ? r->tensor.label : r->dist.spec,
         e->name, r->scaling_text,
         r->scale_text, r->outliers, COMPRESS[r->compress], r->samples);
}

/* An MX / NVFP4 format on x; *e (its element type) names the row. */
static int evaluate_mx(const request *r, const double *x, qrd_element **e, qrd_block_result *res)
{
  int st = qrd_mx_element(r->mx.type, e);
  if (!st)
    snprintf((*e)->name, sizeof (*e)->name, "%s", r->mx.name);
  return st ? st : qrd_mx_eval(&r->mx, x, r->samples, res);
}

/* NF4 with double-quantised scales on x. */
static int evaluate_dq(const request *r, const double *x, qrd_element **e, qrd_block_result *res)
{
  qrd_element_request er = {.bits = 4.0};
  int st = qrd_element_from_spec("nf4", &er, e);
  if (!st)
    snprintf((*e)->name, sizeof (*e)->name, "nf4-dq");
  return st ? st : qrd_dq_eval(*e, x, r->samples, res);
}

/* Affine INT at b bits on x; *e (a b-bit integer grid) names the row. */
static int evaluate_affine(const request *r, double b, const double *x, qrd_element **e,
                           qrd_block_result *res)
{
  qrd_element_request er = {.bits = b};
  int st = qrd_element_from_spec("int", &er, e);
  if (!st)
    snprintf((*e)->name, sizeof (*e)->name, "affine-int%g:g=%zu", b, r->affine_group);
  return st ? st : qrd_affine_eval(b, r->affine_group, x, r->samples, res);
}

static void print_row(const request *r, const qrd_element *e, const qrd_block_result *res)
{
  print_ids(r, e);
  qrd_eval_print_core(1, res->bits, res->rel_rmse, res->rel_rmse_se);
  printf("\t%.10g\n", e->bits);
}

/* The gap to the bound at the format's MSE; its SE from R's (the bound
 * falls by 1 / (R ln 2) bits per unit of R). */
static void print_gap_row(const request *r, const qrd_element *e, const qrd_block_result *res)
{
  double mse = res->rel_rmse * res->rel_rmse * qrd_dist_variance(&r->dist);
  double bound = qrd_bound_rate(&r->dist, mse);
  double gap_se = bound > 0.0 ? res->rel_rmse_se / (res->rel_rmse * M_LN2) : 0.0;
  print_ids(r, e);
  printf("monte-carlo\t%.10g\t%.10g\t%.10g\t%s\t%.10g\t%.10g\t%.10g\t%.10g\n", res->bits,
         res->rel_rmse, res->rel_rmse_se, qrd_bound_name(&r->dist), mse, bound,
         res->bits - bound, gap_se);
}

/* Nothing non-finite is printed: R and the bits must be finite, and the
 * standard error finite or +inf (QRD_EDOM of the source law: the error's
 * variance is infinite, as for a t with nu <= 4), never NaN. */
static int check_finite(const qrd_block_result *res)
{
  if (isfinite(res->rel_rmse) && isfinite(res->bits) && res->rel_rmse_se >= 0.0)
    return QRD_OK;
  return qrd_error_set(QRD_EDOM, "the evaluation gave rel_rmse = %g +- %g at %g bits, not a "
                       "finite result (an all-zero sample, or too few batches of blocks for "
                       "a standard error)", res->rel_rmse, res->rel_rmse_se, res->bits);
}

static int run(int argc, char **argv, int gap)
{
  request r = {0};
  command = gap ? "gap" : "eval";
  int st = parse(argc, argv, &r, gap);
  if (st) {
    qrd_eval_tensor_free(&r.tensor);
    return st < 0 ? 0 : st;
  }
  double *x = r.tensor.x, *xt = r.compress ? r.tensor.x : NULL;
  if (r.tensor.x && r.compress)
    fprintf(stderr, "qrd %s: note: the entropy model is trained on the tensor itself (a "
            "tensor has no independent training sample)\n", command);
  if (!r.tensor.x) {
    x = qrd_sample_alloc(&r.dist, r.seed, r.samples);
    xt = r.compress ? qrd_sample_alloc(&r.dist, r.train_seed, r.samples) : NULL;
  }
  if (x && (!r.compress || xt) && r.rotate && (st = rotate(&r, x, xt))) {
    fprintf(stderr, "qrd %s: %s\n", command, qrd_error_detail());
    if (!r.tensor.x) {
      qrd_big_free(x);
      qrd_big_free(xt);
    }
    qrd_eval_tensor_free(&r.tensor);
    return 2;
  }
  if (!x || (r.compress && !xt)) {
    fprintf(stderr, "qrd %s: %s\n", command, qrd_error_detail());
    if (!r.tensor.x) {
      qrd_big_free(x);
      qrd_big_free(xt);
    }
    qrd_eval_tensor_free(&r.tensor);
    return 1;
  }
  for (size_t i = 0; !st && i < r.n_bits; i++) {
    qrd_element *e = NULL;
    qrd_block_result res;
    st = r.is_mx          ? evaluate_mx(&r, x, &e, &res)
         : r.affine_group ? evaluate_affine(&r, r.bits[i], x, &e, &res)
         : r.dq           ? evaluate_dq(&r, x, &e, &res)
                          : evaluate(&r, r.bits[i], x, xt, &e, &res);
    if (!st)
      st = check_finite(&res);
    if (st)
      fprintf(stderr, "qrd %s: %s\n", command, qrd_error_detail());
    else if (i == 0) { /* no header when the first row already fails */
      notes(&r, e);
      printf("dist\tformat\tscaling\tscale_format\toutliers\tcompress\tsamples\t%s\n",
             gap ? "method\tbits\trel_rmse\trel_rmse_se\tbound\tmse\tbound_rate\tgap\tgap_se"
                 : QRD_EVAL_CORE_HEADER "\telement_bits");
    }
    if (!st)
      (gap ? print_gap_row : print_row)(&r, e, &res);
    qrd_element_free(e);
  }
  if (!r.tensor.x) {
    qrd_big_free(x);
    qrd_big_free(xt);
  }
  qrd_eval_tensor_free(&r.tensor);
  return !st ? 0 : st == QRD_ENOMEM || st == QRD_EMAXITER ? 1 : 2;
}

int qrd_eval_format(int argc, char **argv) { return run(argc, argv, 0); }

int qrd_gap_format(int argc, char **argv) { return run(argc, argv, 1); }
