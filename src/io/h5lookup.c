#include "io/h5lookup.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *name;
  int found;
} lookup;

/* Stops the iteration (1) at `name`. */
static herr_t match(const char *name, void *p)
{
  lookup *l = p;
  l->found = strcmp(name, l->name) == 0;
  return l->found;
}

static herr_t match_link(hid_t g, const char *name, const H5L_info_t *info, void *p)
{
  (void)g;
  (void)info;
  return match(name, p);
}

static herr_t match_attr(hid_t obj, const char *name, const H5A_info_t *info, void *p)
{
  (void)obj;
  (void)info;
  return match(name, p);
}

int qrd_h5lookup_link(hid_t group, const char *name)
{
  lookup l = {name, 0};
  hsize_t at = 0;
  return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &at, match_link, &l) > 0 && l.found;
}

int qrd_h5lookup_path(hid_t loc, const char *path)
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
    found = qrd_h5lookup_link(at, p);
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

int qrd_h5lookup_attr(hid_t loc, const char *obj, const char *name)
{
  lookup l = {name, 0};
  hsize_t at = 0;
  return H5Aiterate_by_name(loc, obj, H5_INDEX_NAME, H5_ITER_INC, &at, match_attr, &l,
                            H5P_DEFAULT) > 0 &&
         l.found;
}
