/* Figure configuration files: "key = value" lines, '#' comments, values
 * are a number, a word, or a whitespace-separated list of words.
 *
 * Every getter checks its key and value and reports problems as
 * "FILE:LINE: key 'K': value 'V' ... (allowed: ...)"; qrd_config_check_unused()
 * catches misspelt keys. */
#ifndef QRD_CONFIG_H
#define QRD_CONFIG_H

#include <stddef.h>

#define QRD_CONFIG_MAX_LIST 64

typedef struct qrd_config qrd_config;

int qrd_config_load(const char *path, qrd_config **out);
void qrd_config_free(qrd_config *c);

int qrd_config_double(qrd_config *c, const char *key, double min, double max,
                      double *out);
int qrd_config_ulong(qrd_config *c, const char *key, unsigned long *out);
/* Splits a list value into at most QRD_CONFIG_MAX_LIST words; the pointers
 * stay valid until the next qrd_config_list() call or qrd_config_free(). */
int qrd_config_list(qrd_config *c, const char *key, const char **words,
                    size_t *n);

/* Records "FILE:LINE: key 'K': value 'V' invalid: WHY" for a key the
 * caller found wrong after reading it, and returns QRD_ECONFIG. */
int qrd_config_invalid(const qrd_config *c, const char *key, const char *why);

/* QRD_ECONFIG naming the first key no getter asked for. */
int qrd_config_check_unused(const qrd_config *c);

#endif
