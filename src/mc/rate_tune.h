/* Tuning a format to a target coded rate (docs/methods-orr.md): one tuner, two search
 * strategies behind it.
 *
 * bits(t) is the total coded size of a sample when the format is built
 * with parameter t; it should grow with t (up to steps and small dips).
 * The tuner seeks the t whose rate bits(t) / numel is closest to the
 * target:
 *
 *   QRD_RATE_GRID    t = b0, real, in [b, b + 8) (grids of round(2^b0)
 *                    points and the like): a scan at 1/8 bit (up to 63
 *                    points, stopping once the rate is a bit past b and
 *                    past the best point, sparing the largest grids) finds
 *                    the bracket, and bounded Brent
 *                    (gsl_min_fminimizer_brent) on (rate - b)^2 refines
 *                    it.  bits() is typically a step function of b0, so
 *                    the answer is the best point evaluated, b0 = b
 *                    included (a grid of the family: when even it
 *                    overshoots, it is the closest one).  About 80 probes.
 *   QRD_RATE_LEVELS  t = n, a whole level count from 2 to max_levels, for
 *                    families that depend on nothing else: the closest
 *                    rate is that of one of the two counts around the
 *                    target (the larger-rate side wins ties of distance
 *                    only when nearer), bracketed by secant steps in
 *                    log2 n in about six probes, which matters when each
 *                    is costly (a bzip2 run).  Where the rate does not
 *                    grow with n, the search still ends, at a nearby
 *                    count.
 *
 * GSL-style: init, iterate (one probe of bits(), or one Brent step; the
 * step that sets Brent up makes one more) until test reports an outcome;
 * qrd_rate_tune runs that loop. */
#ifndef QRD_MC_RATE_TUNE_H
#define QRD_MC_RATE_TUNE_H

#include <stddef.h>

/* Total coded bits of the sample when the format has parameter t; a
 * failure stops the search and is returned. */
typedef int (*qrd_rate_fn)(double t, void *ctx, double *bits);

typedef enum { QRD_RATE_GRID, QRD_RATE_LEVELS } qrd_rate_strategy;

typedef struct {
  double t;    /* the parameter found: b0, or the level count */
  double bits; /* its total coded bits */
  double rate; /* bits / numel: the achieved rate, which is what to plot */
  int evals;   /* calls of bits() */
} qrd_rate_fit;

typedef struct qrd_rate_tuner qrd_rate_tuner;

/* NULL when out of memory (detail set). */
qrd_rate_tuner *qrd_rate_tuner_alloc(void);
void qrd_rate_tuner_free(qrd_rate_tuner *t);

/* Starts a search for `target` bits per value on a sample of numel
 * values; max_levels bounds QRD_RATE_LEVELS (ignored by QRD_RATE_GRID).
 * QRD_EINVAL for numel = 0 or a target that is not finite. */
int qrd_rate_tuner_init(qrd_rate_tuner *t, qrd_rate_strategy strategy, qrd_rate_fn bits,
                        void *ctx, size_t numel, double target, size_t max_levels);

/* One step.  QRD_EMAXITER when the target is out of reach (the rate stays
 * below it over the whole range) or the search does not converge in its
 * budget (63 + 22 probes and 200 Brent steps; 48 probes); a failure of
 * bits() is returned as is.  Either ends the search. */
int qrd_rate_tuner_iterate(qrd_rate_tuner *t);

/* QRD_CONTINUE while the search goes on, then its outcome: QRD_OK or the
 * error of the step that ended it. */
int qrd_rate_tuner_test(const qrd_rate_tuner *t);

/* The answer so far (after a failure: the best point seen, t = NAN if
 * none). */
void qrd_rate_tuner_fit(const qrd_rate_tuner *t, qrd_rate_fit *out);

/* QRD_RATE_LEVELS: the first level count to probe instead of
 * round(2^(target + 1)) (clamped to [2, max_levels]).  Between init
 * and the first iterate.  Where the rate grows with n the answer is the
 * same pair of counts around the target wherever the search starts; a
 * start near it saves probes, which matters when each is costly. */
void qrd_rate_tuner_start(qrd_rate_tuner *t, size_t n);

/* The whole search; *out is set also on failure, as qrd_rate_tuner_fit. */
int qrd_rate_tune(qrd_rate_strategy strategy, qrd_rate_fn bits, void *ctx, size_t numel,
                  double target, size_t max_levels, qrd_rate_fit *out);

/* qrd_rate_tune from level count `start` (qrd_rate_tuner_start; 0: the
 * default start, and the only one QRD_RATE_GRID takes). */
int qrd_rate_tune_from(qrd_rate_strategy strategy, qrd_rate_fn bits, void *ctx, size_t numel,
                       double target, size_t max_levels, size_t start, qrd_rate_fit *out);

#endif
