//===- work_dir.h - the files of nncc's C test programs -----------*- C -*-===//
//
// Tests of saving and loading write their files in one work directory, named
// on their command line: paths in it, and the count of the temporary files a
// save must never leave behind. opendir is POSIX: define _POSIX_C_SOURCE
// before including this.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_TEST_LIB_WORK_DIR_H
#define NNCC_TEST_LIB_WORK_DIR_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/// The directory the tests write their files in; set it first.
static const char *work_dir;

/// `name` in the work directory, for a path used at once. The result lives
/// until the fourth next call.
static const char *in_dir(const char *name) {
  static char paths[4][1024];
  static unsigned next;
  char *path = paths[next++ % 4];
  snprintf(path, sizeof(paths[0]), "%s/%s", work_dir, name);
  return path;
}

/// Declares `var`, the path of `name` in the work directory, for a path used
/// throughout a test.
#define PATH_IN_DIR(var, name)                                                 \
  char var[1024];                                                              \
  snprintf(var, sizeof(var), "%s/%s", work_dir, name)

/// Counts the entries of `dir` whose name contains `part`, or all but "."
/// and ".." when `part` is NULL; -1 when `dir` cannot be read.
static int files_in(const char *dir, const char *part) {
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(d)))
    if (part ? strstr(entry->d_name, part) != NULL
             : strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
      ++count;
  closedir(d);
  return count;
}

/// The temporary files of a save (libnnrt names them <path>.tmp.<pid>.<n>),
/// which must never stay behind.
static int temp_files_in(const char *dir) { return files_in(dir, ".tmp."); }

#endif // NNCC_TEST_LIB_WORK_DIR_H
