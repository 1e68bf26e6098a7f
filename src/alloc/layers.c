/* Where a tensor sits in the model, from its name alone: the per-tensor
 * plot of an allocation puts each tensor at its layer, one curve per type. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"

int qrd_alloc_classify(const char *name, char *type, size_t len)
{
  char buf[QRD_ALLOC_NAME_MAX], *save;
  int layer = -1;
  snprintf(buf, sizeof buf, "%s", name);
  snprintf(type, len, "%s", name);
  for (char *c = strtok_r(buf, ".", &save); c; c = strtok_r(NULL, ".", &save)) {
    if (layer < 0 && strspn(c, "0123456789") == strlen(c))
      layer = atoi(c);
    else if (strcmp(c, "weight") != 0)
      snprintf(type, len, "%s", c);
  }
  return layer;
}

void qrd_alloc_layer_positions(const qrd_alloc_stats *s, double *x, double *lo, double *hi)
{
  char type[QRD_ALLOC_NAME_MAX];
  int first = -1, last = -1, seen_layer = 0;
  for (size_t t = 0; t < s->n; t++) {
    int l = qrd_alloc_classify(s->tensor[t].name, type, sizeof type);
    x[t] = l;
    if (l >= 0) {
      first = first < 0 || l < first ? l : first;
      last = l > last ? l : last;
    }
  }
  for (size_t t = 0; t < s->n; t++) {
    if (last < 0)
      x[t] = (double)t;
    else if (x[t] >= 0)
      seen_layer = 1;
    else
      x[t] = seen_layer ? last + 1 : first - 1;
  }
  *lo = *hi = x[0];
  for (size_t t = 1; t < s->n; t++) {
    *lo = fmin(*lo, x[t]);
    *hi = fmax(*hi, x[t]);
  }
}

int qrd_alloc_first_of_type(const qrd_alloc_stats *s, size_t t, char *type, size_t len)
{
  char other[QRD_ALLOC_NAME_MAX];
  qrd_alloc_classify(s->tensor[t].name, type, len);
  for (size_t u = 0; u < t; u++) {
    qrd_alloc_classify(s->tensor[u].name, other, sizeof other);
    if (strcmp(other, type) == 0)
      return 0;
  }
  return 1;
}

size_t qrd_alloc_type_points(const qrd_alloc_stats *s, const char *type, const double *pos,
                             const double *bits, double *x, double *y)
{
  char mine[QRD_ALLOC_NAME_MAX];
  size_t n = 0;
  for (size_t t = 0; t < s->n; t++) {
    qrd_alloc_classify(s->tensor[t].name, mine, sizeof mine);
    if (strcmp(mine, type) != 0)
      continue;
    /* insertion keeps the points sorted by position */
    size_t i = n++;
    for (; i > 0 && x[i - 1] > pos[t]; i--) {
      x[i] = x[i - 1];
      y[i] = y[i - 1];
    }
    x[i] = pos[t];
    y[i] = bits[t];
  }
  return n;
}
