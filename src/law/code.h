/* The block-size parameter shared by the block-law codes (law/code_*.c). */
#ifndef QRD_LAW_CODE_H
#define QRD_LAW_CODE_H

#include "core/spec.h"

/* "B": the block size of the law a code is designed for (bitsandbytes'
 * 64 by default).  A code designed for one B may be evaluated at another. */
#define QRD_CODE_PARAM_BLOCK                                                    \
  {.name = "B", .def = 64.0, .min = 2.0, .max = 16777216.0,                      \
   .doc = "block size of the design law (a whole number)"}

#endif
