#include "harness/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int qrd_checkpoint_read(qrd_config *cfg, qrd_checkpoint *c)
{
  memset(c, 0, sizeof *c);
  const char *w[QRD_CONFIG_MAX_LIST];
  size_t n;
  unsigned long min_count;
  int st = qrd_config_list(cfg, "checkpoint", w, &n);
  if (!st && n != 1)
    st = qrd_config_invalid(cfg, "checkpoint", "want one tensor file");
  char path[4096];
  if (!st)
    snprintf(path, sizeof path, "%s", w[0]);
  if (!st)
    st = qrd_config_whole(cfg, "min_count", 1, 1e12, &min_count);
  if (!st && (st = qrd_tensor_file_open(path, &c->file)))
    return qrd_config_invalid_error(cfg, "checkpoint");
  for (size_t i = 0; !st && i < c->file.n; i++) {
    const qrd_tensor_info *t = &c->file.info[i];
    if (t->ndim < 2 || t->count < min_count || t->dtype == QRD_DTYPE_I32)
      continue;
    if (c->n == QRD_CHECKPOINT_MAX)
      st = qrd_config_invalid(cfg, "min_count", "selects more than 64 tensors");
    else
      c->idx[c->n++] = i;
  }
  if (!st && c->n == 0)
    st = qrd_config_invalid(cfg, "min_count", "selects no tensor of 2+ dimensions");
  /* every out_in fragment must name some selected tensor: one that names
   * none is a typo that would silently leave the layouts as they are */
  if (!st && qrd_config_list(cfg, "out_in", w, &n) == QRD_OK)
    for (size_t j = 0; !st && j < n; j++) {
      int used = 0;
      for (size_t k = 0; k < c->n; k++)
        if (strstr(c->file.info[c->idx[k]].name, w[j]) != NULL)
          used = c->out_in[k] = 1;
      char why[160];
      snprintf(why, sizeof why, "'%.100s' is part of no selected tensor's name", w[j]);
      if (!used)
        st = qrd_config_invalid(cfg, "out_in", why);
    }
  if (st)
    qrd_checkpoint_free(c);
  return st;
}

void qrd_checkpoint_free(qrd_checkpoint *c) { qrd_tensor_file_close(&c->file); }

const qrd_tensor_info *qrd_checkpoint_info(const qrd_checkpoint *c, size_t k)
{
  return &c->file.info[c->idx[k]];
}

int qrd_checkpoint_matrix(const qrd_checkpoint *c, size_t k, double **x, size_t *rows,
                          size_t *cols)
{
  int st = qrd_tensor_read(&c->file, c->idx[k], x);
  if (!st)
    st = qrd_tensor_as_rows(qrd_checkpoint_info(c, k),
                            c->out_in[k] ? QRD_LAYOUT_OUT_IN : c->file.reader->layout, *x, rows,
                            cols);
  if (st) {
    free(*x);
    *x = NULL;
  }
  return st;
}

void qrd_checkpoint_short_name(const qrd_checkpoint *c, size_t k, char *buf, size_t len)
{
  /* the last three '/'-separated components, skipping TensorFlow's
   * plumbing names (kernel, part_0, Tensordot, ...) */
  static const char *const plumbing[] = {"kernel", "part_0", "Tensordot", "Reshape_1",
                                         "ConcatPartitions", "concat", "weights",
                                         "TransformerLayer", "MultiheadAttention"};
  const char *name = qrd_checkpoint_info(c, k)->name;
  char copy[QRD_TENSOR_NAME_LEN], *part[32];
  size_t n = 0;
  snprintf(copy, sizeof copy, "%s", name);
  for (char *save, *t = strtok_r(copy, "/", &save); t && n < 32; t = strtok_r(NULL, "/", &save)) {
    int skip = 0;
    for (size_t p = 0; p < sizeof plumbing / sizeof plumbing[0]; p++)
      skip |= strcmp(t, plumbing[p]) == 0;
    if (!skip)
      part[n++] = t;
  }
  buf[0] = '\0';
  for (size_t i = n > 3 ? n - 3 : 0; i < n; i++)
    snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "/" : "", part[i]);
}

int qrd_checkpoint_write_names(qrd_results *res, const qrd_checkpoint *c)
{
  char names[QRD_CHECKPOINT_MAX * 96] = "";
  for (size_t k = 0; k < c->n; k++) {
    char shortname[96];
    qrd_checkpoint_short_name(c, k, shortname, sizeof shortname);
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? " " : "",
             shortname);
  }
  return qrd_results_attr_string(res, "tensors", names);
}
