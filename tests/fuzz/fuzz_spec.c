/* The spec grammar "name:key=value,key=value" (core/spec.c): parse, bind
 * to a parameter table (numbers and named values), format back, and the
 * formatted text must parse and bind to the same values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"
#include "fuzz.h"

static const qrd_param_def DEFS[] = {
  {.name = "nu", .def = 5, .min = 0, .max = INFINITY, .min_open = 1},
  {.name = "alpha", .def = NAN, .min = -1, .max = 1, .max_open = 1},
  {.name = "bits", .def = 4, .min = 1, .max = 16},
  {.name = "metric", .def = 1, .min = 1, .max = 3, .words = "mae=1 mse=2 kl=3"},
};
#define N_DEFS (sizeof DEFS / sizeof DEFS[0])

static const char *name_at(size_t i) { return DEFS[i].name; }

int qrd_fuzz_spec(const uint8_t *data, size_t size)
{
  char *text = qrd_fuzz_string(data, size);
  qrd_spec s;
  double theta[N_DEFS], x;
  unsigned given;
  qrd_error_clear();
  qrd_fuzz_status(qrd_parse_double(text, &x) == 0 ? QRD_OK : QRD_OK, "qrd_parse_double");
  if (qrd_fuzz_status(qrd_spec_parse(text, &s), "qrd_spec_parse") == QRD_OK) {
    qrd_fuzz_assert(s.n <= QRD_SPEC_MAX_PARAMS && strlen(s.name) < QRD_SPEC_NAME_LEN,
                    "parsed spec out of bounds");
    qrd_fuzz_status(qrd_spec_unknown("family", s.name, N_DEFS, name_at), "qrd_spec_unknown");
    if (qrd_fuzz_status(qrd_spec_bind(&s, "family", DEFS, N_DEFS, theta, &given),
                        "qrd_spec_bind") == QRD_OK) {
      char buf[512];
      qrd_spec_format(buf, sizeof buf, s.name, DEFS, N_DEFS, theta, given);
      qrd_spec s2;
      double theta2[N_DEFS];
      unsigned given2;
      qrd_fuzz_assert(qrd_spec_parse(buf, &s2) == QRD_OK, "formatted spec does not parse");
      qrd_fuzz_assert(qrd_spec_bind(&s2, "family", DEFS, N_DEFS, theta2, &given2) == QRD_OK,
                      "formatted spec does not bind");
      qrd_fuzz_assert(given2 == given, "formatted spec gives other parameters");
      for (size_t i = 0; i < N_DEFS; i++)
        qrd_fuzz_assert(!(given & (1u << i)) || theta2[i] == theta[i],
                        "formatted spec changes a value");
      qrd_error_clear();
    }
  }
  free(text);
  return 0;
}

QRD_FUZZ_MAIN(spec)
