/* A battery of bad inputs (issue 16, item 7): malformed command lines and
 * configs for every bin/qrd subcommand and every figure driver, each run as
 * a user would (from the repository root, `timeout 20`, stdin empty) and
 * held to the command-line contract of docs/design.md:
 *
 *   - it exits, by itself (no signal, no sanitizer report, no timeout), in
 *     bounded time, with a non-zero status;
 *   - stdout holds no nan/inf token, and nothing at all ("Bad input is one
 *     line on stderr ... and nothing on stdout");
 *   - stderr is exactly one line, and it names the problem: one of the
 *     '|'-separated words of the case (the option or key, or the value),
 *     compared without case.
 *
 * Cases come from tables, not functions: the static table below (bin/qrd,
 * including every command issue 16 lists), the argument errors every driver
 * must refuse (generated for each configs/fig-N.cfg), and mutations of each
 * shipped config (a misspelled key; NaN, infinite, huge, negative or
 * overflowing numbers; empty or garbage values).  Each is one iteration of a
 * Check loop test, so each passes or fails on its own; a failure message
 * starts with its kind in brackets ([hang], [signal], [sanitizer], [exit 0],
 * [nan on stdout], [stdout], [stderr lines], [unnamed]) and ends with the
 * command.
 *
 * Tags: every case is tagged "battery"; the driver cases (about 1,500: some
 * 0.5 s each when refused, up to the 20 s limit when a driver accepts the
 * mistake and computes) are also tagged "slow".  The bin/qrd cases, with
 * the issue's driver commands, are the quick part (a few minutes).
 *
 * In commands: @Q is bin/qrd, @BIN the programs' folder, @S the static data
 * files (tests/cli/battery/), @D the files the fixture generates (HDF5 Sigma,
 * W and results files with one defect each), @T the case's own scratch
 * folder (removed afterwards) and @C the case's config (a mutated copy
 * written to @T, or the shipped one). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "cli_run.h"
#include "suites.h"

/* The tables give pre and config only where a case needs them. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define BIN "./" QRD_TEST_BIN
#define STATIC_DIR "tests/cli/battery"
#define TIME_LIMIT 20

typedef struct {
  const char *cmd;    /* with the @ placeholders above */
  const char *expect; /* '|'-separated: the stderr line holds one of them */
  const char *pre;    /* shell command run first (e.g. making @T/null), or NULL */
  char *config;       /* text written to @T/c.cfg (the @C of the command), or NULL */
  char *what;         /* for a mutated config: "fig-N: key = value", or NULL */
} battery_case;

/* ---- bin/qrd ---- */

