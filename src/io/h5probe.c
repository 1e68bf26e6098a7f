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

/* Bounded memory in the child: values are read in slabs of this many
 * bytes at most (and attributes larger than it are only opened). */
#define SLAB_BYTES ((size_t)16 << 20)

static double limit_base = 10.0, limit_rate = 50e6;

void qrd_h5probe_limit_set(double base, double bytes_per_second)
{
  limit_base = base;
  limit_rate = bytes_per_second;
}

/* ---- the child: read everything --------------------------------------- */

/* The memory type of `ftype` (native order and sizes), or negative. */
static hid_t memory_type(hid_t ftype)
{
  return ftype < 0 ? H5I_INVALID_HID : H5Tget_native_type(ftype, H5T_DIR_ASCEND);
}

/* Whether values of `mt` hold memory of their own (variable-length
 * sequences or strings, also inside compounds and arrays) to give back
 * after each read: the reclaim walks every element, too slow to run on
 * plain numbers. */
static int has_vlen(hid_t mt)
{
  return H5Tdetect_class(mt, H5T_VLEN) > 0 || H5Tdetect_class(mt, H5T_STRING) > 0;
}

static void read_attribute(hid_t obj, const char *name)
{
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0)
    return;
  hid_t ft = H5Aget_type(a), mt = memory_type(ft), space = H5Aget_space(a);
  hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
  size_t size = mt < 0 ? 0 : H5Tget_size(mt);
  if (n > 0 && size > 0 && (size_t)n <= SLAB_BYTES / size) {
    void *buf = calloc((size_t)n, size);
    if (buf && H5Aread(a, mt, buf) >= 0 && has_vlen(mt))
      H5Dvlen_reclaim(mt, space, H5P_DEFAULT, buf);
    free(buf);
  }
  if (space >= 0)
    H5Sclose(space);
  if (mt >= 0)
    H5Tclose(mt);
  if (ft >= 0)
    H5Tclose(ft);
  H5Aclose(a);
}

static herr_t each_attribute(hid_t obj, const char *name, const H5A_info_t *info, void *p)
{
  (void)info;
  (void)p;
  read_attribute(obj, name);
  return 0;
}

/* Whether the values a dataset declares are backed by its storage in the
 * file: at least 1/1100 of their bytes (deflate's limit is 1032:1).  qrd's
 * readers refuse other datasets from their metadata (io/h5read.h) before
 * reading any value, and reading one would only produce fill values, maybe
 * 2^64 bytes of them. */
static int backed(hid_t d, hid_t space, size_t size)
{
  hssize_t n = H5Sget_simple_extent_npoints(space);
  double stored = (double)H5Dget_storage_size(d);
  return n > 0 && (double)n * (double)size <= 1100.0 * stored;
}

/* All values of a dataset, `rows` of dim 0 at a time. */
static void read_values(hid_t d)
{
  hid_t ft = H5Dget_type(d), mt = memory_type(ft), space = H5Dget_space(d);
  int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  size_t size = mt < 0 ? 0 : H5Tget_size(mt);
  int vlen = mt >= 0 && has_vlen(mt);
  hsize_t dims[H5S_MAX_RANK];
  if (rank >= 0 && size > 0 && H5Sget_simple_extent_dims(space, dims, NULL) == rank &&
      backed(d, space, size)) {
    /* one row's bytes; a row too large for a slab is read as its first
     * element only */
    hsize_t start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
    size_t row = size;
    for (int i = 1; i < rank; i++) {
      count[i] = dims[i];
      row = dims[i] != 0 && row > SLAB_BYTES / dims[i] ? SLAB_BYTES + 1 : row * (size_t)dims[i];
    }
    if (row > SLAB_BYTES)
      for (int i = 1; i < rank; i++)
        count[i] = dims[i] ? 1 : 0;
    hsize_t total = rank == 0 ? 1 : dims[0];
    hsize_t step = row > SLAB_BYTES ? 1 : SLAB_BYTES / row;
    if (step > total)
      step = total;
    /* a slab's bytes: step whole rows (or one element of each) */
    void *buf = malloc(row > SLAB_BYTES ? size : (size_t)(step ? step : 1) * row);
    for (hsize_t r = 0; buf && r < total; r += step) {
      hid_t mem, file = H5Scopy(space);
      if (rank == 0) {
        mem = H5Screate(H5S_SCALAR);
      } else {
        start[0] = r;
        count[0] = total - r < step ? total - r : step;
        H5Sselect_hyperslab(file, H5S_SELECT_SET, start, NULL, count, NULL);
        mem = H5Screate_simple(rank, count, NULL);
      }
      int ok = mem >= 0 && file >= 0 && H5Dread(d, mt, mem, file, H5P_DEFAULT, buf) >= 0;
      if (ok && vlen)
        H5Dvlen_reclaim(mt, mem, H5P_DEFAULT, buf);
      if (mem >= 0)
        H5Sclose(mem);
      if (file >= 0)
        H5Sclose(file);
      if (!ok)
        break;
    }
    free(buf);
  }
  if (space >= 0)
    H5Sclose(space);
  if (mt >= 0)
    H5Tclose(mt);
  if (ft >= 0)
    H5Tclose(ft);
}

