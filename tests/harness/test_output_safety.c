/* Results that survive: a figure driver (fig-5, a short deterministic run)
 * killed with SIGKILL at five points, writing onto a full disk (a 64 KiB
 * tmpfs this test mounts as root) or into a read-only directory, and given
 * a device node, a symbolic link, a directory or its config as --out:
 * the previous results file stays byte for byte, the process exits with a
 * status and one line (never a signal), and the next run succeeds with no
 * temporary left behind.  Also: --threads is bounded, and bin/qrd exits 1
 * with one line when its stdout cannot be written. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "suites.h"

#define FIG "./" QRD_TEST_BIN "/fig-5"

static const char CONFIG[] = "seed = 1\nbits = 3\nblock = 64\nfamily = gaussian\n"
                             "rows = rms-sym rms-asym absmax-sym absmax-asym signmax-asym\n";

static char dir[64], cfg[160], out[160];

static void sandbox_open(void)
{
  strcpy(dir, "/tmp/qrd-outsafe-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(cfg, sizeof cfg, "%s/fig-5.cfg", dir);
  snprintf(out, sizeof out, "%s/fig-5.h5", dir);
  FILE *f = fopen(cfg, "w");
  ck_assert_ptr_nonnull(f);
  fputs(CONFIG, f);
  ck_assert_int_eq(fclose(f), 0);
}

static void sandbox_close(void)
{
  char cmd[256];
  snprintf(cmd, sizeof cmd, "umount '%s/mnt' 2>/dev/null; rm -rf '%s'", dir, dir);
  ck_assert_int_eq(system(cmd), 0);
}

static int same_bytes(const char *path, const char *want, size_t n)
{
  size_t m;
  char *got = qrd_test_slurp_n(path, &m);
  int same = m == n && memcmp(got, want, n) == 0;
  free(got);
  return same;
}

/* Entries of `d` whose name holds ".tmp." (a temporary of ours). */
static int temporaries(const char *d)
{
  DIR *h = opendir(d);
  ck_assert_ptr_nonnull(h);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(h)) != NULL)
    n += strstr(e->d_name, ".tmp.") != NULL;
  closedir(h);
  return n;
}

/* The driver on cfg into `to`, to completion; status in r. */
static qrd_run_result fig(const char *to, const char *flags)
{
  return qrd_test_run(FIG " --config %s --out %s --quiet %s", cfg, to, flags);
}

static void one_error_line(const qrd_run_result *r, int status, const char *a, const char *b)
{
  ck_assert_msg(r->status == status, "exit %d, want %d; stderr '%s'", r->status, status,
                r->err);
  ck_assert_msg(qrd_test_count_lines(r->err) == 1, "stderr '%s'", r->err);
  ck_assert_msg(strstr(r->err, a) != NULL, "'%s' lacks '%s'", r->err, a);
  if (b)
    ck_assert_msg(strstr(r->err, b) != NULL, "'%s' lacks '%s'", r->err, b);
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* qrd export of path without its created_utc line (asserting it works). */
static char *export_body(const char *path)
{
  qrd_run_result e = qrd_test_run(QRD " export %s", path);
  ck_assert_msg(e.status == 0 && e.err[0] == '\0', "export %s: %d %s", path, e.status, e.err);
  char *body = strdup(e.out), *line = strstr(body, "# created_utc: ");
  ck_assert_ptr_nonnull(line);
  memmove(line, strchr(line, '\n') + 1, strlen(strchr(line, '\n') + 1) + 1);
  qrd_test_run_free(&e);
  return body;
}

/* Starts the driver into out and sends SIGKILL after `delay` seconds;
 * returns the wait status. */
static int run_killed(double delay)
{
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(FIG, FIG, "--config", cfg, "--out", out, "--quiet", (char *)NULL);
    _exit(127);
  }
  struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
  nanosleep(&ts, NULL);
  kill(pid, SIGKILL);
  int ws;
  ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
  return ws;
}

