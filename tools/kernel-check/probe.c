// SPDX-License-Identifier: MIT
/*
 * probe.c - kernel side of the Zeropage Lab model-vs-kernel checker.
 *
 * Runs an op script (see README.md in this directory for the format) against
 * one anonymous private mapping and prints, after the region is created and
 * after every op, one JSON object per line with the numbers the model
 * predicts: RssAnon, VmPTE, PTEs mapping the shared zeropage, present pages,
 * PMD-mapped THPs, huge zero PMDs, userfaultfd MISSING faults, KSM zero pages.
 *
 * Build: cc -O2 -Wall -Wextra -std=gnu11 -pthread -o probe probe.c
 * Usage: probe <script.ops>
 *        probe --ksm-lock-path   (prints the file KSM runs flock(); see ksm_lock())
 * Exit:  0 ok, 1 internal error, 2 malformed script, 3 facility unavailable
 *        (then {"skip": "..."} is the only line on stdout).
 *
 * Everything the reporting path needs (buffers, the uffd handler thread and
 * its stack, the main stack) is allocated and touched before the baseline
 * record (step 0), so the probe's own bookkeeping does not move RssAnon or
 * VmPTE between records. Reporting reads only /proc files and never touches
 * region memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- ABI definitions that older userspace headers may lack ------------- */

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE 12
#endif
#ifndef MADV_UNMERGEABLE
#define MADV_UNMERGEABLE 13
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif
#ifndef MADV_DONTFORK
#define MADV_DONTFORK 10
#endif

/* UFFDIO_MOVE (Linux 6.8+, include/uapi/linux/userfaultfd.h): defined here
 * under our own names, so the probe builds against older headers and never
 * clashes with newer ones; the numbers and the layout are the kernel ABI. */
#define PROBE_UFFD_FEATURE_MOVE (1ULL << 16)
#define PROBE_UFFDIO_MOVE_NR 0x05
struct probe_uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode; /* 0: no UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES, wake waiters */
	__s64 move; /* written by the kernel: bytes moved, or -errno */
};
#define PROBE_UFFDIO_MOVE _IOWR(0xAA, PROBE_UFFDIO_MOVE_NR, struct probe_uffdio_move)

/* PAGEMAP_SCAN (Linux 6.7+, include/uapi/linux/fs.h). Defined locally when
 * the installed headers predate it; the layout is part of the kernel ABI. */
#ifndef PAGEMAP_SCAN
#define PAGE_IS_WPALLOWED (1ULL << 0)
#define PAGE_IS_WRITTEN (1ULL << 1)
#define PAGE_IS_FILE (1ULL << 2)
#define PAGE_IS_PRESENT (1ULL << 3)
#define PAGE_IS_SWAPPED (1ULL << 4)
#define PAGE_IS_PFNZERO (1ULL << 5)
#define PAGE_IS_HUGE (1ULL << 6)
struct page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};
struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define KPF_KSM_BIT 21
#define KPF_THP_BIT 22
#define KPF_ZERO_PAGE_BIT 24

/* ---- constants ---------------------------------------------------------- */

#define PAGE_SZ 4096UL
#define PMD_PAGES 512UL
#define PMD_SZ (PAGE_SZ * PMD_PAGES)
#define WINDOW_SZ (512UL << 30)   /* one PUD table (x86_64 4-level) */
#define MAX_REGION_PAGES 262144UL /* 1 GiB: stays inside one PMD table */
#define MAX_OPS 4096
#define MAX_LINE 512
#define KSM_DIR "/sys/kernel/mm/ksm/"
#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define KSM_WAIT_SCANS 3
#define KSM_TIMEOUT_MS 20000
/* Every probe on the machine (several test runs may share it) takes this lock
 * around save -> merge -> restore of the global KSM settings. */
#define KSM_LOCK_NAME "zeropage-kernel-check.lock"
#define KSM_LOCK_WAIT_MS 120000
#define DATA_MAGIC 0x5a5a5a5a00000000ULL

enum exit_code { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_SCRIPT = 2, EXIT_SKIP = 3 };

enum op_kind {
	OP_REGION,
	OP_THP,
	OP_READ,
	OP_WRITE,
	OP_DONTNEED,
	OP_DONTNEED_EACH,
	OP_UFFD_REGISTER,
	OP_UFFD_ZEROPAGE,
	OP_UFFD_COPY,
	OP_UFFD_MOVE,
	OP_KSM_ZERO_PAGES,
	OP_KSM_MERGE,
	OP_KSM_UNMERGE,
	OP_POPULATE_READ,
	OP_REMOTE_READ,
	OP_FORK,
	OP_CHILD_EXIT,
	OP_DONTFORK,
	OP_BARRIER,
};

struct op {
	enum op_kind kind;
	unsigned long first; /* uffd-move: the source page */
	unsigned long count;
	unsigned long dst; /* uffd-move: the destination page */
	bool flag; /* thp on, write/copy data, ksm-zero-pages on */
	int lineno;
	char text[MAX_LINE];
};

/* ---- global state ------------------------------------------------------- */

static struct op ops[MAX_OPS];
static int nops;

static char *region;            /* base of the region */
static unsigned long region_pages;

static bool debug; /* PROBE_DEBUG=1: dump scan results to stderr */
static int pagemap_fd = -1;
static int kpageflags_fd = -1;
/*
 * How a PTE mapping the shared zero page is recognised. None of them trusts a
 * read fault to map it (a host's kernel may not: see README "Host policy"):
 *   ZS_SCAN        PAGEMAP_SCAN's PAGE_IS_PFNZERO: the kernel's own
 *                  is_zero_pfn() / is_huge_zero_pmd() (Linux 6.7+);
 *   ZS_KPAGEFLAGS  pagemap PFNs + /proc/kpageflags: KPF_ZERO_PAGE without
 *                  KPF_THP is the small zero page, with KPF_THP the huge one
 *                  (fs/proc/page.c stable_page_flags());
 *   ZS_UFFD_PFN    pagemap PFNs compared with the PFN that UFFDIO_ZEROPAGE
 *                  maps at two addresses (the same frame at both, so the
 *                  shared zero page, not a zeroed folio); cannot see the huge
 *                  zero page.
 * PROBE_ZERO_SIGNAL=scan|kpageflags|uffd forces one (exit 3 if unavailable).
 */
enum zero_signal { ZS_SCAN, ZS_KPAGEFLAGS, ZS_UFFD_PFN };
static enum zero_signal zero_signal;
static uint64_t zero_pfn; /* ZS_UFFD_PFN: PFN of the shared zero page */

static const char *zero_signal_name(void)
{
	switch (zero_signal) {
	case ZS_SCAN:
		return "PAGEMAP_SCAN PAGE_IS_PFNZERO";
	case ZS_KPAGEFLAGS:
		return "kpageflags KPF_ZERO_PAGE";
	case ZS_UFFD_PFN:
		return "UFFDIO_ZEROPAGE pfn";
	}
	return "?";
}

static struct page_region *scan_vec; /* PAGEMAP_SCAN output */
static size_t scan_vec_len;
static uint64_t *pm_buf;             /* fallback: pagemap entries */
static char *copy_src;               /* UFFDIO_COPY source buffer */
static unsigned long copy_src_pages;

static int uffd = -1;
static bool uffd_registered;
static atomic_ulong uffd_faults;
static atomic_ulong uffd_errors;

static bool ksm_available;
static bool want_ksm_pages; /* script merges: count KPF_KSM pages */
static bool ksm_use_zero_pages = true;
static bool ksm_saved;
static bool ksm_merge_pending; /* settings were changed and need restoring */
static char ksm_save_run[32], ksm_save_uzp[32], ksm_save_pts[32], ksm_save_sleep[32];
static char ksm_save_smart[32], ksm_save_advisor[64];
static bool ksm_has_smart, ksm_has_advisor;
static int ksm_lock_fd = -1;

static char outbuf[8192];
static char procbuf[1 << 20];

/* remote-read: process_vm_readv() iovecs (IOV_MAX at a time) and the local
 * buffer the bytes land in, one byte per region page (both pre-touched) */
static struct iovec *remote_iov;
static char *remote_buf;

/* fork: the child (blocked reading child_pipe until 'child-exit') */
static pid_t child_pid = -1;
static int child_pipe[2] = { -1, -1 };
static int child_pagemap_fd = -1;
static char child_path[64]; /* "/proc/<pid>/" */

/*
 * The measurement window of an op: getrusage(RUSAGE_THREAD) right before and
 * right after the op's own work (run_op() opens and closes it around the
 * syscall or the access loop, never around reporting), and /proc/vmstat
 * around that. `faults` is the main thread's completed page faults
 * (ru_minflt + ru_majflt: mm_account_fault() counts each completed fault
 * once, GUP's too, a retried one on completion), summed over the windows
 * since step 0; faults outside windows (reporting) are never counted.
 */
struct window {
	bool begun, ended;
	struct rusage r0, r1;
	long long thp_alloc0, thp_zero0, thp_alloc1, thp_zero1;
};
static struct window win;
static unsigned long long faults_total, major_faults_total;

