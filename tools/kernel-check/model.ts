/**
 * The model side of the kernel check: runs an .ops script (ops.ts) through the engine's x86_64
 * variant and reports, after every op, the same numbers probe.c reports for the real kernel.
 *
 * Setup, matching the probe (README.md "Op script format"):
 * - one Mm of `pages` = the region size, at baseVpn = the probe's region address / 4096, so the
 *   PTE-table, PMD-table and PUD-table boundaries are the kernel's (default 0x100000000000, the
 *   first address the probe tries: 1 GiB aligned and the start of an unused 512 GiB window);
 * - kernelVersion = the running kernel's major.minor (decides PT reclaim, THP-on-wp);
 * - the VMA starts writable, private (COW) and VM_NOHUGEPAGE (the probe's mmap + MADV_NOHUGEPAGE);
 * - host THP mode as the kernel's (default 'madvise'), and the host's zeropage policy as policy.ts
 *   measured it (default upstream: the zero page on every path); KSM run = 1 if the script merges,
 *   use_zero_pages as chosen by `ksm-zero-pages` (default on). ksmd only acts in ksm_scan, so a
 *   host built with ksmRun from the start is equivalent to switching it on for the merge.
 *
 * Op → engine events:
 *   region             (none: the Mm is created with the VMA flags above)
 *   thp on|off         madvise hugepage|nohugepage over the region
 *   read / write       fault events; a MISSING userfault (rec.userfaultAt >= 0) is answered as
 *                      the probe's handler thread does: uffd_zeropage of that one page, counted in
 *                      uffdFaults, then the access resumes at that page
 *   dontneed           one madvise dontneed (one call over the range)
 *   dontneed-each      madvise dontneed with callPages 1
 *   uffd-register      uffd_register over the region
 *   uffd-zeropage/copy uffd_zeropage / uffd_copy
 *   uffd-move          uffd_move (mode 0, by a thread of the same process); the record's move is
 *                      the bytes moved (also for a partial move, errno EAGAIN) or -errno
 *   ksm-merge          madvise mergeable over the region, then ksm_scan
 *   ksm-unmerge        madvise unmergeable over the region
 *   ksm-zero-pages     (none: chooses use_zero_pages for the next ksm-merge)
 *   populate-read      fault event, access read, via populate_read (MADV_POPULATE_READ: GUP faults
 *                      each missing page in for reading); MISSING userfaults answered as for read
 *   remote-read        fault event, access read, via gup (process_vm_readv's read-only GUP); the
 *                      record's remoteRead is count bytes (one byte per page) or -errno
 *   dontfork           no engine event (the engine has no MADV_DONTFORK): the model sets
 *                      VM_DONTCOPY on the region's VMA, which only the fork event reads
 *   fork               fork after dontfork: the fork event (dup_mmap() skips the VM_DONTCOPY
 *                      region, the parent's mm does not change); without dontfork not modelled
 *                      (the engine has no child mm: unmodelledOp() says why), so check.ts runs a
 *                      script with it on the kernel only
 *   child-exit         (none: the child had no part of the region)
 *   barrier            (none)
 *
 * Per record, besides the page-table counts: `faults` is the engine's /proc/vmstat pgfault for the
 * mm (vmstatDeltas(): each rule's vmstat annotation, one per completed fault), and smapsRssKiB /
 * smapsAnonKiB / anonHugeKiB are the smaps lines of the engine's ledger (kernelLedger(): the
 * zeropage and the huge zero page never count, KSM mappings do, a THP counts 2 MiB).
 */
import { PAGE_SIZE } from "../../src/base/units.ts";
import {
  applyEvent,
  type EventResult,
  formatPath,
  type HostConfig,
  type HostZeropagePolicy,
  type KernelEvent,
  kernelLedger,
  type MmConfig,
  ruleAt,
  ruleById,
  snapshotCounters,
  type ThpMode,
  VmFlag,
  vmstatDeltas,
  World,
} from "../../src/engine/index.ts";
import { type Op, type OpsScript, scriptUses } from "./ops.ts";

/** How a read reaches handle_mm_fault() other than by a CPU load (the fault event's `via`). */
type ReadVia = NonNullable<Extract<KernelEvent, { kind: "fault"; access: "read" }>["via"]>;

/** The probe's default region address (README: first window tried). */
export const DEFAULT_BASE = 0x100000000000;

