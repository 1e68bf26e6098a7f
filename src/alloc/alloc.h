/* Fisher-optimal bit allocation across parameter tensors (Orr et al.;
 * docs/methods-orr.md).
 *
 * Error model: quantising tensor t (|T_t| elements, RMS σ_t,
 * mean Fisher diagonal f̄_t = Σ_i F_ii / |T_t|) at b_t bits per element gives
 * MSE_t = σ_t² ε² 2^{−2 b_t}, so the predicted KL is
 *   D = ½ Σ_t f̄_t |T_t| σ_t² ε² 2^{−2 b_t}.
 * Minimising D subject to Σ_t |T_t| b_t = b̄ Σ_t |T_t| gives
 *   b_t = b̄ + δ_t − δ̄,  δ_t = log2 σ_t + ½ log2 f̄_t,
 * with δ̄ the size-weighted mean of δ_t.  Against flat allocation at b̄ this
 * saves ½ log2(AM/GM) bits per parameter at equal D, AM and GM being the
 * size-weighted means of f̄_t σ_t².
 *
 * Statistics file (TSV, read by qrd_alloc_stats_read): '#' lines and blank
 * lines are ignored; the first other line is a header of tab-separated
 * column names, which must include name, numel, rms and fisher_sum (any
 * order; other columns are ignored); then one tensor per line:
 *   name        tensor name without tabs (at most QRD_ALLOC_NAME_MAX − 1 bytes)
 *   numel       element count, a whole number from 1 to 2^53
 *   rms         sqrt(mean θ²) over the tensor, > 0
 *   fisher_sum  Σ_i F_ii over the tensor (per-token Fisher diagonal), ≥ 0
 * List only the tensors to be quantised (the paper: 2-D weights). */
#ifndef QRD_ALLOC_H
#define QRD_ALLOC_H

#include <stddef.h>

#define QRD_ALLOC_NAME_MAX 192
/* Widest target and minimum width (bits per element) a request may name. */
#define QRD_ALLOC_MAX_BITS 64

typedef struct {
  char name[QRD_ALLOC_NAME_MAX];
  double numel;      /* |T_t| */
  double rms;        /* σ_t */
  double fisher_sum; /* Σ_{i∈T_t} F_ii */
} qrd_alloc_tensor;

typedef struct {
  size_t n;
  qrd_alloc_tensor *tensor;
} qrd_alloc_stats;

/* Reads a statistics file (format above).  Errors name the file, line and
 * column: QRD_EIO (unreadable), QRD_EINVAL (missing column, bad value, no
 * tensors). */
int qrd_alloc_stats_read(const char *path, qrd_alloc_stats **out);
void qrd_alloc_stats_free(qrd_alloc_stats *s);

/* QRD_EINVAL naming the first tensor whose numel, rms or fisher_sum is out
 * of range (for statistics built in memory; the reader checks as it goes). */
int qrd_alloc_stats_check(const qrd_alloc_stats *s);

/* δ_t = log2 σ_t + ½ log2 f̄_t (−inf when fisher_sum is 0). */
double qrd_alloc_delta(const qrd_alloc_tensor *t);

typedef enum {
  QRD_ALLOC_FLAT,    /* b_t = b̄ */
  QRD_ALLOC_OPTIMAL, /* continuous Lagrangian optimum, size-weighted mean b̄ */
  QRD_ALLOC_CLAMPED, /* max(optimal, min_bits): formats with compression */
  QRD_ALLOC_ROUNDED, /* max(round(optimal), min_bits): fixed-length formats;
                        round half to even.  Neither re-balances, so their
                        mean only approximates b̄. */
  QRD_ALLOC_N_KINDS
} qrd_alloc_kind;

/* "flat", "optimal", "clamped", "rounded". */
const char *qrd_alloc_kind_name(qrd_alloc_kind kind);

/* bits[t] for every tensor at target mean b̄ = `target`.  min_bits is the
 * narrowest element width (2; 3 for FP elements), 0 to QRD_ALLOC_MAX_BITS;
 * target < min_bits or > QRD_ALLOC_MAX_BITS is QRD_EDOM.  Tensors with
 * fisher_sum 0 cost nothing in D, so OPTIMAL gives
 * them min_bits and shares the rest of the budget among the others (the
 * mean stays b̄ exactly). */
int qrd_alloc_bits(const qrd_alloc_stats *s, double target, double min_bits,
                   qrd_alloc_kind kind, double *bits);

/* Size-weighted mean of bits. */
double qrd_alloc_mean_bits(const qrd_alloc_stats *s, const double *bits);

/* Predicted D_KL of an allocation under the error model with constant ε. */
double qrd_alloc_predicted_kl(const qrd_alloc_stats *s, const double *bits, double epsilon);

/* The flat width whose predicted D_KL equals `kl` (+inf when kl is 0 and
 * some tensor has Fisher; NAN when none has). */
double qrd_alloc_flat_bits(const qrd_alloc_stats *s, double kl, double epsilon);

typedef struct {
  double mean_bits; /* size-weighted mean of bits */
  double kl;        /* predicted D_KL */
  double flat_bits; /* flat width with the same predicted D_KL */
  double saving;    /* flat_bits − mean_bits: bits per parameter saved at equal
                       D_KL (independent of ε; 0 when no tensor has Fisher) */
} qrd_alloc_summary;

qrd_alloc_summary qrd_alloc_summarise(const qrd_alloc_stats *s, const double *bits,
                                      double epsilon);

/* sum[k] <- the summary of every kind k of allocation at target mean b̄ =
 * `target`; bits (one per tensor) is scratch space. */
int qrd_alloc_summarise_kinds(const qrd_alloc_stats *s, double target, double min_bits,
                              double epsilon, double *bits,
                              qrd_alloc_summary sum[QRD_ALLOC_N_KINDS]);

/* ---- tensor names (alloc/layers.c) ----
 * A name's layer is its first all-digit dot-separated component, its type
 * the last component other than "weight" ("model.layers.3.mlp.up_proj.weight":
 * layer 3, type up_proj). */

/* The layer (-1: none); the type into type[0 .. len). */
int qrd_alloc_classify(const char *name, char *type, size_t len);

/* x[t] <- tensor t's layer; tensors outside the layers sit one step before
 * the first (when they precede every layered tensor in the file) or after
 * the last; the file index when no name has a layer.  *lo, *hi <- the
 * range of x. */
void qrd_alloc_layer_positions(const qrd_alloc_stats *s, double *x, double *lo, double *hi);

/* Whether tensor t is the first of its type in the file; type <- its type. */
int qrd_alloc_first_of_type(const qrd_alloc_stats *s, size_t t, char *type, size_t len);

/* The (pos[t], bits[t]) of the tensors of type `type`, sorted by pos, into
 * x and y; returns how many. */
size_t qrd_alloc_type_points(const qrd_alloc_stats *s, const char *type, const double *pos,
                             const double *bits, double *x, double *y);

#endif