/* ---- small helpers ------------------------------------------------------ */

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static void emit_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void emit_skip(const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	diag("skip: %s", reason);
	char line[1100];
	size_t o = 0;
	o += (size_t)snprintf(line + o, sizeof(line) - o, "{\"skip\": \"");
	for (const char *p = reason; *p && o < sizeof(line) - 8; p++) {
		if (*p == '"' || *p == '\\')
			line[o++] = '\\';
		line[o++] = (*p >= 0x20) ? *p : ' ';
	}
	o += (size_t)snprintf(line + o, sizeof(line) - o, "\"}\n");
	write_all(1, line, o);
	exit(EXIT_SKIP);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("probe: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_INTERNAL);
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return NULL;
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ESRCH: return "ESRCH";
	default: {
		static char buf[32];
		snprintf(buf, sizeof(buf), "errno-%d", e);
		return buf;
	}
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read a whole (small) file into buf; returns length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		if (len + 1 >= cap)
			break;
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

static bool read_trimmed(const char *path, char *buf, size_t cap)
{
	if (read_file(path, buf, cap) < 0)
		return false;
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return true;
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, val, strlen(val));
	int e = n < 0 ? errno : 0;
	close(fd);
	return -e;
}

/* Find "key" at a line start in text and parse the number after it. */
static long long field_value(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, key, kl) == 0)
			return strtoll(p + kl, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* ---- the measurement window (faults, host vmstat) ------------------------ */

/* thp_fault_alloc and thp_zero_page_alloc from /proc/vmstat (-1 if absent) */
static void read_thp_vmstat(long long *alloc, long long *zero)
{
	*alloc = *zero = -1;
	if (read_file("/proc/vmstat", procbuf, sizeof(procbuf)) < 0)
		return;
	*alloc = field_value(procbuf, "thp_fault_alloc ");
	*zero = field_value(procbuf, "thp_zero_page_alloc ");
}

static void measure_begin(void)
{
	if (win.begun)
		die("internal: measurement window opened twice");
	read_thp_vmstat(&win.thp_alloc0, &win.thp_zero0);
	if (getrusage(RUSAGE_THREAD, &win.r0) < 0)
		die("getrusage(RUSAGE_THREAD): %s", strerror(errno));
	win.begun = true;
}

static void measure_end(void)
{
	if (!win.begun || win.ended)
		die("internal: measurement window closed without being opened");
	if (getrusage(RUSAGE_THREAD, &win.r1) < 0)
		die("getrusage(RUSAGE_THREAD): %s", strerror(errno));
	read_thp_vmstat(&win.thp_alloc1, &win.thp_zero1);
	win.ended = true;
	faults_total += (unsigned long long)((win.r1.ru_minflt - win.r0.ru_minflt) + (win.r1.ru_majflt - win.r0.ru_majflt));
	major_faults_total += (unsigned long long)(win.r1.ru_majflt - win.r0.ru_majflt);
}

/* ---- script parsing ----------------------------------------------------- */

static void script_error(const char *path, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
static void script_error(const char *path, int lineno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "probe: %s:%d: ", path, lineno);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_SCRIPT);
}

static bool parse_ulong(const char *s, unsigned long *out)
{
	if (!*s)
		return false;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (ULONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*out = v;
	return true;
}

static void parse_script(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "probe: cannot open %s: %s\n", path, strerror(errno));
		exit(EXIT_SCRIPT);
	}
	char line[4096];
	int lineno = 0;
	bool have_uffd = false;
	bool have_child = false;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			script_error(path, lineno, "line too long");
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *tok[8];
		int nt = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
			if (nt == 8)
				script_error(path, lineno, "too many tokens");
			tok[nt++] = t;
		}
		if (nt == 0)
			continue;
		if (nops == MAX_OPS)
			script_error(path, lineno, "too many ops (max %d)", MAX_OPS);
		struct op *op = &ops[nops];
		memset(op, 0, sizeof(*op));
		op->lineno = lineno;
		size_t o = 0;
		for (int i = 0; i < nt; i++) {
			int w = snprintf(op->text + o, sizeof(op->text) - o, "%s%s", i ? " " : "", tok[i]);
			if (w < 0 || (size_t)w >= sizeof(op->text) - o)
				script_error(path, lineno, "line too long");
			o += (size_t)w;
		}
		const char *cmd = tok[0];
		int want_args = -1; /* number of arguments after the command */
		bool range = false;

		if (nops == 0 && strcmp(cmd, "region") != 0)
			script_error(path, lineno, "the first op must be 'region <pages>'");

		if (!strcmp(cmd, "region")) {
			if (nops != 0)
				script_error(path, lineno, "'region' may appear only once, as the first op");
			op->kind = OP_REGION;
			want_args = 1;
		} else if (!strcmp(cmd, "thp")) {
			op->kind = OP_THP;
			want_args = 1;
		} else if (!strcmp(cmd, "read")) {
			op->kind = OP_READ;
			want_args = 2;
			range = true;
		} else if (!strcmp(cmd, "write")) {
			op->kind = OP_WRITE;
			want_args = 3;
			range = true;
		} else if (!strcmp(cmd, "dontneed")) {
			op->kind = OP_DONTNEED;
			want_args = 2;
			range = true;
		} else if (!strcmp(cmd, "dontneed-each")) {
			op->kind = OP_DONTNEED_EACH;
			want_args = 2;
			range = true;
		} else if (!strcmp(cmd, "uffd-register")) {
			op->kind = OP_UFFD_REGISTER;
			want_args = 0;
		} else if (!strcmp(cmd, "uffd-zeropage")) {
			op->kind = OP_UFFD_ZEROPAGE;
			want_args = 2;
			range = true;
		} else if (!strcmp(cmd, "uffd-copy")) {
			op->kind = OP_UFFD_COPY;
			want_args = 3;
			range = true;
		} else if (!strcmp(cmd, "uffd-move")) {
			op->kind = OP_UFFD_MOVE;
			want_args = 3;
		} else if (!strcmp(cmd, "ksm-zero-pages")) {
			op->kind = OP_KSM_ZERO_PAGES;
			want_args = 1;
		} else if (!strcmp(cmd, "ksm-merge")) {
			op->kind = OP_KSM_MERGE;
			want_args = 0;
		} else if (!strcmp(cmd, "ksm-unmerge")) {
			op->kind = OP_KSM_UNMERGE;
			want_args = 0;
		} else if (!strcmp(cmd, "populate-read")) {
			op->kind = OP_POPULATE_READ;
			want_args = 2;
			range = true;
		} else if (!strcmp(cmd, "remote-read")) {
			op->kind = OP_REMOTE_READ;
			want_args = 2;
			range = true;
		} else if (!strcmp(cmd, "fork")) {
			op->kind = OP_FORK;
			want_args = 0;
		} else if (!strcmp(cmd, "child-exit")) {
			op->kind = OP_CHILD_EXIT;
			want_args = 0;
		} else if (!strcmp(cmd, "dontfork")) {
			op->kind = OP_DONTFORK;
			want_args = 0;
		} else if (!strcmp(cmd, "barrier")) {
			op->kind = OP_BARRIER;
			want_args = 0;
		} else {
			script_error(path, lineno, "unknown op '%s'", cmd);
		}
		if (nt - 1 != want_args)
			script_error(path, lineno, "'%s' takes %d argument(s), got %d", cmd, want_args, nt - 1);

		switch (op->kind) {
		case OP_REGION:
			if (!parse_ulong(tok[1], &op->count) || op->count == 0 || op->count > MAX_REGION_PAGES)
				script_error(path, lineno, "region size must be 1..%lu pages", MAX_REGION_PAGES);
			region_pages = op->count;
			break;
		case OP_THP:
		case OP_KSM_ZERO_PAGES:
			if (!strcmp(tok[1], "on"))
				op->flag = true;
			else if (!strcmp(tok[1], "off"))
				op->flag = false;
			else
				script_error(path, lineno, "'%s' expects 'on' or 'off'", cmd);
			break;
		default:
			break;
		}
		if (range) {
			if (!parse_ulong(tok[1], &op->first) || !parse_ulong(tok[2], &op->count))
				script_error(path, lineno, "'%s' expects <first> <count> as decimal page numbers", cmd);
			if (op->count == 0)
				script_error(path, lineno, "count must be at least 1");
			if (op->first >= region_pages || op->count > region_pages - op->first)
				script_error(path, lineno, "range %lu+%lu exceeds the region (%lu pages)", op->first,
					     op->count, region_pages);
		}
		if (op->kind == OP_UFFD_MOVE) {
			if (!parse_ulong(tok[1], &op->first) || !parse_ulong(tok[2], &op->dst) ||
			    !parse_ulong(tok[3], &op->count))
				script_error(path, lineno, "'%s' expects <src> <dst> <count> as decimal page numbers", cmd);
			if (op->count == 0)
				script_error(path, lineno, "count must be at least 1");
			if (op->first >= region_pages || op->count > region_pages - op->first)
				script_error(path, lineno, "source range %lu+%lu exceeds the region (%lu pages)", op->first,
					     op->count, region_pages);
			if (op->dst >= region_pages || op->count > region_pages - op->dst)
				script_error(path, lineno, "destination range %lu+%lu exceeds the region (%lu pages)",
					     op->dst, op->count, region_pages);
		}
		if (op->kind == OP_WRITE || op->kind == OP_UFFD_COPY) {
			if (!strcmp(tok[3], "data"))
				op->flag = true;
			else if (!strcmp(tok[3], "zero"))
				op->flag = false;
			else
				script_error(path, lineno, "'%s' expects 'zero' or 'data' as third argument", cmd);
		}
		if (op->kind == OP_UFFD_REGISTER) {
			if (have_uffd)
				script_error(path, lineno, "'uffd-register' may appear only once");
			have_uffd = true;
		}
		if (op->kind == OP_FORK) {
			if (have_child)
				script_error(path, lineno, "'fork' while the child of an earlier 'fork' lives: 'child-exit' first");
			have_child = true;
		}
		if (op->kind == OP_CHILD_EXIT) {
			if (!have_child)
				script_error(path, lineno, "'child-exit' needs a live child of an earlier 'fork'");
			have_child = false;
		}
		if ((op->kind == OP_UFFD_ZEROPAGE || op->kind == OP_UFFD_COPY || op->kind == OP_UFFD_MOVE) &&
		    !have_uffd)
			script_error(path, lineno, "'%s' needs an earlier 'uffd-register'", cmd);
		if (op->kind == OP_UFFD_COPY && op->count > copy_src_pages)
			copy_src_pages = op->count;
		nops++;
	}
	if (ferror(f))
		script_error(path, lineno, "read error");
	fclose(f);
	if (nops == 0)
		script_error(path, lineno ? lineno : 1, "empty script: the first op must be 'region <pages>'");
}

