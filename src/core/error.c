#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char detail[1024];

const char *qrd_strerror(int status)
{
  switch (status) {
  case QRD_OK: return "success";
  case QRD_EINVAL: return "invalid argument";
  case QRD_EDOM: return "no finite answer";
  case QRD_ENOMEM: return "out of memory";
  case QRD_EMAXITER: return "iteration did not converge";
  case QRD_EINTEG: return "numerical integration failed";
  case QRD_EIO: return "input/output error";
  case QRD_ECONFIG: return "invalid configuration";
  case QRD_ENOTFOUND: return "not found";
  default: return "unknown error";
  }
}

/* Length of the well-formed UTF-8 sequence of 2 to 4 bytes at s (0: none;
 * overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_length(const unsigned char *s)
{
  unsigned char c = s[0];
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
           : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (!n)
    return 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  return n;
}

size_t qrd_error_escape(const char *in, char *out, size_t len)
{
  const unsigned char *s = (const unsigned char *)in;
  size_t o = 0, i = 0;
  if (len == 0)
    return 0;
  while (s[i]) {
    char piece[8];
    size_t n = utf8_length(s + i), w;
    if (s[i] >= 0x20 && s[i] < 0x7F) {
      piece[0] = (char)s[i];
      w = n = 1;
    } else if (n) {
      memcpy(piece, s + i, n);
      w = n;
    } else {
      snprintf(piece, sizeof piece, "\\x%02X", s[i]);
      w = 4;
      n = 1;
    }
    /* room for the piece, and for "..." if more follows; every earlier
     * piece left room for the "..." (more followed it) */
    if (o + w + (s[i + n] ? 3 : 0) > len - 1) {
      if (len - 1 - o >= 3) {
        memcpy(out + o, "...", 3);
        o += 3;
      }
      out[o] = '\0';
      return o;
    }
    memcpy(out + o, piece, w);
    o += w;
    i += n;
  }
  out[o] = '\0';
  return o;
}

int qrd_error_set(int status, const char *fmt, ...)
{
  char raw[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  qrd_error_escape(raw, detail, QRD_ERROR_DETAIL_MAX + 1);
  return status;
}

const char *qrd_error_detail(void) { return detail; }

void qrd_error_clear(void) { detail[0] = '\0'; }
