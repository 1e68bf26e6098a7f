/* Per-tensor statistics: the TSV reader and range checks (format in
 * alloc.h). */
#include "alloc/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"

enum { COL_NAME, COL_NUMEL, COL_RMS, COL_FISHER, N_COLS };
static const char *const column_name[N_COLS] = {"name", "numel", "rms", "fisher_sum"};
#define COLUMN_LIST "name, numel, rms, fisher_sum"

/* The largest element count: every whole number up to 2^53 is exact in a
 * double (a count beyond it is not a count, e.g. 1e300 printed back as
 * 1000000000000000052504760255204420248704468...). */
#define MAX_NUMEL 0x1p53

/* Writes why t is out of range into why and returns 1, or returns 0. */
static int tensor_problem(const qrd_alloc_tensor *t, char *why, size_t len)
{
  if (!(isfinite(t->numel) && t->numel >= 1.0 && t->numel <= MAX_NUMEL &&
        t->numel == floor(t->numel)))
    snprintf(why, len, "numel %g must be a whole number from 1 to 2^53 = %.0f", t->numel,
             MAX_NUMEL);
  else if (!(isfinite(t->rms) && t->rms > 0.0))
    snprintf(why, len, "rms %g must be > 0", t->rms);
  else if (!(isfinite(t->fisher_sum) && t->fisher_sum >= 0.0))
    snprintf(why, len, "fisher_sum %g must be >= 0", t->fisher_sum);
  else
    return 0;
  return 1;
}

int qrd_alloc_stats_check(const qrd_alloc_stats *s)
{
  char why[128];
  if (s->n == 0)
    return qrd_error_set(QRD_EINVAL, "no tensors to allocate bits to");
  for (size_t i = 0; i < s->n; i++)
    if (tensor_problem(&s->tensor[i], why, sizeof why))
      return qrd_error_set(QRD_EINVAL, "tensor '%s' (number %zu): %s", s->tensor[i].name,
                           i + 1, why);
  return QRD_OK;
}

void qrd_alloc_stats_free(qrd_alloc_stats *s)
{
  if (s)
    free(s->tensor);
  free(s);
}

/* ---- reader ---- */

typedef struct {
  const char *path;
  long line;
  int col[N_COLS];  /* field index of each required column; -1 before the header */
  size_t n_fields;  /* fields in the header */
  size_t cap;
  qrd_alloc_stats *s;
} reader;

static char *trim(char *p)
{
  while (*p == ' ')
    p++;
  size_t n = strlen(p);
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r' || p[n - 1] == '\n'))
    p[--n] = '\0';
  return p;
}

/* Splits line in place at tabs (empty fields included); returns the number
 * of fields, at most max. */
static size_t split(char *line, char **field, size_t max)
{
  size_t n = 0;
  for (char *p = line; n < max;) {
    char *tab = strchr(p, '\t');
    if (tab)
      *tab = '\0';
    field[n++] = trim(p);
    if (!tab)
      break;
    p = tab + 1;
  }
  return n;
}

static int read_header(reader *r, char **field, size_t n)
{
  for (int c = 0; c < N_COLS; c++) {
    r->col[c] = -1;
    for (size_t i = 0; i < n; i++) {
      if (strcmp(field[i], column_name[c]) != 0)
        continue;
      if (r->col[c] >= 0)
        return qrd_error_set(QRD_EINVAL, "%s:%ld: header repeats column '%s'", r->path,
                             r->line, column_name[c]);
      r->col[c] = (int)i;
    }
    if (r->col[c] < 0)
      return qrd_error_set(QRD_EINVAL, "%s:%ld: header has no column '%s' (need the "
                           "tab-separated columns " COLUMN_LIST ")", r->path, r->line,
                           column_name[c]);
  }
  r->n_fields = n;
  return QRD_OK;
}

static int read_number(const reader *r, char **field, int c, double *out)
{
  const char *text = field[r->col[c]];
  if (qrd_parse_double(text, out) != 0)
    return qrd_error_set(QRD_EINVAL, "%s:%ld: column '%s': '%s' is not a number", r->path,
                         r->line, column_name[c], text);
  return QRD_OK;
}

static int read_tensor(reader *r, char **field, size_t n)
{
  if (n != r->n_fields)
    return qrd_error_set(QRD_EINVAL, "%s:%ld: %zu tab-separated fields, the header has %zu",
                         r->path, r->line, n, r->n_fields);
  if (r->s->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 256;
    qrd_alloc_tensor *t = realloc(r->s->tensor, cap * sizeof *t);
    if (!t)
      return qrd_error_set(QRD_ENOMEM, "%s: %zu tensors", r->path, cap);
    r->s->tensor = t;
    r->cap = cap;
  }
  qrd_alloc_tensor *t = &r->s->tensor[r->s->n];
  const char *name = field[r->col[COL_NAME]];
  if (name[0] == '\0' || strlen(name) >= sizeof t->name)
    return qrd_error_set(QRD_EINVAL, "%s:%ld: column 'name': want 1 to %d characters",
                         r->path, r->line, QRD_ALLOC_NAME_MAX - 1);
  strcpy(t->name, name);
  int st;
  if ((st = read_number(r, field, COL_NUMEL, &t->numel)) ||
      (st = read_number(r, field, COL_RMS, &t->rms)) ||
      (st = read_number(r, field, COL_FISHER, &t->fisher_sum)))
    return st;
  char why[128];
  if (tensor_problem(t, why, sizeof why))
    return qrd_error_set(QRD_EINVAL, "%s:%ld: tensor '%s': %s", r->path, r->line, t->name,
                         why);
  r->s->n++;
  return QRD_OK;
}

static int is_blank_or_comment(const char *line)
{
  line += strspn(line, " \t\r\n");
  return *line == '\0' || *line == '#';
}

static int read_lines(reader *r, FILE *f)
{
  char *line = NULL, *field[256];
  size_t cap = 0;
  int st = QRD_OK, have_header = 0;
  while (!st && getline(&line, &cap, f) >= 0) {
    r->line++;
    if (is_blank_or_comment(line))
      continue;
    size_t n = split(line, field, sizeof field / sizeof field[0]);
    st = have_header ? read_tensor(r, field, n) : read_header(r, field, n);
    have_header = 1;
  }
  free(line);
  if (!st && ferror(f))
    st = qrd_error_set(QRD_EIO, "%s: read error after line %ld", r->path, r->line);
  if (!st && r->s->n == 0)
    st = qrd_error_set(QRD_EINVAL, "%s: no tensors (want a header line with " COLUMN_LIST
                       ", then one tab-separated line per tensor)", r->path);
  return st;
}

int qrd_alloc_stats_read(const char *path, qrd_alloc_stats **out)
{
  *out = NULL;
  FILE *f = fopen(path, "r");
  if (!f)
    return qrd_error_set(QRD_EIO, "%s: cannot open statistics file: %s", path,
                         strerror(errno));
  reader r = {.path = path, .line = 0};
  r.s = calloc(1, sizeof *r.s);
  int st = r.s ? read_lines(&r, f) : qrd_error_set(QRD_ENOMEM, "%s", path);
  fclose(f);
  if (st) {
    qrd_alloc_stats_free(r.s);
    return st;
  }
  *out = r.s;
  return QRD_OK;
}