static bool script_uses(enum op_kind k)
{
	for (int i = 0; i < nops; i++)
		if (ops[i].kind == k)
			return true;
	return false;
}

/* ---- pagemap ------------------------------------------------------------ */

static uint64_t pagemap_entry_of(int fd, const void *addr)
{
	uint64_t e = 0;
	off_t off = (off_t)((uintptr_t)addr / PAGE_SZ * sizeof(uint64_t));
	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		return 0;
	return e;
}

static uint64_t pagemap_entry(const void *addr)
{
	return pagemap_entry_of(pagemap_fd, addr);
}

static uint64_t kpageflags(uint64_t pfn)
{
	uint64_t f = 0;
	if (kpageflags_fd < 0)
		return 0;
	if (pread(kpageflags_fd, &f, sizeof(f), (off_t)(pfn * sizeof(uint64_t))) != sizeof(f))
		return 0;
	return f;
}

/* Try PAGEMAP_SCAN on [start, end) of the mm behind `fd`; returns 0 or -errno. */
static int do_scan(int fd, uintptr_t start, uintptr_t end, uint64_t *walk_end, long *nregions)
{
	struct pm_scan_arg arg;
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.start = start;
	arg.end = end;
	arg.vec = (uintptr_t)scan_vec;
	arg.vec_len = scan_vec_len;
	arg.category_anyof_mask = PAGE_IS_PRESENT;
	arg.return_mask = PAGE_IS_PRESENT | PAGE_IS_PFNZERO | PAGE_IS_HUGE;
	long r = ioctl(fd, PAGEMAP_SCAN, &arg);
	if (r < 0)
		return -errno;
	*walk_end = arg.walk_end;
	*nregions = r;
	return 0;
}

struct counts {
	unsigned long zero_ptes;
	unsigned long present;
	unsigned long thp_pmds;
	unsigned long huge_zero_pmds;
};

/*
 * PAGEMAP_SCAN path. PAGE_IS_HUGE is reported for PMD-mapped pages; such a
 * page is either an anon THP or the huge zero folio (then PAGE_IS_PFNZERO is
 * set as well on kernels that detect it with is_huge_zero_pmd()). Regions are
 * coalesced runs of pages with equal categories, so we count pages.
 */
static void count_scan(int fd, struct counts *c)
{
	uintptr_t start = (uintptr_t)region, end = start + region_pages * PAGE_SZ;
	unsigned long huge_pages = 0, huge_zero_pages = 0;
	while (start < end) {
		uint64_t walk_end = end;
		long n = 0;
		int e = do_scan(fd, start, end, &walk_end, &n);
		if (e < 0)
			die("PAGEMAP_SCAN failed: %s", strerror(-e));
		for (long i = 0; i < n; i++) {
			struct page_region *r = &scan_vec[i];
			unsigned long pages = (unsigned long)((r->end - r->start) / PAGE_SZ);
			uint64_t cat = r->categories;
			if (debug)
				diag("scan: +%#lx..+%#lx %lu pages cat=%#" PRIx64,
				     (unsigned long)(r->start - (uintptr_t)region),
				     (unsigned long)(r->end - (uintptr_t)region), pages, cat);
			if (!(cat & PAGE_IS_PRESENT))
				continue;
			c->present += pages;
			if (cat & PAGE_IS_HUGE) {
				huge_pages += pages;
				bool hz = (cat & PAGE_IS_PFNZERO) != 0;
				if (!hz) {
					/* older kernels: is_zero_pfn() misses the huge zero folio */
					uint64_t pfn = pagemap_entry_of(fd, (void *)(uintptr_t)r->start) & ((1ULL << 55) - 1);
					hz = pfn && (kpageflags(pfn) & (1ULL << KPF_ZERO_PAGE_BIT));
				}
				if (hz)
					huge_zero_pages += pages;
			} else if (cat & PAGE_IS_PFNZERO) {
				c->zero_ptes += pages;
			}
		}
		if (walk_end <= start)
			die("PAGEMAP_SCAN made no progress");
		start = (uintptr_t)walk_end;
	}
	c->huge_zero_pmds = huge_zero_pages / PMD_PAGES;
	c->thp_pmds = (huge_pages - huge_zero_pages) / PMD_PAGES;
	if (huge_pages % PMD_PAGES || huge_zero_pages % PMD_PAGES)
		diag("warning: PMD-mapped page count not a multiple of 512 (%lu, %lu)", huge_pages, huge_zero_pages);
}

/* smaps fields (kB) summed over the VMAs of the region. */
struct smaps_sum {
	long long rss;
	long long anon;
	long long anon_huge;
};

/*
 * Sum Rss, Anonymous and AnonHugePages over every VMA of `path` (an smaps
 * file) that overlaps the region. The region is alone in its 512 GiB window,
 * so the overlapping VMAs are the region's own (madvise may have split it);
 * the probe's heap, stacks and buffers never count. false if unreadable.
 */
static bool smaps_region(const char *path, struct smaps_sum *s)
{
	memset(s, 0, sizeof(*s));
	if (read_file(path, procbuf, sizeof(procbuf)) < 0)
		return false;
	uintptr_t rs = (uintptr_t)region, re = rs + region_pages * PAGE_SZ;
	bool inside = false;
	for (char *p = procbuf; p && *p;) {
		char *nl = strchr(p, '\n');
		unsigned long a, b;
		char dash;
		if (sscanf(p, "%lx%c%lx", &a, &dash, &b) == 3 && dash == '-') {
			/* a VMA header line "start-end perms offset dev inode path" */
			inside = a < re && b > rs;
		} else if (inside && strncmp(p, "Rss:", 4) == 0) {
			s->rss += strtoll(p + 4, NULL, 10);
		} else if (inside && strncmp(p, "Anonymous:", 10) == 0) {
			s->anon += strtoll(p + 10, NULL, 10);
		} else if (inside && strncmp(p, "AnonHugePages:", 14) == 0) {
			s->anon_huge += strtoll(p + 14, NULL, 10);
		}
		p = nl ? nl + 1 : NULL;
	}
	return true;
}

/* Sum AnonHugePages (kB) of all VMAs overlapping the region in smaps. */
static long long smaps_anon_huge_kib(void)
{
	struct smaps_sum s;
	return smaps_region("/proc/self/smaps", &s) ? s.anon_huge : -1;
}

/* Read the region's pagemap entries into pm_buf. */
static void read_pagemap_all(void)
{
	size_t len = region_pages * sizeof(uint64_t);
	off_t off = (off_t)((uintptr_t)region / PAGE_SZ * sizeof(uint64_t));
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(pagemap_fd, (char *)pm_buf + got, len - got, off + (off_t)got);
		if (r <= 0)
			die("reading pagemap failed: %s", r < 0 ? strerror(errno) : "short read");
		got += (size_t)r;
	}
}

/* Pages of the region mapping a KSM page (KPF_KSM), or -1 if PFNs are hidden. */
static long long count_ksm_pages(void)
{
	if (kpageflags_fd < 0)
		return -1;
	read_pagemap_all();
	long long n = 0;
	uint64_t last_pfn = 0, last_flags = 0;
	for (unsigned long i = 0; i < region_pages; i++) {
		uint64_t e = pm_buf[i];
		if (!(e & (1ULL << 63)))
			continue;
		uint64_t pfn = e & ((1ULL << 55) - 1);
		if (!pfn)
			return -1;
		if (pfn != last_pfn) {
			last_pfn = pfn;
			last_flags = kpageflags(pfn);
		}
		if (last_flags & (1ULL << KPF_KSM_BIT))
			n++;
	}
	return n;
}

/*
 * Fallback path: one pagemap entry per page. Bit 63 = present, bits 0-54 =
 * PFN (visible only with CAP_SYS_ADMIN). The zero page is recognised as
 * zero_signal says (kpageflags, or the PFN UFFDIO_ZEROPAGE mapped); a block
 * of 512 consecutive PFNs whose first has KPF_ZERO_PAGE|KPF_THP is the huge
 * zero folio. PMD-mapped THPs are taken from smaps AnonHugePages since
 * pagemap cannot tell PMD from PTE mappings.
 */
