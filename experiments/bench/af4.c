/* Timing of the block-law codes: every AF4-pub table of Yoshida (NF4 vs AF4)
 * (B = 32 ... 4096) and the Lloyd-type codes at the same block sizes,
 * each designed from scratch through the quantiser registry (the block law
 * is built inside each design).  TSV on stdout: code, B, seconds; the total
 * per code on stderr.  Usage: af4 [--quiet] (--quiet drops the per-code
 * totals). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "law/registry.h"
#include "quant/quantiser.h"

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Designs `code` at B = 32 ... 4096, one row per B; the total in *total. */
static int time_code(const char *code, const qrd_dist *d, double *total)
{
  *total = 0.0;
  for (int b = 32; b <= 4096; b *= 2) {
    char spec[64];
    snprintf(spec, sizeof spec, "%s:B=%d", code, b);
    qrd_quantiser q;
    qrd_codebook *c;
    double t0 = now();
    int st = qrd_quantiser_parse(spec, &q);
    if (!st)
      st = qrd_quantiser_design(&q, d, 16, &c);
    double dt = now() - t0;
    if (st) {
      fprintf(stderr, "af4 bench: %s: %s\n", spec, qrd_error_detail());
      return st;
    }
    qrd_codebook_free(c);
    printf("%s\t%d\t%.4f\n", code, b, dt);
    *total += dt;
  }
  return QRD_OK;
}

int main(int argc, char **argv)
{
  static const char *const codes[] = {"af4-pub", "af4-exact", "af4-approx", "bof4", "bof4s"};
  int quiet = argc > 1 && strcmp(argv[1], "--quiet") == 0;
  if (argc > 2 || (argc == 2 && !quiet)) {
    fprintf(stderr, "usage: %s [--quiet]\n", argv[0]);
    return 2;
  }
  qrd_dist d;
  if (qrd_dist_parse("gaussian", &d))
    return 1;
  printf("code\tB\tseconds\n");
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    double total;
    if (time_code(codes[i], &d, &total))
      return 1;
    if (!quiet)
      fprintf(stderr, "%s: all eight block sizes in %.3f s\n", codes[i], total);
  }
  return 0;
}
