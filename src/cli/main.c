/* bin/qrd: one-off sanity checks from the command line (the command-line contract in docs/design.md).
 * TSV on stdout, diagnostics on stderr; exit 0 on success, 1 when a
 * computation fails, 2 on bad input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli/commands.h"
#include "core/bigalloc.h"
#include "core/error.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
  {"dists", qrd_cmd_dists, "list the registered distributions"},
  {"eval", qrd_cmd_eval, "design a quantiser for a distribution and evaluate it exactly"},
  {"gap", qrd_cmd_gap, "rate gap of a quantiser to the rate-distortion bound"},
  {"code", qrd_cmd_code, "the levels of a code (e.g. AF4 for a block size)"},
  {"export", qrd_cmd_export, "write a results file as TSV"},
  {"sigma", qrd_cmd_sigma, "covariance diagnostics: det^{1/n}, AM/GM of GPTQ's d, eigenvalues"},
  {"matq", qrd_cmd_matq, "quantise W with a known Sigma at a rate: rates, D, IT limit, gap"},
  {"allocate", qrd_cmd_allocate, "Fisher-optimal per-tensor bits from a statistics file"},
  {"report", qrd_cmd_report, "the reproduction report: published numbers vs results files"},
  {"tensors", qrd_cmd_tensors, "the tensors of a checkpoint: statistics and fitted families"},
  {"activations", qrd_cmd_activations, "Sigma_X of a model's linear layers from dumped activations (HDF5)"},
  {"merge", qrd_cmd_merge, "a sharded figure run's shard files into its results file (or --status)"},
};

static void usage(void)
{
  printf( "usage: qrd COMMAND [options]   (qrd COMMAND --help for each)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    printf("  %-8s %s\n", commands[i].name, commands[i].summary);
}

/* What a command printed must have reached stdout: a full disk or a closed
 * pipe is an error (exit 1, one line), not a silently truncated output.
 * A command that failed has already said why. */
static int check_stdout(const char *command, int rc)
{
  errno = 0;
  int flushed = fflush(stdout) == 0;
  int e = errno;
  if ((flushed && !ferror(stdout)) || rc != 0)
    return rc;
  fprintf(stderr, "qrd%s%s: cannot write the output to stdout: %s\n", command ? " " : "",
          command ? command : "", strerror(e ? e : EIO));
  return 1;
}

static int dispatch(int argc, char **argv, const char **command)
{
  *command = NULL;
  if (argc < 2) {
    fprintf(stderr, "qrd: no command given; usage: qrd COMMAND [options] (see qrd --help)\n");
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage();
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) {
      *command = commands[i].name;
      return commands[i].run(argc - 1, argv + 1);
    }
  char known[256] = "";
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
             commands[i].name);
  char shown[128]; /* what was typed, as one printable line */
  qrd_error_escape(argv[1], shown, sizeof shown);
  fprintf(stderr, "qrd: unknown command '%s' (commands: %s; see qrd --help)\n", shown, known);
  return 2;
}

int main(int argc, char **argv)
{
  qrd_big_keep_freed();
  gsl_set_error_handler_off();
  const char *command;
  int rc = dispatch(argc, argv, &command);
  return check_stdout(command, rc);
}
