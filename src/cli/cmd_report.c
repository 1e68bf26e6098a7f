/* qrd report: the reproduction report.  Reads the papers' printed numbers
 * (data/published.tsv), finds the matching value in each figure's results
 * file (through io/curve_read.h) and writes one verdict per number as
 * Markdown and TSV (`make report` writes both under results/). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "io/curve_read.h"

#define CMD "report"
#define N_COLS 8
#define MAX_FIG 99
#define NAME_MAX_LEN 128

static const char *const columns[N_COLS] = {
    "figure", "quantity", "published", "tolerance", "kind", "source", "locator", "note",
};
enum { C_FIGURE, C_QUANTITY, C_PUBLISHED, C_TOLERANCE, C_KIND, C_SOURCE, C_LOCATOR, C_NOTE };

static const char *const kinds[] = {"printed", "closed-form", "plot"};

static const char help[] =
  "usage: qrd report [--published FILE] [--results DIR] [--md FILE] [--tsv FILE]\n"
  "                  [--docs DIR]\n"
  "Compares every published number of FILE (default data/published.tsv) with the\n"
  "value qrd computed, read from DIR/fig-N.h5 (default DIR: results), and writes\n"
  "one verdict per number: agrees, disagrees, not comparable or missing.\n"
  "  --md FILE      the report as Markdown (rows that disagree link to the Known\n"
  "                 deviations section of their figure's page in the --docs directory,\n"
  "                 default docs/figures)\n"
  "  --tsv FILE     the report as TSV (default: stdout)\n"
  "Outputs are written to FILE.tmp and renamed when complete.  A missing results\n"
  "file or curve makes its rows 'missing' (a warning on stderr, exit status 0);\n"
  "a malformed row of FILE is an error (exit status 2).\n"
  "\n"
  "FILE: '#' comment lines, a header line, then one tab-separated row per number:\n"
  "  figure     fig-N\n"
  "  quantity   what the number is\n"
  "  published  the number as printed (its digits set the rounding tolerance), or\n"
  "             a printed range LO..HI\n"
  "  tolerance  ulp (half a unit in the last printed digit), abs:X, rel:X, or none\n"
  "             (not comparable: shown, never judged)\n"
  "  kind       printed (in a paper, a legend or table, or the authors' outputs),\n"
  "             closed-form (a closed form the sources state, evaluated), or\n"
  "             plot (read off a published plot)\n"
  "  source     where the number is printed (paper, figure/table/legend/section)\n"
  "  locator    where qrd's value is: TERM or TERM OP TERM (OP one of + - * /,\n"
  "             spaces around it), TERM = PANEL/CURVE@PICK[,noerr], attr:NAME (a\n"
  "             numeric root attribute) or a number (2^X allowed); PICK = x=V (the\n"
  "             point at x = V, to 1e-5), near=V (the point nearest x = V, within 1%),\n"
  "             i=K (the K-th point, from 0), xi=K (the x of the K-th point), min,\n"
  "             max, argmin, argmax (x at the least / largest y), const (a flat\n"
  "             curve's y), last; ',noerr': the curve's y_err is not a standard error\n"
  "  note       free text; for a row that disagrees, the reason\n"
  "Rule: with d = qrd - published (for a range, the distance outside it), the row\n"
  "agrees when |d| <= tol + 3 SE, tol from the tolerance column and SE the\n"
  "curve's y_err at the point (0 for exact values).\n"
  "TSV columns: figure quantity published tolerance kind qrd se difference z\n"
  "  relative verdict source locator note\n";

/* ---- the locator ---- */

enum pick { P_X, P_NEAR, P_I, P_XI, P_MIN, P_MAX, P_ARGMIN, P_ARGMAX, P_CONST, P_LAST };

typedef struct {
  enum { T_NUMBER, T_ATTR, T_CURVE } kind;
  double number;                 /* T_NUMBER; P_X's x */
  char name[NAME_MAX_LEN];       /* T_ATTR: attribute; T_CURVE: panel */
  char curve[NAME_MAX_LEN];
  enum pick pick;
  long index;                    /* P_I */
  int noerr;
} term;

typedef struct {
  term t[2];
  char op; /* 0: one term */
} locator;

typedef enum { TOL_ULP, TOL_ABS, TOL_REL, TOL_NONE } tol_kind;

typedef enum { V_AGREES, V_DISAGREES, V_LAST_DIGIT, V_NOT_COMPARABLE, V_MISSING } verdict;
static const char *const verdict_text[] = {
    "agrees", "disagrees", "disagrees (last digit)", "not comparable", "missing",
};