START_TEST(test_kill_nine)
{
  qrd_test_require_binary(FIG);
  double t0 = now();
  qrd_run_result r = fig(out, "");
  double t = now() - t0;
  ck_assert_msg(r.status == 0, "first run: %s", r.err);
  qrd_test_run_free(&r);
  size_t n;
  char *prev = qrd_test_slurp_n(out, &n);
  /* 0.05 s in, then through the run up to its very end (the write) */
  const double at[5] = {0.05, 0.3 * t, 0.6 * t, 0.85 * t, 0.97 * t};
  int killed = 0, replaced = 0;
  char *want = export_body(out);
  for (int i = 0; i < 5; i++) {
    int ws = run_killed(at[i]);
    killed += WIFSIGNALED(ws);
    ck_assert(WIFSIGNALED(ws) || WEXITSTATUS(ws) == 0);
    if (!same_bytes(out, prev, n)) {
      /* the rename happened before the kill (or the run finished): a whole
       * new file with the same data, never a part of one */
      char *body = export_body(out);
      ck_assert_msg(strcmp(body, want) == 0, "kill at %.3f s: %s differs", at[i], out);
      free(body);
      free(prev);
      prev = qrd_test_slurp_n(out, &n);
      replaced++;
    }
  }
  fprintf(stderr, "test_kill_nine: run %.3f s, %d of 5 kills landed, %d after the rename\n",
          t, killed, replaced);
  free(want);
  ck_assert_int_ge(killed, 1);
  /* the next run succeeds and leaves no temporary (stale ones removed) */
  r = fig(out, "");
  ck_assert_msg(r.status == 0, "run after the kills: %s", r.err);
  qrd_test_run_free(&r);
  ck_assert_int_eq(temporaries(dir), 0);
  r = qrd_test_run(QRD " export %s", out);
  ck_assert_int_eq(r.status, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "codepoints\trms-sym\t"));
  qrd_test_run_free(&r);
  free(prev);
}
END_TEST

/* A tmpfs of `opts` at <dir>/mnt; 0 if this process may not mount. */
static int mount_tmpfs(char *mnt, size_t size, const char *opts)
{
  snprintf(mnt, size, "%s/mnt", dir);
  ck_assert_int_eq(mkdir(mnt, 0755), 0);
  if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, opts) != 0) {
    fprintf(stderr, "output_safety: skipped: cannot mount a tmpfs (not root?)\n");
    return 0;
  }
  return 1;
}

START_TEST(test_disk_full)
{
  qrd_test_require_binary(FIG);
  char mnt[96], target[160], fill[160];
  if (!mount_tmpfs(mnt, sizeof mnt, "size=64k"))
    return;
  snprintf(target, sizeof target, "%s/fig-5.h5", mnt);
  snprintf(fill, sizeof fill, "%s/fill", mnt);
  qrd_run_result r = fig(target, "");
  ck_assert_msg(r.status == 0, "first run: %s", r.err);
  qrd_test_run_free(&r);
  size_t n;
  char *prev = qrd_test_slurp_n(target, &n);
  /* fill the rest of the disk */
  FILE *f = fopen(fill, "wb");
  ck_assert_ptr_nonnull(f);
  static char block[1024];
  memset(block, 7, sizeof block);
  while (fwrite(block, 1, sizeof block, f) == sizeof block && fflush(f) == 0)
    ;
  fclose(f);
  r = fig(target, "");
  one_error_line(&r, 1, target, "No space left on device");
  qrd_test_run_free(&r);
  ck_assert(same_bytes(target, prev, n));
  ck_assert_int_eq(temporaries(mnt), 0);
  /* room again: the next run succeeds */
  ck_assert_int_eq(unlink(fill), 0);
  r = fig(target, "");
  ck_assert_msg(r.status == 0, "run with room: %s", r.err);
  qrd_test_run_free(&r);
  ck_assert_int_eq(temporaries(mnt), 0);
  free(prev);
  ck_assert_int_eq(umount(mnt), 0);
}
END_TEST

