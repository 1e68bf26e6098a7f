/* Replays every seed (tests/fuzz/corpus/NAME/) and every input a fuzz run
 * once crashed on (tests/fuzz/regress/NAME/) through the entry functions
 * the libFuzzer targets call (tests/fuzz/fuzz_NAME.c), so make test keeps
 * them fixed: each must return 0 (a clean status; a crash or a failed
 * check aborts, which Check reports as this test's failure).  Runs from
 * the repository root, like the other suites. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "suites.h"

typedef int (*entry)(const uint8_t *, size_t);

static const struct {
  const char *name;
  entry fn;
} TARGETS[] = {
#define QRD_FUZZ_ROW(name) {#name, qrd_fuzz_##name},
  QRD_FUZZ_TARGETS(QRD_FUZZ_ROW)
#undef QRD_FUZZ_ROW
};
#define N_TARGETS (sizeof TARGETS / sizeof TARGETS[0])

static uint8_t *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "%s: cannot open", path);
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  for (size_t k; buf && (k = fread(buf + len, 1, cap - len, f)) > 0;) {
    len += k;
    if (len == cap)
      buf = realloc(buf, cap *= 2);
  }
  ck_assert_msg(buf != NULL && !ferror(f), "%s: cannot read", path);
  fclose(f);
  *n = len;
  return buf;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

/* Feeds every regular file of dir to fn; returns how many. */
static size_t replay(const char *dir, entry fn)
{
  struct dirent **list;
  int n = scandir(dir, &list, NULL, by_name);
  if (n < 0)
    return 0; /* no such directory: nothing to replay */
  size_t done = 0;
  for (int i = 0; i < n; i++) {
    char path[1024];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
    if (list[i]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
      size_t len;
      uint8_t *data = slurp(path, &len);
      ck_assert_msg(fn(data, len) == 0, "%s: fuzz entry did not return 0", path);
      free(data);
      done++;
    }
    free(list[i]);
  }
  free(list);
  return done;
}

static void replay_all(const char *name, entry fn)
{
  char dir[256];
  snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", name);
  size_t seeds = replay(dir, fn);
  ck_assert_msg(seeds > 0, "%s: no seed corpus (run from the repository root)", dir);
  snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", name);
  replay(dir, fn);
}

START_TEST(test_replay)
{
  replay_all(TARGETS[_i].name, TARGETS[_i].fn);
}
END_TEST

/* The same inputs as the mutating runs of make fuzz feed them: each HDF5
 * input rehearsed as a whole (tests/fuzz/fuzz.h). */
START_TEST(test_replay_whole)
{
  ck_assert_int_eq(setenv("QRD_FUZZ_WHOLE", "1", 1), 0);
  replay_all(TARGETS[_i].name, TARGETS[_i].fn);
  unsetenv("QRD_FUZZ_WHOLE");
}
END_TEST

/* A failed check in the rehearsal's child is the fuzzer's finding, not a
 * refusal of the input: the parent aborts with it. */
static int failing_check(const char *path)
{
  (void)path;
  qrd_fuzz_assert(0, "a failed check (expected by test_finding_in_child)");
  return 0;
}

START_TEST(test_finding_in_child)
{
  ck_assert_int_eq(setenv("QRD_FUZZ_WHOLE", "1", 1), 0);
  qrd_fuzz_hdf5_input("finding.h5", (const uint8_t *)"", 0, failing_check);
}
END_TEST

/* Each target also survives the empty input and a run of NUL bytes. */
START_TEST(test_trivial)
{
  static const uint8_t zeros[64];
  ck_assert_int_eq(TARGETS[_i].fn(zeros, 0), 0);
  ck_assert_int_eq(TARGETS[_i].fn(zeros, sizeof zeros), 0);
}
END_TEST

Suite *qrd_suite_fuzz_regress(void)
{
  Suite *s = suite_create("fuzz_regress");
  TCase *tc = tcase_create("replay");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_loop_test(tc, test_replay, 0, (int)N_TARGETS);
  tcase_add_loop_test(tc, test_replay_whole, 0, (int)N_TARGETS);
  tcase_add_loop_test(tc, test_trivial, 0, (int)N_TARGETS);
  tcase_add_test_raise_signal(tc, test_finding_in_child, SIGABRT);
  suite_add_tcase(s, tc);
  return s;
}