/** Linux errno numbers for the errnos the uffd ioctls can report in .zeropage / .copy. */
const ERRNO_NUMBERS: Record<string, number> = {
  ENOENT: 2,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
};

export interface ModelOptions {
  /** The running kernel's version; only major.minor is used ("6.18.44-foo" → "6.18"). */
  readonly kernelVersion: string;
  /** Region start as a virtual page number; default DEFAULT_BASE / 4096. */
  readonly baseVpn?: number;
  /** /sys/kernel/mm/transparent_hugepage/enabled; default 'madvise'. */
  readonly thp?: ThpMode;
  /** The host's zeropage policy per path (policy.ts measures it); default upstream. */
  readonly zeropage?: HostZeropagePolicy;
}

/** A rule the model applied during a step: from an effect (pages > 0) or an event-level step. */
export interface RuleUse {
  readonly id: string;
  readonly title: string;
  /** formatPath() of the rule's call path. */
  readonly path: string;
  /** Pages the rule changed or visited; null for an event-level step (flag change, walk). */
  pages: number | null;
  /** The engine event that applied it ("read fault", "UFFDIO_ZEROPAGE", ...). */
  readonly event: string;
}

/** One step of the model, with the probe record's field names. */
export interface ModelRecord {
  readonly step: number;
  readonly op: string;
  readonly line: number;
  readonly ok: boolean;
  readonly errno: string | null;
  readonly rssAnonKiB: number;
  readonly vmPteKiB: number;
  /** PTE tables of the region, deposited ones under huge PMDs included (the engine's own count). */
  readonly pteTables: number;
  readonly zeroPtes: number;
  readonly presentPages: number;
  readonly thpPmds: number;
  readonly hugeZeroPmds: number;
  readonly uffdFaults: number;
  readonly ksmZeroPages: number;
  readonly ksmPages: number;
  /** Completed page faults since step 0 (the engine's vmstat pgfault for this mm). */
  readonly faults: number;
  /** smaps Rss / Anonymous / AnonHugePages of the region in kB (the engine's ledger). */
  readonly smapsRssKiB: number;
  readonly smapsAnonKiB: number;
  readonly anonHugeKiB: number;
  /** remote-read: bytes read or -errno, as process_vm_readv() returns. */
  readonly remoteRead?: number;
  /** uffd-zeropage: bytes filled or -errno, as the kernel's .zeropage. */
  readonly zeropage?: number;
  /** uffd-copy: bytes filled or -errno, as the kernel's .copy. */
  readonly copy?: number;
  /** uffd-move: bytes moved or -errno, as the kernel's .move. */
  readonly move?: number;
  /** Engine messages for failed or partial events. */
  readonly messages: readonly string[];
  /** What the model did in this step outside the engine's events (dontfork). */
  readonly notes?: readonly string[];
  /** Rules applied in this step, in order, merged by (event, rule). */
  readonly rules: readonly RuleUse[];
}

/** "6.18.44-fc-v782" → "6.18". Throws on anything else: the model needs a kernel version. */
export function kernelMajorMinor(release: string): string {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  if (!m) throw new Error(`cannot read a kernel version (major.minor) from '${release}'`);
  return `${m[1]}.${m[2]}`;
}

/** "0x100000000000" → virtual page number. */
export function baseVpnOf(address: string | number): number {
  const a = typeof address === "number" ? address : Number(address);
  if (!Number.isSafeInteger(a) || a < 0 || a % PAGE_SIZE !== 0)
    throw new Error(`bad region address '${address}'`);
  return a / PAGE_SIZE;
}

const MM = 0;

/** The rule of a MISSING userfault (fault.ts R_USERFAULT). */
const USERFAULT_RULE = "handle_userfault.missing";

/** Adds one use of `rule` (an index or id) to `out`, merged by (event, rule). */
function noteRule(out: RuleUse[], rule: number | string, pages: number | null, event: string): void {
  const rr = typeof rule === "number" ? ruleAt(rule) : ruleById(rule);
  if (!rr) throw new Error(`model: the engine has no rule '${rule}'`);
  const prev = out.find((u) => u.id === rr.id && u.event === event);
  if (prev) {
    if (pages !== null) prev.pages = (prev.pages ?? 0) + pages;
    return;
  }
  out.push({ id: rr.id, title: rr.title, path: formatPath(rr.path), pages, event });
}

