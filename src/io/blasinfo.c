#include "io/blasinfo.h"

/* Declared here rather than taken from <cblas.h>: Debian's cblas.h is an
 * alternatives link that need not point at OpenBLAS, while these symbols
 * always come from the -lopenblas we link. */
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);

const char *qrd_openblas_config(void) { return openblas_get_config(); }

const char *qrd_openblas_corename(void) { return openblas_get_corename(); }

int qrd_openblas_threads(void) { return openblas_get_num_threads(); }

void qrd_openblas_set_threads(int n) { openblas_set_num_threads(n); }
