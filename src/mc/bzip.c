#include "mc/bzip.h"

#include <bzlib.h>
#include <stdint.h>

#include "core/error.h"

#define BZIP2_LEVEL 9     /* 900 kB blocks, as bz2.compress's default */
#define OUT_CHUNK (1u << 16)
#define IN_CHUNK (1u << 30) /* bz_stream counts bytes in unsigned int */

static int bzip2_error(int rc, const char *where)
{
  return qrd_error_set(rc == BZ_MEM_ERROR ? QRD_ENOMEM : QRD_EINVAL,
                       "bzip2 (libbz2 %s): %s failed with code %d", BZ2_bzlibVersion(),
                       where, rc);
}

/* Drains what the stream has ready into the scratch buffer, counting it. */
static int compress_step(bz_stream *s, int action, unsigned char *out, size_t *total)
{
  s->next_out = (char *)out;
  s->avail_out = OUT_CHUNK;
  int rc = BZ2_bzCompress(s, action);
  *total += OUT_CHUNK - s->avail_out;
  return rc;
}

/* Feeds buf through the stream (more than 4 GB in slices), then finishes
 * it; *total counts every compressed byte. */
static int compress_all(bz_stream *s, const unsigned char *buf, size_t n, size_t *total)
{
  unsigned char out[OUT_CHUNK];
  size_t fed = 0;
  while (fed < n || s->avail_in > 0) {
    if (s->avail_in == 0) {
      size_t take = n - fed < IN_CHUNK ? n - fed : IN_CHUNK;
      /* libbz2 never writes through next_in; its API just lacks const */
      s->next_in = (char *)(uintptr_t)(buf + fed);
      s->avail_in = (unsigned)take;
      fed += take;
    }
    int rc = compress_step(s, BZ_RUN, out, total);
    if (rc != BZ_RUN_OK)
      return bzip2_error(rc, "BZ2_bzCompress(BZ_RUN)");
  }
  for (;;) {
    int rc = compress_step(s, BZ_FINISH, out, total);
    if (rc == BZ_STREAM_END)
      return QRD_OK;
    if (rc != BZ_FINISH_OK)
      return bzip2_error(rc, "BZ2_bzCompress(BZ_FINISH)");
  }
}

int qrd_bzip2_bits(const unsigned char *buf, size_t n, double *bits)
{
  bz_stream s = {0};
  int rc = BZ2_bzCompressInit(&s, BZIP2_LEVEL, 0, 0);
  if (rc != BZ_OK)
    return bzip2_error(rc, "BZ2_bzCompressInit");
  size_t total = 0;
  int st = compress_all(&s, buf, n, &total);
  BZ2_bzCompressEnd(&s);
  if (!st)
    *bits = 8.0 * (double)total;
  return st;
}

int qrd_index_stream(const double *y, size_t n, const qrd_codebook *c, unsigned char *buf)
{
  if (c->n == 0 || c->n - 1 > UINT32_MAX)
    return qrd_error_set(QRD_EINVAL, "index stream: %zu levels (want 1 to 2^32)", c->n);
  qrd_codebook_cells f;
  qrd_codebook_cells_init(&f, c);
  for (size_t i = 0; i < n; i++) {
    uint32_t k = (uint32_t)qrd_codebook_cells_find(&f, y[i]);
    /* byte by byte: little-endian whatever the host's order */
    for (int b = 0; b < QRD_INDEX_BYTES; b++)
      buf[QRD_INDEX_BYTES * i + (size_t)b] = (unsigned char)(k >> (8 * b));
  }
  qrd_codebook_cells_free(&f);
  return QRD_OK;
}
