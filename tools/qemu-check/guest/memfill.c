/*
 * memfill: the guest-side program of the QEMU check (tools/qemu-check). Runs in the guest's
 * initramfs, statically linked, and writes memory the host can recognise:
 *
 *   memfill hold <MiB>    allocate <MiB> of anonymous memory, write one non-zero 8-byte word into
 *                         every 4 KiB page (each page a different value, so the host sees data,
 *                         not zeros), then fork: the child keeps the memory forever and the parent
 *                         exits, so the init script can go on once the data is in place.
 *   memfill fill <MiB>    write the guest's free memory, 4 MiB at a time, while more than <MiB>
 *                         stays free (MemFree in /proc/meminfo), every page the same way, then exit: the guest
 *                         kernel frees the pages with their contents in place (init_on_free=0),
 *                         as memory a long-running guest used once and freed.
 *
 * Each command prints one line "QC:<command> pages=<n> memfree_kib=<k>" on stdout when done.
 * Exit status 0 on success, 1 on a failure (with a message on stderr), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096UL
#define MIB (1024UL * 1024UL)

static long memfree_kib(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "MemFree: %ld kB", &kib) == 1) break;
  }
  fclose(f);
  return kib;
}

/* Writes one word per page: the page index mixed with a constant, never zero. */
static void write_pages(volatile uint64_t *mem, unsigned long pages, uint64_t salt) {
  for (unsigned long i = 0; i < pages; i++)
    mem[i * (PAGE / sizeof(uint64_t))] = (i + 1) * 0x9e3779b97f4a7c15ULL ^ salt;
}

static uint64_t *map(unsigned long bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    fprintf(stderr, "memfill: mmap of %lu bytes failed: %s\n", bytes, strerror(errno));
    exit(1);
  }
  /* The guest's own THP would not change what the host sees, but 4 KiB faults keep it simple. */
  madvise(p, bytes, MADV_NOHUGEPAGE);
  return p;
}

static unsigned long parse_mib(const char *s) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || end == s) {
    fprintf(stderr, "memfill: expected a number of MiB, got '%s'\n", s);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: memfill hold <MiB> | memfill fill <leave-MiB>\n");
    return 2;
  }
  unsigned long mib = parse_mib(argv[2]);
  if (strcmp(argv[1], "hold") == 0) {
    unsigned long pages = mib * MIB / PAGE;
    uint64_t *mem = map(mib * MIB);
    write_pages(mem, pages, 0x686f6c64);
    pid_t pid = fork();
    if (pid < 0) {
      fprintf(stderr, "memfill: fork failed: %s\n", strerror(errno));
      return 1;
    }
    if (pid == 0) {
      /* The child owns the pages now (the parent's exit drops its references): keep them. */
      for (;;) pause();
    }
    printf("QC:hold pages=%lu memfree_kib=%ld\n", pages, memfree_kib());
    fflush(stdout);
    return 0;
  }
  if (strcmp(argv[1], "fill") == 0) {
    long free_kib = memfree_kib();
    if (free_kib < 0) {
      fprintf(stderr, "memfill: cannot read MemFree from /proc/meminfo\n");
      return 1;
    }
    /* Map all free memory, then write it 4 MiB at a time while more than <MiB> stays free. */
    unsigned long most = (unsigned long)free_kib * 1024 / PAGE;
    uint64_t *mem = map(most * PAGE);
    unsigned long pages = 0;
    const unsigned long step = 4 * MIB / PAGE;
    while (pages + step <= most) {
      long now = memfree_kib();
      if (now < 0 || now - (long)(step * PAGE / 1024) < (long)(mib * 1024)) break;
      write_pages(mem + pages * (PAGE / sizeof(uint64_t)), step, 0x66696c6c + pages);
      pages += step;
    }
    printf("QC:fill pages=%lu memfree_kib=%ld\n", pages, memfree_kib());
    fflush(stdout);
    return 0;
  }
  fprintf(stderr, "memfill: unknown command '%s' (expected hold or fill)\n", argv[1]);
  return 2;
}
