#include "io/h5probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <malloc.h>

#include "core/error.h"

/* ASan builds are recognised; builds with UBSan only (no macro says so)
 * define QRD_SANITIZED themselves (tests/fuzz/fuzz.mk). */
#if defined(QRD_SANITIZED)
#elif defined(__SANITIZE_ADDRESS__)
#define QRD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QRD_SANITIZED 1
#endif
#endif
#ifdef QRD_SANITIZED
#include <stdint.h>
#include <sanitizer/common_interface_defs.h>
#endif

static double limit_base = 10.0, limit_rate = 50e6;

void qrd_h5probe_limit_set(double base, double bytes_per_second)
{
  limit_base = base;
  limit_rate = bytes_per_second;
}

/* Calls inside a rehearsed call (a reader's callback that reads more) are
 * covered by the rehearsal of the outer one. */
static _Thread_local int depth;

/* ---- the child: the rehearsal ------------------------------------------ */

/* libhdf5 can damage its own heap or free lists on a bad file without
 * failing the call (make fuzz found a sequence of inputs after which the
 * library's close at exit, or the fuzzer's own allocation, crashed).
 * Freeing its free lists and closing the library walks what it keeps, so
 * such damage ends the child too.  Not with a file open for writing: the
 * close would flush the caller's metadata from the child. */
#define CLOSE_MAX_FILES 64
static void close_library(void)
{
  H5garbage_collect();
  ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE);
  hid_t ids[CLOSE_MAX_FILES];
  if (n < 0 || n > CLOSE_MAX_FILES || H5Fget_obj_ids(H5F_OBJ_ALL, H5F_OBJ_FILE, (size_t)n, ids) != n)
    return;
  for (ssize_t i = 0; i < n; i++) {
    unsigned intent;
    if (H5Fget_intent(ids[i], &intent) < 0 || (intent & H5F_ACC_RDWR))
      return;
  }
  H5close();
}

/* Runs fn; returns only through _exit. */
static void child(FILE *quiet, int (*fn)(void *), void *ctx)
{
  /* die of the signal itself, without a sanitizer's or a fuzzer's report:
   * the parent names it */
  static const int deadly[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++)
    signal(deadly[i], SIG_DFL);
  int null = open("/dev/null", O_WRONLY);
#ifdef QRD_SANITIZED
  /* likewise a sanitizer's finding inside libhdf5 (an overlapping memcpy
   * of sizes read from the file): the child still dies of it, the parent
   * refuses the file, and neither the sanitizer's log nor a fuzzer's
   * death callback takes it for a bug of qrd's */
  if (null >= 0)
    __sanitizer_set_report_fd((void *)(intptr_t)null);
  __sanitizer_set_death_callback(NULL);
#endif
  /* what fn writes is written once, by the parent */
  if (quiet && null >= 0)
    dup2(null, fileno(quiet));
  depth++;
  fn(ctx);
  close_library();
  _exit(0);
}

/* ---- the parent -------------------------------------------------------- */

/* Files refused, by identity, with the refusal's message: a file is not
 * read again after a loop or a crash. */
#define REFUSED_MAX 16
static struct {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  int status;
  char why[QRD_ERROR_DETAIL_MAX];
} refused[REFUSED_MAX];
static size_t refused_n, refused_next;

void qrd_h5probe_forget(void)
{
#pragma omp critical(qrd_h5probe_refused)
  refused_n = refused_next = 0;
}

