/* qrd dists: the registered distributions with their closed-form facts. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "dist/dist.h"

static const char help[] =
  "usage: qrd dists\n"
  "Lists the registered distributions (TSV): name, parameters with their\n"
  "defaults, and for the default instance (unit variance) the variance and the\n"
  "differential entropy in bits.  Every distribution also takes scale=S, which\n"
  "replaces unit variance by the standard form times S.\n";

static void print_params(const qrd_dist_type *t)
{
  for (size_t i = 0; i < t->n_shape; i++)
    printf("%s%s=%g", i ? "," : "", t->shape[i].name, t->shape[i].def);
  printf("%sscale", t->n_shape ? "," : "");
}

int qrd_cmd_dists(int argc, char **argv)
{
  qrd_opt opts[] = {{.name = "help"}};
  const char *pos[1];
  size_t n_pos;
  if (qrd_args_parse("dists", argc, argv, opts, 1, pos, 0, &n_pos))
    return 2;
  if (opts[0].value) {
    fputs(help, stdout);
    return 0;
  }
  printf("name\tparameters\tvariance\tentropy_bits\tdescription\n");
  for (size_t i = 0; i < qrd_dist_count(); i++) {
    const qrd_dist_type *t = qrd_dist_type_at(i);
    qrd_dist d;
    if (qrd_dist_parse(t->name, &d)) {
      fprintf(stderr, "qrd dists: %s\n", qrd_error_detail());
      return 1;
    }
    printf("%s\t", t->name);
    print_params(t);
    printf("\t%.17g\t%.17g\t%s\n", qrd_dist_variance(&d), qrd_dist_entropy_bits(&d), t->doc);
  }
  return 0;
}