static void count_pagemap(struct counts *c)
{
	read_pagemap_all();
	unsigned long hz_pages = 0;
	uint64_t last_pfn = 0, last_flags = 0;
	for (unsigned long i = 0; i < region_pages; i++) {
		uint64_t e = pm_buf[i];
		if (!(e & (1ULL << 63)))
			continue;
		c->present++;
		uint64_t pfn = e & ((1ULL << 55) - 1);
		if (zero_signal == ZS_UFFD_PFN) {
			if (pfn == zero_pfn)
				c->zero_ptes++;
			continue;
		}
		if (pfn != last_pfn || i == 0) {
			last_pfn = pfn;
			last_flags = kpageflags(pfn);
		}
		if (!(last_flags & (1ULL << KPF_ZERO_PAGE_BIT)))
			continue;
		if (!(last_flags & (1ULL << KPF_THP_BIT))) {
			c->zero_ptes++;
		} else if (i % PMD_PAGES == 0 && i + PMD_PAGES <= region_pages) {
			/* first page of a block mapped by the huge zero folio */
			unsigned long j = 1;
			while (j < PMD_PAGES && (pm_buf[i + j] & (1ULL << 63)) &&
			       (pm_buf[i + j] & ((1ULL << 55) - 1)) == pfn + j)
				j++;
			if (j == PMD_PAGES)
				hz_pages += PMD_PAGES;
		}
	}
	c->huge_zero_pmds = hz_pages / PMD_PAGES;
	long long kib = smaps_anon_huge_kib();
	c->thp_pmds = kib > 0 ? (unsigned long)(kib / 2048) : 0;
}

static void count_region(struct counts *c)
{
	memset(c, 0, sizeof(*c));
	if (zero_signal == ZS_SCAN)
		count_scan(pagemap_fd, c);
	else
		count_pagemap(c);
}

/* ---- reporting ---------------------------------------------------------- */

struct extra {
	bool has_bytes;
	const char *bytes_key; /* "zeropage", "copy", "move" or "remoteRead" */
	long long bytes;
	bool has_ksm_scan;
	long long ksm_scans;
	long long ksm_wait_ms;
};

/* The child's side after 'fork': its own RssAnon/VmPTE (whole process) and
 * its counts over the same region addresses, as a JSON object in `b`. */
static size_t child_json(char *b, size_t cap)
{
	size_t o = 0;
#define COUT(...) (o += (size_t)snprintf(b + o, o < cap ? cap - o : 0, __VA_ARGS__))
	char path[96];
	snprintf(path, sizeof(path), "%sstatus", child_path);
	long long rss_anon = -1, vm_pte = -1;
	if (read_file(path, procbuf, sizeof(procbuf)) >= 0) {
		rss_anon = field_value(procbuf, "RssAnon:");
		vm_pte = field_value(procbuf, "VmPTE:");
	}
	COUT("{\"pid\": %d, \"rssAnonKiB\": %lld, \"vmPteKiB\": %lld", (int)child_pid, rss_anon, vm_pte);
	if (zero_signal == ZS_SCAN && child_pagemap_fd >= 0) {
		struct counts c;
		memset(&c, 0, sizeof(c));
		count_scan(child_pagemap_fd, &c);
		COUT(", \"zeroPtes\": %lu, \"presentPages\": %lu, \"thpPmds\": %lu, \"hugeZeroPmds\": %lu", c.zero_ptes,
		     c.present, c.thp_pmds, c.huge_zero_pmds);
	}
	struct smaps_sum sm;
	snprintf(path, sizeof(path), "%ssmaps", child_path);
	if (smaps_region(path, &sm))
		COUT(", \"smapsRssKiB\": %lld, \"smapsAnonKiB\": %lld, \"anonHugeKiB\": %lld", sm.rss, sm.anon,
		     sm.anon_huge);
	COUT("}");
#undef COUT
	return o;
}

static void report(int step, const struct op *op, bool ok, int err, const struct extra *x)
{
	if (read_file("/proc/self/status", procbuf, sizeof(procbuf)) < 0)
		die("cannot read /proc/self/status");
	long long rss_anon = field_value(procbuf, "RssAnon:");
	long long vm_pte = field_value(procbuf, "VmPTE:");
	struct counts c;
	count_region(&c);

	long long ksm_pages = want_ksm_pages ? count_ksm_pages() : -1;
	struct smaps_sum sm;
	if (!smaps_region("/proc/self/smaps", &sm))
		die("cannot read /proc/self/smaps");
	long long ksm_zero = -1, ksm_merging = -1;
	if (read_file("/proc/self/ksm_stat", procbuf, sizeof(procbuf)) >= 0) {
		ksm_zero = field_value(procbuf, "ksm_zero_pages ");
		ksm_merging = field_value(procbuf, "ksm_merging_pages ");
	}

	char *b = outbuf;
	size_t cap = sizeof(outbuf), o = 0;
#define OUT(...) (o += (size_t)snprintf(b + o, o < cap ? cap - o : 0, __VA_ARGS__))
	OUT("{\"step\": %d, \"op\": \"", step);
	for (const char *p = op->text; *p; p++)
		OUT((*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
	OUT("\", \"ok\": %s, \"errno\": ", ok ? "true" : "false");
	if (err)
		OUT("\"%s\"", errno_name(err));
	else
		OUT("null");
	OUT(", \"rssAnonKiB\": %lld, \"vmPteKiB\": %lld", rss_anon, vm_pte);
	OUT(", \"zeroPtes\": %lu, \"presentPages\": %lu, \"thpPmds\": %lu, \"hugeZeroPmds\": %lu", c.zero_ptes,
	    c.present, c.thp_pmds, c.huge_zero_pmds);
	OUT(", \"uffdFaults\": %lu", (unsigned long)atomic_load(&uffd_faults));
	if (ksm_zero >= 0)
		OUT(", \"ksmZeroPages\": %lld", ksm_zero);
	else
		OUT(", \"ksmZeroPages\": null");
	if (ksm_merging >= 0)
		OUT(", \"ksmMergingPages\": %lld", ksm_merging);
	else
		OUT(", \"ksmMergingPages\": null");
	if (ksm_pages >= 0)
		OUT(", \"ksmPages\": %lld", ksm_pages);
	else
		OUT(", \"ksmPages\": null");
	OUT(", \"faults\": %llu, \"majorFaults\": %llu", faults_total, major_faults_total);
	OUT(", \"smapsRssKiB\": %lld, \"smapsAnonKiB\": %lld, \"anonHugeKiB\": %lld", sm.rss, sm.anon, sm.anon_huge);
	if (win.thp_alloc0 >= 0 && win.thp_alloc1 >= 0)
		OUT(", \"hostThpFaultAlloc\": %lld", win.thp_alloc1 - win.thp_alloc0);
	else
		OUT(", \"hostThpFaultAlloc\": null");
	if (win.thp_zero0 >= 0 && win.thp_zero1 >= 0)
		OUT(", \"hostThpZeroPageAlloc\": %lld", win.thp_zero1 - win.thp_zero0);
	else
		OUT(", \"hostThpZeroPageAlloc\": null");
	if (x && x->has_bytes)
		OUT(", \"%s\": %lld", x->bytes_key, x->bytes);
	if (x && x->has_ksm_scan)
		OUT(", \"ksmFullScans\": %lld, \"ksmWaitMs\": %lld", x->ksm_scans, x->ksm_wait_ms);
	if (child_pid > 0) {
		OUT(", \"child\": ");
		if (o < cap)
			o += child_json(b + o, cap - o);
	}
	if (op->kind == OP_REGION) {
		struct utsname u;
		char thp_en[128] = "", thp_zero[32] = "";
		uname(&u);
		if (read_trimmed(THP_DIR "enabled", thp_en, sizeof(thp_en))) {
			char *l = strchr(thp_en, '['), *r = l ? strchr(l, ']') : NULL;
			if (l && r) {
				*r = '\0';
				memmove(thp_en, l + 1, strlen(l + 1) + 1);
			}
		}
		read_trimmed(THP_DIR "use_zero_page", thp_zero, sizeof(thp_zero));
		OUT(", \"base\": \"0x%" PRIxPTR "\"", (uintptr_t)region);
		OUT(", \"env\": {\"kernel\": \"%s\", \"counter\": \"%s\", \"zeroSignal\": \"%s\", "
		    "\"thpEnabled\": \"%s\", \"thpUseZeroPage\": %s, \"ksmWritable\": %s, "
		    "\"faultCounter\": \"getrusage RUSAGE_THREAD\"}",
		    u.release, zero_signal == ZS_SCAN ? "PAGEMAP_SCAN" : "pagemap", zero_signal_name(),
		    thp_en[0] ? thp_en : "unavailable", thp_zero[0] ? thp_zero : "null",
		    ksm_available ? "true" : "false");
	}
	OUT("}\n");
#undef OUT
	if (o >= cap)
		die("record too long");
	write_all(1, b, o);

	if (zero_signal != ZS_SCAN)
		return;
	/* Cross-check the THP count against smaps (cheap, catches surprises). */
	if ((unsigned long)(sm.anon_huge / 2048) != c.thp_pmds)
		diag("step %d: PAGEMAP_SCAN says %lu THP PMDs, smaps AnonHugePages says %lld kB", step, c.thp_pmds,
		     sm.anon_huge);
}

/* ---- userfaultfd -------------------------------------------------------- */

static void *uffd_handler(void *arg)
{
	(void)arg;
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	for (;;) {
		int pr = poll(&pfd, 1, -1);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			atomic_fetch_add(&uffd_errors, 1);
			return NULL;
		}
		struct uffd_msg msg;
		ssize_t n = read(uffd, &msg, sizeof(msg));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			atomic_fetch_add(&uffd_errors, 1);
			return NULL;
		}
		if (n != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		uint64_t addr = msg.arg.pagefault.address & ~(uint64_t)(PAGE_SZ - 1);
		/* count before resolving: the faulting thread resumes inside the ioctl */
		atomic_fetch_add(&uffd_faults, 1);
		for (;;) {
			struct uffdio_zeropage zp = { .range = { .start = addr, .len = PAGE_SZ }, .mode = 0 };
			if (ioctl(uffd, UFFDIO_ZEROPAGE, &zp) == 0)
				break;
			if (errno == EAGAIN)
				continue;
			if (errno == EEXIST) {
				/* raced with another fill: just wake the faulting thread */
				struct uffdio_range wr = { .start = addr, .len = PAGE_SZ };
				ioctl(uffd, UFFDIO_WAKE, &wr);
				break;
			}
			atomic_fetch_add(&uffd_errors, 1);
			struct uffdio_range wr = { .start = addr, .len = PAGE_SZ };
			ioctl(uffd, UFFDIO_WAKE, &wr);
			break;
		}
	}
	return NULL;
}

/*
 * Opens a userfaultfd (syscall, /dev/userfaultfd, user-mode-only) and does the
 * UFFDIO_API handshake asking for `features`; -1 and `why` on failure.
 */
static int open_uffd(uint64_t features, char *why, size_t cap)
{
	/* 1: the syscall (needs CAP_SYS_PTRACE or vm.unprivileged_userfaultfd=1) */
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	int e_sys = fd < 0 ? errno : 0, e_dev = 0;
	/* 2: /dev/userfaultfd (5.11+, access controlled by the device node) */
	if (fd < 0) {
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
		if (dev >= 0) {
			fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
			e_dev = fd < 0 ? errno : 0;
			close(dev);
		} else {
			e_dev = errno;
		}
	}
	/* 3: user-mode-only uffd: enough here, every fault comes from user mode */
	if (fd < 0) {
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
		if (fd >= 0)
			diag("using a UFFD_USER_MODE_ONLY userfaultfd");
	}
	if (fd < 0) {
		snprintf(why, cap, "userfaultfd unavailable: syscall: %s; /dev/userfaultfd: %s; user-mode-only: %s",
			 strerror(e_sys), strerror(e_dev), strerror(errno));
		return -1;
	}
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		if (errno == EINVAL && (features & PROBE_UFFD_FEATURE_MOVE))
			/* userfaultfd_api(): a feature the kernel does not offer is -EINVAL */
			snprintf(why, cap,
				 "UFFDIO_API refused UFFD_FEATURE_MOVE (EINVAL): no UFFDIO_MOVE here (Linux < 6.8, "
				 "or a kernel without CONFIG_TRANSPARENT_HUGEPAGE)");
		else
			snprintf(why, cap, "UFFDIO_API failed: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if ((api.features & features) != features) {
		snprintf(why, cap, "UFFDIO_API does not offer the features asked for (0x%llx of 0x%llx)",
			 (unsigned long long)(api.features & features), (unsigned long long)features);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * UFFDIO_REGISTER of a scratch page: whether the kernel offers UFFDIO_MOVE on
 * an anonymous private range (uffdio_register.ioctls bit _UFFDIO_MOVE), so a
 * script that moves is skipped before step 0 rather than failing midway.
 */
static const char *uffd_move_precheck(void)
{
	static char why[200];
	char *scratch = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)scratch, .len = PAGE_SZ },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	const char *res = NULL;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		snprintf(why, sizeof(why), "UFFDIO_REGISTER of a scratch page failed: %s", strerror(errno));
		res = why;
	} else {
		if (!(reg.ioctls & (1ULL << PROBE_UFFDIO_MOVE_NR))) {
			snprintf(why, sizeof(why),
				 "UFFDIO_REGISTER does not offer UFFDIO_MOVE for anonymous memory (ioctls 0x%llx)",
				 (unsigned long long)reg.ioctls);
			res = why;
		}
		struct uffdio_range r = { .start = (uintptr_t)scratch, .len = PAGE_SZ };
		ioctl(uffd, UFFDIO_UNREGISTER, &r);
	}
	munmap(scratch, PAGE_SZ);
	return res;
}

