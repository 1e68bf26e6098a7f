#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

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

int qrd_error_set(int status, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  return status;
}

const char *qrd_error_detail(void) { return detail; }

void qrd_error_clear(void) { detail[0] = '\0'; }