static int same(size_t i, const struct stat *sb)
{
  return refused[i].dev == sb->st_dev && refused[i].ino == sb->st_ino && refused[i].size == sb->st_size &&
         refused[i].mtime.tv_sec == sb->st_mtim.tv_sec && refused[i].mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

/* 1 and the refusal in *st (its message set again) if the file was
 * refused before; 0 if not. */
static int was_refused(const struct stat *sb, int *st)
{
  int found = 0;
#pragma omp critical(qrd_h5probe_refused)
  for (size_t i = 0; i < refused_n && !found; i++)
    if ((found = same(i, sb)) != 0)
      *st = qrd_error_set(refused[i].status, "%s", refused[i].why);
  return found;
}

static void remember(const struct stat *sb, int st)
{
#pragma omp critical(qrd_h5probe_refused)
  {
    size_t i = refused_next;
    refused[i].dev = sb->st_dev;
    refused[i].ino = sb->st_ino;
    refused[i].size = sb->st_size;
    refused[i].mtime = sb->st_mtim;
    refused[i].status = st;
    snprintf(refused[i].why, sizeof refused[i].why, "%s", qrd_error_detail());
    refused_next = (i + 1) % REFUSED_MAX;
    if (refused_n < REFUSED_MAX)
      refused_n++;
  }
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Waits for the child's end (the pipe's write end closing) until `limit`
 * seconds; 1 if it ended, 0 on timeout. */
static int wait_end(int fd, double limit)
{
  double end = now() + limit;
  for (;;) {
    double left = end - now();
    if (left <= 0)
      return 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ms = left > 60.0 ? 60000 : (int)(left * 1000.0) + 1;
    int k = poll(&p, 1, ms);
    if (k > 0) {
      char c;
      if (read(fd, &c, 1) <= 0)
        return 1;
    } else if (k < 0 && errno != EINTR) {
      return 1; /* waitpid below still tells how it ended */
    }
  }
}

static int verdict(const char *path, int status, int timed_out, double limit)
{
  if (timed_out)
    return qrd_error_set(QRD_EIO,
                         "%s: damaged HDF5 file: libhdf5 was still reading it after %.0f s "
                         "(a loop in its metadata); refused",
                         path, limit);
  if (WIFSIGNALED(status))
    return qrd_error_set(QRD_EIO, "%s: damaged HDF5 file: libhdf5 crashed reading it (%s); refused",
                         path, strsignal(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return qrd_error_set(QRD_EIO,
                         "%s: damaged HDF5 file: libhdf5 stopped reading it (exit status %d); "
                         "refused",
                         path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return QRD_OK;
}

/* Forks a child that runs fn(ctx) and waits for it: QRD_OK if it ended
 * normally in time, else the refusal. */
static int rehearse(const char *path, const struct stat *sb, FILE *quiet, int (*fn)(void *),
                    void *ctx)
{
  int fds[2];
  if (pipe(fds) != 0)
    return qrd_error_set(QRD_EIO, "%s: cannot check the file (pipe: %s)", path, strerror(errno));
  /* a program another thread starts must not hold the write end open */
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  fflush(NULL); /* nothing buffered is written twice */
#ifdef __GLIBC__
  /* the child's first large malloc would merge the parent's freed small
   * chunks (malloc_consolidate), a copy-on-write fault per page it writes,
   * and this hypervisor makes faults dear: merged here, and free pages
   * returned, the fuzzers' whole-input rehearsals ran 26 -> 31 per second */
  malloc_trim(0);
#endif
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(quiet, fn, ctx);
  }
  close(fds[1]);
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    return qrd_error_set(e == ENOMEM ? QRD_ENOMEM : QRD_EIO, "%s: cannot check the file (fork: %s)",
                         path, strerror(e));
  }
  double limit = limit_base + (double)sb->st_size / limit_rate;
  int timed_out = !wait_end(fds[0], limit);
  close(fds[0]);
  if (timed_out)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return verdict(path, status, timed_out, limit);
}

int qrd_h5probe_call(const char *path, FILE *quiet, int (*fn)(void *ctx), void *ctx)
{
  if (depth > 0)
    return fn(ctx);
  struct stat sb;
  if (stat(path, &sb) != 0) {
    int e = errno;
    return qrd_error_set(e == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path, strerror(e));
  }
  int st;
  if (was_refused(&sb, &st))
    return st;
  if ((st = rehearse(path, &sb, quiet, fn, ctx)) != QRD_OK) {
    remember(&sb, st);
    return st;
  }
  depth++;
  st = fn(ctx);
  depth--;
  return st;
}
