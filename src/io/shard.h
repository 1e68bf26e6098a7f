/* Shard files: the finished points of one shard of a sharded sweep
 * (harness/shard.h), as HDF5.
 *
 *   /            attributes format ("qrd-shard-1"), driver, build (the
 *                program's identity), config (the raw text), config_path,
 *                out_path, git_commit, seed, shard (i), shards (N),
 *                created_utc
 *   /point       uint64[k]  the points' global indices, ascending
 *   /status      int32[k]   QRD_OK, or the failure's status
 *   /offset      uint64[k]  where each record starts in /data
 *   /length      uint64[k]  and its length in bytes
 *   /data        uint8[]    per record: its name, '\0', its error ("" when
 *                           it succeeded), '\0', then the point's result
 *                           bytes
 *
 * A shard file is rewritten whole after every point (to "<path>.tmp", then
 * renamed), so a killed shard leaves the previous complete file. */
#ifndef QRD_IO_SHARD_H
#define QRD_IO_SHARD_H

#include <stddef.h>

typedef struct {
  size_t point;
  int status;
  char *what, *error; /* point into the record's bytes */
  unsigned char *bytes;
  size_t size; /* of bytes */
} qrd_shard_record;

typedef struct {
  char *driver, *config, *config_path, *out_path, *commit;
  char *build; /* the program's identity (harness/shard.c) */
  unsigned long seed;
  unsigned shard, shards; /* 1 <= shard <= shards */
  qrd_shard_record *rec;  /* ascending point */
  size_t n_rec, cap_rec;
} qrd_shard_file;

/* Adds (or replaces) the record of `point`; the strings and bytes are
 * copied.  Records stay in ascending point order. */
int qrd_shard_file_put(qrd_shard_file *f, size_t point, int status, const char *what,
                       const char *error, const void *bytes, size_t size);

/* The record of `point`, or NULL. */
const qrd_shard_record *qrd_shard_file_get(const qrd_shard_file *f, size_t point);

/* Writes f to path atomically. */
int qrd_shard_file_write(const char *path, const qrd_shard_file *f);

/* f <- the shard file at path: QRD_ENOTFOUND if there is none, QRD_EIO
 * with the file and object named if it is not a whole shard file. */
int qrd_shard_file_read(const char *path, qrd_shard_file *f);

/* Frees what f holds and zeroes it. */
void qrd_shard_file_clear(qrd_shard_file *f);

#endif
