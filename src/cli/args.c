#include "cli/args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static qrd_opt *find(qrd_opt *opts, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(opts[i].name, name) == 0)
      return &opts[i];
  return NULL;
}

int qrd_args_parse(const char *cmd, int argc, char **argv, qrd_opt *opts,
                   size_t n_opts, const char **pos, size_t max_pos, size_t *n_pos)
{
  *n_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (*n_pos == max_pos) {
        fprintf(stderr, "qrd %s: unexpected argument '%s' (see qrd %s --help)\n",
                cmd, a, cmd);
        return 2;
      }
      pos[(*n_pos)++] = a;
      continue;
    }
    qrd_opt *o = find(opts, n_opts, a + 2);
    if (!o) {
      fprintf(stderr, "qrd %s: unknown option '%s' (see qrd %s --help)\n", cmd, a, cmd);
      return 2;
    }
    if (o->takes_value && i + 1 >= argc) {
      fprintf(stderr, "qrd %s: option '%s' needs a value\n", cmd, a);
      return 2;
    }
    o->value = o->takes_value ? argv[++i] : "";
  }
  return 0;
}

const char *qrd_args_get(const qrd_opt *opts, size_t n_opts, const char *name)
{
  for (size_t i = 0; i < n_opts; i++)
    if (strcmp(opts[i].name, name) == 0)
      return opts[i].value;
  return NULL;
}

int qrd_args_bad(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "qrd %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 2;
}

int qrd_args_count(const char *cmd, const char *name, const char *text, unsigned long *out)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (end == text || *end != '\0' || errno || text[0] == '-')
    return qrd_args_bad(cmd, "--%s %s: not a whole number >= 0", name, text);
  *out = v;
  return 0;
}