START_TEST(test_read_only_dir)
{
  qrd_test_require_binary(FIG);
  char mnt[96], target[160];
  if (!mount_tmpfs(mnt, sizeof mnt, "size=1m"))
    return;
  snprintf(target, sizeof target, "%s/fig-5.h5", mnt);
  qrd_run_result r = fig(target, "");
  ck_assert_msg(r.status == 0, "first run: %s", r.err);
  qrd_test_run_free(&r);
  size_t n;
  char *prev = qrd_test_slurp_n(target, &n);
  ck_assert_int_eq(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=1m"), 0);
  r = fig(target, "");
  one_error_line(&r, 1, mnt, "Read-only file system");
  qrd_test_run_free(&r);
  ck_assert(same_bytes(target, prev, n));
  free(prev);
  ck_assert_int_eq(umount(mnt), 0);
}
END_TEST

START_TEST(test_refused_targets)
{
  qrd_test_require_binary(FIG);
  char dev[128], lnk[128], sub[128];
  snprintf(dev, sizeof dev, "%s/null", dir);
  snprintf(lnk, sizeof lnk, "%s/link.h5", dir);
  snprintf(sub, sizeof sub, "%s/sub", dir);
  qrd_run_result r = fig(out, "");
  ck_assert_int_eq(r.status, 0);
  qrd_test_run_free(&r);
  ck_assert_int_eq(symlink("fig-5.h5", lnk), 0);
  ck_assert_int_eq(mkdir(sub, 0755), 0);
  size_t n, nc;
  char *prev = qrd_test_slurp_n(out, &n), *config = qrd_test_slurp_n(cfg, &nc);

  r = fig(lnk, "");
  one_error_line(&r, 2, lnk, "symbolic link");
  qrd_test_run_free(&r);
  r = fig(sub, "");
  one_error_line(&r, 2, sub, "directory");
  qrd_test_run_free(&r);
  r = fig(cfg, "");
  one_error_line(&r, 2, cfg, "config");
  qrd_test_run_free(&r);
  struct stat sb;
  if (geteuid() == 0) {
    ck_assert_int_eq(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
    r = fig(dev, "");
    one_error_line(&r, 2, dev, "device");
    qrd_test_run_free(&r);
    ck_assert_int_eq(lstat(dev, &sb), 0);
    ck_assert(S_ISCHR(sb.st_mode));
  } else {
    fprintf(stderr, "test_refused_targets: not root: no device node made\n");
  }
  ck_assert_int_eq(lstat(lnk, &sb), 0);
  ck_assert(S_ISLNK(sb.st_mode));
  ck_assert_int_eq(lstat(sub, &sb), 0);
  ck_assert(S_ISDIR(sb.st_mode));
  ck_assert(same_bytes(out, prev, n));
  ck_assert(same_bytes(cfg, config, nc));
  ck_assert_int_eq(temporaries(dir), 0);
  free(prev);
  free(config);
}
END_TEST

START_TEST(test_threads_bounded)
{
  qrd_test_require_binary(FIG);
  const char *bad[] = {"--threads 100000", "--threads 0", "--threads 4x",
                       "--threads 99999999999999999999"};
  for (size_t i = 0; i < 4; i++) {
    qrd_run_result r = fig(out, bad[i]);
    one_error_line(&r, 2, "--threads", "1 to 1024");
    qrd_test_run_free(&r);
  }
  ck_assert_int_ne(access(out, F_OK), 0);
  qrd_run_result r = fig(out, "--threads 3");
  ck_assert_msg(r.status == 0, "%s", r.err);
  qrd_test_run_free(&r);
}
END_TEST

/* Every subcommand that prints: stdout on a full device. */
START_TEST(test_stdout_full)
{
  qrd_test_require_binary(QRD);
  qrd_run_result r = fig(out, "");
  ck_assert_int_eq(r.status, 0);
  qrd_test_run_free(&r);
  char cmds[][160] = {"dists",
                      "eval --dist gaussian --quantiser lloyd-max --levels 4",
                      "gap --dist gaussian --quantiser uniform --levels 4",
                      "code --quantiser uniform --levels 4",
                      "sigma --family identity --n 4",
                      "--help",
                      "export --panels ",
                      "export "};
  strcat(cmds[6], out);
  strcat(cmds[7], out);
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
    /* control: the command works into a pipe */
    r = qrd_test_run(QRD " %s", cmds[i]);
    ck_assert_msg(r.status == 0 && r.out[0], "qrd %s: exit %d: %s", cmds[i], r.status, r.err);
    qrd_test_run_free(&r);
    r = qrd_test_run("(" QRD " %s >/dev/full)", cmds[i]);
    ck_assert_msg(r.status == 1, "qrd %s >/dev/full: exit %d", cmds[i], r.status);
    ck_assert_msg(qrd_test_count_lines(r.err) == 1, "qrd %s: stderr '%s'", cmds[i], r.err);
    ck_assert_msg(strstr(r.err, "No space left on device"), "qrd %s: '%s'", cmds[i], r.err);
    qrd_test_run_free(&r);
  }
}
END_TEST

Suite *qrd_suite_output_safety(void)
{
  Suite *s = suite_create("output_safety");
  TCase *tc = tcase_create("output_safety");
  tcase_add_checked_fixture(tc, sandbox_open, sandbox_close);
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_kill_nine);
  tcase_add_test(tc, test_disk_full);
  tcase_add_test(tc, test_read_only_dir);
  tcase_add_test(tc, test_refused_targets);
  tcase_add_test(tc, test_threads_bounded);
  tcase_add_test(tc, test_stdout_full);
  suite_add_tcase(s, tc);
  return s;
}