typedef struct {
  long line;
  char *col[N_COLS];
  int fig;
  double lo, hi;       /* the published value (lo == hi) or range */
  double half_ulp;     /* half a unit in the last printed digit */
  int sci;             /* printed in e-notation */
  int decimals;        /* printed decimals of the mantissa */
  tol_kind tol;
  double tol_value;
  locator loc;
  /* results */
  int have;
  double q, se;
  verdict v;
} row;

/* Parses a whole number-or-"2^X" string; 0 on success. */
static int parse_number(const char *s, double *out)
{
  char *end;
  if (strncmp(s, "2^", 2) == 0) {
    double e;
    if (parse_number(s + 2, &e))
      return 1;
    *out = pow(2.0, e);
    return 0;
  }
  errno = 0;
  *out = strtod(s, &end);
  return end == s || *end != '\0' || errno || !isfinite(*out) || strchr(s, ' ') != NULL;
}

static int valid_name(const char *s, const char *extra)
{
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
      return 0;
  return 1;
}

/* One TERM; on failure a reason in why. */
static int parse_term(const char *s, term *t, char *why, size_t why_size)
{
  memset(t, 0, sizeof *t);
  if (strncmp(s, "attr:", 5) == 0) {
    t->kind = T_ATTR;
    if (!valid_name(s + 5, "_") || strlen(s + 5) >= NAME_MAX_LEN) {
      snprintf(why, why_size, "'%s' is not a root attribute name (lower-case words joined by _)",
               s + 5);
      return 1;
    }
    strcpy(t->name, s + 5);
    return 0;
  }
  const char *slash = strchr(s, '/');
  if (!slash) {
    t->kind = T_NUMBER;
    if (parse_number(s, &t->number)) {
      snprintf(why, why_size, "'%s' is neither PANEL/CURVE@PICK, attr:NAME nor a number", s);
      return 1;
    }
    return 0;
  }
  t->kind = T_CURVE;
  const char *at = strchr(slash, '@');
  if (!at) {
    snprintf(why, why_size, "'%s' has no @PICK", s);
    return 1;
  }
  size_t lp = (size_t)(slash - s), lc = (size_t)(at - slash - 1);
  if (lp == 0 || lp >= NAME_MAX_LEN || lc == 0 || lc >= NAME_MAX_LEN) {
    snprintf(why, why_size, "'%s': empty or too long panel or curve name", s);
    return 1;
  }
  memcpy(t->name, s, lp);
  memcpy(t->curve, slash + 1, lc);
  if (!valid_name(t->name, "-") || !valid_name(t->curve, "-")) {
    snprintf(why, why_size, "'%s': panel and curve names are lower-case words joined by -", s);
    return 1;
  }
  char pick[64];
  if (strlen(at + 1) >= sizeof pick) {
    snprintf(why, why_size, "'%s': PICK too long", s);
    return 1;
  }
  strcpy(pick, at + 1);
  char *comma = strchr(pick, ',');
  if (comma) {
    if (strcmp(comma, ",noerr") != 0) {
      snprintf(why, why_size, "'%s': after PICK only ',noerr' is allowed", s);
      return 1;
    }
    t->noerr = 1;
    *comma = '\0';
  }
  static const struct { const char *name; enum pick p; } words[] = {
      {"min", P_MIN}, {"max", P_MAX}, {"argmin", P_ARGMIN}, {"argmax", P_ARGMAX},
      {"const", P_CONST}, {"last", P_LAST},
  };
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcmp(pick, words[i].name) == 0) {
      t->pick = words[i].p;
      return 0;
    }
  if (strncmp(pick, "x=", 2) == 0 && !parse_number(pick + 2, &t->number)) {
    t->pick = P_X;
    return 0;
  }
  if (strncmp(pick, "near=", 5) == 0 && !parse_number(pick + 5, &t->number)) {
    t->pick = P_NEAR;
    return 0;
  }
  int xi = strncmp(pick, "xi=", 3) == 0;
  if (xi || strncmp(pick, "i=", 2) == 0) {
    char *end, *k = pick + 2 + xi;
    errno = 0;
    t->index = strtol(k, &end, 10);
    if (end != k && *end == '\0' && !errno && t->index >= 0 && *k >= '0' && *k <= '9') {
      t->pick = xi ? P_XI : P_I;
      return 0;
    }
  }
  snprintf(why, why_size,
           "'%s': PICK '%s' (allowed: x=V, near=V, i=K, xi=K, min, max, argmin, argmax, "
           "const, last)", s, pick);
  return 1;
}

