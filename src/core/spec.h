/* Parsing of named specs with parameters, "name:key=value,key=value".
 *
 * Distributions ("student-t:nu=5"), quantisers ("crd:alpha=0.5") and later
 * families share one syntax, one parser and one set of error messages. */
#ifndef QRD_SPEC_H
#define QRD_SPEC_H

#include <stddef.h>

#define QRD_SPEC_MAX_PARAMS 8
#define QRD_SPEC_NAME_LEN 64

/* One numeric parameter a family accepts.  Bounds are inclusive unless the
 * matching *_open flag is set; an unset parameter takes `def` (NAN means
 * "no default": the family decides what absence means). */
typedef struct {
  const char *name;
  double def;
  double min, max;
  int min_open, max_open;
  const char *doc;
  /* Optional names for values, "mae=1 mse=2": key=mse then means 2 (and
   * formats back as mse); numbers are still accepted. */
  const char *words;
} qrd_param_def;

typedef struct {
  char name[QRD_SPEC_NAME_LEN];
  size_t n;
  char key[QRD_SPEC_MAX_PARAMS][QRD_SPEC_NAME_LEN];
  char value[QRD_SPEC_MAX_PARAMS][QRD_SPEC_NAME_LEN];
} qrd_spec;

int qrd_spec_parse(const char *text, qrd_spec *out);

/* Checks every key of `s` against `defs` and writes the values (or defaults)
 * into theta[0..n_defs-1]; bit i of *given is set when parameter i was
 * written explicitly.  `family` names the kind of thing for messages
 * ("distribution", "quantiser"). */
int qrd_spec_bind(const qrd_spec *s, const char *family,
                  const qrd_param_def *defs, size_t n_defs,
                  double *theta, unsigned *given);

/* Parses a whole string as a finite double; 0 on success. */
int qrd_parse_double(const char *text, double *out);

/* Writes "name" or "name:k=v,..." with the canonical %g values of the
 * explicitly given parameters into buf. */
void qrd_spec_format(char *buf, size_t len, const char *name,
                     const qrd_param_def *defs, size_t n_defs,
                     const double *theta, unsigned given);

/* Records "unknown FAMILY 'name' (known: a, b, ...)" from a registry and
 * returns QRD_ENOTFOUND. */
int qrd_spec_unknown(const char *family, const char *name, size_t count,
                     const char *(*name_at)(size_t i));

#endif