static herr_t each_link(hid_t g, const char *name, const H5L_info_t *info, void *p)
{
  (void)g;
  (void)name;
  (void)info;
  (void)p;
  return 0;
}

/* A group's links and an object's attributes are listed through both of
 * their indexes (qrd's readers ask for creation order first): each has
 * its own structures in the file. */
static const H5_index_t indexes[] = {H5_INDEX_CRT_ORDER, H5_INDEX_NAME};

static herr_t each_object(hid_t root, const char *name, const H5O_info_t *info, void *p)
{
  (void)p;
  hid_t o = H5Oopen(root, name, H5P_DEFAULT);
  if (o < 0)
    return 0;
  for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
    hsize_t at = 0;
    H5Aiterate2(o, indexes[i], H5_ITER_INC, &at, each_attribute, NULL);
  }
  if (info->type == H5O_TYPE_DATASET) {
    read_values(o);
  } else if (info->type == H5O_TYPE_GROUP) {
    H5G_info_t g;
    H5Gget_info(o, &g);
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
      hsize_t at = 0;
      H5Literate(o, indexes[i], H5_ITER_INC, &at, each_link, NULL);
    }
  }
  H5Oclose(o);
  return 0;
}

/* The child's whole work; returns only through _exit. */
static void child(const char *path)
{
  /* die of the signal itself, without a sanitizer's or a fuzzer's report:
   * the parent names it */
  static const int deadly[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++)
    signal(deadly[i], SIG_DFL);
#ifdef QRD_SANITIZED
  /* likewise a sanitizer's finding inside libhdf5 (an overlapping memcpy
   * of sizes read from the file): the child still dies of it, the parent
   * refuses the file, and neither the sanitizer's log nor a fuzzer's
   * death callback takes it for a bug of qrd's */
  int null = open("/dev/null", O_WRONLY);
  if (null >= 0)
    __sanitizer_set_report_fd((void *)(intptr_t)null);
  __sanitizer_set_death_callback(NULL);
#endif
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f >= 0) {
    H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, each_object, NULL, H5O_INFO_BASIC);
    H5Fclose(f);
  }
  _exit(0);
}

/* ---- the parent -------------------------------------------------------- */

/* Files already probed, by identity, with the verdict (a refusal's
 * message too: a file is not read again after a loop or a crash). */
#define SEEN_MAX 16
static struct {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  int status;
  char why[QRD_ERROR_DETAIL_MAX];
} seen[SEEN_MAX];
static size_t seen_n, seen_next;

void qrd_h5probe_forget(void)
{
#pragma omp critical(qrd_h5probe_seen)
  seen_n = seen_next = 0;
}