static int parse_locator(const char *s, locator *loc, char *why, size_t why_size)
{
  memset(loc, 0, sizeof *loc);
  char buf[512];
  if (strlen(s) >= sizeof buf) {
    snprintf(why, why_size, "too long");
    return 1;
  }
  strcpy(buf, s);
  /* " OP " splits two terms; curve names hold '-' but never spaces. */
  char *sp = strchr(buf, ' ');
  if (!sp)
    return parse_term(buf, &loc->t[0], why, why_size);
  if (!(sp[1] && strchr("+-*/", sp[1]) && sp[2] == ' ' && sp[3] && !strchr(sp + 3, ' '))) {
    snprintf(why, why_size, "'%.200s' is not TERM or TERM OP TERM (OP one of + - * /, one "
             "space either side)", s);
    return 1;
  }
  loc->op = sp[1];
  *sp = '\0';
  return parse_term(buf, &loc->t[0], why, why_size) ||
         parse_term(sp + 3, &loc->t[1], why, why_size);
}

/* ---- published.tsv ---- */

/* Half a unit in the last printed digit of a plain number; decimals and
 * e-notation for formatting qrd's value alike. */
static void printed_precision(const char *s, double *half_ulp, int *decimals, int *sci)
{
  const char *dot = strchr(s, '.');
  const char *e = strpbrk(s, "eE");
  int dec = 0;
  if (dot && (!e || dot < e))
    for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++)
      dec++;
  int exp10 = e ? atoi(e + 1) : 0;
  *half_ulp = 0.5 * pow(10.0, exp10 - dec);
  *decimals = dec;
  *sci = e != NULL;
}

static int row_error(const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int row_error(const char *file, long line, const char *fmt, ...)
{
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return qrd_args_bad(CMD, "%s:%ld: %s", file, line, msg);
}

static int parse_published(const char *file, row *r)
{
  const char *s = r->col[C_PUBLISHED];
  const char *dots = strstr(s, "..");
  char a[128], b[128];
  if (strlen(s) >= sizeof a)
    return row_error(file, r->line, "column 'published': '%s' is not a number", s);
  if (dots) {
    size_t la = (size_t)(dots - s);
    memcpy(a, s, la);
    a[la] = '\0';
    strcpy(b, dots + 2);
  } else {
    strcpy(a, s);
    b[0] = '\0';
  }
  if (parse_number(a, &r->lo) || strncmp(a, "2^", 2) == 0 ||
      (dots && (parse_number(b, &r->hi) || strncmp(b, "2^", 2) == 0)))
    return row_error(file, r->line, "column 'published': '%s' is not a number%s", s,
                     dots ? " or a range LO..HI" : "");
  if (!dots)
    r->hi = r->lo;
  else if (!(r->lo < r->hi))
    return row_error(file, r->line, "column 'published': range '%s' is not LO..HI with LO < HI",
                     s);
  printed_precision(a, &r->half_ulp, &r->decimals, &r->sci);
  if (dots) {
    double h2;
    int d2, s2;
    printed_precision(b, &h2, &d2, &s2);
    if (h2 > r->half_ulp)
      r->half_ulp = h2;
  }
  return 0;
}

static int parse_row(const char *file, row *r)
{
  const char *fig = r->col[C_FIGURE];
  char *end;
  long n = strncmp(fig, "fig-", 4) == 0 ? strtol(fig + 4, &end, 10) : 0;
  if (n < 1 || n > MAX_FIG || *end != '\0' || fig[4] == '0' || fig[4] == '+' || fig[4] == ' ')
    return row_error(file, r->line, "column 'figure': '%s' is not fig-N (N = 1 ... %d)", fig,
                     MAX_FIG);
  r->fig = (int)n;
  if (!r->col[C_QUANTITY][0])
    return row_error(file, r->line, "column 'quantity': empty");
  int st = parse_published(file, r);
  if (st)
    return st;
  const char *t = r->col[C_TOLERANCE];
  if (strcmp(t, "ulp") == 0) {
    r->tol = TOL_ULP;
  } else if (strcmp(t, "none") == 0) {
    r->tol = TOL_NONE;
  } else if ((strncmp(t, "abs:", 4) == 0 || strncmp(t, "rel:", 4) == 0) &&
             !parse_number(t + 4, &r->tol_value) && r->tol_value >= 0) {
    r->tol = t[0] == 'a' ? TOL_ABS : TOL_REL;
  } else {
    return row_error(file, r->line,
                     "column 'tolerance': '%s' (allowed: ulp, abs:X, rel:X with X >= 0, none)",
                     t);
  }
  size_t k;
  for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    if (strcmp(r->col[C_KIND], kinds[k]) == 0)
      break;
  if (k == sizeof kinds / sizeof kinds[0])
    return row_error(file, r->line,
                     "column 'kind': '%s' (allowed: printed, closed-form, plot)",
                     r->col[C_KIND]);
  if (!r->col[C_SOURCE][0])
    return row_error(file, r->line, "column 'source': empty (every number cites where it is "
                     "printed)");
  char why[512];
  if (parse_locator(r->col[C_LOCATOR], &r->loc, why, sizeof why))
    return row_error(file, r->line, "column 'locator': %s", why);
  return 0;
}

static void rows_free(row *rows, size_t n)
{
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < N_COLS; c++)
      free(rows[i].col[c]);
  free(rows);
}