static const char *uffd_open(void)
{
	static char why[200];
	int fd = open_uffd(script_uses(OP_UFFD_MOVE) ? PROBE_UFFD_FEATURE_MOVE : 0, why, sizeof(why));
	if (fd < 0)
		return why;
	uffd = fd;
	return NULL;
}

static void uffd_start_thread(void)
{
	/* Own, pre-touched stack so the handler never faults in new stack pages
	 * (that would show up in RssAnon/VmPTE between records). */
	size_t sz = 256 * 1024;
	void *stk = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stk == MAP_FAILED)
		die("mmap thread stack: %s", strerror(errno));
	madvise(stk, sz, MADV_NOHUGEPAGE);
	memset(stk, 0x11, sz);
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstack(&at, stk, sz);
	pthread_t th;
	int e = pthread_create(&th, &at, uffd_handler, NULL);
	if (e)
		die("pthread_create: %s", strerror(e));
	pthread_attr_destroy(&at);
}

/* ---- KSM ---------------------------------------------------------------- */

static void ksm_unlock(void)
{
	if (ksm_lock_fd >= 0) {
		flock(ksm_lock_fd, LOCK_UN);
		close(ksm_lock_fd);
		ksm_lock_fd = -1;
	}
}

static void ksm_restore(void)
{
	if (!ksm_saved || !ksm_merge_pending) {
		ksm_unlock();
		return;
	}
	/* stop ksmd first so nothing else merges while we restore */
	write_str(KSM_DIR "run", "0");
	if (ksm_has_advisor)
		write_str(KSM_DIR "advisor_mode", ksm_save_advisor);
	write_str(KSM_DIR "use_zero_pages", ksm_save_uzp);
	if (!ksm_has_advisor || !strcmp(ksm_save_advisor, "none"))
		write_str(KSM_DIR "pages_to_scan", ksm_save_pts);
	write_str(KSM_DIR "sleep_millisecs", ksm_save_sleep);
	if (ksm_has_smart)
		write_str(KSM_DIR "smart_scan", ksm_save_smart);
	write_str(KSM_DIR "run", ksm_save_run);
	ksm_merge_pending = false;
	/* only now may the next probe read "the settings as they were" */
	ksm_unlock();
}

static void on_signal(int sig)
{
	ksm_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The lock file: /run/lock (FHS, a tmpfs shared by all users) if it is a
 * directory, else /tmp. Both are sticky and world-writable, so whichever user
 * creates the file, the others can still open it for reading; flock() needs
 * no more than that.
 */
static const char *ksm_lock_path(void)
{
	struct stat st;
	if (stat("/run/lock", &st) == 0 && S_ISDIR(st.st_mode) && access("/run/lock", W_OK | X_OK) == 0)
		return "/run/lock/" KSM_LOCK_NAME;
	return "/tmp/" KSM_LOCK_NAME;
}

/*
 * Saving the KSM settings, changing them for the merge and restoring them is
 * a read-modify-write of global sysfs state. Without mutual exclusion, a
 * second probe starting while the first one merges saves the first one's
 * merge settings (run=1, sleep_millisecs=1, ...) and "restores" those after
 * the first one restored the real ones. So the whole KSM run of a probe
 * happens under an exclusive flock() on one file; ksm_restore() drops it, and
 * so does the kernel when the process dies (the fd closes).
 */
static const char *ksm_lock(void)
{
	static char why[300];
	const char *path = ksm_lock_path();
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EACCES)
		fd = open(path, O_RDONLY | O_CLOEXEC); /* created by another user */
	if (fd < 0) {
		snprintf(why, sizeof(why), "cannot open the KSM lock file %s: %s", path, strerror(errno));
		return why;
	}
	long long t0 = now_ms();
	bool told = false;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			die("flock(%s): %s", path, strerror(errno));
		if (!told) {
			diag("waiting for %s: another probe is changing the KSM settings", path);
			told = true;
		}
		if (now_ms() - t0 > KSM_LOCK_WAIT_MS)
			die("another probe held %s for over %d s; is one stuck?", path, KSM_LOCK_WAIT_MS / 1000);
		usleep(20000);
	}
	ksm_lock_fd = fd;
	return NULL;
}

