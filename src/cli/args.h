/* Minimal "--name value" / "--flag" option parsing for the subcommands. */
#ifndef QRD_ARGS_H
#define QRD_ARGS_H

#include <stddef.h>

typedef struct {
  const char *name;   /* without the leading "--" */
  int takes_value;
  const char *value;  /* set by qrd_args_parse: the value, or "" for a flag */
} qrd_opt;

/* Fills opts[i].value for every option given; positional arguments go to
 * pos[0..*n_pos-1] (at most max_pos).  Prints "qrd CMD: problem" and returns
 * non-zero on an unknown option, a missing value or too many positionals. */
int qrd_args_parse(const char *cmd, int argc, char **argv, qrd_opt *opts,
                   size_t n_opts, const char **pos, size_t max_pos, size_t *n_pos);

/* The option named `name`, or NULL when it was not given. */
const char *qrd_args_get(const qrd_opt *opts, size_t n_opts, const char *name);

/* Prints "qrd CMD: message" on stderr and returns 2, the exit status of
 * bad input.  Every message of this file is one printable line: user text
 * in it (control bytes, malformed UTF-8) is escaped as \xNN and a long one
 * cut with "..." (qrd_error_escape, core/error.h). */
int qrd_args_bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of option --name as a whole number >= 0; otherwise the error
 * is printed and 2 returned. */
int qrd_args_count(const char *cmd, const char *name, const char *text, unsigned long *out);

/* The comma-separated list `text` of option --name split into item[0 ..
 * *n): pointers into buf (len bytes), which receives a copy of text.  An
 * empty list, an empty item ("4,,8", "4,", ",8"), more than max items or
 * a text that does not fit buf is printed as an error naming the option
 * and the list, and 2 returned. */
int qrd_args_list(const char *cmd, const char *name, const char *text, char *buf, size_t len,
                  char **item, size_t max, size_t *n);

#endif