/* Splits one line into N_COLS fields (the note may be left off). */
static int split_row(const char *file, long line, char *text, row *r)
{
  size_t len = strlen(text);
  while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
    text[--len] = '\0';
  char *f[N_COLS + 1];
  int nf = 0;
  for (char *p = text;; p++) {
    char *tab = strchr(p, '\t');
    if (nf <= N_COLS)
      f[nf] = p;
    nf++;
    if (!tab)
      break;
    *tab = '\0';
    p = tab;
  }
  if (nf != N_COLS && nf != N_COLS - 1)
    return row_error(file, line, "%d columns (want %d: figure, quantity, published, tolerance, "
                     "kind, source, locator, note; tab-separated)", nf, N_COLS);
  memset(r, 0, sizeof *r);
  r->line = line;
  for (int c = 0; c < N_COLS; c++) {
    const char *v = c < nf ? f[c] : "";
    if (!(r->col[c] = strdup(v))) {
      fprintf(stderr, "qrd " CMD ": out of memory\n");
      return 1;
    }
  }
  return 0;
}

static int read_published(const char *file, row **out, size_t *n_out)
{
  *out = NULL;
  *n_out = 0;
  FILE *f = fopen(file, "r");
  if (!f) {
    return qrd_args_bad(CMD, "%s: %s", file, strerror(errno));
  }
  char *text = NULL;
  size_t cap = 0, n = 0, n_alloc = 0;
  row *rows = NULL;
  long line = 0;
  int header = 0, st = 0;
  while (!st && getline(&text, &cap, f) >= 0) {
    line++;
    if (text[0] == '#' || strspn(text, " \t\r\n") == strlen(text))
      continue;
    if (!header) {
      char want[256] = "";
      for (int c = 0; c < N_COLS; c++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", c ? "\t" : "",
                 columns[c]);
      text[strcspn(text, "\r\n")] = '\0';
      if (strcmp(text, want) != 0)
        st = row_error(file, line, "the header must be the tab-separated columns figure, "
                       "quantity, published, tolerance, kind, source, locator, note");
      header = 1;
      continue;
    }
    if (n == n_alloc) {
      size_t na = n_alloc ? 2 * n_alloc : 64;
      row *nr = realloc(rows, na * sizeof *nr);
      if (!nr) {
        fprintf(stderr, "qrd " CMD ": out of memory\n");
        st = 1;
        break;
      }
      rows = nr;
      n_alloc = na;
    }
    if (!(st = split_row(file, line, text, &rows[n]))) {
      n++;
      st = parse_row(file, &rows[n - 1]);
    }
  }
  free(text);
  if (!st && ferror(f)) {
    st = qrd_args_bad(CMD, "%s: read error", file);
  }
  fclose(f);
  if (!st && !header)
    st = row_error(file, line, "no header line (figure, quantity, published, tolerance, kind, "
                   "source, locator, note)");
  if (st) {
    rows_free(rows, n);
    return st;
  }
  *out = rows;
  *n_out = n;
  return 0;
}

/* ---- evaluation ---- */

typedef struct {
  enum { F_UNOPENED, F_OPEN, F_MISSING } state;
  qrd_curve_file *file;
  int warned;
} fig_file;

/* The value and standard error of one term; QRD_OK or a status with
 * qrd_error_set's detail. */
