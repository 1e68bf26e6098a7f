#include "io/results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/error.h"
#include "io/blasinfo.h"
#include "io/h5lookup.h"
#include "io/h5probe.h"
#include "io/version.h"

#define DESCRIPTION_MAX 512

/* The root attribute dataset_checksums: every dataset carries HDF5's
 * Fletcher-32 filter. */
#define CHECKSUMS "fletcher32"

struct qrd_results {
  hid_t file;   /* in memory until commit */
  char *path;   /* final name, only ever holds complete files */
  char *tmp;    /* the in-memory file's name (no file on disk) */
  char *protect; /* the config, which the target may not be */
  /* what the next curves carry (qrd_results_describe) */
  char params[DESCRIPTION_MAX], y_err[DESCRIPTION_MAX];
};

/* Panels and curves are listed in the order they were written, which is the
 * order a figure's author chose for legends. */
#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                           */

/* HDF5 prints its error stack to stderr by default; we report one line
 * through qrd_error_set() instead. */
static void h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* HDF5's innermost description, on one line: of a failed system call
 * only the system's reason ("... error message = 'No space left on
 * device', ..."). */
static herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *data)
{
  char *buf = data;
  if (n != 0 || e->desc == NULL)
    return 0;
  const char *why = strstr(e->desc, "error message = '");
  if (why != NULL) {
    why += strlen("error message = '");
    snprintf(buf, 256, "%.*s", (int)strcspn(why, "'"), why);
  } else {
    snprintf(buf, 256, "%s", e->desc);
  }
  buf[strcspn(buf, "\n\r")] = '\0';
  return 0;
}

/* QRD_EIO naming the file and the operation, plus HDF5's most specific
 * reason (e.g. "unable to open file ... Permission denied"). */
static int h5_fail(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int h5_fail(const char *file, const char *fmt, ...)
{
  char what[512], why[256] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, why);
  if (why[0] == '\0')
    return qrd_error_set(QRD_EIO, "%s: %s", file, what);
  return qrd_error_set(QRD_EIO, "%s: %s (%s)", file, what, why);
}

/* Cleanup after a failure would clear the error stack that h5_fail() reports,
 * so it is set aside meanwhile.  Close failures themselves need no check:
 * an object left open makes the final H5Fclose() fail (close degree SEMI). */
static void h5_close(herr_t (*close)(hid_t), hid_t id)
{
  if (id < 0)
    return;
  hid_t stack = H5Eget_current_stack();
  close(id);
  if (stack >= 0)
    H5Eset_current_stack(stack);
}

/* Semi-strong close degree: H5Fclose() fails while any object is still open,
 * instead of silently keeping the file open behind a leaked id. */
static hid_t file_access_plist(void)
{
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0) {
    h5_close(H5Pclose, fapl);
    return H5I_INVALID_HID;
  }
  return fapl;
}

/* Variable-length UTF-8, so h5py returns str rather than bytes. */
static hid_t vlstr_type(void)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 ||
                 H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
    h5_close(H5Tclose, t);
    return H5I_INVALID_HID;
  }
  return t;
}

static char *dup_string(const char *s)
{
  char *d = malloc(strlen(s) + 1);
  return d ? strcpy(d, s) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Safe output files                                                        */

/* HDF5's own exit handler is replaced by this one, which is skipped once a
 * close of a file on disk has failed (qrd_output_h5_close_failed). */
static volatile sig_atomic_t h5_close_failed;

static void h5_at_exit(void)
{
  if (!h5_close_failed)
    H5close();
}

__attribute__((constructor)) static void h5_exit_handler(void)
{
  /* Before the library initialises, so it registers no handler itself. */
  if (H5dont_atexit() >= 0)
    atexit(h5_at_exit);
}

void qrd_output_h5_close_failed(void) { h5_close_failed = 1; }

/* dir <- the directory part of path ("." for a bare name). */
static char *dir_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return dup_string(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *d = malloc(n + 1);
  if (d != NULL) {
    memcpy(d, path, n);
    d[n] = '\0';
  }
  return d;
}

int qrd_output_check(const char *path, const char *protect)
{
  if (path == NULL || path[0] == '\0')
    return qrd_error_set(QRD_EINVAL, "output file: no name given");
  size_t len = strlen(path);
  if (path[len - 1] == '/')
    return qrd_error_set(QRD_EINVAL, "%s: names a directory, not a file", path);
  struct stat sb, pb;
  if (lstat(path, &sb) == 0) {
    if (S_ISLNK(sb.st_mode))
      return qrd_error_set(QRD_EINVAL,
                           "%s: is a symbolic link (refused as an output file: give "
                           "the file's own path or a new name)", path);
    if (S_ISDIR(sb.st_mode))
      return qrd_error_set(QRD_EINVAL, "%s: is a directory (want a file name)", path);
    if (!S_ISREG(sb.st_mode))
      return qrd_error_set(QRD_EINVAL,
                           "%s: is a device or special file, not a regular file "
                           "(refused as an output file)", path);
    if (protect != NULL && stat(protect, &pb) == 0 && pb.st_dev == sb.st_dev &&
        pb.st_ino == sb.st_ino)
      return qrd_error_set(QRD_EINVAL,
                           "%s: is the config file %s (refused as an output file: "
                           "it would be replaced)", path, protect);
  } else if (errno != ENOENT) {
    return qrd_error_set(QRD_EIO, "%s: cannot use as an output file: %s", path,
                         strerror(errno));
  }
  char *dir = dir_of(path);
  if (dir == NULL)
    return qrd_error_set(QRD_ENOMEM, "%s: out of memory", path);
  int st = QRD_OK;
  if (stat(dir, &sb) != 0)
    st = qrd_error_set(QRD_EIO, "%s: cannot write in directory '%s': %s", path, dir,
                       strerror(errno));
  else if (!S_ISDIR(sb.st_mode))
    st = qrd_error_set(QRD_EIO, "%s: '%s' is not a directory", path, dir);
  else if (access(dir, W_OK | X_OK) != 0)
    st = qrd_error_set(QRD_EIO, "%s: cannot write in directory '%s': %s", path, dir,
                       strerror(errno));
  free(dir);
  return st;
}

/* This host's name as it goes into temporary names: letters, digits, '-'. */
static void host_tag(char *buf, size_t size)
{
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  size_t k = 0;
  for (const char *p = host; *p != '\0' && k + 1 < size && k < 32; p++)
    buf[k++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9')) ? *p : '-';
  if (k == 0)
    buf[k++] = 'h';
  buf[k] = '\0';
}

/* Removes <base>.tmp.<host>.<pid>.<random> of this host whose process is
 * gone.  Only regular files that match the pattern exactly are touched. */
static void remove_stale(const char *path, const char *host)
{
  char *dir = dir_of(path);
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  DIR *d = dir ? opendir(dir) : NULL;
  struct dirent *e;
  size_t lb = strlen(base), lh = strlen(host);
  while (d != NULL && (e = readdir(d)) != NULL) {
    const char *n = e->d_name;
    if (strncmp(n, base, lb) != 0 || strncmp(n + lb, ".tmp.", 5) != 0 ||
        strncmp(n + lb + 5, host, lh) != 0 || n[lb + 5 + lh] != '.')
      continue;
    char *end;
    const char *p = n + lb + 5 + lh + 1;
    long pid = strtol(p, &end, 10);
    if (end == p || *end != '.' || pid <= 0 || strlen(end + 1) != 16 ||
        strspn(end + 1, "0123456789abcdef") != 16)
      continue;
    if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    char full[4096];
    struct stat sb;
    if (snprintf(full, sizeof full, "%s/%s", dir, n) < (int)sizeof full &&
        lstat(full, &sb) == 0 && S_ISREG(sb.st_mode))
      unlink(full);
  }
  if (d != NULL)
    closedir(d);
  free(dir);
}

static uint64_t random_bits(void)
{
  static uint64_t counter;
  uint64_t r = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, &r, sizeof r) != (ssize_t)sizeof r) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40);
  }
  if (fd >= 0)
    close(fd);
  /* a counter too, so two names of one process never repeat */
  return r ^ (0x9e3779b97f4a7c15ULL * ++counter);
}