static const char *ksm_precheck(void)
{
	static char why[200];
	if (access(KSM_DIR "run", F_OK) != 0)
		return "KSM not available (no /sys/kernel/mm/ksm)";
	const char *lock_err = ksm_lock();
	if (lock_err)
		return lock_err;
	if (!read_trimmed(KSM_DIR "run", ksm_save_run, sizeof(ksm_save_run)) ||
	    !read_trimmed(KSM_DIR "use_zero_pages", ksm_save_uzp, sizeof(ksm_save_uzp)) ||
	    !read_trimmed(KSM_DIR "pages_to_scan", ksm_save_pts, sizeof(ksm_save_pts)) ||
	    !read_trimmed(KSM_DIR "sleep_millisecs", ksm_save_sleep, sizeof(ksm_save_sleep)))
		return "KSM sysfs files unreadable";
	ksm_has_smart = read_trimmed(KSM_DIR "smart_scan", ksm_save_smart, sizeof(ksm_save_smart));
	char adv[128];
	ksm_has_advisor = read_trimmed(KSM_DIR "advisor_mode", adv, sizeof(adv));
	if (ksm_has_advisor) {
		/* "[none] scan-time" -> "none" */
		char *l = strchr(adv, '['), *r = l ? strchr(l, ']') : NULL;
		if (!l || !r)
			return "cannot parse KSM advisor_mode";
		*r = '\0';
		snprintf(ksm_save_advisor, sizeof(ksm_save_advisor), "%s", l + 1);
	}
	/* writability: rewrite the current value of sleep_millisecs */
	int e = write_str(KSM_DIR "sleep_millisecs", ksm_save_sleep);
	if (e < 0) {
		snprintf(why, sizeof(why), "KSM sysfs not writable: %s", strerror(-e));
		return why;
	}
	ksm_saved = true;
	atexit(ksm_restore);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	return NULL;
}

static long long ksm_full_scans(void)
{
	char v[64];
	if (!read_trimmed(KSM_DIR "full_scans", v, sizeof(v)))
		return -1;
	return strtoll(v, NULL, 10);
}

static int ksm_merge(struct extra *x)
{
	if (madvise(region, region_pages * PAGE_SZ, MADV_MERGEABLE) < 0)
		return errno;
	ksm_merge_pending = true;
	int e;
	if (ksm_has_advisor && (e = write_str(KSM_DIR "advisor_mode", "none")) < 0)
		return -e;
	if ((e = write_str(KSM_DIR "use_zero_pages", ksm_use_zero_pages ? "1" : "0")) < 0)
		return -e;
	if ((e = write_str(KSM_DIR "pages_to_scan", "100000")) < 0)
		return -e;
	if ((e = write_str(KSM_DIR "sleep_millisecs", "1")) < 0)
		return -e;
	if (ksm_has_smart && (e = write_str(KSM_DIR "smart_scan", "0")) < 0)
		return -e;
	long long want = KSM_WAIT_SCANS;
	const char *ws = getenv("PROBE_KSM_SCANS"); /* diagnostic override */
	if (ws && atoll(ws) > 0)
		want = atoll(ws);
	long long start = ksm_full_scans();
	long long t0 = now_ms();
	if ((e = write_str(KSM_DIR "run", "1")) < 0)
		return -e;
	int rc = ETIMEDOUT;
	while (now_ms() - t0 < KSM_TIMEOUT_MS) {
		if (ksm_full_scans() >= start + want) {
			rc = 0;
			break;
		}
		usleep(5000);
	}
	/* run=0 takes ksm_thread_mutex, so ksmd is not mid-batch afterwards */
	write_str(KSM_DIR "run", "0");
	x->has_ksm_scan = true;
	x->ksm_scans = ksm_full_scans() - start;
	x->ksm_wait_ms = now_ms() - t0;
	return rc;
}

/* ---- region ------------------------------------------------------------- */

/* true if no line of /proc/self/maps overlaps [lo, hi) */
static bool window_free(uintptr_t lo, uintptr_t hi)
{
	if (read_file("/proc/self/maps", procbuf, sizeof(procbuf)) < 0)
		return false;
	for (char *p = procbuf; p && *p;) {
		unsigned long a, b;
		if (sscanf(p, "%lx-%lx", &a, &b) == 2 && a < hi && b > lo)
			return false;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return true;
}

static int create_region(void)
{
	static const uintptr_t candidates[] = {
		0x100000000000UL, 0x180000000000UL, 0x200000000000UL, 0x280000000000UL,
		0x300000000000UL, 0x380000000000UL, 0x400000000000UL, 0x500000000000UL,
	};
	size_t len = region_pages * PAGE_SZ;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		uintptr_t a = candidates[i];
		if (!window_free(a, a + WINDOW_SZ))
			continue;
		void *p = mmap((void *)a, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if ((uintptr_t)p != a) {
			munmap(p, len);
			continue;
		}
		region = p;
		if (madvise(region, len, MADV_NOHUGEPAGE) < 0)
			return errno;
		return 0;
	}
	emit_skip("no free 512 GiB-aligned window for the region");
}

/* ---- setup -------------------------------------------------------------- */

static void __attribute__((noinline)) pretouch_stack(void)
{
	volatile char buf[256 * 1024];
	memset((char *)buf, 0, sizeof(buf));
	__asm__ volatile("" ::"r"(buf) : "memory");
}

static void *map_prefaulted(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %zu bytes: %s", len, strerror(errno));
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0, len);
	return p;
}

/*
 * ZS_UFFD_PFN: the PFN UFFDIO_ZEROPAGE maps at two addresses of a scratch
 * mapping. The same frame at both is the shared zero page; two frames mean
 * this kernel installs zeroed folios for UFFDIO_ZEROPAGE (then it cannot
 * serve). Returns NULL or why not.
 */
static const char *learn_zero_pfn_from_uffd(void)
{
	static char why[240];
	int fd = open_uffd(0, why, sizeof(why));
	if (fd < 0)
		return why;
	char *scratch = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	madvise(scratch, 2 * PAGE_SZ, MADV_NOHUGEPAGE);
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)scratch, .len = 2 * PAGE_SZ },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_zeropage zp = { .range = { .start = (uintptr_t)scratch, .len = 2 * PAGE_SZ }, .mode = 0 };
	const char *res = NULL;
	if (ioctl(fd, UFFDIO_REGISTER, &reg) < 0 || ioctl(fd, UFFDIO_ZEROPAGE, &zp) < 0) {
		snprintf(why, sizeof(why), "UFFDIO_ZEROPAGE on a scratch page failed: %s", strerror(errno));
		res = why;
	} else {
		uint64_t a = pagemap_entry(scratch) & ((1ULL << 55) - 1);
		uint64_t b = pagemap_entry(scratch + PAGE_SZ) & ((1ULL << 55) - 1);
		if (a == 0 || a != b) {
			res = "UFFDIO_ZEROPAGE maps no shared frame here (a zeroed page per address)";
		} else {
			zero_pfn = a;
		}
	}
	close(fd);
	munmap(scratch, 2 * PAGE_SZ);
	return res;
}

static void setup_counters(void)
{
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap_fd < 0)
		emit_skip("cannot open /proc/self/pagemap: %s", strerror(errno));
	kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	scan_vec_len = region_pages + 1;
	scan_vec = map_prefaulted(scan_vec_len * sizeof(*scan_vec));
	/* pagemap entries: the fallback counter and the KSM page count use them */
	pm_buf = map_prefaulted(region_pages * sizeof(uint64_t));

	const char *dbg = getenv("PROBE_DEBUG");
	debug = dbg && *dbg && strcmp(dbg, "0");
	const char *want = getenv("PROBE_ZERO_SIGNAL");
	const char *noscan = getenv("PROBE_NO_PAGEMAP_SCAN"); /* older name: anything but scan */
	if (want && !*want)
		want = NULL;
	if (want && strcmp(want, "scan") && strcmp(want, "kpageflags") && strcmp(want, "uffd"))
		die("PROBE_ZERO_SIGNAL must be scan, kpageflags or uffd, not '%s'", want);
	bool allow_scan = !(noscan && *noscan && strcmp(noscan, "0")) && (!want || !strcmp(want, "scan"));

	/* A scratch page that is written (a real page under every zeropage policy). */
	char *scratch = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	madvise(scratch, PAGE_SZ, MADV_NOHUGEPAGE);
	scratch[0] = 1;

	uint64_t we;
	long n;
	const char *no_scan = "PAGEMAP_SCAN unavailable (Linux < 6.7)";
	if (allow_scan) {
		if (do_scan(pagemap_fd, (uintptr_t)scratch, (uintptr_t)scratch + PAGE_SZ, &we, &n) == 0) {
			zero_signal = ZS_SCAN;
			munmap(scratch, PAGE_SZ);
			return;
		}
		if (want)
			emit_skip("PROBE_ZERO_SIGNAL=scan, but %s", no_scan);
	} else {
		no_scan = "PAGEMAP_SCAN not used (PROBE_ZERO_SIGNAL / PROBE_NO_PAGEMAP_SCAN)";
	}
	/* The fallbacks read PFNs from pagemap, which needs CAP_SYS_ADMIN. */
	uint64_t scratch_pfn = pagemap_entry(scratch) & ((1ULL << 55) - 1);
	if (scratch_pfn == 0)
		emit_skip("cannot identify the zero page: %s, and pagemap PFNs are hidden (needs CAP_SYS_ADMIN)",
			  no_scan);
	const char *no_kpf = NULL;
	if (want && !strcmp(want, "uffd"))
		no_kpf = "kpageflags not used (PROBE_ZERO_SIGNAL=uffd)";
	else if (kpageflags_fd < 0)
		no_kpf = "/proc/kpageflags not readable";
	else if (kpageflags(scratch_pfn) & (1ULL << KPF_ZERO_PAGE_BIT))
		no_kpf = "/proc/kpageflags marks a written page KPF_ZERO_PAGE";
	munmap(scratch, PAGE_SZ);
	if (!no_kpf) {
		zero_signal = ZS_KPAGEFLAGS;
		diag("PAGEMAP_SCAN not used; zero pages by /proc/kpageflags KPF_ZERO_PAGE");
		return;
	}
	if (want && !strcmp(want, "kpageflags"))
		emit_skip("PROBE_ZERO_SIGNAL=kpageflags, but %s", no_kpf);
	const char *no_uffd = learn_zero_pfn_from_uffd();
	if (no_uffd)
		emit_skip("cannot identify the zero page: %s; %s; %s", no_scan, no_kpf, no_uffd);
	if (script_uses(OP_THP))
		emit_skip("cannot identify the huge zero page: %s and %s (UFFDIO_ZEROPAGE shows only the small one)",
			  no_scan, no_kpf);
	zero_signal = ZS_UFFD_PFN;
	diag("zero pages by the PFN UFFDIO_ZEROPAGE maps (0x%" PRIx64 ")", zero_pfn);
}