static int eval_term(const term *t, qrd_curve_file *f, double *v, double *se)
{
  *se = 0.0;
  if (t->kind == T_NUMBER) {
    *v = t->number;
    return QRD_OK;
  }
  if (t->kind == T_ATTR)
    return qrd_curve_file_attr(f, t->name, v);
  qrd_curve c;
  int st = qrd_curve_file_read(f, t->name, t->curve, &c);
  if (st)
    return st;
  size_t k = 0;
  int want_x = 0;
  switch (t->pick) {
  case P_X:
  case P_NEAR: {
    double best = INFINITY;
    for (size_t i = 0; i < c.n; i++)
      if (fabs(c.x[i] - t->number) < best) {
        best = fabs(c.x[i] - t->number);
        k = i;
      }
    double within = (t->pick == P_X ? 1e-5 : 1e-2) * fmax(1.0, fabs(t->number));
    if (best > within)
      st = qrd_error_set(QRD_ENOTFOUND, "curve '%s/%s' has no point %s x = %g (nearest x = %g)",
                         t->name, t->curve, t->pick == P_X ? "at" : "near", t->number, c.x[k]);
    break;
  }
  case P_XI:
    want_x = 1;
    /* fall through */
  case P_I:
    if ((size_t)t->index >= c.n)
      st = qrd_error_set(QRD_ENOTFOUND, "curve '%s/%s' has %zu points, no point i = %ld",
                         t->name, t->curve, c.n, t->index);
    else
      k = (size_t)t->index;
    break;
  case P_ARGMIN:
  case P_ARGMAX:
    want_x = 1;
    /* fall through */
  case P_MIN:
  case P_MAX: {
    int lo = t->pick == P_MIN || t->pick == P_ARGMIN;
    for (size_t i = 1; i < c.n; i++)
      if (lo ? c.y[i] < c.y[k] : c.y[i] > c.y[k])
        k = i;
    break;
  }
  case P_CONST:
    for (size_t i = 1; i < c.n; i++)
      if (fabs(c.y[i] - c.y[0]) > 1e-9 * fmax(1e-300, fabs(c.y[0])))
        st = qrd_error_set(QRD_EINVAL, "curve '%s/%s' is not flat (y = %.10g at x = %g, "
                           "%.10g at x = %g)", t->name, t->curve, c.y[0], c.x[0], c.y[i],
                           c.x[i]);
    break;
  case P_LAST:
    k = c.n - 1;
    break;
  }
  if (!st) {
    *v = want_x ? c.x[k] : c.y[k];
    if (!want_x && c.y_err && !t->noerr)
      *se = c.y_err[k];
    if (!isfinite(*v) || !isfinite(*se))
      st = qrd_error_set(QRD_EINVAL, "curve '%s/%s': no finite value at x = %g", t->name,
                         t->curve, c.x[k]);
  }
  qrd_curve_free(&c);
  return st;
}

static int eval_locator(const locator *loc, qrd_curve_file *f, double *v, double *se)
{
  double a, sa, b, sb;
  int st = eval_term(&loc->t[0], f, &a, &sa);
  if (st || !loc->op) {
    *v = a;
    *se = sa;
    return st;
  }
  if ((st = eval_term(&loc->t[1], f, &b, &sb)))
    return st;
  switch (loc->op) {
  case '+': *v = a + b; *se = hypot(sa, sb); break;
  case '-': *v = a - b; *se = hypot(sa, sb); break;
  case '*': *v = a * b; *se = hypot(b * sa, a * sb); break;
  default:
    if (b == 0.0)
      return qrd_error_set(QRD_EDOM, "division by zero");
    *v = a / b;
    *se = hypot(sa / b, a * sb / (b * b));
  }
  return QRD_OK;
}

static int uses_file(const locator *loc)
{
  return loc->t[0].kind != T_NUMBER || (loc->op && loc->t[1].kind != T_NUMBER);
}

/* d = qrd - published, or the distance outside a printed range. */
static double difference(const row *r)
{
  return r->q < r->lo ? r->q - r->lo : r->q > r->hi ? r->q - r->hi : 0.0;
}

static double tolerance(const row *r)
{
  double mid = 0.5 * (r->lo + r->hi);
  return r->tol == TOL_ULP ? r->half_ulp : r->tol == TOL_ABS ? r->tol_value
                                                                : r->tol_value * fabs(mid);
}

