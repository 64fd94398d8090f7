/*
 * thp-off: runs a command with transparent huge pages disabled for it and its children
 * (prctl(PR_SET_THP_DISABLE), inherited across fork and kept across execve). The QEMU check runs
 * QEMU through it: QEMU madvises guest RAM MADV_HUGEPAGE, and with THP the host's counters would
 * move in 2 MiB steps that the check does not model.
 *
 *   thp-off <command> [args...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: thp-off <command> [args...]\n");
    return 2;
  }
  if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "thp-off: prctl(PR_SET_THP_DISABLE) failed: %s\n", strerror(errno));
    return 1;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "thp-off: cannot run %s: %s\n", argv[1], strerror(errno));
  return 127;
}
