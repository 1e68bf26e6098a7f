/* qrd eval's block-format path (cli/eval_format.c): element formats with a
 * scaling on a Monte Carlo sample, as opposed to the exact path of
 * cli/cmd_eval.c for scalar quantiser designs and the block-law path of
 * cli/eval_law.c for block codes (which qrd eval tries first). */
#ifndef QRD_CLI_EVAL_FORMAT_H
#define QRD_CLI_EVAL_FORMAT_H

/* Whether the arguments ask for the format path: a format-only option
 * (--format, --scaling, ...) or --quantiser naming an element format that
 * is not an exact quantiser design (int, fp:..., sf4, crd-block, lut:FILE). */
int qrd_eval_is_format(int argc, char **argv);

/* Whether `name` is an element format that no quantiser design shares. */
int qrd_eval_is_element_format(const char *name);

/* Runs it; the exit status of a subcommand. */
int qrd_eval_format(int argc, char **argv);

/* qrd gap on the same path: the format's achieved bits against the rate
 * the bound needs at its distortion. */
int qrd_gap_format(int argc, char **argv);

/* The columns every qrd eval row shares, whatever path computes it: how
 * (exact or monte-carlo), bits per parameter, R and R 2^b with their
 * standard errors (0 when exact). */
#define QRD_EVAL_CORE_HEADER "method\tbits\trel_rmse\trel_rmse_se\tr2b\tr2b_se"
void qrd_eval_print_core(int monte_carlo, double bits, double r, double se);

#endif