int qrd_output_temp_name(const char *path, char **tmp)
{
  char host[40];
  host_tag(host, sizeof host);
  remove_stale(path, host);
  size_t size = strlen(path) + sizeof ".tmp." + strlen(host) + 64;
  *tmp = malloc(size);
  if (*tmp == NULL)
    return qrd_error_set(QRD_ENOMEM, "%s: out of memory", path);
  struct stat sb;
  for (int tries = 0; tries < 100; tries++) {
    snprintf(*tmp, size, "%s.tmp.%s.%ld.%016llx", path, host, (long)getpid(),
             (unsigned long long)random_bits());
    if (lstat(*tmp, &sb) != 0 && errno == ENOENT)
      return QRD_OK;
  }
  free(*tmp);
  *tmp = NULL;
  return qrd_error_set(QRD_EIO, "%s: cannot find a free temporary name", path);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
  while (n > 0) {
    ssize_t w = write(fd, p, n > ((size_t)1 << 30) ? (size_t)1 << 30 : n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int qrd_output_write(const char *path, const char *protect, const void *bytes, size_t size)
{
  int st = qrd_output_check(path, protect);
  char *tmp = NULL;
  if (st == QRD_OK)
    st = qrd_output_temp_name(path, &tmp);
  if (st != QRD_OK)
    return st;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    st = qrd_error_set(QRD_EIO, "%s: cannot create the temporary file %s: %s", path, tmp,
                       strerror(errno));
    free(tmp);
    return st;
  }
  int bad = write_all(fd, bytes, size) != 0 || fsync(fd) != 0;
  int e = errno;
  if (close(fd) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if (bad)
    st = qrd_error_set(QRD_EIO, "%s: cannot write %s: %s", path, tmp, strerror(e));
  /* the target may have been replaced while the run went on */
  if (st == QRD_OK)
    st = qrd_output_check(path, protect);
  if (st == QRD_OK && rename(tmp, path) != 0)
    st = qrd_error_set(QRD_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
                       strerror(errno));
  if (st != QRD_OK) {
    unlink(tmp);
  } else {
    /* the rename itself, on disk */
    char *dir = dir_of(path);
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
    free(dir);
  }
  free(tmp);
  return st;
}

int64_t qrd_output_mem_fapl(void)
{
  hid_t fapl = file_access_plist();
  if (fapl >= 0 && H5Pset_fapl_core(fapl, (size_t)1 << 16, 0) < 0) {
    h5_close(H5Pclose, fapl);
    return H5I_INVALID_HID;
  }
  return fapl;
}

int qrd_output_mem_image(int64_t file, const char *name, void **image, size_t *size)
{
  *image = NULL;
  *size = 0;
  ssize_t n = -1;
  if (H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0)
    n = H5Fget_file_image(file, NULL, 0);
  void *buf = n > 0 ? malloc((size_t)n) : NULL;
  int ok = buf != NULL && H5Fget_file_image(file, buf, (size_t)n) == n;
  /* in memory: a failed close touches no disk (an object left open) */
  if (H5Fclose(file) < 0)
    ok = 0;
  if (!ok) {
    free(buf);
    return n > 0 && buf == NULL
               ? qrd_error_set(QRD_ENOMEM, "%s: no memory for a file of %zd bytes", name, n)
               : h5_fail(name, "cannot finish the file (an HDF5 object left open?)");
  }
  *image = buf;
  *size = (size_t)n;
  return QRD_OK;
}

/* ------------------------------------------------------------------------ */
/* Writer                                                                   */

/* Names become HDF5 paths, TSV fields and parts of make targets; lower-case
 * words joined by `sep` are safe in all three. */
static int check_name(const char *kind, const char *name, char sep)
{
  int ok = name != NULL && name[0] != '\0' && name[0] != sep;
  for (const char *p = name; ok && *p != '\0'; p++)
    ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
         (*p == sep && p[1] != sep && p[1] != '\0');
  if (!ok)
    return qrd_error_set(QRD_EINVAL,
                         "%s name '%s' is invalid: use lower-case words of "
                         "letters and digits joined by '%c'",
                         kind, name ? name : "(null)", sep);
  return QRD_OK;
}

/* Labels and titles end up on one TSV line or gnuplot header, where a tab or
 * newline would shift or split the columns. */
static int check_text(const char *kind, const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return qrd_error_set(QRD_EINVAL,
                           "%s '%s' contains a control character (tab, "
                           "newline, ...)", kind, text);
  return QRD_OK;
}

static int write_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                      const void *value)
{
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = space < 0 ? H5I_INVALID_HID
                         : H5Acreate2(loc, name, ftype, space, H5P_DEFAULT,
                                      H5P_DEFAULT);
  herr_t st = attr < 0 ? -1 : H5Awrite(attr, mtype, value);
  h5_close(H5Aclose, attr);
  h5_close(H5Sclose, space);
  return st < 0 ? -1 : 0;
}

/* `obj` names the object in error messages. */
static int set_string(const qrd_results *r, hid_t loc, const char *obj,
                      const char *name, const char *value)
{
  const char *v = value ? value : "";
  hid_t t = vlstr_type();
  int st = t < 0 ? -1 : write_attr(loc, name, t, t, &v);
  h5_close(H5Tclose, t);
  if (st < 0)
    return h5_fail(r->path, "cannot write attribute '%s' of '%s'", name, obj);
  return QRD_OK;
}

static int set_number(const qrd_results *r, hid_t loc, const char *obj,
                      const char *name, hid_t ftype, hid_t mtype,
                      const void *value)
{
  if (write_attr(loc, name, ftype, mtype, value) < 0)
    return h5_fail(r->path, "cannot write attribute '%s' of '%s'", name, obj);
  return QRD_OK;
}

/* Creation order is tracked so readers list members as written, and object
 * times are off so identical runs give identical object headers. */
static hid_t group_create(hid_t loc, const char *name)
{
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  hid_t g = H5I_INVALID_HID;
  if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0 &&
      H5Pset_link_creation_order(gcpl, CRT_ORDER) >= 0)
    g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
  h5_close(H5Pclose, gcpl);
  return g;
}

/* Chunked, so that HDF5's Fletcher-32 filter can store a checksum of each
 * chunk, which every read verifies; the values are stored unchanged. */
#define CHUNK_POINTS ((hsize_t)1 << 16)

static int write_dataset(hid_t loc, const char *name, size_t n, const double *v)
{
  hsize_t dim = n, chunk = dim < CHUNK_POINTS ? dim : CHUNK_POINTS;
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t space = H5Screate_simple(1, &dim, NULL);
  hid_t d = H5I_INVALID_HID;
  herr_t st = -1;
  if (dcpl >= 0 && space >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 &&
      H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_fletcher32(dcpl) >= 0)
    d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl,
                   H5P_DEFAULT);
  if (d >= 0)
    st = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  h5_close(H5Dclose, d);
  h5_close(H5Sclose, space);
  h5_close(H5Pclose, dcpl);
  return st < 0 ? -1 : 0;
}

