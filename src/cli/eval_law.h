/* qrd eval's block-law path (cli/eval_law.c): a code of block-normalised
 * values (nf4, af4-pub, bof4, ...) evaluated exactly under the law F_B of
 * absmax- or signmax-normalised blocks of a distribution (the block law,
 * law/blockmax.h), or by Monte Carlo blocks with --samples.  Also the
 * parsing of such codes, shared with qrd code. */
#ifndef QRD_CLI_EVAL_LAW_H
#define QRD_CLI_EVAL_LAW_H

#include "law/registry.h"
#include "quant/quantiser.h"

/* Whether t codes block-normalised values in [-1, 1]: the designs for a
 * block law (those with a block-size parameter B, law/code.h) and nf4,
 * whose table serves every B. */
int qrd_cli_is_block_code(const qrd_quantiser_type *t);

/* "nf4, af4-pub, ...": the registered block codes, for messages. */
void qrd_cli_block_code_names(char *buf, size_t len);

/* Parses quantiser `text` for blocks of `block` values: a code with a
 * parameter B that `text` leaves out gets B = block (block <= 0: its own
 * default).  *own_block (may be NULL) tells whether `text` sets B itself.
 * Status and error detail of qrd_quantiser_parse. */
int qrd_cli_code_parse(const char *text, double block, qrd_quantiser *q, int *own_block);

/* Whether the arguments ask for the law path: --metric, or --scaling
 * absmax:B / signmax:B with only the law path's options and a --quantiser
 * that is not an element format of the format path (int, fp:..., ...). */
int qrd_eval_is_law(int argc, char **argv);

/* Runs it; the exit status of a subcommand. */
int qrd_eval_law(int argc, char **argv);

#endif
