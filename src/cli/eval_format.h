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

#endif