/* The whole file, so the exact configuration is recoverable from a result
 * (a re-serialised config could round numbers). */
int qrd_results_read_config(const char *path, char **out)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    int e = errno;
    return qrd_error_set(e == ENOENT ? QRD_ENOTFOUND : QRD_EIO,
                         "%s: cannot read config: %s", path, strerror(e));
  }
  size_t n = 0, cap = 0;
  char *buf = NULL;
  int st = QRD_OK;
  while (st == QRD_OK && !feof(f) && !ferror(f)) {
    if (n + 1 >= cap) {
      char *b = realloc(buf, cap = cap ? 2 * cap : 4096);
      if (b == NULL) {
        st = qrd_error_set(QRD_ENOMEM, "%s: config too large", path);
        break;
      }
      buf = b;
    }
    n += fread(buf + n, 1, cap - n - 1, f);
  }
  if (st == QRD_OK && ferror(f))
    st = qrd_error_set(QRD_EIO, "%s: cannot read config", path);
  fclose(f);
  if (st == QRD_OK && buf == NULL)
    st = qrd_error_set(QRD_ENOMEM, "%s: out of memory", path);
  if (st == QRD_OK && memchr(buf, '\0', n) != NULL)
    st = qrd_error_set(QRD_ECONFIG,
                       "%s: config contains a NUL byte (not a text file?)",
                       path);
  if (st != QRD_OK) {
    free(buf);
    return st;
  }
  buf[n] = '\0';
  *out = buf;
  return QRD_OK;
}

/* First line of a command's output: 1 if there was one, 0 if the output was
 * empty, -1 if the command failed. */
static int run_line(const char *cmd, char *buf, size_t size)
{
  FILE *p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  buf[0] = '\0';
  int got = fgets(buf, (int)size, p) != NULL;
  while (fgetc(p) != EOF) /* drain, so the command never dies of SIGPIPE */
    ;
  int rc = pclose(p);
  buf[strcspn(buf, "\n")] = '\0';
  return rc == 0 ? got : -1;
}

/* Untracked files count as changes: the wildcard build compiles them. */
void qrd_results_git_commit(char *buf, size_t size)
{
  char line[8];
  if (run_line("git rev-parse HEAD 2>/dev/null", buf, size) != 1) {
    snprintf(buf, size, "unknown");
    return;
  }
  /* A failed status is treated as dirty: the commit alone is not proof. */
  if (run_line("git status --porcelain 2>/dev/null", line, sizeof line) != 0)
    strncat(buf, "-dirty", size - strlen(buf) - 1);
}

static void utc_now(char *buf, size_t size)
{
  time_t t = time(NULL);
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL ||
      strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, size, "unknown");
}