static const battery_case QRD_CASES[] = {
  /* the command itself */
  {"@Q", "command"},
  {"@Q frobnicate", "frobnicate"},
  {"@Q --frobnicate", "frobnicate"},
  {"@Q dists --frobnicate", "frobnicate"},
  {"@Q dists extra", "extra"},

  /* eval: the commands issue 16 lists */
  {"@Q eval --dist gaussian --quantiser lloyd-max --levels 16777216", "levels|16777216"},
  {"@Q eval --dist gaussian --format crd --bits 4 --samples 1", "samples"},
  {"@Q eval --dist gaussian --format crd --bits 4 --samples 2", "samples"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 64", "samples|block"},
  {"@Q eval --dist gaussian --format nf4 --scaling absmax:1048576 --samples 1048576", "samples|block"},
  {"@Q eval --dist gaussian --quantiser crd:alpha=1e-300 --levels 16", "alpha"},
  /* eval: missing and malformed options */
  {"@Q eval", "dist|quantiser"},
  {"@Q eval --dist gaussian", "quantiser"},
  {"@Q eval --quantiser uniform --levels 4", "dist"},
  {"@Q eval --dist gaussian --quantiser uniform", "levels|bits|rate"},
  {"@Q eval --dist gaussian --quantiser uniform --levels", "levels"},
  {"@Q eval --dist gaussian --quantiser uniform --levels 4 --frobnicate", "frobnicate"},
  {"@Q eval --dist gaussian --quantiser uniform --levels -4", "levels|-4"},
  {"@Q eval --dist gaussian --quantiser uniform --levels nan", "levels|nan"},
  {"@Q eval --dist gaussian --quantiser uniform --levels inf", "levels|inf"},
  {"@Q eval --dist gaussian --quantiser uniform --levels 1e300", "levels|1e300"},
  {"@Q eval --dist gaussian --quantiser uniform --levels 4294967297", "levels|4294967297"},
  {"@Q eval --dist gaussian --quantiser uniform --levels 18446744073709551617", "levels|18446744073709551617"},
  {"@Q eval --dist gaussian --quantiser uniform --levels 4,,8", "levels|4,,8"},
  {"@Q eval --dist gaussian --quantiser uniform --levels ''", "levels"},
  {"@Q eval --dist gaussian --quantiser crd --levels 16777216", "levels|16777216"},
  {"@Q eval --dist laplace --quantiser uniform --levels 1073741824", "levels|1073741824"},
  {"@Q eval --dist gaussian --quantiser lloyd-max --bits nan", "bits|nan"},
  {"@Q eval --dist gaussian --quantiser lloyd-max --bits inf", "bits|inf"},
  {"@Q eval --dist gaussian --quantiser lloyd-max --bits -1", "bits|-1"},
  {"@Q eval --dist gaussian --quantiser lloyd-max --bits 1e9", "bits|1e9"},
  {"@Q eval --dist gaussian --quantiser lloyd-max --bits 0", "bits"},
  {"@Q eval --dist gaussian --quantiser uniform-ec --rate nan", "rate|nan"},
  {"@Q eval --dist gaussian --quantiser uniform-ec --rate inf", "rate|inf"},
  {"@Q eval --dist gaussian --quantiser uniform-ec --rate -1", "rate|-1"},
  {"@Q eval --dist gaussian --quantiser uniform-ec --rate 1e9", "rate|1e9"},
  {"@Q eval --dist gaussian --quantiser ecsq --rate 1e9", "rate|1e9"},
  {"@Q eval --dist gaussian --quantiser ecsq --rate 0", "rate"},
  {"@Q eval --dist student-t:nu=nan --quantiser uniform --levels 4", "nu|nan"},
  {"@Q eval --dist student-t:nu=inf --quantiser uniform --levels 4", "nu|inf"},
  {"@Q eval --dist student-t:nu=-1 --quantiser uniform --levels 4", "nu|-1"},
  {"@Q eval --dist gaussian:scale=nan --quantiser uniform --levels 4", "scale|nan"},
  {"@Q eval --dist gaussian:scale=0 --quantiser uniform --levels 4", "scale"},
  {"@Q eval --dist gaussian:scale=-1 --quantiser uniform --levels 4", "scale|-1"},
  {"@Q eval --dist gaussian:scale=inf --quantiser uniform --levels 4", "scale|inf"},
  {"@Q eval --dist gaussian:scale --quantiser uniform --levels 4", "scale"},
  {"@Q eval --dist gaussian:=1 --quantiser uniform --levels 4", "gaussian:=1"},
  {"@Q eval --dist : --quantiser uniform --levels 4", "dist|:"},
  {"@Q eval --dist gaussian:scale=1,scale=2 --quantiser uniform --levels 4", "scale"},
  {"@Q eval --dist gaussian --quantiser crd:alpha=nan --levels 16", "alpha|nan"},
  {"@Q eval --dist gaussian --quantiser crd:alpha=inf --levels 16", "alpha|inf"},
  {"@Q eval --dist gaussian --quantiser crd:alpha=-1 --levels 16", "alpha|-1"},
  {"@Q eval --dist gaussian --quantiser crd:alpha=0 --levels 16", "alpha"},
  /* eval: element formats */
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:0", "absmax|scaling"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:-64", "absmax|scaling"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:1e300", "absmax|scaling"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:18446744073709551617", "absmax|scaling"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:nan", "absmax|scaling"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:", "absmax|scaling"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling rms:0", "rms|scaling"},
  {"@Q eval --dist gaussian --format int --bits nan --scaling absmax:64", "bits|nan"},
  {"@Q eval --dist gaussian --format int --bits 1e9 --scaling absmax:64", "bits|1e9"},
  {"@Q eval --dist gaussian --format int --bits 0 --scaling absmax:64", "bits"},
  {"@Q eval --dist gaussian --format int --bits 64 --scaling absmax:64", "bits|64"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 0", "samples"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples -64", "samples|-64"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples nan", "samples|nan"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 1e300", "samples|1e300"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 18446744073709551616", "samples|18446744073709551616"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 99999999999936", "samples|99999999999936"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --seed nan", "seed|nan"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --seed abc", "seed|abc"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --seed -1", "seed|-1"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --outliers nan", "outliers|nan"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --outliers -0.1", "outliers|-0.1"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --outliers inf", "outliers|inf"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --scale-format e7m99", "e7m99|scale"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --scale-format e7m-1", "e7m-1|scale"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --compress huffman --train-seed nan", "train-seed|nan"},
  {"@Q eval --dist gaussian --format fp:e=0,m=0 --scaling absmax:64", "fp|e="},
  {"@Q eval --dist gaussian --format fp:e=99,m=99 --scaling absmax:64", "fp|e=|99"},
  {"@Q eval --dist gaussian --format fp:e=nan,m=1 --scaling absmax:64", "fp|nan"},
  {"@Q eval --dist gaussian --format fp:e=8,m=60 --scaling absmax:64", "fp|60"},
  {"@Q eval --dist gaussian --format lut:@S/lut-nan.txt --scaling absmax:64", "lut|nan"},
  {"@Q eval --dist gaussian --format lut:@S/lut-inf.txt --scaling absmax:64", "lut|inf"},
  {"@Q eval --dist gaussian --format lut:@S/lut-unsorted.txt --scaling absmax:64", "lut|sorted"},
  {"@Q eval --dist gaussian --format lut:@S/lut-one.txt --scaling absmax:64", "lut|level"},
  {"@Q eval --dist gaussian --format lut:@S/lut-text.txt --scaling absmax:64", "lut|zero"},
  {"@Q eval --dist gaussian --format lut:@S/empty --scaling absmax:64", "lut|empty"},
  {"@Q eval --dist gaussian --format lut:@S/garbage.bin --scaling absmax:64", "lut|garbage"},
  {"@Q eval --dist gaussian --format lut:@S/no-such-file --scaling absmax:64", "no-such-file"},
  {"@Q eval --dist gaussian --format mxfp4 --scaling absmax:64", "scaling"},
  {"@Q eval --dist gaussian --format mxfp4:rule=foo", "rule|foo"},
  {"@Q eval --dist gaussian --format mxfp4 --samples 1", "samples|block"},
  {"@Q eval --dist gaussian --format nvfp4 --samples 16", "samples|block"},
  {"@Q eval --dist gaussian --format affine-int:g=0 --bits 4", "g=|g=0|affine"},
  {"@Q eval --dist gaussian --format affine-int:g=1e300 --bits 4", "g=|1e300|affine"},
  {"@Q eval --dist gaussian --format affine-int --bits 64", "bits|64"},
  {"@Q eval --dist gaussian --format nf4-dq --samples 64", "samples|block"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --rotate hadamard:3", "hadamard|3"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --rotate hadamard:0", "hadamard|rotate"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --rotate hadamard:1099511627776", "hadamard|1099511627776"},
  {"@Q eval --dist gaussian --format int --bits 4 --scaling absmax:64 --clip foo", "clip|foo"},
  /* eval: tensors */
  {"@Q eval --tensor @S/empty --format int --bits 4 --scaling absmax:32", "empty"},
  {"@Q eval --tensor @S/garbage.bin --format int --bits 4 --scaling absmax:32", "garbage.bin"},
  {"@Q eval --tensor @S/no-such.safetensors --format int --bits 4 --scaling absmax:32", "no-such"},
  {"@Q eval --tensor @S/st-nan.safetensors --format int --bits 4 --scaling absmax:32", "nan|finite"},
  {"@Q eval --tensor @S/st-nan.safetensors:nosuch --format int --bits 4 --scaling absmax:32", "nosuch"},
  {"@Q eval --tensor @S/st-nan.safetensors --format int --bits 4 --scaling absmax:32 --samples 64", "samples"},
  {"@Q eval --tensor @S/st-nan.safetensors --format int --bits 4 --scaling absmax:32 --layout sideways", "layout|sideways"},
  {"@Q eval --tensor @S/st-huge-header.safetensors --format int --bits 4 --scaling absmax:32", "header|st-huge-header"},
  /* eval: block codes under the exact law */
  {"@Q eval --dist gaussian --quantiser nf4 --scaling absmax:1", "absmax|scaling"},
  {"@Q eval --dist gaussian --quantiser nf4 --scaling absmax:16777217", "absmax|16777217"},
  {"@Q eval --dist gaussian --quantiser nf4 --scaling absmax:64 --metric foo", "metric|foo"},
  {"@Q eval --dist gaussian --quantiser nf4 --scaling absmax:64 --metric ''", "metric"},
  {"@Q eval --dist gaussian --quantiser af4-pub --scaling absmax:64 --levels 3", "levels|3"},
  {"@Q eval --dist gaussian --quantiser af4-exact --scaling absmax:64 --levels 16777216", "levels|16777216"},
  {"@Q eval --dist gaussian --quantiser nf4 --scaling absmax:64 --samples 64", "samples|block"},
  {"@Q eval --dist gaussian --quantiser nf4 --scaling absmax:64 --samples 100", "samples|100"},
  {"@Q eval --dist gaussian --quantiser opq:tau=nan --scaling absmax:64", "tau|nan"},
  {"@Q eval --dist gaussian --quantiser opq:tau=-1 --scaling absmax:64", "tau|-1"},
  {"@Q eval --dist gaussian --quantiser af4-exact:B=1 --scaling absmax:64", "B=|B=1"},
  {"@Q eval --dist gaussian --quantiser af4-exact:B=nan --scaling absmax:64", "B=|nan"},

  /* gap */
  {"@Q gap --dist gaussian --quantiser uniform --levels 16777216", "levels|16777216"},
  {"@Q gap --dist gaussian --quantiser lloyd-max --levels 16777216", "levels|16777216"},
  {"@Q gap --dist gaussian --quantiser uniform-ec --rate nan", "rate|nan"},
  {"@Q gap --dist gaussian --quantiser uniform-ec --rate -1", "rate|-1"},
  {"@Q gap --dist gaussian --quantiser uniform-ec --rate 1e9", "rate|1e9"},
  {"@Q gap --dist gaussian --quantiser ecsq --rate inf", "rate|inf"},
  {"@Q gap --dist gaussian --format crd --bits 4 --samples 1", "samples"},
  {"@Q gap --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 64", "samples|block"},
  {"@Q gap --dist student-t:nu=nan --quantiser uniform-ec --rate 4", "nu|nan"},
  {"@Q gap --dist gaussian", "quantiser"},
  {"@Q gap --dist gaussian --quantiser uniform --levels 4 --frobnicate", "frobnicate"},
  {"@Q gap --dist gaussian --quantiser crd:alpha=1e-300 --levels 16", "alpha"},

  /* code */
  {"@Q code --quantiser uniform --levels 16777216", "levels|16777216"},
  {"@Q code --quantiser lloyd-max --levels 16777216", "levels|16777216"},
  {"@Q code --quantiser lloyd-max --levels 1000000000", "levels|1000000000"},
  {"@Q code --quantiser af4-exact --levels 16777216", "levels|16777216"},
  {"@Q code --quantiser af4-exact --block 16777217", "block|16777217"},
  {"@Q code --quantiser af4-exact --block 1e300", "block|1e300"},
  {"@Q code --quantiser af4-exact --block nan", "block|nan"},
  {"@Q code --quantiser af4-exact --block ''", "block"},
  {"@Q code --quantiser af4-exact --block 2,,4", "block|2,,4"},
  {"@Q code --quantiser bof4 --block 4294967296", "block|4294967296"},
  {"@Q code --quantiser uniform --levels 0", "levels"},
  {"@Q code --quantiser uniform --levels -2", "levels|-2"},
  {"@Q code --quantiser uniform --levels nan", "levels|nan"},
  {"@Q code --quantiser uniform --levels 18446744073709551617", "levels|18446744073709551617"},
  {"@Q code --quantiser af4-pub --levels 7", "levels|7"},
  {"@Q code --quantiser nf4 --levels 7", "levels|7"},
  {"@Q code --quantiser lloyd-max --dist foo", "dist|foo"},
  {"@Q code --quantiser crd:alpha=1e-300", "alpha"},
  {"@Q code --quantiser opq:tau=inf", "tau|inf"},
  {"@Q code", "quantiser"},

  /* sigma: the commands issue 16 lists */
  {"@Q sigma --family identity --n 50000", "n|50000"},
  {"@Q sigma --family identity --n 4294967296", "n|4294967296"},
  {"@Q sigma --family identity --n 2147483648", "n|2147483648"},
  /* randcorr --n 1 is no mistake: the 1x1 correlation [1] (suite bounds) */
  {"@Q sigma --family randcorr --n 0", "n|randcorr"},
  {"@Q sigma --family file:@D/sigma.h5:empty", "sigma|empty"},
  {"@Q sigma --family file:@D/sigma.h5:huge", "sigma|huge|2147483648"},
  {"@Q sigma --family file:@D/sigma.h5:singular", "singular|definite|sigma"},
  {"@Q sigma --family file:@D/sigma.h5:hugevals", "sigma|finite|hugevals"},
  {"@Q sigma --family file:@D/sigma.h5:denormal", "sigma|denormal|singular"},
  /* sigma: the rest */
  {"@Q sigma", "family"},
  {"@Q sigma --family identity", "n"},
  {"@Q sigma --family identity --n 0", "n"},
  {"@Q sigma --family identity --n -1", "n|-1"},
  {"@Q sigma --family identity --n nan", "n|nan"},
  {"@Q sigma --family identity --n 1e300", "n|1e300"},
  {"@Q sigma --family identity --n abc", "n|abc"},
  {"@Q sigma --family identity --n 18446744073709551617", "n|18446744073709551617"},
  {"@Q sigma --family ar1 --n 1000000", "n|1000000"},
  {"@Q sigma --family foo --n 8", "family|foo"},
  {"@Q sigma --family ar1:rho=nan --n 8", "rho|nan"},
  {"@Q sigma --family ar1:rho=inf --n 8", "rho|inf"},
  {"@Q sigma --family ar1:rho=-1 --n 8", "rho|-1"},
  {"@Q sigma --family two-level:eps=0 --n 8", "eps"},
  {"@Q sigma --family two-level:eps=nan --n 8", "eps|nan"},
  {"@Q sigma --family power:beta=nan --n 8", "beta|nan"},
  {"@Q sigma --family power:beta=1e300 --n 8", "beta|1e300"},
  {"@Q sigma --family outliers:frac=2 --n 8", "frac|2"},
  {"@Q sigma --family outliers:value=inf --n 8", "value|inf"},
  {"@Q sigma --family outliers:value=1e300 --n 8", "value|1e300"},
  {"@Q sigma --family outliers-corr:k=0 --n 8", "k"},
  {"@Q sigma --family outliers-corr:k=1e300 --n 8", "k|1e300"},
  {"@Q sigma --family lognormal:s=1e300 --n 8", "s|1e300"},
  {"@Q sigma --family lognormal:s=nan --n 8", "s|nan"},
  {"@Q sigma --family lognormal-random:s=inf --n 8", "s|inf"},
  {"@Q sigma --family lowrank:frac=0 --n 8", "frac"},
  {"@Q sigma --family lowrank:eps=-1 --n 8", "eps|-1"},
  {"@Q sigma --family wishart:ratio=0 --n 8", "ratio"},
  {"@Q sigma --family wishart:ratio=1e300 --n 8", "ratio|1e300"},
  {"@Q sigma --family wishart:dead=2 --n 8", "dead|2"},
  {"@Q sigma --family ar1:haar=2 --n 8", "haar|2"},
  {"@Q sigma --family ar1 --n 8 --rotate foo", "rotate|foo"},
  {"@Q sigma --family ar1 --n 8 --damp nan", "damp|nan"},
  {"@Q sigma --family ar1 --n 8 --damp -1", "damp|-1"},
  {"@Q sigma --family ar1 --n 8 --damp inf", "damp|inf"},
  {"@Q sigma --family ar1 --n 8 --rate nan", "rate|nan"},
  {"@Q sigma --family ar1 --n 8 --rate inf", "rate|inf"},
  {"@Q sigma --family ar1 --n 8 --seed abc", "seed|abc"},
  {"@Q sigma --family ar1 --n 8 --frobnicate", "frobnicate"},
  {"@Q sigma --family file:@S/no-such.h5", "no-such.h5"},
  {"@Q sigma --family file:@S/empty", "empty"},
  {"@Q sigma --family file:@S/garbage.bin", "garbage.bin"},
  {"@Q sigma --family file:", "file:"},
  {"@Q sigma --family file:@D/sigma.h5:nan", "nan|finite"},
  {"@Q sigma --family file:@D/sigma.h5:inf", "inf|finite"},
  {"@Q sigma --family file:@D/sigma.h5:notsquare", "square|notsquare"},
  {"@Q sigma --family file:@D/sigma.h5:onedim", "onedim|square|dimension"},
  {"@Q sigma --family file:@D/sigma.h5:nosigma", "sigma|nosigma"},
  {"@Q sigma --family file:@D/sigma.h5:nogroup", "nogroup"},
  {"@Q sigma --family file:@D/sigma.h5:good --n 8", "n|file"},

  /* matq: the commands issue 16 lists */
  {"@Q matq --family identity --n 50000 --method gptq --rate 4 --rows 16", "n|50000"},
  {"@Q matq --family identity --n 8 --method gptq:bits=4 --nominal --rows 64", "nominal|bits"},
  {"@Q matq --family file:@D/sigma.h5:empty --method gptq --rate 4 --rows 64", "sigma|empty"},
  {"@Q matq --family file:@D/sigma.h5:huge --method gptq --rate 4 --rows 64", "sigma|huge|2147483648"},
  {"@Q matq --family file:@D/sigma.h5:singular --method gptq --rate 4 --rows 64", "singular|definite|sigma"},
  {"@Q matq --family file:@D/sigma.h5:hugevals --method gptq --rate 4 --rows 64", "sigma|finite|hugevals"},
  {"@Q matq --family file:@D/sigma.h5:wnan --method gptq --rate 4", "nan|finite|w"},
  {"@Q matq --family file:@D/sigma.h5:whuge --method gptq --rate 4", "w|whuge|2147483648"},
  {"@Q matq --family file:@D/sigma.h5:wcols --method gptq --rate 4", "w|wcols|column"},
  /* matq: the rest */
  {"@Q matq", "family"},
  {"@Q matq --family ar1 --n 8 --rate 4", "method"},
  {"@Q matq --family ar1 --n 8 --method gptq", "rate"},
  {"@Q matq --family ar1 --n 8 --method foo --rate 4", "method|foo"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 0", "rate"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 30", "rate|30"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate nan", "rate|nan"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate -1", "rate|-1"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 0", "rows"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows -1", "rows|-1"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 1e300", "rows|1e300"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 4294967296", "rows|4294967296"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 18446744073709551617", "rows|18446744073709551617"},
  {"@Q matq --family ar1 --n 0 --method gptq --rate 4", "n"},
  {"@Q matq --family ar1 --n 8 --method gptq:percdamp=nan --rate 4 --rows 64", "percdamp|nan"},
  {"@Q matq --family ar1 --n 8 --method gptq:percdamp=-1 --rate 4 --rows 64", "percdamp|-1"},
  {"@Q matq --family ar1 --n 8 --method watersic:damp=-1 --rate 4 --rows 64", "damp|-1"},
  {"@Q matq --family ar1 --n 8 --method watersic:drop=nan --rate 4 --rows 64", "drop|nan"},
  {"@Q matq --family ar1 --n 8 --method gptq:bits=0 --rows 64", "bits"},
  {"@Q matq --family ar1 --n 8 --method gptq:bits=1e9 --rows 64", "bits|1e9"},
  {"@Q matq --family ar1 --n 8 --method gptq:bits=nan --rows 64", "bits|nan"},
  {"@Q matq --family ar1 --n 8 --method gptq:block=0 --rate 4 --rows 64", "block"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 64 --dist foo", "dist|foo"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 64 --dist student-t:nu=nan", "nu|nan"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 64 --rotate foo", "rotate|foo"},
  {"@Q matq --family ar1 --n 12 --method gptq --rate 4 --rows 64 --rotate hadamard", "hadamard|power of two"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 64 --seed abc", "seed|abc"},
  {"@Q matq --family ar1 --n 8 --method gptq --rate 4 --rows 64 --frobnicate", "frobnicate"},
  {"@Q matq --family file:@S/garbage.bin --method gptq --rate 4 --rows 64", "garbage.bin"},
  {"@Q matq --family file:@D/sigma.h5:nan --method gptq --rate 4 --rows 64", "nan|finite"},

  /* allocate */
  {"@Q allocate", "stats|file"},
  {"@Q allocate @S/alloc-good.tsv", "bits"},
  {"@Q allocate @S/no-such.tsv --bits 4", "no-such.tsv"},
  {"@Q allocate @S/empty --bits 4", "empty|header"},
  {"@Q allocate @S/garbage.bin --bits 4", "garbage.bin"},
  {"@Q allocate @S/alloc-header-only.tsv --bits 4", "alloc-header-only|tensor"},
  {"@Q allocate @S/alloc-no-fisher.tsv --bits 4", "fisher_sum"},
  {"@Q allocate @S/alloc-zero-fisher.tsv --bits 4", "fisher"},
  {"@Q allocate @S/alloc-extreme.tsv --bits 4", "rms|fisher|alloc-extreme"},
  {"@Q allocate @S/alloc-nan.tsv --bits 4", "fisher_sum|nan"},
  {"@Q allocate @S/alloc-inf.tsv --bits 4", "rms|inf"},
  {"@Q allocate @S/alloc-neg-rms.tsv --bits 4", "rms|-0.1"},
  {"@Q allocate @S/alloc-numel0.tsv --bits 4", "numel"},
  {"@Q allocate @S/alloc-numel-frac.tsv --bits 4", "numel|2.5"},
  {"@Q allocate @S/alloc-numel-huge.tsv --bits 4", "numel|1e300"},
  {"@Q allocate @S/alloc-text.tsv --bits 4", "numel|many"},
  {"@Q allocate @S/alloc-short-row.tsv --bits 4", "alloc-short-row|:2|column"},
  {"@Q allocate @S/alloc-neg-fisher.tsv --bits 4", "fisher_sum|-1"},
  {"@Q allocate @S/alloc-good.tsv --bits 1e9", "bits|1e9"},
  {"@Q allocate @S/alloc-good.tsv --bits nan", "bits|nan"},
  {"@Q allocate @S/alloc-good.tsv --bits inf", "bits|inf"},
  {"@Q allocate @S/alloc-good.tsv --bits -1", "bits|-1"},
  {"@Q allocate @S/alloc-good.tsv --bits 1", "bits|min-bits"},
  {"@Q allocate @S/alloc-good.tsv --bits ''", "bits"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --epsilon 1e308", "epsilon|1e308"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --epsilon nan", "epsilon|nan"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --epsilon 0", "epsilon"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --epsilon -1", "epsilon|-1"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --min-bits nan", "min-bits|nan"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --min-bits -1", "min-bits|-1"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --min-bits 1e9", "min-bits|1e9|1e+09"},
  {"@Q allocate @S/alloc-good.tsv --bits 4 --frobnicate", "frobnicate"},

  /* export: issue 16's 2^61-element datasets, NaN */
  {"@Q export @D/res-huge-x.h5", "x|huge"},
  {"@Q export @D/res-huge-y.h5", "y|huge"},
  {"@Q export --panel codepoints @D/res-huge-x.h5", "x|huge"},
  {"@Q export --panel codepoints @D/res-huge-y.h5", "y|huge"},
  {"@Q export --curves codepoints @D/res-huge-x.h5", "x|huge"},
  {"@Q export --panels @D/res-huge-y.h5", "y|huge"},
  {"@Q export @D/res-nan.h5", "nan|finite"},
  {"@Q export @D/res-inf.h5", "inf|finite"},
  {"@Q export --panel codepoints @D/res-nan.h5", "nan|finite"},
  {"@Q export @D/res-mismatch.h5", "y|length|mismatch"},
  {"@Q export @D/res-2d.h5", "x|rank|dimension"},
  /* export: the rest */
  {"@Q export", "file"},
  {"@Q export @S/no-such.h5", "no-such.h5"},
  {"@Q export @S/empty", "empty"},
  {"@Q export @S/garbage.bin", "garbage.bin"},
  {"@Q export @S/alloc-good.tsv", "alloc-good.tsv"},
  {"@Q export @D/sigma.h5", "sigma.h5"},
  {"@Q export --panel nosuch @D/res-good.h5", "nosuch"},
  {"@Q export --curves nosuch @D/res-good.h5", "nosuch"},
  {"@Q export --panel", "panel"},
  {"@Q export --frobnicate @D/res-good.h5", "frobnicate"},
  {"@Q export @D/res-good.h5 @D/res-good.h5", "res-good"},

  /* report */
  {"@Q report --published @S/empty --results @T", "empty|header"},
  {"@Q report --published @S/garbage.bin --results @T", "garbage.bin"},
  {"@Q report --published @S/published-bad.tsv --results @T", "abc|published"},
  {"@Q report --published @S/published-bad-tol.tsv --results @T", "nan|tolerance"},
  {"@Q report --published @S/published-bad-locator.tsv --results @T", "locator|x="},
  {"@Q report --published @S/no-such.tsv", "no-such.tsv"},
  {"@Q report --md /nonexistent-dir/report-out", "report-out|nonexistent-dir"},
  {"@Q report --tsv /nonexistent-dir/r.tsv", "r.tsv|nonexistent-dir"},
  {"@Q report --published", "published"},
  {"@Q report --frobnicate", "frobnicate"},

  /* tensors */
  {"@Q tensors", "file"},
  {"@Q tensors @S/no-such.safetensors", "no-such"},
  {"@Q tensors @S/empty", "empty"},
  {"@Q tensors @S/garbage.bin", "garbage.bin"},
  {"@Q tensors @S/st-short.safetensors", "st-short"},
  {"@Q tensors @S/st-huge-header.safetensors", "st-huge-header|header"},
  {"@Q tensors @S/st-header-past-end.safetensors", "st-header-past-end|header"},
  {"@Q tensors @S/st-bad-json.safetensors", "st-bad-json|json"},
  {"@Q tensors @S/st-not-object.safetensors", "st-not-object|object"},
  {"@Q tensors @S/st-bad-dtype.safetensors", "q7|dtype"},
  {"@Q tensors @S/st-offsets-past-end.safetensors", "data_offsets|offset"},
  {"@Q tensors @S/st-shape-overflow.safetensors", "shape|overflow"},
  {"@Q tensors @S/st-shape-mismatch.safetensors", "shape|data_offsets"},
  {"@Q tensors @S/st-neg-shape.safetensors", "shape|-2"},
  {"@Q tensors @S/st-offsets-reversed.safetensors", "data_offsets|offset"},
  {"@Q tensors @S/st-nan.safetensors", "nan|finite"},
  {"@Q tensors @S/st-nan.safetensors --name nosuch", "nosuch"},
  {"@Q tensors @S/npy-bad-magic.npy", "npy-bad-magic|magic"},
  {"@Q tensors @S/npy-huge-shape.npy", "shape|npy-huge-shape"},
  {"@Q tensors @S/npy-overflow-shape.npy", "shape|npy-overflow-shape"},
  {"@Q tensors @S/npy-bad-descr.npy", "descr|q9"},
  {"@Q tensors @S/npy-truncated.npy", "npy-truncated|short|truncated"},
  {"@Q tensors @S/npy-bad-header.npy", "npy-bad-header|header"},
  {"@Q tensors @S/npy-header-len.npy", "npy-header-len|header"},
  {"@Q tensors @S/npy-fortran.npy", "fortran"},
  {"@Q tensors @S/tfjs-bad-json/model.json", "tfjs-bad-json|json"},
  {"@Q tensors @S/tfjs-no-manifest/model.json", "weightsmanifest"},
  {"@Q tensors @S/tfjs-missing-shard/model.json", "group1-shard1of1.bin"},
  {"@Q tensors @S/tfjs-short-shard/model.json", "s.bin|short"},
  {"@Q tensors @S/tfjs-huge-shape/model.json", "shape|tfjs-huge-shape"},
  {"@Q tensors @S/tfjs-bad-dtype/model.json", "complex64|dtype"},
  {"@Q tensors @S/tfjs-escape-path/model.json", "etc/passwd|path"},
  {"@Q tensors @D/res-good.h5 --name nosuch", "nosuch"},
  {"@Q tensors @S/alloc-good.tsv --frobnicate", "frobnicate"},

  /* activations */
  {"@Q activations", "index"},
  {"@Q activations --index @S/act-bad/index.json --model @S/tfjs-good/model.json --out @T/a.h5", "rows|cols|x.bin|act-bad"},
  {"@Q activations --index @S/act-garbage/index.json --model @S/tfjs-good/model.json --out @T/a.h5", "act-garbage|json"},
  {"@Q activations --index @S/no-such/index.json --model @S/tfjs-good/model.json --out @T/a.h5", "no-such"},
  {"@Q activations --index @S/act-bad/index.json --model @S/no-such.json --out @T/a.h5", "no-such.json|act-bad"},
  {"@Q activations --index @S/act-bad/index.json --model @S/tfjs-good/model.json", "out"},
  {"@Q activations --index @S/empty --model @S/tfjs-good/model.json --out @T/a.h5", "empty"},
  {"@Q activations --frobnicate", "frobnicate"},

  /* merge */
  {"@Q merge", "shard"},
  {"@Q merge @S/no-such.h5", "no-such.h5"},
  {"@Q merge @S/empty", "empty"},
  {"@Q merge @S/garbage.bin", "garbage.bin"},
  {"@Q merge @D/res-good.h5", "res-good|shard"},
  {"@Q merge @D/sigma.h5", "sigma.h5|shard"},
  {"@Q merge --status @S/garbage.bin", "garbage.bin"},
  {"@Q merge --status", "shard"},
  {"@Q merge --out @T/x.h5", "shard"},
  {"@Q merge --out", "out"},
  {"@Q merge --frobnicate @S/garbage.bin", "frobnicate"},

  /* the driver commands issue 16 lists (every driver: DRIVER_RUN) */
  {"@BIN/fig-17 --config configs/fig-17.cfg --out @T/X.h5 --threads 100000", "threads|100000"},
  {"@BIN/fig-5 --config configs/fig-5.cfg --out @T/null", "null|device|regular", "mknod @T/null c 1 3"},
  {"@BIN/fig-5 --config configs/fig-5.cfg --out @T/link.h5", "link|symlink|symbolic",
   "ln -s @T/target.h5 @T/link.h5"},
  {"@BIN/fig-5 --config @T/fig-5.cfg --out @T/fig-5.cfg", "fig-5.cfg|config",
   "cp configs/fig-5.cfg @T/fig-5.cfg"},
};

/* ---- figure drivers: what every driver refuses on its command line ----
 * %s is the driver (fig-N); @C the shipped config. */
static const battery_case DRIVER_ARGS[] = {
  {"@BIN/%s", "config"},
  {"@BIN/%s --config @S/no-such.cfg --out @T/o.h5", "no-such.cfg"},
  {"@BIN/%s --config @S/empty --out @T/o.h5", "empty"},
  {"@BIN/%s --config @S/garbage.bin --out @T/o.h5", "garbage.bin"},
  {"@BIN/%s --config @C", "out"},
  {"@BIN/%s --config @C --out", "out"},
  {"@BIN/%s --config @C --out @T/o.h5 --frobnicate", "frobnicate"},
  {"@BIN/%s --config @C --out @T/o.h5 --threads", "threads"},
  {"@BIN/%s --config @C --out @T/o.h5 --threads 0", "threads"},
  {"@BIN/%s --config @C --out @T/o.h5 --threads -2", "threads|-2"},
  {"@BIN/%s --config @C --out @T/o.h5 --threads abc", "threads|abc"},
  {"@BIN/%s --config @C --out @T/o.h5 --shard 0/2", "shard|0/2"},
  {"@BIN/%s --config @C --out @T/o.h5 --shard 3/2", "shard|3/2"},
  {"@BIN/%s --config @C --out @T/o.h5 --shard 1/0", "shard|1/0"},
  {"@BIN/%s --config @C --out @T/o.h5 --shard banana", "shard|banana"},
  {"@BIN/%s --config @C --out @T/o.h5 --shard 1/2 --merge @S/garbage.bin", "shard|merge"},
  {"@BIN/%s --config @C --out @T/o.h5 --merge @S/no-such.h5", "no-such.h5"},
  {"@BIN/%s --config @C --out @T/o.h5 --merge @S/garbage.bin", "garbage.bin"},
  {"@BIN/%s --config @C --out @T/o.h5 --merge", "merge|shard"},
};

/* The same, for the mistakes a driver may only see after it has started
 * computing (so a driver that accepts them runs its whole figure, up to the
 * time limit): tagged slow. */
static const battery_case DRIVER_RUN[] = {
  {"@BIN/%s --config @C --out @T/o.h5 --threads 100000", "threads|100000"},
  {"env SLURM_ARRAY_TASK_ID=abc SLURM_ARRAY_TASK_COUNT=2 @BIN/%s --config @C --out @T/o.h5",
   "slurm_array_task_id|abc"},
  /* issue 16, item 5: outputs that must not be replaced (a private device
   * node made here, never the system's) */
  {"@BIN/%s --config @C --out @T/null", "null|device|regular", "mknod @T/null c 1 3"},
  {"@BIN/%s --config @C --out @T/link.h5", "link|symlink|symbolic", "ln -s @T/target.h5 @T/link.h5"},
  {"@BIN/%s --config @T/self.cfg --out @T/self.cfg", "self.cfg|config", "cp @C @T/self.cfg"},
  {"@BIN/%s --config @C --out @T/no-such-dir/o.h5", "no-such-dir"},
};

/* ---- the generated list ---- */

typedef struct {
  battery_case *v;
  size_t n, cap;
} case_list;

static case_list qrd_list, driver_list, run_list, config_list;

/* The lists are built while the suite is made, outside any test, where
 * Check's assertions cannot report: failures there abort. */
static void need(int ok, const char *what)
{
  if (!ok) {
    fprintf(stderr, "battery: %s\n", what);
    abort();
  }
}

static char *xstrdup(const char *s)
{
  char *d = strdup(s);
  need(d != NULL, "out of memory");
  return d;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  need(vasprintf(&s, fmt, ap) >= 0, "out of memory");
  va_end(ap);
  return s;
}

static void push(case_list *l, battery_case c)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 256;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    need(l->v != NULL, "out of memory");
  }
  l->v[l->n++] = c;
}

/* The figure names of configs/fig-*.cfg, sorted. */
static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_figures(char ***out)
{
  DIR *d = opendir("configs");
  need(d != NULL, "configs/ not found (run from the repository root)");
  char **v = NULL;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t len = strlen(e->d_name);
    if (strncmp(e->d_name, "fig-", 4) != 0 || len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
      continue;
    v = realloc(v, (n + 1) * sizeof *v);
    v[n++] = xprintf("%.*s", (int)(len - 4), e->d_name);
  }
  closedir(d);
  qsort(v, n, sizeof *v, cmp_str);
  *out = v;
  return n;
}

static char *read_text(const char *file)
{
  FILE *f = fopen(file, "rb");
  if (f == NULL)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  for (int c; (c = fgetc(f)) != EOF;)
    fputc(c, m);
  fclose(m);
  fclose(f);
  return buf;
}

/* Whether s is a whole number (digits, optional sign) or a real one. */
static int is_integer(const char *s)
{
  if (*s == '-' || *s == '+')
    s++;
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s))
      return 0;
  return 1;
}

static int is_real(const char *s)
{
  char *end;
  strtod(s, &end);
  return end != s && *end == '\0' && strpbrk(s, "nNiI") == NULL;
}

/* One mutated copy of config text `cfg`: line `line` (0-based) replaced by
 * `key = value`. */
static char *mutate(const char *cfg, size_t line, const char *key, const char *value)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  size_t at = 0;
  for (const char *p = cfg; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    if (at == line)
      fprintf(m, "%s = %s\n", key, value);
    else
      fprintf(m, "%.*s\n", (int)n, p);
    p += n + (nl != NULL);
    at++;
  }
  fclose(m);
  return buf;
}

/* Mutations of configs/<fig>.cfg, one per (key, bad value). */
static void add_config_cases(const char *fig)
{
  char *path = xprintf("configs/%s.cfg", fig);
  char *cfg = read_text(path);
  need(cfg != NULL, "cannot read a config of configs/");
  size_t line = 0;
  int typo_done = 0;
  const char *run = xprintf("@BIN/%s --config @C --out @T/o.h5", fig);
  for (const char *p = cfg; *p; line++) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char *l = xprintf("%.*s", (int)n, p);
    p += n + (nl != NULL);
    char *hash = strchr(l, '#');
    if (hash)
      *hash = '\0';
    char *eq = strchr(l, '=');
    if (eq == NULL) {
      free(l);
      continue;
    }
    *eq = '\0';
    char key[128], value[512];
    if (sscanf(l, " %127s", key) != 1) {
      free(l);
      continue;
    }
    const char *v = eq + 1;
    while (isspace((unsigned char)*v))
      v++;
    snprintf(value, sizeof value, "%s", v);
    for (size_t k = strlen(value); k > 0 && isspace((unsigned char)value[k - 1]);)
      value[--k] = '\0';
    free(l);

    /* wrong key: the first key misspelled (the rest are alike) */
    if (!typo_done) {
      char *typo = xprintf("%s_typo", key);
      /* a message about the misspelled key, or about the key now missing */
      push(&config_list, (battery_case){run, xprintf("%s|%s", typo, key), NULL,
                                        mutate(cfg, line, typo, value),
                                        xprintf("%s: %s = %s", fig, typo, value)});
      free(typo);
      typo_done = 1;
    }
    static const char *INT_BAD[] = {"nan", "1e300", "-7", "18446744073709551617", "abc"};
    static const char *REAL_BAD[] = {"nan", "inf", "-inf", "1e999", "abc"};
    static const char *LIST_BAD[] = {"", "@@@", "nan"};
    const char **bad;
    size_t nbad;
    if (is_integer(value)) {
      bad = INT_BAD;
      nbad = sizeof INT_BAD / sizeof *INT_BAD;
    } else if (is_real(value)) {
      bad = REAL_BAD;
      nbad = sizeof REAL_BAD / sizeof *REAL_BAD;
    } else {
      bad = LIST_BAD;
      nbad = sizeof LIST_BAD / sizeof *LIST_BAD;
    }
    for (size_t i = 0; i < nbad; i++) {
      char *expect = bad[i][0] ? xprintf("%s|%s", key, bad[i]) : xstrdup(key);
      push(&config_list, (battery_case){run, expect, NULL, mutate(cfg, line, key, bad[i]),
                                        xprintf("%s: %s = %s", fig, key, bad[i])});
    }
  }
  /* wrong type: a key given twice, and a line that is not key = value */
  push(&config_list, (battery_case){run, "line|=|this is not a key value pair", NULL,
                                    xprintf("%sthis is not a key value pair\n", cfg),
                                    xprintf("%s: a line without '='", fig)});
  push(&config_list, (battery_case){run, "unknown key|line", NULL,
                                    xprintf("%s\x01\x02\x7f\xfe = \x03\n", cfg),
                                    xprintf("%s: a key of binary bytes", fig)});
  free(cfg);
  free(path);
}

static void build_lists(void)
{
  static int built;
  if (built)
    return;
  built = 1;
  for (size_t i = 0; i < sizeof QRD_CASES / sizeof *QRD_CASES; i++)
    push(&qrd_list, QRD_CASES[i]);
  char **figs;
  size_t nfig = list_figures(&figs);
  for (size_t f = 0; f < nfig; f++) {
    char *cfg = xprintf("configs/%s.cfg", figs[f]);
    for (size_t i = 0; i < sizeof DRIVER_ARGS / sizeof *DRIVER_ARGS; i++) {
      battery_case c = DRIVER_ARGS[i];
      c.cmd = xprintf(c.cmd, figs[f]);
      c.config = read_text(cfg);
      push(&driver_list, c);
    }
    for (size_t i = 0; i < sizeof DRIVER_RUN / sizeof *DRIVER_RUN; i++) {
      battery_case c = DRIVER_RUN[i];
      c.cmd = xprintf(c.cmd, figs[f]);
      c.config = read_text(cfg);
      push(&run_list, c);
    }
    add_config_cases(figs[f]);
    free(cfg);
    free(figs[f]);
  }
  free(figs);
}

/* ---- generated data files (@D) ---- */

static char data_dir[64];

static void put(hid_t loc, const char *name, int rank, const hsize_t *dims, const double *x)
{
  ck_assert(H5LTmake_dataset_double(loc, name, rank, dims, x) >= 0);
}

/* A dataset that declares dims but holds no data (chunked, never written):
 * a few hundred bytes on disk whatever it claims. */
static void put_declared(hid_t loc, const char *name, int rank, const hsize_t *dims)
{
  hsize_t chunk[2] = {64, 64}, max[2] = {H5S_UNLIMITED, H5S_UNLIMITED};
  hid_t space = H5Screate_simple(rank, dims, max);
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  ck_assert(H5Pset_chunk(plist, rank, chunk) >= 0);
  hid_t d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  ck_assert(d >= 0);
  H5Dclose(d);
  H5Pclose(plist);
  H5Sclose(space);
}

static hid_t group(hid_t f, const char *name)
{
  hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(g >= 0);
  return g;
}

static void write_sigma_file(const char *path)
{
  static const double S[9] = {2, 0.5, 0.1, 0.5, 2, 0.3, 0.1, 0.3, 2};
  static const double W[6] = {1, 2, 3, 4, 5, 6};
  const hsize_t d33[2] = {3, 3}, d23[2] = {2, 3}, d24[2] = {2, 4}, d9[1] = {9}, d00[2] = {0, 0};
  const hsize_t huge[2] = {(hsize_t)1 << 31, (hsize_t)1 << 31}, whuge[2] = {(hsize_t)1 << 31, 3};
  double m[9];
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t g;

  g = group(f, "good"), put(g, "Sigma", 2, d33, S), put(g, "W", 2, d23, W), H5Gclose(g);
  g = group(f, "empty"), put_declared(g, "Sigma", 2, d00), H5Gclose(g);
  g = group(f, "huge"), put_declared(g, "Sigma", 2, huge), H5Gclose(g);
  memcpy(m, S, sizeof m), m[4] = NAN;
  g = group(f, "nan"), put(g, "Sigma", 2, d33, m), H5Gclose(g);
  memcpy(m, S, sizeof m), m[0] = INFINITY;
  g = group(f, "inf"), put(g, "Sigma", 2, d33, m), H5Gclose(g);
  for (int i = 0; i < 9; i++)
    m[i] = 1;
  g = group(f, "singular"), put(g, "Sigma", 2, d33, m), H5Gclose(g);
  for (int i = 0; i < 9; i++)
    m[i] = (i % 4 == 0 ? 1.5 : 0.5) * 1e308;
  g = group(f, "hugevals"), put(g, "Sigma", 2, d33, m), H5Gclose(g);
  for (int i = 0; i < 9; i++)
    m[i] = i % 4 == 0 ? 1e-320 : 0;
  g = group(f, "denormal"), put(g, "Sigma", 2, d33, m), H5Gclose(g);
  g = group(f, "notsquare"), put(g, "Sigma", 2, d23, W), H5Gclose(g);
  g = group(f, "onedim"), put(g, "Sigma", 1, d9, S), H5Gclose(g);
  g = group(f, "nosigma"), put(g, "W", 2, d23, W), H5Gclose(g);
  memcpy(m, W, 6 * sizeof *m), m[3] = NAN;
  g = group(f, "wnan"), put(g, "Sigma", 2, d33, S), put(g, "W", 2, d23, m), H5Gclose(g);
  g = group(f, "whuge"), put(g, "Sigma", 2, d33, S), put_declared(g, "W", 2, whuge), H5Gclose(g);
  static const double W8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  g = group(f, "wcols"), put(g, "Sigma", 2, d33, S), put(g, "W", 2, d24, W8), H5Gclose(g);
  ck_assert(H5Fclose(f) >= 0);
}

/* A copy of the good results file with one defect in curve
 * /codepoints/rms-sym. */
enum { RES_NAN, RES_INF, RES_HUGE_X, RES_HUGE_Y, RES_MISMATCH, RES_2D };

static void write_results_variant(const char *good, const char *name, int kind)
{
  char path[256], cmd[600];
  snprintf(path, sizeof path, "%s/%s", data_dir, name);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", good, path);
  ck_assert_int_eq(system(cmd), 0);
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t g = H5Gopen2(f, "/codepoints/rms-sym", H5P_DEFAULT);
  ck_assert(g >= 0);
  double v[8];
  const hsize_t d8[1] = {8}, d3[1] = {3}, d24[2] = {2, 4}, huge[1] = {(hsize_t)1 << 61};
  switch (kind) {
  case RES_NAN:
  case RES_INF:
    ck_assert(H5LTread_dataset_double(g, "y", v) >= 0);
    v[3] = kind == RES_NAN ? NAN : INFINITY;
    ck_assert(H5Ldelete(g, "y", H5P_DEFAULT) >= 0);
    put(g, "y", 1, d8, v);
    break;
  case RES_HUGE_X:
  case RES_HUGE_Y:
    ck_assert(H5Ldelete(g, kind == RES_HUGE_X ? "x" : "y", H5P_DEFAULT) >= 0);
    put_declared(g, kind == RES_HUGE_X ? "x" : "y", 1, huge);
    break;
  case RES_MISMATCH:
    ck_assert(H5LTread_dataset_double(g, "y", v) >= 0);
    ck_assert(H5Ldelete(g, "y", H5P_DEFAULT) >= 0);
    put(g, "y", 1, d3, v);
    break;
  case RES_2D:
    ck_assert(H5LTread_dataset_double(g, "x", v) >= 0);
    ck_assert(H5Ldelete(g, "x", H5P_DEFAULT) >= 0);
    put(g, "x", 2, d24, v);
    break;
  }
  (void)d8;
  H5Gclose(g);
  ck_assert(H5Fclose(f) >= 0);
}

static void data_open(void)
{
  if (data_dir[0])
    return;
  strcpy(data_dir, "/tmp/qrd-battery-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(data_dir));
  char path[256], cmd[600];
  snprintf(path, sizeof path, "%s/sigma.h5", data_dir);
  write_sigma_file(path);
  /* a genuine results file (fig-5 is deterministic and takes a second) */
  qrd_test_require_binary(BIN "/fig-5");
  snprintf(path, sizeof path, "%s/res-good.h5", data_dir);
  snprintf(cmd, sizeof cmd, BIN "/fig-5 --config configs/fig-5.cfg --out %s --quiet </dev/null",
           path);
  ck_assert_int_eq(system(cmd), 0);
  write_results_variant(path, "res-nan.h5", RES_NAN);
  write_results_variant(path, "res-inf.h5", RES_INF);
  write_results_variant(path, "res-huge-x.h5", RES_HUGE_X);
  write_results_variant(path, "res-huge-y.h5", RES_HUGE_Y);
  write_results_variant(path, "res-mismatch.h5", RES_MISMATCH);
  write_results_variant(path, "res-2d.h5", RES_2D);
}

static void data_close(void)
{
  if (!data_dir[0])
    return;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", data_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "battery: could not remove %s\n", data_dir);
  data_dir[0] = '\0';
}

/* ---- running one case ---- */

/* s with every placeholder replaced. */
static char *expand(const char *s, const char *scratch, const char *config)
{
  const struct {
    const char *from, *to;
  } subs[] = {{"@Q", "./" QRD_TEST_BIN "/qrd"}, {"@BIN", BIN}, {"@S", STATIC_DIR},
              {"@D", data_dir}, {"@T", scratch}, {"@C", config}};
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  while (*s) {
    size_t i, n = sizeof subs / sizeof *subs;
    for (i = 0; i < n; i++)
      if (strncmp(s, subs[i].from, strlen(subs[i].from)) == 0)
        break;
    if (i < n) {
      fputs(subs[i].to, m);
      s += strlen(subs[i].from);
    } else {
      fputc(*s++, m);
    }
  }
  fclose(m);
  return buf;
}

static int contains_nocase(const char *hay, const char *needle, size_t n)
{
  for (; *hay; hay++) {
    size_t k = 0;
    while (k < n && hay[k] && tolower((unsigned char)hay[k]) == tolower((unsigned char)needle[k]))
      k++;
    if (k == n)
      return 1;
  }
  return n == 0;
}

/* Whether stdout holds a nan or inf token (whole fields, any case/sign). */
static int has_nonfinite_token(const char *s)
{
  while (*s) {
    while (*s && (isspace((unsigned char)*s) || *s == ',' || *s == ';' || *s == '='))
      s++;
    const char *t = s;
    while (*s && !(isspace((unsigned char)*s) || *s == ',' || *s == ';' || *s == '='))
      s++;
    size_t n = (size_t)(s - t);
    if (n && (*t == '-' || *t == '+'))
      t++, n--;
    if ((n == 3 && (strncasecmp(t, "nan", 3) == 0 || strncasecmp(t, "inf", 3) == 0)) ||
        (n == 8 && strncasecmp(t, "infinity", 8) == 0) ||
        (n > 3 && strncasecmp(t, "nan(", 4) == 0))
      return 1;
  }
  return 0;
}

static void run_case(const battery_case *c)
{
  char scratch[64];
  strcpy(scratch, "/tmp/qrd-battery-case-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(scratch));
  char config[128];
  if (c->config) {
    snprintf(config, sizeof config, "%s/c.cfg", scratch);
    FILE *f = fopen(config, "w");
    ck_assert_ptr_nonnull(f);
    fputs(c->config, f);
    fclose(f);
  } else {
    config[0] = '\0';
  }
  if (c->pre) {
    char *pre = expand(c->pre, scratch, config);
    ck_assert_msg(system(pre) == 0, "battery setup failed: %s", pre);
    free(pre);
  }
  char *run = expand(c->cmd, scratch, config);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  qrd_run_result r = qrd_test_run("timeout -k 5 %d %s", TIME_LIMIT, run);
  /* what failure messages show: the command, and the config's mutation */
  char *cmd = c->what ? xprintf("%s   (config: %s)", run, c->what) : xstrdup(run);
  free(run);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  char rm[128];
  snprintf(rm, sizeof rm, "rm -rf '%s'", scratch);
  if (system(rm) != 0)
    fprintf(stderr, "battery: could not remove %s\n", scratch);

  /* timeout(1): 124 timed out, 137 killed after the grace period, 128+N a
   * signal N; the sanitizers of make test-sanitize exit with 86/87. */
  size_t errlen = strlen(r.err);
  const char *tail = errlen > 600 ? r.err + errlen - 600 : r.err;
  ck_assert_msg(r.status != 124 && r.status != 137, "[hang] over %d s: %s", TIME_LIMIT, cmd);
  ck_assert_msg(r.status >= 0 && r.status <= 128, "[signal %d] stderr '%s': %s",
                r.status >= 128 ? r.status - 128 : r.status, tail, cmd);
  ck_assert_msg(r.status != 86 && r.status != 87, "[sanitizer] exit %d, stderr '...%s': %s",
                r.status, tail, cmd);
  ck_assert_msg(r.status != 0, "[exit 0] stdout '%.200s' stderr '%.300s': %s", r.out, r.err, cmd);
  ck_assert_msg(!has_nonfinite_token(r.out), "[nan on stdout] '%.300s': %s", r.out, cmd);
  ck_assert_msg(r.out[0] == '\0', "[stdout] not empty: '%.300s' (exit %d): %s", r.out, r.status,
                cmd);
  size_t lines = qrd_test_count_lines(r.err);
  ck_assert_msg(lines == 1 && r.err[errlen - 1] == '\n',
                "[stderr lines] %zu lines, want 1: '%.400s' (exit %d): %s", lines, r.err, r.status,
                cmd);
  int named = 0;
  for (const char *w = c->expect; !named;) {
    const char *bar = strchr(w, '|');
    size_t n = bar ? (size_t)(bar - w) : strlen(w);
    named = contains_nocase(r.err, w, n);
    if (!bar)
      break;
    w = bar + 1;
  }
  ck_assert_msg(named, "[unnamed] stderr '%.300s' names none of '%s': %s", r.err, c->expect,
                cmd);
  ck_assert_msg(secs < TIME_LIMIT, "[hang] %.1f s: %s", secs, cmd);
  qrd_test_run_free(&r);
  free(cmd);
}

START_TEST(qrd_case)
{
  run_case(&qrd_list.v[_i]);
}
END_TEST

START_TEST(driver_args)
{
  run_case(&driver_list.v[_i]);
}
END_TEST

START_TEST(driver_run)
{
  run_case(&run_list.v[_i]);
}
END_TEST

START_TEST(driver_config)
{
  run_case(&config_list.v[_i]);
}
END_TEST

Suite *qrd_suite_battery(void)
{
  Suite *s = suite_create("battery");
  build_lists();
  TCase *tc = tcase_create("qrd");
  tcase_add_unchecked_fixture(tc, data_open, data_close);
  tcase_set_timeout(tc, TIME_LIMIT + 30);
  tcase_add_loop_test(tc, qrd_case, 0, (int)qrd_list.n);
  tcase_set_tags(tc, "battery");
  suite_add_tcase(s, tc);

  tc = tcase_create("driver-args");
  tcase_add_unchecked_fixture(tc, data_open, data_close);
  tcase_set_timeout(tc, TIME_LIMIT + 30);
  tcase_add_loop_test(tc, driver_args, 0, (int)driver_list.n);
  tcase_set_tags(tc, "battery slow");
  suite_add_tcase(s, tc);

  tc = tcase_create("driver-run");
  tcase_add_unchecked_fixture(tc, data_open, data_close);
  tcase_set_timeout(tc, TIME_LIMIT + 30);
  tcase_add_loop_test(tc, driver_run, 0, (int)run_list.n);
  tcase_set_tags(tc, "battery slow");
  suite_add_tcase(s, tc);

  tc = tcase_create("driver-config");
  tcase_add_unchecked_fixture(tc, data_open, data_close);
  tcase_set_timeout(tc, TIME_LIMIT + 30);
  tcase_add_loop_test(tc, driver_config, 0, (int)config_list.n);
  tcase_set_tags(tc, "battery slow");
  suite_add_tcase(s, tc);
  return s;
}