static verdict judge(const row *r)
{
  if (r->tol == TOL_NONE)
    return V_NOT_COMPARABLE;
  double d = difference(r);
  if (fabs(d) <= tolerance(r) + 3.0 * r->se)
    return V_AGREES;
  /* Off by one unit in the last printed digit once rounded: say so. */
  if (r->tol == TOL_ULP && r->lo == r->hi) {
    double unit = 2.0 * r->half_ulp;
    double steps = fabs(nearbyint(r->q / unit) - nearbyint(r->lo / unit));
    if (steps == 1.0)
      return V_LAST_DIGIT;
  }
  return V_DISAGREES;
}

static void evaluate(const char *published, const char *dir, row *rows, size_t n)
{
  fig_file figs[MAX_FIG + 1];
  memset(figs, 0, sizeof figs);
  for (size_t i = 0; i < n; i++) {
    row *r = &rows[i];
    fig_file *ff = &figs[r->fig];
    int st = QRD_OK;
    if (uses_file(&r->loc) && ff->state == F_UNOPENED) {
      char path[PATH_MAX + 32];
      snprintf(path, sizeof path, "%s/fig-%d.h5", dir, r->fig);
      if (qrd_curve_file_open(path, &ff->file) == QRD_OK) {
        ff->state = F_OPEN;
      } else {
        ff->state = F_MISSING;
        fprintf(stderr, "qrd " CMD ": warning: %s: its rows are 'missing'\n",
                qrd_error_detail());
      }
    }
    if (uses_file(&r->loc) && ff->state == F_MISSING) {
      r->v = V_MISSING;
      continue;
    }
    st = eval_locator(&r->loc, ff->file, &r->q, &r->se);
    if (st) {
      fprintf(stderr, "qrd " CMD ": warning: %s:%ld: fig-%d: %s: row 'missing'\n", published,
              r->line, r->fig, qrd_error_detail());
      r->v = V_MISSING;
      continue;
    }
    r->have = 1;
    r->v = judge(r);
  }
  for (int k = 0; k <= MAX_FIG; k++)
    if (figs[k].state == F_OPEN)
      qrd_curve_file_close(figs[k].file);
}

/* ---- output ---- */

/* qrd's value with two more digits than the published number shows. */
static void format_value(const row *r, double v, char *buf, size_t size)
{
  int d = r->decimals + 2;
  if (d > 12)
    d = 12;
  if (r->sci)
    snprintf(buf, size, "%.*e", d, v);
  else if (v != 0.0 && fabs(v) < 1e-3 && r->decimals < 4)
    snprintf(buf, size, "%.4g", v);
  else
    snprintf(buf, size, "%.*f", d, v);
}

/* The Markdown cell: '|' escaped, newlines and tabs as spaces. */
static void md_cell(FILE *out, const char *s)
{
  for (; *s; s++) {
    if (*s == '|')
      fputs("\\|", out);
    else if (*s == '\n' || *s == '\t' || *s == '\r')
      fputc(' ', out);
    else
      fputc(*s, out);
  }
}

static void write_tsv(FILE *out, const row *rows, size_t n)
{
  fprintf(out, "figure\tquantity\tpublished\ttolerance\tkind\tqrd\tse\tdifference\tz\trelative"
               "\tverdict\tsource\tlocator\tnote\n");
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    fprintf(out, "%s\t%s\t%s\t%s\t%s\t", r->col[C_FIGURE], r->col[C_QUANTITY],
            r->col[C_PUBLISHED], r->col[C_TOLERANCE], r->col[C_KIND]);
    if (r->have) {
      double d = difference(r), mid = 0.5 * (r->lo + r->hi);
      fprintf(out, "%.17g\t%.3g\t%.6g\t", r->q, r->se, d);
      if (r->se > 0)
        fprintf(out, "%.3g", d / r->se);
      fputc('\t', out);
      if (mid != 0)
        fprintf(out, "%.3g", d / fabs(mid));
      fputc('\t', out);
    } else {
      fputs("\t\t\t\t\t", out);
    }
    fprintf(out, "%s\t%s\t%s\t%s\n", verdict_text[r->v], r->col[C_SOURCE], r->col[C_LOCATOR],
            r->col[C_NOTE]);
  }
}

/* The path from the Markdown file's folder to the figure pages. */
static void docs_link(const char *md, const char *docs, char *buf, size_t size)
{
  if (docs[0] == '/' || md[0] == '/') {
    snprintf(buf, size, "%s", docs);
    return;
  }
  buf[0] = '\0';
  const char *p = md;
  for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
    size_t len = (size_t)(slash - p);
    if (len == 0 || (len == 1 && p[0] == '.'))
      continue;
    snprintf(buf + strlen(buf), size - strlen(buf), "../");
  }
  snprintf(buf + strlen(buf), size - strlen(buf), "%s", docs);
}