static int omp_threads(void)
{
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

typedef struct {
  const char *name;
  const char *text; /* NULL: a number */
  hid_t ftype, mtype;
  const void *number;
} prov_attr;

static int write_provenance(const qrd_results *r, const qrd_provenance *prov,
                            const char *config, const char *commit)
{
  char created[32], h5ver[32];
  unsigned maj = 0, min = 0, rel = 0;
  uint64_t seed = prov->seed;
  int omp = omp_threads(), blas = qrd_openblas_threads();
  utc_now(created, sizeof created);
  H5get_libversion(&maj, &min, &rel);
  snprintf(h5ver, sizeof h5ver, "%u.%u.%u", maj, min, rel);

  const prov_attr attrs[] = {
      {"qrd_version", QRD_VERSION, 0, 0, NULL},
      {"git_commit", commit, 0, 0, NULL},
      {"created_utc", created, 0, 0, NULL},
      {"config", config, 0, 0, NULL},
      {"config_path", prov->config_path, 0, 0, NULL},
      {"seed", NULL, H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed},
      {"rng", prov->rng, 0, 0, NULL},
      {"gsl_version", gsl_version, 0, 0, NULL}, /* the library linked */
      {"hdf5_version", h5ver, 0, 0, NULL},
      {"openblas_config", qrd_openblas_config(), 0, 0, NULL},
      {"openblas_corename", qrd_openblas_corename(), 0, 0, NULL},
      {"threads", NULL, H5T_STD_I32LE, H5T_NATIVE_INT, &prov->threads},
      {"omp_max_threads", NULL, H5T_STD_I32LE, H5T_NATIVE_INT, &omp},
      {"openblas_threads", NULL, H5T_STD_I32LE, H5T_NATIVE_INT, &blas},
      {"merged_shards", prov->merged_shards ? prov->merged_shards : "", 0, 0, NULL},
      {"dataset_checksums", CHECKSUMS, 0, 0, NULL},
  };
  int st = QRD_OK;
  for (size_t i = 0; st == QRD_OK && i < sizeof attrs / sizeof *attrs; i++) {
    const prov_attr *a = &attrs[i];
    st = a->number == NULL
             ? set_string(r, r->file, "/", a->name, a->text)
             : set_number(r, r->file, "/", a->name, a->ftype, a->mtype,
                          a->number);
  }
  return st;
}

/* The root group also tracks attribute order, so the export's provenance
 * comments come out in the order above.  The file lives in memory until
 * qrd_results_commit() writes it. */
static hid_t file_create(const char *name)
{
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  hid_t fapl = qrd_output_mem_fapl();
  hid_t file = H5I_INVALID_HID;
  /* istore_k 1: a curve's few chunks need no B-tree node of 32 entries
   * (each ~2 KB) */
  if (fcpl >= 0 && fapl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0 &&
      H5Pset_link_creation_order(fcpl, CRT_ORDER) >= 0 &&
      H5Pset_attr_creation_order(fcpl, CRT_ORDER) >= 0 && H5Pset_istore_k(fcpl, 1) >= 0)
    file = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl);
  h5_close(H5Pclose, fapl);
  h5_close(H5Pclose, fcpl);
  return file;
}

static void results_free(qrd_results *r)
{
  free(r->path);
  free(r->tmp);
  free(r->protect);
  free(r);
}

/* The in-memory file's name is unique in the process, so two results
 * files of one target never meet in HDF5's list of open files. */
static int results_alloc(const char *path, const char *protect, qrd_results **out)
{
  static unsigned long serial;
  qrd_results *r = calloc(1, sizeof *r);
  size_t size = strlen(path) + 64;
  if (r != NULL) {
    r->file = H5I_INVALID_HID;
    r->path = dup_string(path);
    r->tmp = malloc(size);
    r->protect = protect ? dup_string(protect) : NULL;
  }
  if (r == NULL || r->path == NULL || r->tmp == NULL || (protect && !r->protect)) {
    if (r != NULL)
      results_free(r);
    return qrd_error_set(QRD_ENOMEM, "%s: out of memory", path);
  }
  snprintf(r->tmp, size, "%s.mem.%ld.%lu", path, (long)getpid(), ++serial);
  *out = r;
  return QRD_OK;
}

int qrd_results_create(const char *path, const qrd_provenance *prov,
                       qrd_results **out)
{
  *out = NULL;
  if (path == NULL || path[0] == '\0' || prov == NULL)
    return qrd_error_set(QRD_EINVAL, "results: no path or provenance given");
  h5_quiet();
  int st = qrd_output_check(path, prov->config_path);
  if (st != QRD_OK)
    return st;
  char commit[64];
  qrd_results_git_commit(commit, sizeof commit);

  char *config = NULL;
  st = prov->config_path ? qrd_results_read_config(prov->config_path, &config)
                         : QRD_OK;
  qrd_results *r = NULL;
  if (st == QRD_OK)
    st = results_alloc(path, prov->config_path, &r);
  if (st == QRD_OK) {
    r->file = file_create(r->tmp);
    if (r->file < 0) {
      st = h5_fail(path, "cannot create file");
      results_free(r);
    } else if ((st = write_provenance(r, prov, config, commit)) != QRD_OK) {
      qrd_results_abort(r);
    } else {
      *out = r;
    }
  }
  free(config);
  return st;
}

int qrd_results_panel(qrd_results *r, const char *panel, const char *title,
                      const char *x_label, const char *y_label)
{
  int st = check_name("panel", panel, '-');
  if (st == QRD_OK)
    st = check_text("title", title);
  if (st == QRD_OK)
    st = check_text("x label", x_label);
  if (st == QRD_OK)
    st = check_text("y label", y_label);
  if (st != QRD_OK)
    return st;
  h5_quiet();
  if (qrd_h5lookup_link(r->file, panel))
    return qrd_error_set(QRD_EINVAL, "%s: panel '%s' already exists", r->path,
                         panel);
  hid_t g = group_create(r->file, panel);
  if (g < 0)
    return h5_fail(r->path, "cannot create panel '/%s'", panel);
  st = set_string(r, g, panel, "title", title);
  if (st == QRD_OK)
    st = set_string(r, g, panel, "x_label", x_label);
  if (st == QRD_OK)
    st = set_string(r, g, panel, "y_label", y_label);
  h5_close(H5Gclose, g);
  return st;
}

/* A results file holds finite numbers, a NaN or an infinity being a failed
 * computation that must not reach a plot as a number; the one exception is
 * a y_err of +inf, the standard error of R under a source law without a
 * finite fourth moment (quant/sampling_sd.h), which is a defined answer. */
static int value_allowed(const char *set, double v)
{
  return isfinite(v) || (v == INFINITY && strcmp(set, "y_err") == 0);
}

static int check_finite(const char *panel, const char *curve, const char *set,
                        size_t n, const double *v)
{
  for (size_t i = 0; v != NULL && i < n; i++)
    if (!value_allowed(set, v[i]))
      return qrd_error_set(QRD_EDOM,
                           "curve '/%s/%s': %s[%zu] is %g (results must be finite; "
                           "y_err may be +inf)", panel, curve, set, i, v[i]);
  return QRD_OK;
}

