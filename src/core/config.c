#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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

/* A config is text: no NUL or other control bytes (tabs and line ends
 * aside), which would cut a line short or end up in a message. */
static int check_text(const char *path, const char *buf, size_t len)
{
  int line = 1;
  size_t col = 1;
  for (size_t i = 0; i < len; i++, col++) {
    unsigned char ch = (unsigned char)buf[i];
    if (ch == '\n') {
      line++;
      col = 0;
    } else if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
      return qrd_error_set(QRD_ECONFIG, "%s:%d: byte 0x%02x at column %zu is not text (a config "
                           "is a text file of 'key = value' lines)", path, line, ch, col);
  }
  return QRD_OK;
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
    if (len + 1 == cap) {
      char *more = realloc(buf, cap *= 2);
      if (!more) {
        free(buf);
        buf = NULL;
      }
      buf = more;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (!buf)
    return qrd_error_set(QRD_ENOMEM, "%s: reading config", path);
  if (err) {
    free(buf);
    return qrd_error_set(QRD_EIO, "%s: cannot read config", path);
  }
  buf[len] = '\0';
  int st = check_text(path, buf, len);
  if (st) {
    free(buf);
    return st;
  }
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

static entry *find(const qrd_config *c, const char *key)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->e[i].key, key) == 0)
      return (entry *)&c->e[i];
  return NULL;
}

static entry *lookup(qrd_config *c, const char *key)
{
  entry *e = find(c, key);
  if (e)
    e->used = 1;
  else
    qrd_error_set(QRD_ECONFIG, "%s: missing key '%s'", c->path, key);
  return e;
}

static int invalid_value(const qrd_config *c, const entry *e, const char *allowed)
{
  return qrd_error_set(QRD_ECONFIG, "%s:%d: key '%s': value '%s' invalid (allowed: %s)",
                       c->path, e->line, e->key, e->value, allowed);
}

/* A number from min to max (a whole one if `whole`): 0, or -1. */
static int parse_number(const char *text, double min, double max, int whole, double *v)
{
  return qrd_parse_double(text, v) == 0 && *v >= min && *v <= max &&
         (!whole || *v == floor(*v)) ? 0 : -1;
}

int qrd_config_double(qrd_config *c, const char *key, double min, double max,
                      double *out)
{
  entry *e = lookup(c, key);
  if (!e)
    return QRD_ECONFIG;
  if (parse_number(e->value, min, max, 0, out) != 0) {
    char allowed[96];
    snprintf(allowed, sizeof allowed, "a number from %g to %g", min, max);
    return invalid_value(c, e, allowed);
  }
  return QRD_OK;
}

/* A whole number, or a power of two, from min to max. */
static int read_whole(qrd_config *c, const char *key, double min, double max, int power_of_two,
                      unsigned long *out)
{
  entry *e = lookup(c, key);
  double v;
  if (!e)
    return QRD_ECONFIG;
  if (parse_number(e->value, min, max, 1, &v) != 0 ||
      (power_of_two && !(v >= 1 && exp2(round(log2(v))) == v))) {
    char allowed[96];
    snprintf(allowed, sizeof allowed, "a %s from %.10g to %.10g",
             power_of_two ? "power of two" : "whole number", min, max);
    return invalid_value(c, e, allowed);
  }
  *out = (unsigned long)v;
  return QRD_OK;
}

int qrd_config_whole(qrd_config *c, const char *key, double min, double max,
                     unsigned long *out)
{
  return read_whole(c, key, min, max, 0, out);
}

