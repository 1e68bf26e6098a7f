/* qrd subcommands: each takes the arguments after "qrd" (argv[0] is the
 * subcommand's name) and returns the process exit status: 0 on success,
 * 1 on failure, 2 on bad usage or input. */
#ifndef QRD_COMMANDS_H
#define QRD_COMMANDS_H

int qrd_cmd_dists(int argc, char **argv);
int qrd_cmd_eval(int argc, char **argv);
int qrd_cmd_gap(int argc, char **argv);
/* qrd code: a code's levels (cli/cmd_code.c). */
int qrd_cmd_code(int argc, char **argv);
/* qrd export: results file to TSV or gnuplot blocks (cli/cmd_export.c). */
int qrd_cmd_export(int argc, char **argv);
/* qrd sigma: covariance diagnostics (cli/cmd_sigma.c). */
int qrd_cmd_sigma(int argc, char **argv);
/* qrd matq: one weight-matrix quantisation point (cli/cmd_matq.c). */
int qrd_cmd_matq(int argc, char **argv);
/* qrd allocate: Fisher-optimal per-tensor bits (cli/cmd_allocate.c). */
int qrd_cmd_allocate(int argc, char **argv);
int qrd_cmd_report(int argc, char **argv); /* cli/cmd_report.c */
/* qrd tensors: a checkpoint's tensors, statistics and fits (cli/cmd_tensors.c). */
int qrd_cmd_tensors(int argc, char **argv);
int qrd_cmd_activations(int argc, char **argv); /* qrd activations: cli/cmd_activations.c */
/* qrd merge: shard files into a results file (cli/cmd_merge.c). */
int qrd_cmd_merge(int argc, char **argv);

#endif