/* ---- op execution ------------------------------------------------------- */

static inline char *page_addr(unsigned long idx)
{
	return region + idx * PAGE_SZ;
}

static inline uint64_t data_word(unsigned long idx)
{
	return DATA_MAGIC | (uint64_t)(idx + 1);
}

/*
 * process_vm_readv() on our own pid: one byte at offset 0 of each page, the
 * remote side in chunks of IOV_MAX single-byte iovecs, the local side one
 * pre-touched buffer. The kernel reads the region through read-only GUP
 * (process_vm_rw_core() -> pin_user_pages_remote() without FOLL_WRITE), so a
 * missing page takes a read fault in handle_mm_fault() for this thread.
 * The record's "remoteRead" is the bytes read (== count) or -errno.
 */
static int remote_read(const struct op *op, struct extra *x)
{
	pid_t self = getpid();
	long long done = 0;
	int err = 0;
	for (unsigned long i = op->first; i < op->first + op->count;) {
		unsigned long n = op->first + op->count - i;
		if (n > IOV_MAX)
			n = IOV_MAX;
		for (unsigned long j = 0; j < n; j++) {
			remote_iov[j].iov_base = page_addr(i + j);
			remote_iov[j].iov_len = 1;
		}
		struct iovec local = { .iov_base = remote_buf, .iov_len = n };
		ssize_t r = process_vm_readv(self, &local, 1, remote_iov, n, 0);
		if (r < 0) {
			err = errno;
			break;
		}
		done += r;
		if ((unsigned long)r != n) {
			err = EFAULT;
			break;
		}
		i += n;
	}
	x->has_bytes = true;
	x->bytes_key = "remoteRead";
	x->bytes = err ? -err : done;
	return err;
}

/* The child: raw syscalls only (it shares nothing with the parent but the
 * copied address space, and must not touch the region); it waits for EOF on
 * the pipe ('child-exit' or the probe's exit) and exits. */
static void __attribute__((noreturn)) child_main(void)
{
	char c;
	syscall(SYS_close, child_pipe[1]);
	while (syscall(SYS_read, child_pipe[0], &c, 1) > 0)
		;
	syscall(SYS_exit_group, 0);
	__builtin_unreachable();
}

/* x86_64 syscalls without a function call: after fork every page of ours is
 * COW-shared, so even the return address a call pushes would fault. */
static inline long raw_syscall2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

static inline long raw_syscall5(long nr, long a, long b, long c, long d, long e)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}

/* glibc (2.35+) registers an rseq area per thread; weak, so older libcs link */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));
#define PROBE_RSEQ_SIG 0x53053053 /* RSEQ_SIG on x86 */
#define PROBE_RSEQ_FLAG_UNREGISTER 1

/*
 * Scripts that fork: unregister this thread's rseq area. After fork the TLS
 * page holding it is COW-shared, and the kernel's rseq update on return to
 * user space (rseq_handle_notify_resume(), after a preemption or migration,
 * so whenever the busy machine decides) would fault on it and count a fault
 * of ours in whatever window is open. Nothing here needs rseq.
 */
static void rseq_unregister(void)
{
#ifdef SYS_rseq
	if (&__rseq_size == NULL || &__rseq_offset == NULL || __rseq_size == 0)
		return;
	char *tp;
	__asm__("mov %%fs:0, %0" : "=r"(tp));
	void *area = tp + __rseq_offset;
	/* the length must be the one registered: 32 (sizeof(struct rseq)) on
	 * glibc 2.35..2.39, at least __rseq_size on later ones */
	unsigned int lens[2] = { 32, __rseq_size };
	for (int i = 0; i < 2; i++)
		if (syscall(SYS_rseq, area, lens[i], PROBE_RSEQ_FLAG_UNREGISTER, PROBE_RSEQ_SIG) == 0)
			return;
	diag("warning: could not unregister rseq (%s): fault counts around fork may be off by one",
	     strerror(errno));
#endif
}

/*
 * fork(2) as the raw clone syscall with SIGCHLD only (glibc's fork handlers
 * would write to memory in between): copy_page_range() copies the region's
 * page tables to the child (if the VMA has an anon_vma: vma_needs_copy()),
 * write-protecting anon PTEs in both (COW) and copying zeropage PTEs as they
 * are. The window is closed by getrusage() issued inline right after the
 * syscall, before any store of ours can fault on a now COW-shared page (the
 * kernel's copy of the result into win.r1 faults after the values are taken).
 */
static int fork_measured(void)
{
	measure_begin();
	long pid = raw_syscall5(SYS_clone, (long)SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		child_main();
	long r = raw_syscall2(SYS_getrusage, RUSAGE_THREAD, (long)&win.r1);
	if (r < 0)
		die("getrusage(RUSAGE_THREAD): %s", strerror((int)-r));
	read_thp_vmstat(&win.thp_alloc1, &win.thp_zero1);
	win.ended = true;
	faults_total += (unsigned long long)((win.r1.ru_minflt - win.r0.ru_minflt) + (win.r1.ru_majflt - win.r0.ru_majflt));
	major_faults_total += (unsigned long long)(win.r1.ru_majflt - win.r0.ru_majflt);
	if (pid < 0)
		return (int)-pid;
	child_pid = (pid_t)pid;
	return 0;
}

static int end_child(void)
{
	if (child_pid <= 0)
		return ECHILD;
	close(child_pipe[1]);
	child_pipe[1] = -1;
	int status;
	while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
		;
	close(child_pipe[0]);
	child_pipe[0] = -1;
	if (child_pagemap_fd >= 0)
		close(child_pagemap_fd);
	child_pagemap_fd = -1;
	child_pid = -1;
	return 0;
}

/* MADV_POPULATE_READ (v5.14) on a scratch page: EINVAL on older kernels. */
static const char *populate_read_precheck(void)
{
	static char why[160];
	char *scratch = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	const char *res = NULL;
	if (madvise(scratch, PAGE_SZ, MADV_POPULATE_READ) < 0) {
		snprintf(why, sizeof(why), "MADV_POPULATE_READ unavailable (Linux < 5.14?): %s", strerror(errno));
		res = why;
	}
	munmap(scratch, PAGE_SZ);
	return res;
}

/* process_vm_readv() of one byte of our own memory (CONFIG_CROSS_MEMORY_ATTACH). */
static const char *remote_read_precheck(void)
{
	static char why[160];
	char src = 1;
	struct iovec local = { .iov_base = remote_buf, .iov_len = 1 };
	struct iovec remote = { .iov_base = &src, .iov_len = 1 };
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != 1) {
		snprintf(why, sizeof(why), "process_vm_readv unavailable: %s", strerror(errno));
		return why;
	}
	return NULL;
}

static void touch_range(void *p, size_t len)
{
	for (size_t o = 0; o < len; o += PAGE_SZ) {
		volatile char *c = (volatile char *)p + o;
		*c = *c;
	}
	if (len)
		*((volatile char *)p + len - 1) = *((volatile char *)p + len - 1);
}

/*
 * After fork every private page of ours is COW-shared with the child, so our
 * next write to a buffer, the stack or .data/.bss would fault (and count in
 * the next window). Write to all of them once now, outside any window, and
 * open the child's pagemap for its counts.
 */
