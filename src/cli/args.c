#include "cli/args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

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
      if (*n_pos == max_pos)
        return qrd_args_bad(cmd, "unexpected argument '%s' (see qrd %s --help)", a, cmd);
      pos[(*n_pos)++] = a;
      continue;
    }
    qrd_opt *o = find(opts, n_opts, a + 2);
    if (!o)
      return qrd_args_bad(cmd, "unknown option '%s' (see qrd %s --help)", a, cmd);
    if (o->takes_value && i + 1 >= argc)
      return qrd_args_bad(cmd, "option '%s' needs a value", a);
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
  /* what the user typed (an argument, a value, a file name) may hold
   * control bytes or malformed UTF-8: one printable line */
  char raw[4096], line[QRD_ERROR_DETAIL_MAX + 1];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  qrd_error_escape(raw, line, sizeof line);
  fprintf(stderr, "qrd %s: %s\n", cmd, line);
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

int qrd_args_list(const char *cmd, const char *name, const char *text, char *buf, size_t len,
                  char **item, size_t max, size_t *n)
{
  *n = 0;
  size_t t = strlen(text);
  if (t == 0)
    return qrd_args_bad(cmd, "--%s '': no value given (allowed: 1 to %zu comma-separated "
                        "values)", name, max);
  if (t >= len)
    return qrd_args_bad(cmd, "--%s: a list of %zu characters (allowed: at most %zu)", name, t,
                        len - 1);
  memcpy(buf, text, t + 1);
  for (char *p = buf;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (*p == '\0')
      return qrd_args_bad(cmd, "--%s %s: value %zu of the list is empty (allowed: 1 to %zu "
                          "comma-separated values, none empty)", name, text, *n + 1, max);
    if (*n == max)
      return qrd_args_bad(cmd, "--%s %s: more than %zu values (allowed: 1 to %zu "
                          "comma-separated values)", name, text, max, max);
    item[(*n)++] = p;
    if (!comma)
      return 0;
    p = comma + 1;
  }
}