static int check_curve(const qrd_results *r, const char *panel,
                       const char *curve, const char *label, size_t n,
                       const double *x, const double *y, const double *y_err)
{
  int st = check_name("panel", panel, '-');
  if (st == QRD_OK)
    st = check_name("curve", curve, '-');
  if (st == QRD_OK)
    st = check_text("label", label);
  if (st != QRD_OK)
    return st;
  if (n == 0 || x == NULL || y == NULL)
    return qrd_error_set(QRD_EINVAL, "curve '/%s/%s': no points given",
                         panel, curve);
  if (n > QRD_RESULTS_MAX_POINTS)
    return qrd_error_set(QRD_EINVAL, "curve '/%s/%s': %zu points (at most %zu)",
                         panel, curve, n, QRD_RESULTS_MAX_POINTS);
  if ((st = check_finite(panel, curve, "x", n, x)) != QRD_OK ||
      (st = check_finite(panel, curve, "y", n, y)) != QRD_OK ||
      (st = check_finite(panel, curve, "y_err", n, y_err)) != QRD_OK)
    return st;
  if (!qrd_h5lookup_link(r->file, panel))
    return qrd_error_set(QRD_ENOTFOUND,
                         "%s: curve '%s' in panel '%s', which does not exist "
                         "(create it with qrd_results_panel first)",
                         r->path, curve, panel);
  return QRD_OK;
}

static int write_curve(const qrd_results *r, hid_t g, const char *obj,
                       const char *label, size_t n, const double *x,
                       const double *y, const double *y_err)
{
  const char *names[] = {"x", "y", "y_err"};
  const double *data[] = {x, y, y_err};
  for (int i = 0; i < 3; i++)
    if (data[i] != NULL && write_dataset(g, names[i], n, data[i]) < 0)
      return h5_fail(r->path, "cannot write dataset '%s/%s'", obj, names[i]);
  int st = set_string(r, g, obj, "label", label);
  if (st == QRD_OK && r->params[0])
    st = set_string(r, g, obj, "params", r->params);
  if (st == QRD_OK && y_err)
    st = set_string(r, g, obj, "y_err", r->y_err);
  return st;
}

int qrd_results_describe(qrd_results *r, const char *params, const char *y_err)
{
  int st = QRD_OK;
  if (params && (st = check_text("params", params)) == QRD_OK &&
      strlen(params) >= DESCRIPTION_MAX)
    st = qrd_error_set(QRD_EINVAL, "curve params '%.40s...' longer than %d bytes", params,
                       DESCRIPTION_MAX - 1);
  if (st == QRD_OK && y_err && (st = check_text("y_err meaning", y_err)) == QRD_OK &&
      strlen(y_err) >= DESCRIPTION_MAX)
    st = qrd_error_set(QRD_EINVAL, "y_err meaning '%.40s...' longer than %d bytes", y_err,
                       DESCRIPTION_MAX - 1);
  if (st != QRD_OK)
    return st;
  if (params)
    snprintf(r->params, sizeof r->params, "%s", params);
  if (y_err)
    snprintf(r->y_err, sizeof r->y_err, "%s", y_err);
  return QRD_OK;
}

int qrd_results_curve(qrd_results *r, const char *panel, const char *curve,
                      const char *label, size_t n, const double *x,
                      const double *y, const double *y_err)
{
  h5_quiet();
  int st = check_curve(r, panel, curve, label, n, x, y, y_err);
  if (st == QRD_OK && y_err && !r->y_err[0])
    st = qrd_error_set(QRD_EINVAL, "%s: curve '/%s/%s' has y_err but the file does not say "
                       "what it means (qrd_results_describe)", r->path, panel, curve);
  if (st != QRD_OK)
    return st;
  char obj[256];
  snprintf(obj, sizeof obj, "/%s/%s", panel, curve);
  hid_t pg = H5Gopen2(r->file, panel, H5P_DEFAULT);
  if (pg < 0)
    return h5_fail(r->path, "cannot open panel '/%s'", panel);
  if (qrd_h5lookup_link(pg, curve)) {
    h5_close(H5Gclose, pg);
    return qrd_error_set(QRD_EINVAL, "%s: curve '%s' already exists", r->path,
                         obj);
  }
  hid_t cg = group_create(pg, curve);
  if (cg < 0)
    st = h5_fail(r->path, "cannot create curve '%s'", obj);
  else
    st = write_curve(r, cg, obj, label, n, x, y, y_err);
  h5_close(H5Gclose, cg);
  h5_close(H5Gclose, pg);
  return st;
}

/* Root attribute names are lower-case words joined by '_', like the
 * provenance ones, which they may not replace. */
static int check_root_attr(const qrd_results *r, const char *name)
{
  int st = check_name("attribute", name, '_');
  if (st == QRD_OK && H5Aexists(r->file, name) > 0)
    st = qrd_error_set(QRD_EINVAL, "%s: root attribute '%s' already exists",
                       r->path, name);
  return st;
}

int qrd_results_attr_double(qrd_results *r, const char *name, double value)
{
  h5_quiet();
  int st = check_root_attr(r, name);
  if (st != QRD_OK)
    return st;
  return set_number(r, r->file, "/", name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                    &value);
}

int qrd_results_attr_string(qrd_results *r, const char *name,
                            const char *value)
{
  h5_quiet();
  int st = check_root_attr(r, name);
  if (st == QRD_OK)
    st = check_text("attribute value", value);
  if (st != QRD_OK)
    return st;
  return set_string(r, r->file, "/", name, value);
}

int qrd_results_commit(qrd_results *r)
{
  if (r == NULL)
    return qrd_error_set(QRD_EINVAL, "results: commit of a NULL handle");
  h5_quiet();
  void *image = NULL;
  size_t size = 0;
  int st = qrd_output_mem_image(r->file, r->path, &image, &size);
  r->file = H5I_INVALID_HID;
  if (st == QRD_OK)
    st = qrd_output_write(r->path, r->protect, image, size);
  free(image);
  results_free(r);
  return st;
}

void qrd_results_abort(qrd_results *r)
{
  if (r == NULL)
    return;
  h5_quiet();
  if (r->file >= 0)
    H5Fclose(r->file);
  results_free(r);
}

/* ------------------------------------------------------------------------ */
/* Readers                                                                  */

typedef struct {
  char **v;
  size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  *l = (name_list){0};
}

static herr_t names_push(name_list *l, const char *name)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    char **v = realloc(l->v, cap * sizeof *v);
    if (v == NULL)
      return -1;
    l->v = v;
    l->cap = cap;
  }
  if ((l->v[l->n] = dup_string(name)) == NULL)
    return -1;
  l->n++;
  return 0;
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info_t *info,
                      void *data)
{
  (void)g;
  (void)info;
  return names_push(data, name);
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info,
                      void *data)
{
  (void)loc;
  (void)info;
  return names_push(data, name);
}

static herr_t iterate(hid_t loc, int attrs, H5_index_t index, name_list *out)
{
  hsize_t idx = 0;
  if (attrs)
    return H5Aiterate2(loc, index, H5_ITER_INC, &idx, attr_cb, out);
  return H5Literate(loc, index, H5_ITER_INC, &idx, link_cb, out);
}

