/* qrd code: the levels of a code, e.g. AF4 for a block size (Yoshida (NF4
 * vs AF4)), to full double precision. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/eval_law.h"
#include "core/error.h"
#include "core/spec.h"
#include "law/code.h"

#define MAX_BLOCKS 64

static const char help[] =
  "usage: qrd code --quantiser Q [--block B[,B...]] [--dist D] [--levels N]\n"
  "Prints the levels of Q's code, ascending, with 17 significant digits.\n"
  "  --quantiser Q  a fixed-length design: nf4, af4-pub, af4-exact, af4-approx,\n"
  "                 bof4[:metric=mae], bof4s, opq[:tau=T] (codes of block-\n"
  "                 normalised values), or uniform, lloyd-max, crd[:alpha=A]\n"
  "                 (codes for D's values themselves)\n"
  "  --block B      block size(s) of a block code's design law, a whole number\n"
  "                 >= 2 or a comma-separated list (default: the code's B=, else\n"
  "                 64); nf4 does not depend on B\n"
  "  --dist D       the distribution designed for (default gaussian)\n"
  "  --levels N     number of levels (default 16)\n"
  "columns: index level   (several B: block index level)\n";

/* Each comma-separated value of --block within the block parameter's
 * bounds into block[]. */
static int parse_blocks(const char *text, double *block, size_t *n)
{
  static const qrd_param_def def = QRD_CODE_PARAM_BLOCK;
  char buf[1024], *item[MAX_BLOCKS];
  int st = qrd_args_list("code", "block", text, buf, sizeof buf, item, MAX_BLOCKS, n);
  for (size_t i = 0; !st && i < *n; i++) {
    double b;
    if (qrd_parse_double(item[i], &b) || b != floor(b) || b < def.min || b > def.max)
      return qrd_args_bad("code", "--block %s: '%s' invalid (allowed: a whole block size from "
                          "%.0f to %.0f)", text, item[i], def.min, def.max);
    block[i] = b;
  }
  return st;
}

/* Q for block size b (0: Q's own), checked against --block. */
static int parse_code(const char *text, double b, qrd_quantiser *q)
{
  int own;
  if (qrd_cli_code_parse(text, b, q, &own))
    return qrd_args_bad("code", "--quantiser %s: %s", text, qrd_error_detail());
  if (q->type->target != QRD_TARGET_LEVELS)
    return qrd_args_bad("code", "--quantiser %s: entropy-coded (designed for a rate); qrd code prints "
               "fixed-length codes", text);
  if (b > 0.0 && !qrd_cli_is_block_code(q->type)) {
    char codes[256];
    qrd_cli_block_code_names(codes, sizeof codes);
    return qrd_args_bad("code", "--block: quantiser '%s' is not designed for blocks (block codes: %s)", text,
               codes);
  }
  if (b > 0.0 && own)
    return qrd_args_bad("code", "--block %g: quantiser '%s' sets B itself; give one of the two", b, text);
  return 0;
}

static void print(const qrd_codebook *const *c, const double *block, size_t n_blocks)
{
  puts(n_blocks > 1 ? "block\tindex\tlevel" : "index\tlevel");
  for (size_t j = 0; j < n_blocks; j++)
    for (size_t i = 0; i < c[j]->n; i++) {
      if (n_blocks > 1)
        printf("%.17g\t", block[j]);
      printf("%zu\t%.17g\n", i, c[j]->level[i]);
    }
}

int qrd_cmd_code(int argc, char **argv)
{
  qrd_opt o[] = {{"quantiser", 1, NULL}, {"block", 1, NULL}, {"dist", 1, NULL},
                 {"levels", 1, NULL},    {"help", 0, NULL}};
  size_t n = sizeof o / sizeof o[0], n_pos, n_blocks = 1;
  const char *pos[1];
  if (qrd_args_parse("code", argc, argv, o, n, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(o, n, "help")) {
    fputs(help, stdout);
    return 0;
  }
  const char *quant = qrd_args_get(o, n, "quantiser"), *blocks = qrd_args_get(o, n, "block");
  const char *dist = qrd_args_get(o, n, "dist"), *levels = qrd_args_get(o, n, "levels");
  double block[MAX_BLOCKS] = {0.0}, nlev = 16.0;
  qrd_dist d;
  if (!quant)
    return qrd_args_bad("code", "--quantiser is required (see qrd code --help)");
  if (qrd_dist_parse(dist ? dist : "gaussian", &d))
    return qrd_args_bad("code", "--dist %s: %s", dist, qrd_error_detail());
  if (levels && (qrd_parse_double(levels, &nlev) || nlev != floor(nlev) || nlev < 2.0))
    return qrd_args_bad("code", "--levels %s: want a whole number >= 2", levels);
  if (blocks && parse_blocks(blocks, block, &n_blocks))
    return 2;
  qrd_codebook *c[MAX_BLOCKS] = {NULL};
  int st = 0;
  for (size_t j = 0; !st && j < n_blocks; j++) {
    qrd_quantiser q;
    if ((st = parse_code(quant, block[j], &q)))
      break;
    if ((st = qrd_quantiser_design(&q, &d, nlev, &c[j]))) {
      fprintf(stderr, "qrd code: %s: %s\n", q.spec, qrd_error_detail());
      st = st == QRD_EINVAL || st == QRD_EDOM ? 2 : 1;
    }
  }
  if (!st)
    print((const qrd_codebook *const *)c, block, n_blocks);
  for (size_t j = 0; j < n_blocks; j++)
    qrd_codebook_free(c[j]);
  return st;
}