/** Adds the rules event `label` applied to `out`. */
function addRuleUses(out: RuleUse[], label: string, r: EventResult): void {
  for (const s of r.rec.steps) noteRule(out, s, null, label);
  for (const e of r.rec.effects) noteRule(out, e.rule, e.count, label);
}

/** Why a fork of memory without VM_DONTCOPY is not modelled (the engine refuses it). */
const FORK_COPY_UNMODELLED =
  "the engine's fork event models only memory marked VM_DONTCOPY ('dontfork' first): without it, " +
  "copy_page_range() write-protects every anon PTE in both processes (COW against the child), so the " +
  "parent's later writes fault and copy (or reuse once the child is gone) and a shared THP is split on " +
  "write; the engine's mm has no state for an anon page shared with another mm, and refuses such a fork";

/**
 * The first op of `script` the engine cannot model, with why; null if it can run them all. A script
 * that uses one runs on the kernel only (check.ts prints its records and compares nothing). Today
 * that is a `fork` not preceded by `dontfork` (its `child-exit` always follows it).
 */
export function unmodelledOp(script: OpsScript): { op: Op; why: string } | null {
  let dontcopy = false;
  for (const op of script.ops) {
    if (op.kind === "dontfork") dontcopy = true;
    if (op.kind === "fork" && !dontcopy) return { op, why: FORK_COPY_UNMODELLED };
  }
  return null;
}

/** The value of the ledger line `name` (smaps Rss, Anonymous, AnonHugePages, in kB). */
function ledgerValue(sections: ReturnType<typeof kernelLedger>, name: string): number {
  for (const s of sections) for (const l of s.lines) if (l.name === name) return l.value;
  throw new Error(`model: the engine's ledger has no line '${name}'`);
}