typedef struct {
  size_t rows, count[5];
} tally;

static void write_md(FILE *out, const char *published, const char *dir, const char *link,
                     const row *rows, size_t n)
{
  tally all = {0}, per[MAX_FIG + 1];
  int order[MAX_FIG + 1], n_fig = 0;
  memset(per, 0, sizeof per);
  for (size_t i = 0; i < n; i++) {
    int f = rows[i].fig;
    if (per[f].rows == 0)
      order[n_fig++] = f;
    per[f].rows++;
    per[f].count[rows[i].v]++;
    all.rows++;
    all.count[rows[i].v]++;
  }
  fprintf(out,
          "# Reproduction report\n\n"
          "Generated by `qrd report` from `%s` and the results files `%s/fig-N.h5`; do not "
          "edit by hand: `make report` (or `make report RESULTS=DIR`) rewrites it.\n\n",
          published, dir);
  fprintf(out,
          "Every row is one number printed in a source (the `source` column says where), "
          "set against the value qrd computed (where it lives: `locator` in the TSV "
          "version).\n\n"
          "**Rule.** d = qrd − published (for a printed range LO..HI, the distance outside "
          "it). A row **agrees** when |d| ≤ tol + 3·SE, where tol is half a unit in the last "
          "printed digit (`ulp`) or the row's stated absolute or relative tolerance, and SE "
          "is qrd's standard error at that point (0 for exact values): the printed number "
          "stands for an interval of half-width tol, qrd's for one of half-width 3·SE, and "
          "they must overlap. Otherwise it **disagrees** (\"last digit\" when qrd, rounded "
          "to the printed digits, is one unit off), with the reason in the figure's page "
          "(section Known deviations of its page in `%s`). **Not comparable**: shown, never judged (the "
          "sources measured something qrd cannot). **Missing**: no results file or curve.\n\n"
          "Kinds: *printed* (in a paper, a figure's legend or table, or the authors' "
          "published outputs), *closed-form* (a closed form the sources state, evaluated), "
          "*plot* (read off a published plot).\n\n",
          link);
  fprintf(out, "%zu numbers: %zu agree, %zu disagree, %zu not comparable, %zu missing.\n\n",
          all.rows, all.count[V_AGREES], all.count[V_DISAGREES] + all.count[V_LAST_DIGIT],
          all.count[V_NOT_COMPARABLE], all.count[V_MISSING]);
  fprintf(out, "| figure | numbers | agree | disagree | not comparable | missing |\n"
               "|---|---|---|---|---|---|\n");
  for (int k = 0; k < n_fig; k++) {
    const tally *t = &per[order[k]];
    fprintf(out, "| fig-%d | %zu | %zu | %zu | %zu | %zu |\n", order[k], t->rows,
            t->count[V_AGREES], t->count[V_DISAGREES] + t->count[V_LAST_DIGIT],
            t->count[V_NOT_COMPARABLE], t->count[V_MISSING]);
  }
  fprintf(out, "\n| figure | quantity | published | qrd ± SE | d (z; relative) | verdict | "
               "kind | source |\n|---|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    fprintf(out, "| %s | ", r->col[C_FIGURE]);
    md_cell(out, r->col[C_QUANTITY]);
    fprintf(out, " | %s", r->col[C_PUBLISHED]);
    if (r->tol == TOL_ABS || r->tol == TOL_REL)
      fprintf(out, " (± %s%s)", r->col[C_TOLERANCE] + 4, r->tol == TOL_REL ? " rel." : "");
    fputs(" | ", out);
    if (r->have) {
      char q[64], se[64];
      format_value(r, r->q, q, sizeof q);
      fputs(q, out);
      if (r->se > 0) {
        snprintf(se, sizeof se, "%.2g", r->se);
        fprintf(out, " ± %s", se);
      }
      double d = difference(r), mid = 0.5 * (r->lo + r->hi);
      fprintf(out, " | %+.2g", d);
      if (r->se > 0 || mid != 0) {
        fputs(" (", out);
        if (r->se > 0)
          fprintf(out, "z = %+.1f", d / r->se);
        if (mid != 0)
          fprintf(out, "%s%+.2g %%", r->se > 0 ? "; " : "", 100.0 * d / fabs(mid));
        fputc(')', out);
      }
    } else {
      fputs("— | —", out);
    }
    fputs(" | ", out);
    if (r->v == V_DISAGREES || r->v == V_LAST_DIGIT) {
      fprintf(out, "**%s**: ", verdict_text[r->v]);
      md_cell(out, r->col[C_NOTE][0] ? r->col[C_NOTE] : "see");
      /* the page of figure N is fig-N plus the Markdown suffix */
      fprintf(out, " ([known deviations](%s/fig-%d%s#known-deviations))", link, r->fig, ".md");
    } else {
      fputs(verdict_text[r->v], out);
    }
    fprintf(out, " | %s | ", r->col[C_KIND]);
    md_cell(out, r->col[C_SOURCE]);
    fputs(" |\n", out);
  }
}