static void after_fork(void)
{
	pretouch_stack();
	/* the statics written inside a window or while reporting (a .data/.bss
	 * page never touched before must not be allocated here) */
	memset(procbuf, 0, sizeof(procbuf));
	memset(outbuf, 0, sizeof(outbuf));
	touch_range(&win, sizeof(win));
	touch_range(&faults_total, sizeof(faults_total));
	touch_range(&major_faults_total, sizeof(major_faults_total));
	touch_range(&child_pid, sizeof(child_pid));
	touch_range(&ksm_merge_pending, sizeof(ksm_merge_pending));
	touch_range(&uffd_registered, sizeof(uffd_registered));
	touch_range(child_pipe, sizeof(child_pipe));
	touch_range(&child_pagemap_fd, sizeof(child_pagemap_fd));
	touch_range(child_path, sizeof(child_path));
	if (scan_vec)
		touch_range(scan_vec, scan_vec_len * sizeof(*scan_vec));
	if (pm_buf)
		touch_range(pm_buf, region_pages * sizeof(uint64_t));
	if (copy_src)
		touch_range(copy_src, copy_src_pages * PAGE_SZ);
	if (remote_iov)
		touch_range(remote_iov, IOV_MAX * sizeof(*remote_iov));
	if (remote_buf)
		touch_range(remote_buf, PAGE_SZ);
	errno = 0; /* the TLS page */
	close(child_pipe[0]);
	child_pipe[0] = -1;
	snprintf(child_path, sizeof(child_path), "/proc/%d/", (int)child_pid);
	char path[96];
	snprintf(path, sizeof(path), "%spagemap", child_path);
	child_pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (child_pagemap_fd < 0)
		diag("cannot open %s: %s", path, strerror(errno));
}

static int run_op(const struct op *op, struct extra *x)
{
	size_t len = op->count * PAGE_SZ;
	switch (op->kind) {
	case OP_REGION:
		return create_region();
	case OP_THP:
		if (madvise(region, region_pages * PAGE_SZ, op->flag ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) < 0)
			return errno;
		return 0;
	case OP_READ:
		for (unsigned long i = op->first; i < op->first + op->count; i++)
			(void)*(volatile char *)page_addr(i);
		return 0;
	case OP_WRITE:
		for (unsigned long i = op->first; i < op->first + op->count; i++) {
			if (op->flag)
				*(volatile uint64_t *)page_addr(i) = data_word(i);
			else
				*(volatile char *)page_addr(i) = 0;
		}
		return 0;
	case OP_DONTNEED:
		if (madvise(page_addr(op->first), len, MADV_DONTNEED) < 0)
			return errno;
		return 0;
	case OP_DONTNEED_EACH: {
		int err = 0;
		for (unsigned long i = op->first; i < op->first + op->count; i++)
			if (madvise(page_addr(i), PAGE_SZ, MADV_DONTNEED) < 0 && !err)
				err = errno;
		return err;
	}
	case OP_UFFD_REGISTER: {
		struct uffdio_register reg = {
			.range = { .start = (uintptr_t)region, .len = region_pages * PAGE_SZ },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0)
			return errno;
		uffd_registered = true;
		if (!(reg.ioctls & (1ULL << _UFFDIO_ZEROPAGE)))
			diag("warning: UFFDIO_ZEROPAGE not offered for the region");
		if (script_uses(OP_UFFD_MOVE) && !(reg.ioctls & (1ULL << PROBE_UFFDIO_MOVE_NR)))
			diag("warning: UFFDIO_MOVE not offered for the region");
		return 0;
	}
	case OP_UFFD_ZEROPAGE: {
		struct uffdio_zeropage zp = {
			.range = { .start = (uintptr_t)page_addr(op->first), .len = len },
			.mode = 0,
		};
		int r = ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
		x->has_bytes = true;
		x->bytes_key = "zeropage";
		x->bytes = zp.zeropage;
		return r < 0 ? errno : 0;
	}
	case OP_UFFD_COPY: {
		for (unsigned long i = 0; i < op->count; i++)
			*(uint64_t *)(copy_src + i * PAGE_SZ) = op->flag ? data_word(op->first + i) : 0;
		struct uffdio_copy cp = {
			.dst = (uintptr_t)page_addr(op->first),
			.src = (uintptr_t)copy_src,
			.len = len,
			.mode = 0,
		};
		int r = ioctl(uffd, UFFDIO_COPY, &cp);
		x->has_bytes = true;
		x->bytes_key = "copy";
		x->bytes = cp.copy;
		return r < 0 ? errno : 0;
	}
	case OP_UFFD_MOVE: {
		/* move_pages(): both ranges in the region (one VMA, anonymous,
		 * private, writable), the destination registered; mode 0, so a
		 * hole in the source is -ENOENT */
		struct probe_uffdio_move mv = {
			.dst = (uintptr_t)page_addr(op->dst),
			.src = (uintptr_t)page_addr(op->first),
			.len = len,
			.mode = 0,
			.move = 0,
		};
		int r = ioctl(uffd, PROBE_UFFDIO_MOVE, &mv);
		x->has_bytes = true;
		x->bytes_key = "move";
		x->bytes = mv.move;
		return r < 0 ? errno : 0;
	}
	case OP_KSM_ZERO_PAGES:
		ksm_use_zero_pages = op->flag;
		return 0;
	case OP_KSM_MERGE:
		return ksm_merge(x);
	case OP_KSM_UNMERGE:
		if (madvise(region, region_pages * PAGE_SZ, MADV_UNMERGEABLE) < 0)
			return errno;
		return 0;
	case OP_POPULATE_READ:
		if (madvise(page_addr(op->first), len, MADV_POPULATE_READ) < 0)
			return errno;
		return 0;
	case OP_REMOTE_READ:
		return remote_read(op, x);
	case OP_FORK:
		return EINVAL; /* fork_measured(), from main() */
	case OP_CHILD_EXIT:
		return end_child();
	case OP_DONTFORK:
		/* VM_DONTCOPY: dup_mmap() gives a child of a later 'fork' none of it */
		if (madvise(region, region_pages * PAGE_SZ, MADV_DONTFORK) < 0)
			return errno;
		return 0;
	case OP_BARRIER:
		return 0;
	}
	return EINVAL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <script.ops> | --ksm-lock-path\n", argv[0]);
		return EXIT_SCRIPT;
	}
	if (!strcmp(argv[1], "--ksm-lock-path")) {
		/* for tools that must not run while a probe changes the KSM settings */
		printf("%s\n", ksm_lock_path());
		return EXIT_OK;
	}
	parse_script(argv[1]);

	/* Facility checks first, so a skip is the only stdout line. */
	if (script_uses(OP_UFFD_REGISTER)) {
		const char *why = uffd_open();
		if (why)
			emit_skip("%s", why);
		if (script_uses(OP_UFFD_MOVE) && (why = uffd_move_precheck()))
			emit_skip("%s", why);
	}
	if (script_uses(OP_KSM_MERGE)) {
		const char *why = ksm_precheck();
		if (why)
			emit_skip("%s", why);
		ksm_available = true;
		want_ksm_pages = true;
	} else {
		ksm_available = access(KSM_DIR "run", W_OK) == 0;
	}
	if (script_uses(OP_THP)) {
		char en[128];
		if (!read_trimmed(THP_DIR "enabled", en, sizeof(en)))
			emit_skip("transparent hugepages not available");
		if (strstr(en, "[never]"))
			emit_skip("transparent hugepages disabled (enabled=never)");
	}
	if (script_uses(OP_POPULATE_READ)) {
		const char *why = populate_read_precheck();
		if (why)
			emit_skip("%s", why);
	}
	if (script_uses(OP_REMOTE_READ)) {
		remote_iov = map_prefaulted(IOV_MAX * sizeof(*remote_iov));
		remote_buf = map_prefaulted(PAGE_SZ);
		const char *why = remote_read_precheck();
		if (why)
			emit_skip("%s", why);
	}
	if (script_uses(OP_FORK))
		rseq_unregister();
	setup_counters();
	if (copy_src_pages)
		copy_src = map_prefaulted(copy_src_pages * PAGE_SZ);
	if (uffd >= 0)
		uffd_start_thread();
	pretouch_stack();
	/* touch every page of the static buffers now (a longer /proc file later
	 * must not fault in a fresh buffer page between two records) */
	memset(procbuf, 0, sizeof(procbuf));
	memset(outbuf, 0, sizeof(outbuf));
	/* warm up the reporting path (first /proc reads may allocate), and the
	 * measurement window (getrusage, /proc/vmstat) */
	(void)smaps_anon_huge_kib();
	(void)read_file("/proc/self/status", procbuf, sizeof(procbuf));
	measure_begin();
	measure_end();
	memset(&win, 0, sizeof(win));
	faults_total = major_faults_total = 0;

	for (int i = 0; i < nops; i++) {
		struct extra x;
		memset(&x, 0, sizeof(x));
		if (ops[i].kind == OP_FORK && pipe2(child_pipe, O_CLOEXEC) < 0)
			die("pipe2: %s", strerror(errno));
		memset(&win, 0, sizeof(win));
		int err;
		if (ops[i].kind == OP_FORK) {
			err = fork_measured();
		} else {
			measure_begin();
			err = run_op(&ops[i], &x);
			measure_end();
		}
		if (ops[i].kind == OP_FORK && !err)
			after_fork();
		if (i == 0 && err)
			die("madvise(MADV_NOHUGEPAGE) on the region failed: %s", strerror(err));
		if (err && ops[i].kind != OP_UFFD_ZEROPAGE && ops[i].kind != OP_UFFD_COPY &&
		    ops[i].kind != OP_UFFD_MOVE && ops[i].kind != OP_REMOTE_READ)
			diag("line %d '%s': %s", ops[i].lineno, ops[i].text, strerror(err));
		report(i, &ops[i], err == 0, err, &x);
	}
	if (child_pid > 0)
		end_child();
	if (atomic_load(&uffd_errors))
		diag("warning: %lu userfaultfd handler errors", (unsigned long)atomic_load(&uffd_errors));
	ksm_restore();
	return EXIT_OK;
}
