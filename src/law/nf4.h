/* The NormalFloat recipe (Yoshida (NF4 vs AF4), bitsandbytes create_normal_map). */
#ifndef QRD_LAW_NF4_H
#define QRD_LAW_NF4_H

#include <stddef.h>

#include <gsl/gsl_cdf.h>

/* bitsandbytes' offset, = 1 - 1/60 - 1/64 to its 7 decimals. */
#define QRD_NF4_OFFSET 0.9677083

/* n levels (even, >= 4), ascending: n/2 - 1 negative levels
 * -Phi^{-1}(o - j (o - 1/2)/(n/2 - 1)), 0, n/2 positive levels
 * Phi^{-1}(o - j (o - 1/2)/(n/2)), all divided by Phi^{-1}(o), in double
 * precision (bitsandbytes takes the linspace in float32 and stores float32:
 * at n = 16 this lands within 1.1e-7 of the table). */
int qrd_nf_recipe(size_t n, double offset, double *level);

#endif