/* Writes through a temporary file renamed into place; 0 or 1. */
typedef struct {
  char tmp[PATH_MAX];
  const char *path;
  FILE *f;
} out_file;

static int out_open(out_file *o, const char *path)
{
  o->path = path;
  if (snprintf(o->tmp, sizeof o->tmp, "%s.tmp", path) >= (int)sizeof o->tmp ||
      !(o->f = fopen(o->tmp, "w"))) {
    fprintf(stderr, "qrd " CMD ": %s: %s\n", o->tmp, strerror(errno));
    o->f = NULL;
    return 1;
  }
  return 0;
}

static int out_close(out_file *o, int ok)
{
  if (!o->f)
    return !ok;
  int bad = ferror(o->f) | (fclose(o->f) != 0);
  o->f = NULL;
  if (ok && !bad && rename(o->tmp, o->path) == 0)
    return 0;
  if (ok)
    fprintf(stderr, "qrd " CMD ": cannot write %s: %s\n", o->path, strerror(errno));
  remove(o->tmp);
  return 1;
}

int qrd_cmd_report(int argc, char **argv)
{
  qrd_opt opts[] = {
      {"published", 1, NULL}, {"results", 1, NULL}, {"md", 1, NULL},
      {"tsv", 1, NULL},       {"docs", 1, NULL},    {"help", 0, NULL},
  };
  size_t n_opts = sizeof opts / sizeof opts[0], n_pos;
  const char *pos[1];
  if (qrd_args_parse(CMD, argc, argv, opts, n_opts, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(opts, n_opts, "help")) {
    fputs(help, stdout);
    return 0;
  }
  const char *published = qrd_args_get(opts, n_opts, "published");
  const char *dir = qrd_args_get(opts, n_opts, "results");
  const char *md = qrd_args_get(opts, n_opts, "md");
  const char *tsv = qrd_args_get(opts, n_opts, "tsv");
  const char *docs = qrd_args_get(opts, n_opts, "docs");
  published = published ? published : "data/published.tsv";
  dir = dir ? dir : "results";
  docs = docs ? docs : "docs/figures";
  for (size_t i = 0; i < n_opts; i++)
    if (opts[i].takes_value && opts[i].value && !opts[i].value[0])
      return qrd_args_bad(CMD, "--%s: empty value", opts[i].name);
  size_t dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/')
    dl--;
  char results[PATH_MAX];
  snprintf(results, sizeof results, "%.*s", (int)dl, dir);

  row *rows;
  size_t n;
  int st = read_published(published, &rows, &n);
  if (st)
    return st;
  evaluate(published, results, rows, n);

  int fail = 0;
  out_file omd = {0}, otsv = {0};
  if (md) {
    char link[PATH_MAX];
    docs_link(md, docs, link, sizeof link);
    if (!(fail = out_open(&omd, md)))
      write_md(omd.f, published, results, link, rows, n);
  }
  if (!fail && tsv && !(fail = out_open(&otsv, tsv)))
    write_tsv(otsv.f, rows, n);
  if (!fail && !tsv) {
    write_tsv(stdout, rows, n);
    fail = fflush(stdout) != 0;
  }
  fail |= out_close(&otsv, !fail);
  fail |= out_close(&omd, !fail);

  size_t c[5] = {0};
  for (size_t i = 0; i < n; i++)
    c[rows[i].v]++;
  if (!fail && (md || tsv))
    fprintf(stderr, "qrd " CMD ": %zu numbers: %zu agree, %zu disagree, %zu not comparable, "
            "%zu missing%s%s%s%s\n", n, c[V_AGREES], c[V_DISAGREES] + c[V_LAST_DIGIT],
            c[V_NOT_COMPARABLE], c[V_MISSING], md ? " -> " : "", md ? md : "",
            tsv ? (md ? ", " : " -> ") : "", tsv ? tsv : "");
  rows_free(rows, n);
  return fail ? 1 : 0;
}