static int same(size_t i, const struct stat *sb)
{
  return seen[i].dev == sb->st_dev && seen[i].ino == sb->st_ino && seen[i].size == sb->st_size &&
         seen[i].mtime.tv_sec == sb->st_mtim.tv_sec && seen[i].mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

/* 1 and the verdict in *st (the refusal's message set again) if the file
 * was probed before; 0 if not. */
static int was_seen(const struct stat *sb, int *st)
{
  int found = 0;
#pragma omp critical(qrd_h5probe_seen)
  for (size_t i = 0; i < seen_n && !found; i++)
    if ((found = same(i, sb)) != 0)
      *st = seen[i].status == QRD_OK ? QRD_OK
                                     : qrd_error_set(seen[i].status, "%s", seen[i].why);
  return found;
}

static void remember(const struct stat *sb, int st)
{
#pragma omp critical(qrd_h5probe_seen)
  {
    size_t i = seen_next;
    seen[i].dev = sb->st_dev;
    seen[i].ino = sb->st_ino;
    seen[i].size = sb->st_size;
    seen[i].mtime = sb->st_mtim;
    seen[i].status = st;
    snprintf(seen[i].why, sizeof seen[i].why, "%s", st == QRD_OK ? "" : qrd_error_detail());
    seen_next = (i + 1) % SEEN_MAX;
    if (seen_n < SEEN_MAX)
      seen_n++;
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

int qrd_h5probe(const char *path)
{
  struct stat sb;
  if (stat(path, &sb) != 0) {
    int e = errno;
    return qrd_error_set(e == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path, strerror(e));
  }
  int st;
  /* not a regular file, or no HDF5 signature where libhdf5 looks for one
   * (a search of a few fixed offsets, safe on any bytes): the caller's
   * open says why */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (!S_ISREG(sb.st_mode) || H5Fis_hdf5(path) <= 0)
    return QRD_OK;
  if (was_seen(&sb, &st))
    return st;
  int fds[2];
  if (pipe(fds) != 0)
    return qrd_error_set(QRD_EIO, "%s: cannot check the file (pipe: %s)", path, strerror(errno));
  /* a program another thread starts must not hold the write end open */
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  fflush(NULL); /* nothing buffered is written twice */
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(path);
  }
  close(fds[1]);
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    return qrd_error_set(e == ENOMEM ? QRD_ENOMEM : QRD_EIO, "%s: cannot check the file (fork: %s)",
                         path, strerror(e));
  }
  double limit = limit_base + (double)sb.st_size / limit_rate;
  int timed_out = !wait_end(fds[0], limit);
  close(fds[0]);
  if (timed_out)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  st = verdict(path, status, timed_out, limit);
  remember(&sb, st);
  return st;
}

/* ---- lookups by listing ------------------------------------------------ */

typedef struct {
  const char *name;
  int found;
} lookup;

static herr_t match_link(hid_t g, const char *name, const H5L_info_t *info, void *p)
{
  (void)g;
  (void)info;
  lookup *l = p;
  l->found = strcmp(name, l->name) == 0;
  return l->found;
}

static herr_t match_attr(hid_t obj, const char *name, const H5A_info_t *info, void *p)
{
  (void)obj;
  (void)info;
  lookup *l = p;
  l->found = strcmp(name, l->name) == 0;
  return l->found;
}

int qrd_h5probe_has_link(hid_t group, const char *name)
{
  lookup l = {name, 0};
  hsize_t at = 0;
  return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &at, match_link, &l) > 0 && l.found;
}

int qrd_h5probe_has_path(hid_t loc, const char *path)
{
  char *copy = strdup(path);
  hid_t at = loc;
  int found = copy != NULL;
  char *p = copy;
  if (found && *p == '/') {
    at = H5Oopen(loc, "/", H5P_DEFAULT);
    found = at >= 0;
  }
  while (found && *(p += strspn(p, "/"))) {
    char *end = p + strcspn(p, "/");
    char c = *end;
    *end = '\0';
    found = qrd_h5probe_has_link(at, p);
    if (found && c != '\0' && end[strspn(end + 1, "/") + 1] != '\0') {
      hid_t next = H5Oopen(at, p, H5P_DEFAULT);
      if (at != loc)
        H5Oclose(at);
      at = next;
      found = at >= 0;
    }
    *end = c;
    p = end;
  }
  if (at >= 0 && at != loc)
    H5Oclose(at);
  free(copy);
  return found;
}

int qrd_h5probe_has_attr(hid_t loc, const char *obj, const char *name)
{
  lookup l = {name, 0};
  hsize_t at = 0;
  return H5Aiterate_by_name(loc, obj, H5_INDEX_NAME, H5_ITER_INC, &at, match_attr, &l,
                            H5P_DEFAULT) > 0 &&
         l.found;
}
