#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"

#define MAX_ENTRIES 128

typedef struct {
  char *key, *value;
  int line, used;
} entry;

struct qrd_config {
  char path[512];
  char *text; /* owned copy: entries point into it */
  entry e[MAX_ENTRIES];
  size_t n;
  char *words; /* scratch for qrd_config_list */
};

static char *trim(char *s)
{
  while (isspace((unsigned char)*s))
    s++;
  char *end = s + strlen(s);
  while (end > s && isspace((unsigned char)end[-1]))
    *--end = '\0';
  return s;
}

static int read_file(const char *path, char **out)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return qrd_error_set(QRD_ENOTFOUND, "%s: cannot open config: %s", path, strerror(errno));
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap && !(buf = realloc(buf, cap *= 2)))
      break;
  }
  fclose(f);
  if (!buf)
    return qrd_error_set(QRD_ENOMEM, "%s: reading config", path);
  buf[len] = '\0';
  *out = buf;
  return QRD_OK;
}

static int parse_line(qrd_config *c, char *line, int lineno)
{
  char *hash = strchr(line, '#');
  if (hash)
    *hash = '\0';
  char *s = trim(line);
  if (!*s)
    return QRD_OK;
  char *eq = strchr(s, '=');
  if (!eq)
    return qrd_error_set(QRD_ECONFIG, "%s:%d: expected 'key = value', got '%s'",
                         c->path, lineno, s);
  *eq = '\0';
  char *key = trim(s), *value = trim(eq + 1);
  if (!*key)
    return qrd_error_set(QRD_ECONFIG, "%s:%d: empty key", c->path, lineno);
  if (!*value)
    return qrd_error_set(QRD_ECONFIG, "%s:%d: key '%s': empty value", c->path, lineno, key);
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->e[i].key, key) == 0)
      return qrd_error_set(QRD_ECONFIG, "%s:%d: key '%s' repeats line %d",
                           c->path, lineno, key, c->e[i].line);
  if (c->n == MAX_ENTRIES)
    return qrd_error_set(QRD_ECONFIG, "%s:%d: more than %d keys", c->path, lineno,
                         MAX_ENTRIES);
  c->e[c->n++] = (entry){.key = key, .value = value, .line = lineno};
  return QRD_OK;
}

int qrd_config_load(const char *path, qrd_config **out)
{
  *out = NULL;
  qrd_config *c = calloc(1, sizeof *c);
  if (!c)
    return qrd_error_set(QRD_ENOMEM, "config");
  snprintf(c->path, sizeof c->path, "%s", path);
  int st = read_file(path, &c->text);
  char *save = NULL;
  int lineno = 0;
  /* strtok_r would merge blank lines and shift line numbers: split by hand */
  for (char *line = st ? NULL : c->text; !st && line; line = save) {
    char *nl = strchr(line, '\n');
    save = nl ? nl + 1 : NULL;
    if (nl)
      *nl = '\0';
    st = parse_line(c, line, ++lineno);
  }
  if (st) {
    qrd_config_free(c);
    return st;
  }
  *out = c;
  return QRD_OK;
}

void qrd_config_free(qrd_config *c)
{
  if (!c)
    return;
  free(c->text);
  free(c->words);
  free(c);
}

static entry *lookup(qrd_config *c, const char *key)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->e[i].key, key) == 0) {
      c->e[i].used = 1;
      return &c->e[i];
    }
  qrd_error_set(QRD_ECONFIG, "%s: missing key '%s'", c->path, key);
  return NULL;
}

int qrd_config_double(qrd_config *c, const char *key, double min, double max,
                      double *out)
{
  entry *e = lookup(c, key);
  if (!e)
    return QRD_ECONFIG;
  if (qrd_parse_double(e->value, out) != 0 || *out < min || *out > max)
    return qrd_error_set(QRD_ECONFIG,
                         "%s:%d: key '%s': value '%s' invalid (allowed: a number "
                         "from %g to %g)", c->path, e->line, key, e->value, min, max);
  return QRD_OK;
}

int qrd_config_ulong(qrd_config *c, const char *key, unsigned long *out)
{
  entry *e = lookup(c, key);
  if (!e)
    return QRD_ECONFIG;
  char *end;
  errno = 0;
  unsigned long v = strtoul(e->value, &end, 10);
  if (*end || errno || e->value[0] == '-')
    return qrd_error_set(QRD_ECONFIG,
                         "%s:%d: key '%s': value '%s' invalid (allowed: a whole "
                         "number >= 0)", c->path, e->line, key, e->value);
  *out = v;
  return QRD_OK;
}

int qrd_config_list(qrd_config *c, const char *key, const char **words, size_t *n)
{
  entry *e = lookup(c, key);
  if (!e)
    return QRD_ECONFIG;
  free(c->words);
  /* the copy stays alive for the caller; one list at a time is enough */
  if (!(c->words = strdup(e->value)))
    return qrd_error_set(QRD_ENOMEM, "config list");
  *n = 0;
  char *save;
  for (char *w = strtok_r(c->words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
    if (*n == QRD_CONFIG_MAX_LIST)
      return qrd_error_set(QRD_ECONFIG, "%s:%d: key '%s': more than %d items",
                           c->path, e->line, key, QRD_CONFIG_MAX_LIST);
    words[(*n)++] = w;
  }
  return QRD_OK;
}

int qrd_config_invalid(const qrd_config *c, const char *key, const char *why)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->e[i].key, key) == 0)
      return qrd_error_set(QRD_ECONFIG, "%s:%d: key '%s': value '%s' invalid: %s",
                           c->path, c->e[i].line, key, c->e[i].value, why);
  return qrd_error_set(QRD_ECONFIG, "%s: key '%s' invalid: %s", c->path, key, why);
}

int qrd_config_check_unused(const qrd_config *c)
{
  for (size_t i = 0; i < c->n; i++)
    if (!c->e[i].used)
      return qrd_error_set(QRD_ECONFIG, "%s:%d: unknown key '%s'", c->path,
                           c->e[i].line, c->e[i].key);
  return QRD_OK;
}