/* Member (or, with `attrs`, attribute) names in creation order; by name for
 * files written without a creation-order index. */
static int list_names(hid_t loc, int attrs, const char *path, name_list *out)
{
  if (iterate(loc, attrs, H5_INDEX_CRT_ORDER, out) >= 0)
    return QRD_OK;
  names_free(out);
  if (iterate(loc, attrs, H5_INDEX_NAME, out) >= 0)
    return QRD_OK;
  names_free(out);
  return h5_fail(path, "cannot list %s", attrs ? "attributes" : "groups");
}

static int verify_file(hid_t f, const char *path);

/* Opens a results file to export it, after reading every curve once. */
static int file_open(const char *path, hid_t *out)
{
  struct stat sb;
  h5_quiet();
  if (stat(path, &sb) != 0) {
    int e = errno;
    return qrd_error_set(e == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path,
                         strerror(e));
  }
  if (H5Fis_hdf5(path) <= 0)
    return qrd_error_set(QRD_EIO, "%s: not an HDF5 file", path);
  hid_t fapl = file_access_plist();
  hid_t f = fapl < 0 ? H5I_INVALID_HID : H5Fopen(path, H5F_ACC_RDONLY, fapl);
  h5_close(H5Pclose, fapl);
  if (f < 0)
    return h5_fail(path, "cannot open");
  int st = verify_file(f, path);
  if (st != QRD_OK) {
    h5_close(H5Fclose, f);
    return st;
  }
  *out = f;
  return QRD_OK;
}

/* Closes the file and reports the first of: the export's status, a close
 * failure, a write error on `out`. */
static int file_finish(hid_t f, const char *path, FILE *out, int st)
{
  if (H5Fclose(f) < 0 && st == QRD_OK)
    st = h5_fail(path, "cannot close");
  if (fflush(out) != 0 || ferror(out)) {
    if (st == QRD_OK)
      st = qrd_error_set(QRD_EIO, "%s: cannot write the export: %s", path,
                         strerror(errno));
  }
  return st;
}

static char *format_number(int is_float, int is_signed, hid_t a)
{
  char buf[32];
  double d;
  long long i;
  unsigned long long u;
  if (is_float) {
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &d) < 0)
      return NULL;
    snprintf(buf, sizeof buf, "%.17g", d);
  } else if (is_signed) {
    if (H5Aread(a, H5T_NATIVE_LLONG, &i) < 0)
      return NULL;
    snprintf(buf, sizeof buf, "%lld", i);
  } else {
    if (H5Aread(a, H5T_NATIVE_ULLONG, &u) < 0)
      return NULL;
    snprintf(buf, sizeof buf, "%llu", u);
  }
  return dup_string(buf);
}

/* Fixed-length strings too, so files from h5py or H5LT also export. */
static char *format_string(hid_t a, hid_t ftype)
{
  hid_t mt = H5Tget_native_type(ftype, H5T_DIR_ASCEND);
  char *s = NULL;
  if (mt >= 0 && H5Tis_variable_str(mt) > 0) {
    char *v = NULL;
    if (H5Aread(a, mt, &v) >= 0) {
      s = dup_string(v ? v : "");
      H5free_memory(v);
    }
  } else if (mt >= 0) {
    size_t size = H5Tget_size(mt);
    s = size > ((size_t)1 << 24) ? NULL : calloc(size + 1, 1);
    if (s != NULL && H5Aread(a, mt, s) < 0) {
      free(s);
      s = NULL;
    }
  }
  h5_close(H5Tclose, mt);
  return s;
}

/* A scalar attribute as text: strings as they are, numbers losslessly. */
static int attr_text(hid_t loc, const char *name, const char *path,
                     const char *obj, char **out)
{
  hid_t a = qrd_h5lookup_attr(loc, ".", name) ? H5Aopen(loc, name, H5P_DEFAULT)
                                                : H5I_INVALID_HID;
  hid_t t = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t s = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  H5T_class_t c = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
  *out = NULL;
  if (s >= 0 && H5Sget_simple_extent_npoints(s) != 1)
    *out = dup_string("(array)");
  else if (c == H5T_STRING)
    *out = format_string(a, t);
  else if (c == H5T_FLOAT)
    *out = format_number(1, 1, a);
  else if (c == H5T_INTEGER)
    *out = format_number(0, H5Tget_sign(t) != H5T_SGN_NONE, a);
  else if (c != H5T_NO_CLASS)
    *out = dup_string("(unsupported type)");
  h5_close(H5Sclose, s);
  h5_close(H5Tclose, t);
  h5_close(H5Aclose, a);
  if (*out == NULL)
    return h5_fail(path, "cannot read attribute '%s' of '%s'", name, obj);
  return QRD_OK;
}

/* Foreign files may hold tabs or newlines, which would break the line
 * structure of the export. */
static void put_text(const char *s, FILE *out)
{
  for (; *s != '\0'; s++)
    fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

static int put_comments(hid_t f, const char *path, FILE *out)
{
  name_list attrs = {0};
  int st = list_names(f, 1, path, &attrs);
  for (size_t i = 0; st == QRD_OK && i < attrs.n; i++) {
    char *v;
    if (strcmp(attrs.v[i], "config") == 0) /* many lines: see the .h5 */
      continue;
    if ((st = attr_text(f, attrs.v[i], path, "/", &v)) != QRD_OK)
      break;
    fprintf(out, "# %s: ", attrs.v[i]);
    put_text(v, out);
    fputc('\n', out);
    free(v);
  }
  names_free(&attrs);
  return st;
}

typedef struct {
  char *label;
  char *params, *meaning; /* attributes params and y_err, NULL when absent */
  size_t n;
  double *x, *y, *y_err; /* y_err NULL when absent */
} curve_data;

static void curve_free(curve_data *c)
{
  free(c->label);
  free(c->params);
  free(c->meaning);
  free(c->x);
  free(c->y);
  free(c->y_err);
}

/* The file says every dataset carries a checksum (qrd writes
 * dataset_checksums; files of other writers need not). */
static int checksums_declared(hid_t loc)
{
  return qrd_h5lookup_attr(loc, "/", "dataset_checksums");
}

/* Whether the stored bytes can hold what the dataset declares, for layouts
 * that store every value as it is (no filter, or only Fletcher-32). */
static int storage_holds(hid_t d, hid_t dcpl, hid_t t, hssize_t np)
{
  int nf = H5Pget_nfilters(dcpl);
  unsigned flags = 0;
  size_t nelmts = 0;
  unsigned cd[4];
  int only_checksum =
      nf == 1 && H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, &flags, &nelmts, cd, 0,
                                      NULL, NULL) >= 0;
  if (nf != 0 && !only_checksum)
    return 1; /* compressed: the reader finds out */
  size_t size = H5Tget_size(t);
  return size > 0 && (hsize_t)np <= H5Dget_storage_size(d) / size;
}

