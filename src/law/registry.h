/* Every quantiser design by name (quant/quantiser.h's vtables): the
 * scalar designs of quant/ and the block codes of law/. */
#ifndef QRD_LAW_REGISTRY_H
#define QRD_LAW_REGISTRY_H

#include <stddef.h>

#include "quant/quantiser.h"

size_t qrd_quantiser_count(void);
const qrd_quantiser_type *qrd_quantiser_type_at(size_t i);

/* "name[:key=value,...]" -> q; QRD_EINVAL naming the allowed names or
 * keys otherwise. */
int qrd_quantiser_parse(const char *text, qrd_quantiser *q);

#endif