int qrd_config_power_of_two(qrd_config *c, const char *key, double min, double max,
                            unsigned long *out)
{
  return read_whole(c, key, min, max, 1, out);
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
    return invalid_value(c, e, "a whole number >= 0");
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

/* What a number list asks of its items. */
enum { ANY_NUMBERS = 0, WHOLE = 1, ASCENDING = 2 };

/* Numbers of list `key` into v, each of the `form` asked for. */
static int number_list(qrd_config *c, const char *key, double min, double max, int form,
                       double *v, size_t max_n, size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(c, key, words, n);
  if (st)
    return st;
  char allowed[128];
  snprintf(allowed, sizeof allowed, "1 to %zu %s%snumbers from %.10g to %.10g", max_n,
           form & ASCENDING ? "ascending " : "", form & WHOLE ? "whole " : "", min, max);
  if (*n > max_n)
    return invalid_value(c, find(c, key), allowed);
  for (size_t i = 0; i < *n; i++)
    if (parse_number(words[i], min, max, form & WHOLE, &v[i]) != 0 ||
        ((form & ASCENDING) && i > 0 && v[i] <= v[i - 1])) {
      char why[192];
      snprintf(why, sizeof why, "item '%s' (allowed: %s)", words[i], allowed);
      return qrd_config_invalid(c, key, why);
    }
  return QRD_OK;
}

int qrd_config_numbers(qrd_config *c, const char *key, double min, double max, double *v,
                       size_t max_n, size_t *n)
{
  return number_list(c, key, min, max, ANY_NUMBERS, v, max_n, n);
}

static int whole_list(qrd_config *c, const char *key, double min, double max, int form,
                      unsigned long *v, size_t max_n, size_t *n)
{
  double x[QRD_CONFIG_MAX_LIST];
  int st = number_list(c, key, min, max, form | WHOLE, x, max_n, n); /* n <= the list's limit */
  for (size_t i = 0; !st && i < *n; i++)
    v[i] = (unsigned long)x[i];
  return st;
}

int qrd_config_wholes(qrd_config *c, const char *key, double min, double max,
                      unsigned long *v, size_t max_n, size_t *n)
{
  return whole_list(c, key, min, max, ANY_NUMBERS, v, max_n, n);
}

int qrd_config_ascending_wholes(qrd_config *c, const char *key, double min, double max,
                                unsigned long *v, size_t max_n, size_t *n)
{
  return whole_list(c, key, min, max, ASCENDING, v, max_n, n);
}

int qrd_config_range(qrd_config *c, const char *stem, double lo_min, double hi_max,
                     double *v, size_t max_n, size_t *n)
{
  char key_min[64], key_max[64], key_step[64];
  snprintf(key_min, sizeof key_min, "%s_min", stem);
  snprintf(key_max, sizeof key_max, "%s_max", stem);
  snprintf(key_step, sizeof key_step, "%s_step", stem);
  double lo, hi, step;
  int st;
  if ((st = qrd_config_double(c, key_min, lo_min, hi_max, &lo)) ||
      (st = qrd_config_double(c, key_max, lo, hi_max, &hi)) ||
      (st = qrd_config_double(c, key_step, 0, hi_max, &step)))
    return st;
  /* lo + k step, not a running sum, so that the points do not drift; the
   * slack keeps `max` when the step does not divide the span exactly */
  *n = 0;
  for (double x = lo; x <= hi + 1e-9; x = lo + step * (double)*n) {
    if (*n == max_n) {
      char why[128];
      snprintf(why, sizeof why, "want a step > 0 that gives at most %zu points from %g to %g",
               max_n, lo, hi);
      return qrd_config_invalid(c, key_step, why);
    }
    v[(*n)++] = x;
  }
  return QRD_OK;
}

int qrd_config_invalid(const qrd_config *c, const char *key, const char *why)
{
  const entry *e = find(c, key);
  if (e)
    return qrd_error_set(QRD_ECONFIG, "%s:%d: key '%s': value '%s' invalid: %s",
                         c->path, e->line, key, e->value, why);
  return qrd_error_set(QRD_ECONFIG, "%s: key '%s' invalid: %s", c->path, key, why);
}

int qrd_config_invalid_error(const qrd_config *c, const char *key)
{
  char why[512]; /* qrd_config_invalid rewrites the detail buffer */
  snprintf(why, sizeof why, "%s", qrd_error_detail());
  return qrd_config_invalid(c, key, why);
}

int qrd_config_check_unused(const qrd_config *c)
{
  for (size_t i = 0; i < c->n; i++)
    if (!c->e[i].used)
      return qrd_error_set(QRD_ECONFIG, "%s:%d: unknown key '%s'", c->path,
                           c->e[i].line, c->e[i].key);
  return QRD_OK;
}
