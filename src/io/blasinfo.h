/* OpenBLAS build and thread facts for provenance and thread control.
 *
 * OpenBLAS's <cblas.h> clashes with GSL's BLAS headers (both define the CBLAS
 * enums), so every OpenBLAS-only call goes through this header, which
 * includes neither. */
#ifndef QRD_BLASINFO_H
#define QRD_BLASINFO_H

/* Build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... MAX_THREADS=64". */
const char *qrd_openblas_config(void);
/* Kernel chosen at run time for this CPU (DYNAMIC_ARCH), e.g. "Haswell". */
const char *qrd_openblas_corename(void);
int qrd_openblas_threads(void);
/* Use 1 when an outer OpenMP loop already occupies the cores. */
void qrd_openblas_set_threads(int n);

#endif
