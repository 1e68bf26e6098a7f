#include "core/spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int qrd_parse_double(const char *text, double *out)
{
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

static int copy_token(char *dst, const char *src, size_t len, const char *text,
                      const char *what)
{
  if (len == 0)
    return qrd_error_set(QRD_EINVAL, "'%s': empty %s", text, what);
  if (len >= QRD_SPEC_NAME_LEN)
    return qrd_error_set(QRD_EINVAL, "'%s': %s too long", text, what);
  memcpy(dst, src, len);
  dst[len] = '\0';
  return QRD_OK;
}

static int parse_pair(const char *item, size_t len, const char *text,
                      qrd_spec *out)
{
  const char *eq = memchr(item, '=', len);
  if (!eq)
    return qrd_error_set(QRD_EINVAL,
                         "'%s': parameter '%.*s' has no value (write key=value)",
                         text, (int)len, item);
  if (out->n == QRD_SPEC_MAX_PARAMS)
    return qrd_error_set(QRD_EINVAL, "'%s': more than %d parameters", text,
                         QRD_SPEC_MAX_PARAMS);
  int st = copy_token(out->key[out->n], item, (size_t)(eq - item), text,
                      "parameter name");
  if (st)
    return st;
  st = copy_token(out->value[out->n], eq + 1, len - (size_t)(eq - item) - 1,
                  text, "parameter value");
  if (st)
    return st;
  out->n++;
  return QRD_OK;
}

int qrd_spec_parse(const char *text, qrd_spec *out)
{
  memset(out, 0, sizeof *out);
  const char *colon = strchr(text, ':');
  size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
  int st = copy_token(out->name, text, name_len, text, "name");
  if (st || !colon)
    return st;
  const char *p = colon + 1;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    st = parse_pair(p, len, text, out);
    if (st || !comma)
      return st;
    p = comma + 1;
  }
}

static int in_range(const qrd_param_def *d, double v)
{
  int lo_ok = d->min_open ? v > d->min : v >= d->min;
  int hi_ok = d->max_open ? v < d->max : v <= d->max;
  return lo_ok && hi_ok;
}

static void describe_allowed(char *buf, size_t len, const qrd_param_def *defs,
                             size_t n_defs)
{
  buf[0] = '\0';
  for (size_t i = 0; i < n_defs; i++) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", i ? ", " : "", defs[i].name);
  }
  if (n_defs == 0)
    snprintf(buf, len, "none");
}

/* The number at the start of p (a words entry's value); 0 on success. */
static int number_at(const char *p, double *v)
{
  char *end;
  *v = strtod(p, &end);
  return end == p;
}

/* The value named `word` in d->words ("mae=1 mse=2"); 0 when found. */
static int word_value(const qrd_param_def *d, const char *word, double *v)
{
  size_t n = strlen(word);
  for (const char *p = d->words; p && *p; p += strcspn(p, " "), p += strspn(p, " ")) {
    const char *eq = strchr(p, '=');
    if (eq && (size_t)(eq - p) == n && strncmp(p, word, n) == 0)
      return number_at(eq + 1, v);
  }
  return 1;
}

/* The name of value v in d->words, or NULL. */
static const char *value_word(const qrd_param_def *d, double v, char *buf, size_t len)
{
  for (const char *p = d->words; p && *p; p += strcspn(p, " "), p += strspn(p, " ")) {
    const char *eq = strchr(p, '=');
    double w;
    if (eq && number_at(eq + 1, &w) == 0 && w == v) {
      snprintf(buf, len, "%.*s", (int)(eq - p), p);
      return buf;
    }
  }
  return NULL;
}

static int bind_one(const qrd_spec *s, size_t k, const char *family,
                    const qrd_param_def *defs, size_t n_defs, double *theta,
                    unsigned *given)
{
  for (size_t i = 0; i < n_defs; i++) {
    if (strcmp(s->key[k], defs[i].name) != 0)
      continue;
    double v;
    if (qrd_parse_double(s->value[k], &v) != 0 && word_value(&defs[i], s->value[k], &v) != 0)
      return qrd_error_set(QRD_EINVAL, "%s '%s': %s=%s is not a number%s%s", family, s->name,
                           s->key[k], s->value[k], defs[i].words ? " or one of: " : "",
                           defs[i].words ? defs[i].words : "");
    if (!in_range(&defs[i], v))
      return qrd_error_set(QRD_EINVAL,
                           "%s '%s': %s=%s out of range (allowed: %g %s %s %s %g)",
                           family, s->name, s->key[k], s->value[k], defs[i].min,
                           defs[i].min_open ? "<" : "<=", defs[i].name,
                           defs[i].max_open ? "<" : "<=", defs[i].max);
    if (*given & (1u << i))
      return qrd_error_set(QRD_EINVAL, "%s '%s': %s given twice", family,
                           s->name, s->key[k]);
    theta[i] = v;
    *given |= 1u << i;
    return QRD_OK;
  }
  char allowed[256];
  describe_allowed(allowed, sizeof allowed, defs, n_defs);
  return qrd_error_set(QRD_EINVAL, "%s '%s': unknown parameter '%s' (allowed: %s)",
                       family, s->name, s->key[k], allowed);
}

int qrd_spec_bind(const qrd_spec *s, const char *family,
                  const qrd_param_def *defs, size_t n_defs, double *theta,
                  unsigned *given)
{
  *given = 0;
  for (size_t i = 0; i < n_defs; i++)
    theta[i] = defs[i].def;
  for (size_t k = 0; k < s->n; k++) {
    int st = bind_one(s, k, family, defs, n_defs, theta, given);
    if (st)
      return st;
  }
  return QRD_OK;
}

void qrd_spec_format(char *buf, size_t len, const char *name,
                     const qrd_param_def *defs, size_t n_defs,
                     const double *theta, unsigned given)
{
  int used = snprintf(buf, len, "%s", name);
  char sep = ':';
  for (size_t i = 0; i < n_defs && used >= 0 && (size_t)used < len; i++) {
    if (!(given & (1u << i)))
      continue;
    char word[QRD_SPEC_NAME_LEN];
    const char *named = value_word(&defs[i], theta[i], word, sizeof word);
    if (named)
      used += snprintf(buf + used, len - (size_t)used, "%c%s=%s", sep, defs[i].name, named);
    else {
      /* %.15g reads best; %.17g where it would not give theta back */
      char num[32];
      snprintf(num, sizeof num, "%.15g", theta[i]);
      if (strtod(num, NULL) != theta[i])
        snprintf(num, sizeof num, "%.17g", theta[i]);
      used += snprintf(buf + used, len - (size_t)used, "%c%s=%s", sep, defs[i].name, num);
    }
    sep = ',';
  }
}

int qrd_spec_unknown(const char *family, const char *name, size_t count,
                     const char *(*name_at)(size_t i))
{
  char known[512] = "";
  for (size_t i = 0; i < count; i++) {
    size_t used = strlen(known);
    snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", name_at(i));
  }
  return qrd_error_set(QRD_ENOTFOUND, "unknown %s '%s' (known: %s)", family, name, known);
}