static int read_dataset(hid_t g, const char *name, const char *path,
                        const char *obj, size_t *n, double **out)
{
  *out = NULL;
  hid_t d = qrd_h5lookup_link(g, name) ? H5Dopen2(g, name, H5P_DEFAULT) : H5I_INVALID_HID;
  hid_t s = d < 0 ? H5I_INVALID_HID : H5Dget_space(d);
  hid_t t = d < 0 ? H5I_INVALID_HID : H5Dget_type(d);
  hid_t dcpl = d < 0 ? H5I_INVALID_HID : H5Dget_create_plist(d);
  hssize_t np = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);
  int st = QRD_OK;
  if (np < 0 || t < 0 || dcpl < 0 || H5Sget_simple_extent_ndims(s) != 1) {
    st = h5_fail(path, "cannot read '%s/%s' as a 1-D float64 dataset", obj, name);
  } else if ((size_t)np > QRD_RESULTS_MAX_POINTS) {
    st = qrd_error_set(QRD_EIO, "%s: '%s/%s' declares %lld points (at most %zu)", path,
                       obj, name, (long long)np, QRD_RESULTS_MAX_POINTS);
  } else if (checksums_declared(d) &&
             H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, NULL, NULL, NULL, 0, NULL,
                                  NULL) < 0) {
    st = qrd_error_set(QRD_EIO,
                       "%s: '%s/%s' has no checksum though the file declares "
                       "dataset_checksums (a damaged file)", path, obj, name);
  } else if (!storage_holds(d, dcpl, t, np)) {
    st = qrd_error_set(QRD_EIO, "%s: '%s/%s' declares %lld points but stores fewer "
                       "(a damaged file)", path, obj, name, (long long)np);
  } else if ((*out = malloc(((size_t)np + 1) * sizeof **out)) == NULL) {
    st = qrd_error_set(QRD_ENOMEM, "%s: no memory for '%s/%s' (%lld points)", path, obj,
                       name, (long long)np);
  } else if (np > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                               *out) < 0) {
    st = h5_fail(path, "cannot read '%s/%s' as a 1-D float64 dataset", obj, name);
  }
  for (hssize_t i = 0; st == QRD_OK && i < np; i++)
    if (!value_allowed(name, (*out)[i]))
      st = qrd_error_set(QRD_EIO, "%s: '%s/%s'[%lld] is %g: refused (results hold "
                         "finite numbers only; y_err may be +inf)", path, obj, name,
                         (long long)i, (*out)[i]);
  h5_close(H5Pclose, dcpl);
  h5_close(H5Tclose, t);
  h5_close(H5Sclose, s);
  h5_close(H5Dclose, d);
  if (st != QRD_OK) {
    free(*out);
    *out = NULL;
    return st;
  }
  *n = (size_t)np;
  return QRD_OK;
}

static int read_curve_data(hid_t g, const char *path, const char *obj,
                           curve_data *c)
{
  size_t ny = 0, ne = 0;
  int st = attr_text(g, "label", path, obj, &c->label);
  if (st == QRD_OK && qrd_h5lookup_attr(g, ".", "params"))
    st = attr_text(g, "params", path, obj, &c->params);
  if (st == QRD_OK && qrd_h5lookup_attr(g, ".", "y_err"))
    st = attr_text(g, "y_err", path, obj, &c->meaning);
  if (st == QRD_OK)
    st = read_dataset(g, "x", path, obj, &c->n, &c->x);
  if (st == QRD_OK)
    st = read_dataset(g, "y", path, obj, &ny, &c->y);
  if (st == QRD_OK && qrd_h5lookup_link(g, "y_err"))
    st = read_dataset(g, "y_err", path, obj, &ne, &c->y_err);
  if (st == QRD_OK && (ny != c->n || (c->y_err != NULL && ne != c->n)))
    st = qrd_error_set(QRD_EIO, "%s: '%s': x, y and y_err differ in length",
                       path, obj);
  return st;
}

static int read_curve(hid_t panel_g, const char *path, const char *panel,
                      const char *curve, curve_data *c)
{
  char obj[256];
  snprintf(obj, sizeof obj, "/%s/%s", panel, curve);
  *c = (curve_data){0};
  hid_t g = H5Gopen2(panel_g, curve, H5P_DEFAULT);
  if (g < 0)
    return h5_fail(path, "cannot open curve '%s'", obj);
  int st = read_curve_data(g, path, obj, c);
  h5_close(H5Gclose, g);
  return st;
}

typedef void (*curve_fn)(const char *panel, const char *curve,
                         const curve_data *c, FILE *out);

static int for_each_curve(hid_t f, const char *path, const char *panel,
                          curve_fn fn, FILE *out)
{
  hid_t g = H5Gopen2(f, panel, H5P_DEFAULT);
  if (g < 0)
    return h5_fail(path, "cannot open panel '/%s'", panel);
  name_list curves = {0};
  int st = list_names(g, 0, path, &curves);
  for (size_t i = 0; st == QRD_OK && i < curves.n; i++) {
    curve_data c;
    st = read_curve(g, path, panel, curves.v[i], &c);
    if (st == QRD_OK)
      fn(panel, curves.v[i], &c, out);
    curve_free(&c);
  }
  names_free(&curves);
  h5_close(H5Gclose, g);
  return st;
}

static void no_output(const char *panel, const char *curve, const curve_data *c,
                      FILE *out)
{
  (void)panel;
  (void)curve;
  (void)c;
  (void)out;
}

/* Reads every curve of the file once (checksums, sizes, finite values),
 * so an export prints nothing from a damaged file. */
static int verify_file(hid_t f, const char *path)
{
  name_list panels = {0};
  int st = list_names(f, 0, path, &panels);
  for (size_t i = 0; st == QRD_OK && i < panels.n; i++)
    st = for_each_curve(f, path, panels.v[i], no_output, NULL);
  names_free(&panels);
  return st;
}