/** Runs `script` through the engine and returns one record per op (step 0 = region). */
export function runModel(script: OpsScript, opts: ModelOptions): ModelRecord[] {
  const unmodelled = unmodelledOp(script);
  if (unmodelled) {
    throw new Error(
      `model: ${script.file}:${unmodelled.op.line}: '${unmodelled.op.text}' is not modelled: ${unmodelled.why}`,
    );
  }
  const version = kernelMajorMinor(opts.kernelVersion);
  const merges = script.ops.filter((o) => o.kind === "ksm-merge" || o.kind === "ksm-zero-pages");
  // use_zero_pages in effect at the first ksm-merge (default on).
  let zeroAtFirstMerge = true;
  for (const o of merges) {
    if (o.kind === "ksm-zero-pages") zeroAtFirstMerge = o.on;
    else break;
  }
  const host: HostConfig = {
    name: "this machine",
    memLimitBytes: Number.POSITIVE_INFINITY,
    ksmRun: scriptUses(script, "ksm-merge"),
    ksmUseZeroPages: zeroAtFirstMerge,
    thp: opts.thp ?? "madvise",
    ...(opts.zeropage ? { zeropage: opts.zeropage } : {}),
  };
  const cfg: MmConfig = {
    name: script.file,
    host,
    variant: "x86_64",
    kernelVersion: version,
    pages: script.pages,
    baseVpn: opts.baseVpn ?? DEFAULT_BASE / PAGE_SIZE,
    vmaFlags: VmFlag.WRITE | VmFlag.COW | VmFlag.NOHUGEPAGE,
  };
  const world = new World([cfg]);
  const region = [0, script.pages];
  let useZeroPages = true;
  let uffdFaults = 0;
  /**
   * Faults the probe's CPU accesses retry after a userfault: the engine counts a userfault as no
   * completed fault (mm_account_fault() sees VM_FAULT_RETRY), and models the vCPU's GUP, whose retry
   * finds the page; a CPU's retry is one more completed fault even where it maps nothing new.
   */
  let cpuRetries = 0;
  const records: ModelRecord[] = [];

  script.ops.forEach((op, step) => {
    const rules: RuleUse[] = [];
    const messages: string[] = [];
    const notes: string[] = [];
    let errno: string | null = null;
    let bytes: number | undefined;
    let remoteRead: number | undefined;

    const apply = (e: KernelEvent, label: string): EventResult => {
      const r = applyEvent(world, e);
      addRuleUses(rules, label, r);
      if (r.message) messages.push(`${label}: ${r.message}`);
      return r;
    };
    /** An event whose errno is the op's (the first failure wins, like dontneed-each). */
    const main = (e: KernelEvent, label: string): EventResult => {
      const r = apply(e, label);
      if (r.errno && errno === null) errno = r.errno;
      return r;
    };
    /**
     * An access to each page in order, by the CPU (read, write) or on the process's behalf by GUP
     * (populate-read, remote-read); MISSING userfaults are resolved like the probe's handler thread
     * does, and the access resumes at that page.
     */
    const access = (o: Extract<Op, { kind: "read" | "write" | "populate-read" | "remote-read" }>) => {
      const end = o.first + o.count;
      const via: ReadVia | undefined =
        o.kind === "populate-read" ? "populate_read" : o.kind === "remote-read" ? "gup" : undefined;
      const label =
        o.kind === "write"
          ? "write fault"
          : o.kind === "populate-read"
            ? "MADV_POPULATE_READ"
            : o.kind === "remote-read"
              ? "process_vm_readv"
              : "read fault";
      let from = o.first;
      for (;;) {
        const ranges = [from, end - from];
        const r =
          o.kind === "write"
            ? main({ kind: "fault", mm: MM, access: "write", ranges, content: o.content }, label)
            : main({ kind: "fault", mm: MM, access: "read", ranges, ...(via ? { via } : {}) }, label);
        if (!r.ok || r.rec.userfaultAt < 0) return;
        const at = r.rec.userfaultAt;
        uffdFaults++;
        // The recorder keeps the stop in userfaultAt, not as an effect: name its rule here.
        noteRule(rules, USERFAULT_RULE, 1, label);
        const z = apply({ kind: "uffd_zeropage", mm: MM, first: at, count: 1 }, "handler UFFDIO_ZEROPAGE");
        if (!z.ok) {
          throw new Error(
            `model: step ${step} '${op.text}': the handler's UFFDIO_ZEROPAGE at page ${at} failed ` +
              `(${z.errno}: ${z.message}); the access would block for ever`,
          );
        }
        if (via) {
          // GUP retries through follow_page_mask(), which finds the placed page: no fault.
          from = at;
          continue;
        }
        // The CPU retries the fault on that page (FAULT_FLAG_TRIED); it completes and counts once,
        // whether it has work left (a write to the placed zeropage) or not (a read).
        const before = vmstatDeltas(world.mms[0]!).pgfault;
        const retry =
          o.kind === "write"
            ? main({ kind: "fault", mm: MM, access: "write", ranges: [at, 1], content: o.content }, label)
            : main({ kind: "fault", mm: MM, access: "read", ranges: [at, 1] }, label);
        if (vmstatDeltas(world.mms[0]!).pgfault === before) cpuRetries++;
        if (!retry.ok || at + 1 >= end) return;
        from = at + 1;
      }
    };
    const fill = (e: KernelEvent & { kind: "uffd_zeropage" | "uffd_copy" }, label: string) => {
      const r = main(e, label);
      bytes = r.ok ? r.rec.footprintPages * PAGE_SIZE : -(ERRNO_NUMBERS[r.errno ?? ""] ?? 0);
    };

    switch (op.kind) {
      case "region":
      case "barrier":
        break;
      case "ksm-zero-pages":
        useZeroPages = op.on;
        break;
      case "thp":
        main(
          { kind: "madvise", mm: MM, advice: op.on ? "hugepage" : "nohugepage", ranges: region },
          "madvise",
        );
        break;
      case "read":
      case "write":
      case "populate-read":
        access(op);
        break;
      case "remote-read":
        access(op);
        remoteRead = errno === null ? op.count : -(ERRNO_NUMBERS[errno] ?? 0);
        break;
      case "dontfork":
        // No engine event sets VM_DONTCOPY (QEMU's guest RAM is created with it); only fork reads it.
        world.mms[MM]!.updateVmaFlags(0, script.pages, VmFlag.DONTCOPY, 0);
        notes.push("MADV_DONTFORK: no engine event; the model sets VM_DONTCOPY on the region's VMA");
        break;
      case "fork":
        // unmodelledOp() let it through: the region is VM_DONTCOPY, so dup_mmap() skips it.
        main({ kind: "fork", mm: MM }, "fork()");
        break;
      case "child-exit":
        notes.push("the child had no part of the region (VM_DONTCOPY): nothing changes here");
        break;
      case "uffd-move": {
        const r = main(
          { kind: "uffd_move", mm: MM, src: op.src, dst: op.dst, count: op.count },
          "UFFDIO_MOVE",
        );
        bytes = r.ok ? r.rec.footprintPages * PAGE_SIZE : -(ERRNO_NUMBERS[r.errno ?? ""] ?? 0);
        break;
      }
      case "dontneed":
        main({ kind: "madvise", mm: MM, advice: "dontneed", ranges: [op.first, op.count] }, "MADV_DONTNEED");
        break;
      case "dontneed-each":
        main(
          { kind: "madvise", mm: MM, advice: "dontneed", ranges: [op.first, op.count], callPages: 1 },
          "MADV_DONTNEED per page",
        );
        break;
      case "uffd-register":
        main({ kind: "uffd_register", mm: MM, ranges: region }, "UFFDIO_REGISTER");
        break;
      case "uffd-zeropage":
        fill({ kind: "uffd_zeropage", mm: MM, first: op.first, count: op.count }, "UFFDIO_ZEROPAGE");
        break;
      case "uffd-copy":
        fill(
          { kind: "uffd_copy", mm: MM, first: op.first, count: op.count, content: op.content },
          "UFFDIO_COPY",
        );
        break;
      case "ksm-merge": {
        // use_zero_pages is a host knob read only by ksmd: swap the host before the scan if needed.
        const mm = world.mms[MM]!;
        if (mm.host.ksmUseZeroPages !== useZeroPages) {
          const copy = mm.clone();
          (copy as { host: HostConfig }).host = { ...mm.host, ksmUseZeroPages: useZeroPages };
          world.mms[MM] = copy;
        }
        main({ kind: "madvise", mm: MM, advice: "mergeable", ranges: region }, "MADV_MERGEABLE");
        main({ kind: "ksm_scan", mm: MM }, "ksmd");
        break;
      }
      case "ksm-unmerge":
        main({ kind: "madvise", mm: MM, advice: "unmergeable", ranges: region }, "MADV_UNMERGEABLE");
        break;
    }

    const mm = world.mms[MM]!;
    const c = snapshotCounters(mm);
    const vmstat = vmstatDeltas(mm);
    const ledger = kernelLedger({
      counters: c,
      vmstat,
      arch: "x86_64",
      kernelVersion: version,
      thp: host.thp !== "never",
    });
    const rec: ModelRecord = {
      step,
      op: op.text,
      line: op.line,
      ok: errno === null,
      errno,
      rssAnonKiB: c.rssAnonBytes / 1024,
      vmPteKiB: c.vmPteBytes / 1024,
      pteTables: c.pteTables,
      zeroPtes: c.zeropagePtes,
      presentPages: c.presentPages,
      thpPmds: c.thpPmds,
      hugeZeroPmds: c.hugeZeroPmds,
      uffdFaults,
      ksmZeroPages: c.ksmZeroPages,
      ksmPages: c.ksmPages,
      faults: vmstat.pgfault + cpuRetries,
      smapsRssKiB: ledgerValue(ledger, "Rss"),
      smapsAnonKiB: ledgerValue(ledger, "Anonymous"),
      anonHugeKiB: ledgerValue(ledger, "AnonHugePages"),
      ...(op.kind === "remote-read" ? { remoteRead } : {}),
      ...(op.kind === "uffd-zeropage" ? { zeropage: bytes } : {}),
      ...(op.kind === "uffd-copy" ? { copy: bytes } : {}),
      ...(op.kind === "uffd-move" ? { move: bytes } : {}),
      messages,
      ...(notes.length > 0 ? { notes } : {}),
      rules,
    };
    records.push(rec);
  });
  return records;
}

/**
 * The rules of a step as lines "id ×pages [event]: path", then the engine's messages for failed or
 * partial events as "engine: ..." (for mismatch reports).
 */
export function describeRules(rec: ModelRecord): string[] {
  const notes = rec.notes ?? [];
  if (rec.rules.length === 0 && rec.messages.length === 0 && notes.length === 0) {
    return ["(no engine event: nothing changes in the model)"];
  }
  const rules = rec.rules.map((u) => {
    const n = u.pages === null ? "" : ` ×${u.pages}`;
    const path = u.path ? `: ${u.path}` : "";
    return `${u.id}${n} [${u.event}]${path}`;
  });
  return [...notes, ...rules, ...rec.messages.map((m) => `engine: ${m}`)];
}
