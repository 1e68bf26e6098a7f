/* What the fuzz targets share: their scratch directory, writing an input
 * to a file, and the checks of a clean status. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <hdf5.h>

#include "core/error.h"
#include "fuzz.h"
#include "io/h5probe.h"
#include "io/tensor.h"

static char dir[64];

static void remove_dir(void)
{
  DIR *d = opendir(dir);
  if (d) {
    char path[512];
    for (struct dirent *e; (e = readdir(d));)
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
      }
    closedir(d);
  }
  rmdir(dir);
}

const char *qrd_fuzz_dir(void)
{
  if (!dir[0]) {
    struct stat sb;
    const char *base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
                       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/qrd-fuzz-XXXXXX", base);
    if (!mkdtemp(dir)) {
      perror("qrd fuzz: mkdtemp");
      abort();
    }
    atexit(remove_dir);
  }
  return dir;
}

void qrd_fuzz_write(const char *name, const uint8_t *data, size_t size, char *path, size_t len)
{
  /* every input is rehearsed (io/h5probe.h) however fast the next one
   * comes (an HDF5 file may reach any file reader), and a loop in libhdf5
   * is called one after 0.1 s: these inputs are a few KB, which a sound
   * read takes milliseconds for, and the loops were most of the time
   * the HDF5 targets spent */
  static int limited;
  if (!limited++)
    qrd_h5probe_limit_set(0.1, 50e6);
  qrd_h5probe_forget();
  snprintf(path, len, "%s/%s", qrd_fuzz_dir(), name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  size_t done = 0;
  while (fd >= 0 && done < size) {
    ssize_t k = write(fd, data + done, size - done);
    if (k <= 0)
      break;
    done += (size_t)k;
  }
  if (fd < 0 || done != size || close(fd) != 0) {
    perror(path);
    abort();
  }
}

char *qrd_fuzz_string(const uint8_t *data, size_t size)
{
  const uint8_t *nul = memchr(data, 0, size);
  size_t n = nul ? (size_t)(nul - data) : size;
  char *s = malloc(n + 1);
  if (!s)
    abort();
  memcpy(s, data, n);
  s[n] = '\0';
  return s;
}

/* A finding made in the child of rehearsed() must reach the
 * fuzzer, which sees only the parent (the child's death alone reads as
 * libhdf5 refusing the file): the child leaves its message in a page it
 * shares with the parent. */
#define FINDING_LEN 1024
static char *finding;

static void found(const char *fmt, ...)
{
  char msg[FINDING_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "qrd fuzz: %s\n", msg);
  if (finding)
    memcpy(finding, msg, sizeof msg);
  abort();
}

void qrd_fuzz_assert(int cond, const char *what)
{
  if (!cond)
    found("%s", what);
}

typedef struct {
  int (*body)(const char *path);
  const char *path;
  int ret;
} whole;

static int run_whole(void *p)
{
  whole *w = p;
  w->ret = w->body(w->path);
  return QRD_OK;
}

static int rehearsed(const char *path, int (*body)(const char *path))
{
  const char *env = getenv("QRD_FUZZ_WHOLE");
  if (!env || strcmp(env, "1") != 0)
    return body(path);
  if (!finding) {
    void *m = mmap(NULL, FINDING_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      perror("qrd fuzz: mmap");
      abort();
    }
    finding = m;
  }
  finding[0] = '\0';
  whole w = {body, path, 0};
  int st = qrd_h5probe_call(path, NULL, run_whole, &w);
  if (finding[0]) {
    fprintf(stderr, "qrd fuzz: (in the rehearsal of the input) %s\n", finding);
    abort();
  }
  if (st != QRD_OK) { /* libhdf5 crashed or looped on the input: refused */
    qrd_fuzz_status(st, "the rehearsal of the input");
    return 0;
  }
  return w.ret;
}

/* Once per process before HDF5 is used: free lists that keep what a file
 * open allocates (speed), no error stack on stderr. */
static void hdf5_setup(void)
{
  static int done;
  if (done++)
    return;
  /* HDF5's free lists keep at most 64 KB per list by default, so the
   * metadata cache of every file opened (over 512 KB) went back to the
   * system and was mapped and faulted in again on the next open: 30 ms per
   * input under ASan.  Unlimited lists reuse it. */
  H5set_free_list_limits(-1, -1, -1, -1, -1, -1);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int qrd_fuzz_hdf5_input(const char *name, const uint8_t *data, size_t size,
                        int (*body)(const char *path))
{
  char path[256];
  hdf5_setup();
  qrd_fuzz_write(name, data, size, path, sizeof path);
  return rehearsed(path, body);
}


int qrd_fuzz_status(int st, const char *what)
{
  if (st < QRD_OK || st > QRD_ENOTFOUND)
    found("%s: status %d is not one of core/error.h", what, st);
  if (st != QRD_OK && qrd_error_detail()[0] == '\0')
    found("%s: error %d (%s) without a detail", what, st, qrd_strerror(st));
  qrd_error_clear();
  return st;
}

/* At most this many tensors read, each of at most this many values. */
#define MAX_TENSORS 16
#define MAX_VALUES ((uint64_t)1 << 22)

int qrd_fuzz_tensor_file(const char *path)
{
  qrd_error_clear();
  qrd_tensor_file f;
  int st = qrd_fuzz_status(qrd_tensor_file_open(path, &f), "qrd_tensor_file_open");
  if (st) {
    qrd_tensor_file_close(&f);
    return 0;
  }
  for (size_t i = 0; i < f.n && i < MAX_TENSORS; i++) {
    const qrd_tensor_info *t = &f.info[i];
    qrd_fuzz_assert(t->ndim <= QRD_TENSOR_MAX_DIMS, "listed tensor of too many dims");
    qrd_fuzz_assert(memchr(t->name, 0, sizeof t->name) != NULL, "unterminated tensor name");
    uint64_t count = 1;
    for (size_t d = 0; d < t->ndim; d++)
      count *= t->shape[d];
    qrd_fuzz_assert(count == t->count, "listed count is not the product of the shape");
    size_t k;
    if (qrd_fuzz_status(qrd_tensor_find(&f, t->name, &k), "qrd_tensor_find") == QRD_OK)
      qrd_fuzz_assert(strcmp(f.info[k].name, t->name) == 0, "qrd_tensor_find found another");
    if (t->count > MAX_VALUES)
      continue;
    double *v;
    if (qrd_fuzz_status(qrd_tensor_read(&f, i, &v), "qrd_tensor_read"))
      continue;
    size_t rows, cols;
    if (qrd_fuzz_status(qrd_tensor_as_rows(t, f.reader->layout, v, &rows, &cols),
                        "qrd_tensor_as_rows") == QRD_OK)
      qrd_fuzz_assert((uint64_t)rows * cols == t->count, "rows x cols is not the count");
    free(v);
  }
  /* "FILE:NAME" of the first tensor, as the command line names it */
  if (f.n > 0 && f.info[0].count <= MAX_VALUES) {
    char spec[4096 + QRD_TENSOR_NAME_LEN + 2];
    snprintf(spec, sizeof spec, "%s:%s", path, f.info[0].name);
    qrd_tensor_info info;
    double *v = NULL;
    qrd_tensor_layout layout;
    if (qrd_fuzz_status(qrd_tensor_load(spec, &info, &v, &layout), "qrd_tensor_load") == QRD_OK)
      qrd_fuzz_assert(info.count == f.info[0].count, "qrd_tensor_load read another count");
    free(v);
  }
  qrd_tensor_file_close(&f);
  return 0;
}