/* " y_err=<meaning>; params=<params>;" of the curve that has them. */
static void describe(const curve_data *c, FILE *out)
{
  if (c->meaning) {
    fputs(" y_err=", out);
    put_text(c->meaning, out);
    fputc(';', out);
  }
  if (c->params) {
    fputs(" params=", out);
    put_text(c->params, out);
    fputc(';', out);
  }
}

/* The long TSV's comment per described curve, before the header. */
static void tsv_comment(const char *panel, const char *curve, const curve_data *c,
                        FILE *out)
{
  if (!c->meaning && !c->params)
    return;
  fputs("# ", out);
  put_text(panel, out);
  fputc('/', out);
  put_text(curve, out);
  fputc(':', out);
  describe(c, out);
  fputc('\n', out);
}

static void tsv_rows(const char *panel, const char *curve, const curve_data *c,
                     FILE *out)
{
  for (size_t i = 0; i < c->n; i++) {
    put_text(panel, out);
    fputc('\t', out);
    put_text(curve, out);
    fputc('\t', out);
    put_text(c->label, out);
    fprintf(out, "\t%.17g\t%.17g\t", c->x[i], c->y[i]);
    if (c->y_err != NULL)
      fprintf(out, "%.17g", c->y_err[i]);
    fputc('\n', out);
  }
}

static int export_tsv(const char *path, FILE *out)
{
  hid_t f;
  int st = file_open(path, &f);
  if (st != QRD_OK)
    return st;
  name_list panels = {0};
  st = put_comments(f, path, out);
  if (st == QRD_OK)
    st = list_names(f, 0, path, &panels);
  for (size_t i = 0; st == QRD_OK && i < panels.n; i++)
    st = for_each_curve(f, path, panels.v[i], tsv_comment, out);
  if (st == QRD_OK)
    fputs("panel\tcurve\tlabel\tx\ty\ty_err\n", out);
  for (size_t i = 0; st == QRD_OK && i < panels.n; i++)
    st = for_each_curve(f, path, panels.v[i], tsv_rows, out);
  names_free(&panels);
  return file_finish(f, path, out, st);
}

/* A gnuplot data block.  The first line names it for `index "curve=<c>;"`:
 * gnuplot selects the block whose first comment starts with the string, and
 * the ';' stops "curve=a;" from also matching a curve named "a-b".
 * `columnheader` skips the comment and takes the legend from the next line. */
static void gnuplot_block(const char *panel, const char *curve,
                          const curve_data *c, FILE *out)
{
  (void)panel;
  fputs("# curve=", out);
  put_text(curve, out);
  fputc(';', out);
  describe(c, out);
  fputs("\nx\t", out);
  put_text(c->label, out);
  fputs("\ty_err\n", out);
  for (size_t i = 0; i < c->n; i++)
    fprintf(out, "%.17g\t%.17g\t%.17g\n", c->x[i], c->y[i],
            c->y_err ? c->y_err[i] : 0.0);
  fputs("\n\n", out);
}

static void curve_name(const char *panel, const char *curve,
                       const curve_data *c, FILE *out)
{
  (void)panel;
  (void)c;
  put_text(curve, out);
  fputc('\n', out);
}

static int unknown_panel(const char *path, const char *panel,
                         const name_list *panels)
{
  char known[768] = "";
  size_t len = 0;
  for (size_t i = 0; i < panels->n && len < sizeof known; i++)
    len += (size_t)snprintf(known + len, sizeof known - len, "%s%s",
                            i ? ", " : "", panels->v[i]);
  return qrd_error_set(QRD_ENOTFOUND, "%s: no panel '%s' (panels: %s)", path,
                       panel, panels->n ? known : "none");
}

/* Runs `fn` over the curves of `panel`, which must exist. */
static int panel_curves(const char *path, const char *panel, curve_fn fn,
                        FILE *out)
{
  hid_t f;
  int st = file_open(path, &f);
  if (st != QRD_OK)
    return st;
  name_list panels = {0};
  st = list_names(f, 0, path, &panels);
  size_t i = 0;
  while (st == QRD_OK && i < panels.n && strcmp(panels.v[i], panel) != 0)
    i++;
  if (st == QRD_OK && i == panels.n)
    st = unknown_panel(path, panel, &panels);
  if (st == QRD_OK)
    st = for_each_curve(f, path, panel, fn, out);
  names_free(&panels);
  return file_finish(f, path, out, st);
}

static int list_panels(const char *path, FILE *out)
{
  hid_t f;
  int st = file_open(path, &f);
  if (st != QRD_OK)
    return st;
  name_list panels = {0};
  st = list_names(f, 0, path, &panels);
  for (size_t i = 0; st == QRD_OK && i < panels.n; i++) {
    put_text(panels.v[i], out);
    fputc('\n', out);
  }
  names_free(&panels);
  return file_finish(f, path, out, st);
}

/* The exports read files qrd may not have written: each runs whole
 * through qrd_h5probe_call() (io/h5probe.h), its output written once. */
typedef enum { EXPORT_TSV, EXPORT_PANEL, LIST_CURVES, LIST_PANELS } export_kind;
typedef struct {
  export_kind kind;
  const char *path, *panel;
  FILE *out;
} export_call;

static int export_now(void *p)
{
  const export_call *e = p;
  switch (e->kind) {
  case EXPORT_TSV:
    return export_tsv(e->path, e->out);
  case EXPORT_PANEL:
    return panel_curves(e->path, e->panel, gnuplot_block, e->out);
  case LIST_CURVES:
    return panel_curves(e->path, e->panel, curve_name, e->out);
  default:
    return list_panels(e->path, e->out);
  }
}

static int export_guarded(export_kind kind, const char *path, const char *panel, FILE *out)
{
  export_call e = {kind, path, panel, out};
  return qrd_h5probe_call(path, out, export_now, &e);
}

int qrd_results_export_tsv(const char *path, FILE *out)
{
  return export_guarded(EXPORT_TSV, path, NULL, out);
}

int qrd_results_export_panel(const char *path, const char *panel, FILE *out)
{
  return export_guarded(EXPORT_PANEL, path, panel, out);
}

int qrd_results_list_curves(const char *path, const char *panel, FILE *out)
{
  return export_guarded(LIST_CURVES, path, panel, out);
}

int qrd_results_list_panels(const char *path, FILE *out)
{
  return export_guarded(LIST_PANELS, path, NULL, out);
}
