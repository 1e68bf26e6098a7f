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
/* A whole number from min to max (sizes, counts; "1e6" is allowed). */
int qrd_config_whole(qrd_config *c, const char *key, double min, double max,
                     unsigned long *out);
/* A power of two from min to max. */
int qrd_config_power_of_two(qrd_config *c, const char *key, double min, double max,
                            unsigned long *out);
/* Splits a list value into at most QRD_CONFIG_MAX_LIST words; the pointers
 * stay valid until the next qrd_config_list() call or qrd_config_free(). */
int qrd_config_list(qrd_config *c, const char *key, const char **words,
                    size_t *n);
/* A list of 1 to max_n numbers (or whole numbers), each from min to max. */
int qrd_config_numbers(qrd_config *c, const char *key, double min, double max,
                       double *v, size_t max_n, size_t *n);
int qrd_config_wholes(qrd_config *c, const char *key, double min, double max,
                      unsigned long *v, size_t max_n, size_t *n);
/* Whole numbers each larger than the one before: the points of a sweep,
 * each once. */
int qrd_config_ascending_wholes(qrd_config *c, const char *key, double min, double max,
                                unsigned long *v, size_t max_n, size_t *n);
/* The grid STEM_min, STEM_min + STEM_step, ... up to STEM_max (keys
 * "<stem>_min", "<stem>_max", "<stem>_step"; lo_min <= min <= max <=
 * hi_max), which must have at most max_n points. */
int qrd_config_range(qrd_config *c, const char *stem, double lo_min, double hi_max,
                     double *v, size_t max_n, size_t *n);

/* Records "FILE:LINE: key 'K': value 'V' invalid: WHY" for a key the
 * caller found wrong after reading it, and returns QRD_ECONFIG. */
int qrd_config_invalid(const qrd_config *c, const char *key, const char *why);
/* The same with the current error detail (qrd_error_detail()) as WHY: for
 * a value that a parser (distribution, format, ...) has just refused. */
int qrd_config_invalid_error(const qrd_config *c, const char *key);

/* QRD_ECONFIG naming the first key no getter asked for. */
int qrd_config_check_unused(const qrd_config *c);

#endif
