/**
 * Running a scenario: validate it, check that its actions make sense for the chosen kernel (a
 * storage-key instruction needs s390, PV needs a kernel that has it, migration steps come in
 * order), build the Machine, start QEMU, then let each actor do its action. The result is the
 * trace, the Simulation (for seeking), and the outcome: completed, hung, or failed.
 */
import { formatBytes, PAGE_SIZE } from "../base/units.ts";
import type { Trace, VariantId } from "../engine/index.ts";
import { type Simulation, VARIANTS } from "../engine/index.ts";
import { balloonDeflate, balloonInflate } from "../hypervisor/balloon.ts";
import { cmmReclaim, cmmRelease } from "../hypervisor/cmm.ts";
import { guestFree } from "../hypervisor/free-page.ts";
import { guestRegion, guestTouch } from "../hypervisor/guest.ts";
import { hostFork, hostUffdMove } from "../hypervisor/host-process.ts";
import { ksmMerge, markMergeable } from "../hypervisor/ksmd.ts";
import { createVm, guestPv, guestSkeys } from "../hypervisor/kvm.ts";
import {
  DESTINATION,
  Machine,
  type Machine as MachineT,
  type Outcome,
  SOURCE,
} from "../hypervisor/machine.ts";
import { complete, migrate, startMigration, switchover, transfer } from "../hypervisor/migration/migrate.ts";
import {
  allowsMultifdWithPostcopy,
  defaultZeroPageDetection,
  MULTIFD_POSTCOPY_SINCE,
  migrationOf,
  qemuAtLeast,
  supportsZeroPageDetection,
} from "../hypervisor/migration/state.ts";
import { type Action, parseScenario, type Scenario, type ScenarioIssue } from "./schema.ts";

export interface RunResult {
  readonly scenario: Scenario;
  readonly kernel: VariantId;
  /** The kernel version the run modelled ("4.12", "6.18"): the scenario's, else the variant's tag. */
  readonly kernelVersion: string;
  readonly trace: Trace;
  readonly simulation: Simulation;
  readonly outcome: Outcome;
  readonly outcomeReason: string;
}

export type RunAttempt = { ok: true; run: RunResult } | { ok: false; issues: ScenarioIssue[] };

export interface RunOptions {
  /** Run under this variant instead of the scenario's (CLI --kernel, links, compare). */
  readonly kernel?: VariantId;
  /** false: keep no checkpoints for seeking (a caller that only reads the trace: the CLI). */
  readonly checkpoints?: boolean;
  /** Called before each action and once at the end (done === total): the editor's progress bar. */
  readonly onAction?: (done: number, total: number) => void;
}

/** Problems that the schema cannot see: they depend on the kernel and the order of actions. */
export function checkScenario(s: Scenario, kernel: VariantId): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const v = VARIANTS[kernel];
  const q = s.machine.qemu;
  // The schema checks arch against machine.kernel; a --kernel override must match it too.
  if (s.machine.arch && s.machine.arch !== v.arch) {
    issues.push({
      path: "machine.arch",
      message: `the machine is ${s.machine.arch}, but ${kernel} is an ${v.arch} kernel`,
    });
  }
  if (q.zeroPageDetection && !supportsZeroPageDetection(q.version)) {
    issues.push({
      path: "machine.qemu.zeroPageDetection",
      message: `zero-page-detection exists from QEMU 9.0 on; this machine has QEMU ${q.version}`,
    });
  }
  if (q.multifd && usesPostcopyRam(s) && !allowsMultifdWithPostcopy(q.version)) {
    const why = q.postcopyRam ? "postcopyRam is on" : "a postcopy migration turns on postcopy-ram";
    issues.push({
      path: "machine.qemu.multifd",
      message: `QEMU ${q.version} refuses multifd together with postcopy-ram (${why}): migrate_caps_check() fails with "Postcopy is not yet compatible with multifd"; QEMU ${MULTIFD_POSTCOPY_SINCE} is the first release that accepts both`,
    });
  }
  if (q.freePageReporting && !qemuAtLeast(q.version, 5, 1)) {
    issues.push({
      path: "machine.qemu.freePageReporting",
      message: `free page reporting came in QEMU 5.1 (virtio_balloon_handle_report); this machine has QEMU ${q.version}`,
    });
  }
  if (q.freePageHinting && !qemuAtLeast(q.version, 4, 0)) {
    issues.push({
      path: "machine.qemu.freePageHinting",
      message: `free page hinting came in QEMU 4.0 (qemu_guest_free_page_hint); this machine has QEMU ${q.version}`,
    });
  }
  const ram = s.machine.guestRam;
  /** A size that must fit in guest RAM (a larger one is a typo, not a request the guest can meet). */
  const withinRam = (path: string, bytes: number | undefined, what: string) => {
    if (bytes !== undefined && bytes > ram)
      issues.push({
        path,
        message: `expected at most guest RAM (${formatBytes(ram)}) for ${what}, got ${formatBytes(bytes)}`,
      });
  };
  let migration: "none" | "started" | "switched" | "done" = "none";
  let mode: "precopy" | "postcopy" = "precopy";
  s.actions.forEach((a, i) => {
    const at = `actions[${i}]`;
    switch (a.do) {
      case "guest-skeys":
        if (v.arch !== "s390x")
          issues.push({ path: at, message: `storage keys exist only on s390; ${kernel} has none` });
        break;
      case "guest-pv":
        if (!v.hasPv)
          issues.push({ path: at, message: `protected virtualization is not available in ${kernel}` });
        break;
      case "guest-touch":
        withinRam(`${at}.size`, a.size, "what the guest allocates");
        break;
      case "guest-free":
        withinRam(`${at}.size`, a.size, "what the guest frees");
        break;
      case "guest-cmm-release":
      case "guest-cmm-reclaim":
        if (v.arch !== "s390x")
          issues.push({
            path: at,
            message: `CMM (DIAGNOSE 0x10) is an s390 guest's; ${kernel} is an ${v.arch} kernel`,
          });
        withinRam(`${at}.size`, a.size, "the CMM driver's pages");
        break;
      case "balloon-inflate":
      case "balloon-deflate":
        withinRam(
          `${at}.size`,
          a.size,
          `the balloon to ${a.do === "balloon-inflate" ? "take" : "give back"}`,
        );
        break;
      case "migrate":
        if (migration !== "none") issues.push({ path: at, message: "only one migration per scenario" });
        migration = "done";
        withinRam(`${at}.dirty`, a.dirty, "the memory the guest dirties");
        withinRam(`${at}.precopyBeforeSwitch`, a.precopyBeforeSwitch, "the precopy before the switch");
        // Options that would silently do nothing (there is no warning channel: they are errors).
        if (a.mode === "precopy" && a.precopyBeforeSwitch !== undefined) {
          issues.push({
            path: `${at}.precopyBeforeSwitch`,
            message:
              'precopyBeforeSwitch only applies to mode "postcopy" (a precopy migration sends all of RAM before it switches over); remove it or set mode "postcopy"',
          });
        }
        if (a.mode === "postcopy" && (a.dirty ?? 0) > 0 && (a.precopyBeforeSwitch ?? 0) === 0) {
          issues.push({
            path: `${at}.dirty`,
            message:
              "dirty has no effect in a postcopy migration without precopyBeforeSwitch: nothing has been sent before the switch, so there is nothing to send again; set precopyBeforeSwitch to the RAM precopy sends first",
          });
        }
        break;
      case "migrate-start":
        if (migration !== "none") issues.push({ path: at, message: "only one migration per scenario" });
        migration = "started";
        mode = a.mode;
        break;
      case "migrate-transfer":
        if (migration === "none" || migration === "done")
          issues.push({
            path: at,
            message: "migrate-transfer needs a running migration (migrate-start first)",
          });
        break;
      case "migrate-switchover":
        if (migration !== "started")
          issues.push({
            path: at,
            message: "migrate-switchover needs a migration started with migrate-start",
          });
        migration = mode === "postcopy" ? "switched" : "done";
        break;
      case "migrate-complete":
        if (migration === "none" || migration === "done")
          issues.push({ path: at, message: "migrate-complete needs a running migration" });
        migration = "done";
        break;
      case "ksm-merge":
      case "madvise-dontneed":
      case "host-read":
      case "host-fork":
      case "host-uffd-move":
        if (a.on === "destination" && migration === "none")
          issues.push({ path: `${at}.on`, message: "there is no destination before a migration starts" });
        break;
      default:
        break;
    }
    if (a.do === "host-uffd-move") {
      // Both ranges inside guest RAM (the kernel's own checks, such as overlap, are the engine's).
      const start = a.start ?? 0;
      if (start + a.size > ram)
        issues.push({
          path: at,
          message: `the source ends at ${formatBytes(start + a.size)}, past guest RAM (${formatBytes(ram)})`,
        });
      if (a.to + a.size > ram)
        issues.push({
          path: `${at}.to`,
          message: `the destination ends at ${formatBytes(a.to + a.size)}, past guest RAM (${formatBytes(ram)})`,
        });
    }
    if ("start" in a || "size" in a) {
      const start = ("start" in a && a.start) || 0;
      const size = ("size" in a && a.size) || 0;
      if (
        (a.do === "guest-read" ||
          a.do === "guest-write" ||
          a.do === "madvise-dontneed" ||
          a.do === "host-read") &&
        start + size > s.machine.guestRam
      ) {
        issues.push({
          path: at,
          message: `the region ends at ${formatBytes(start + size)}, past guest RAM (${formatBytes(s.machine.guestRam)})`,
        });
      }
    }
  });
  return issues;
}

/** The postcopy-ram capability is on: set in the machine, or turned on by a postcopy migration. */
function usesPostcopyRam(s: Scenario): boolean {
  return (
    s.machine.qemu.postcopyRam ||
    s.actions.some((a) => (a.do === "migrate" || a.do === "migrate-start") && a.mode === "postcopy")
  );
}

function usesMigration(s: Scenario): boolean {
  return s.actions.some((a) => a.do === "migrate" || a.do === "migrate-start");
}

function kernelVersionFor(s: Scenario, kernel: VariantId): string {
  if (s.machine.kernelVersion) return s.machine.kernelVersion;
  return VARIANTS[kernel].sourceTag.replace(/^v/, "");
}

/** A short label for an action, for the step list and the timeline. */
export function actionLabel(a: Action, guestRam: number): string {
  const size = (b: number | undefined) => formatBytes(b ?? guestRam);
  switch (a.do) {
    case "guest-touch":
      return `guest allocates ${size(a.size)} and writes ${a.content === "data" ? "data" : "zeros"}`;
    case "guest-read":
      return `guest reads ${size(a.size)}${a.start ? ` from ${formatBytes(a.start)}` : ""}`;
    case "guest-write":
      return `guest writes ${size(a.size)}${a.start ? ` from ${formatBytes(a.start)}` : ""} (${a.content})`;
    case "guest-skeys":
      return "guest executes its first storage-key instruction";
    case "guest-pv":
      return "guest turns into a protected (PV) guest";
    case "balloon-inflate":
      return `balloon inflates by ${size(a.size)}`;
    case "balloon-deflate":
      return `balloon deflates by ${size(a.size)}`;
    case "guest-free":
      return `guest frees ${size(a.size)}`;
    case "guest-cmm-release":
      return `guest's CMM driver releases ${size(a.size)} (DIAGNOSE 0x10)`;
    case "guest-cmm-reclaim":
      return `guest's CMM driver frees ${size(a.size)} for the guest again`;
    case "ksm-merge":
      return `ksmd merges pages${a.on ? ` on the ${a.on}` : ""}`;
    case "madvise-dontneed":
      return `MADV_DONTNEED of ${size(a.size)}${a.on ? ` on the ${a.on}` : ""}`;
    case "host-read":
      return `${a.via === "populate-read" ? "MADV_POPULATE_READ" : "process_vm_readv()"} reads ${size(a.size)}${a.on ? ` on the ${a.on}` : ""}`;
    case "host-fork":
      return `QEMU forks a helper${a.on ? ` on the ${a.on}` : ""}`;
    case "host-uffd-move":
      return `UFFDIO_MOVE of ${formatBytes(a.size)} from ${formatBytes(a.start ?? 0)} to ${formatBytes(a.to)}${a.on ? ` on the ${a.on}` : ""}`;
    case "migrate":
      return `${a.mode} migration${a.pagemapCheck ? " with the pagemap check" : ""}`;
    case "migrate-start":
      return `${a.mode} migration starts${a.pagemapCheck ? " (pagemap check)" : ""}`;
    case "migrate-transfer":
      return `migration transfers ${a.size ? formatBytes(a.size) : "the rest"}`;
    case "migrate-switchover":
      return "migration switches over";
    case "migrate-complete":
      return "migration completes";
  }
}

function actorOf(a: Action): [string, string] {
  switch (a.do) {
    case "guest-touch":
    case "guest-read":
    case "guest-write":
      return ["guest", ""];
    case "guest-skeys":
      return ["guest", "skeys"];
    case "guest-pv":
      return ["guest", "pv"];
    case "balloon-inflate":
      return ["balloon", "inflate"];
    case "balloon-deflate":
      return ["balloon", "deflate"];
    case "guest-cmm-release":
    case "guest-cmm-reclaim":
      return ["guest", "cmm"];
    case "guest-free":
      return ["guest", "free"];
    case "ksm-merge":
      return ["ksmd", "ksm"];
    case "madvise-dontneed":
    case "host-read":
    case "host-fork":
    case "host-uffd-move":
      return ["qemu", ""];
    case "migrate":
    case "migrate-start":
      return ["qemu", "migration-start"];
    case "migrate-transfer":
      return ["qemu", ""];
    case "migrate-switchover":
      return ["qemu", "switchover"];
    case "migrate-complete":
      return ["qemu", "migration-end"];
  }
}

/** The host process an action with `on` runs in: the one named, else the guest's current host. */
function hostOf(m: MachineT, on: "source" | "destination" | undefined): number {
  return on === "destination" ? DESTINATION : on === "source" ? SOURCE : m.guestOn;
}

function runAction(m: MachineT, a: Action): void {
  const pages = (b: number | undefined, fallback: number) => Math.floor((b ?? fallback) / PAGE_SIZE);
  switch (a.do) {
    case "guest-touch":
      guestTouch(m, pages(a.size, 0), a.content);
      return;
    case "guest-read":
    case "guest-write": {
      const first = pages(a.start, 0);
      const count = pages(a.size, m.pages * PAGE_SIZE - (a.start ?? 0));
      guestRegion(
        m,
        a.do === "guest-read" ? "read" : "write",
        first,
        count,
        a.do === "guest-write" ? a.content : "zero",
      );
      return;
    }
    case "guest-skeys":
      guestSkeys(m);
      return;
    case "guest-pv":
      guestPv(m);
      return;
    case "balloon-inflate":
      balloonInflate(m, pages(a.size, 0));
      return;
    case "balloon-deflate":
      balloonDeflate(m, pages(a.size, 0));
      return;
    case "guest-free":
      guestFree(m, pages(a.size, 0));
      return;
    case "guest-cmm-release":
      cmmRelease(m, pages(a.size, 0));
      return;
    case "guest-cmm-reclaim":
      cmmReclaim(m, pages(a.size, 0));
      return;
    case "ksm-merge":
      ksmMerge(m, hostOf(m, a.on));
      return;
    case "madvise-dontneed": {
      const mm = hostOf(m, a.on);
      const first = pages(a.start, 0);
      const count = pages(a.size, m.pages * PAGE_SIZE - (a.start ?? 0));
      m.apply(
        { kind: "madvise", mm, advice: "dontneed", ranges: [first, count] },
        "user space: madvise(MADV_DONTNEED) in one call",
      );
      return;
    }
    case "host-read": {
      const mm = hostOf(m, a.on);
      const first = pages(a.start, 0);
      const count = pages(a.size, m.pages * PAGE_SIZE - (a.start ?? 0));
      const populate = a.via === "populate-read";
      const r = m.apply(
        {
          kind: "fault",
          mm,
          access: "read",
          ranges: [first, count],
          via: populate ? "populate_read" : "gup",
        },
        populate
          ? "user space: madvise(MADV_POPULATE_READ) over guest RAM"
          : "another process: process_vm_readv() of guest RAM (a debugger or dump tool)",
      );
      if (!r.ok && r.errno !== "EFAULT")
        m.sim.noteAction(
          `${populate ? "MADV_POPULATE_READ" : "process_vm_readv()"} failed: ${r.message ?? r.errno}`,
        );
      return;
    }
    case "host-fork":
      hostFork(m, hostOf(m, a.on));
      return;
    case "host-uffd-move":
      hostUffdMove(m, hostOf(m, a.on), pages(a.start, 0), pages(a.to, 0), pages(a.size, 0));
      return;
    case "migrate":
      migrate(m, {
        mode: a.mode,
        dirtyPages: pages(a.dirty, 0),
        pagemapCheck: a.pagemapCheck,
        precopyBeforeSwitchPages: pages(a.precopyBeforeSwitch, 0),
      });
      return;
    case "migrate-start":
      startMigration(m, a.mode, a.pagemapCheck);
      return;
    case "migrate-transfer":
      transfer(m, a.size ? pages(a.size, 0) : m.pages);
      return;
    case "migrate-switchover":
      switchover(m);
      return;
    case "migrate-complete":
      complete(m);
      return;
  }
}

/** QEMU starts on the source: guest RAM is mapped, the VM is created, RAM is advised. */
function startQemu(m: MachineT): void {
  m.sim.beginAction("QEMU starts: guest RAM is mapped and the VM is created", "qemu", "start");
  createVm(m, SOURCE);
  if (m.arch === "x86_64" && m.cfg.thp !== "never") {
    m.apply(
      { kind: "madvise", mm: SOURCE, advice: "hugepage", ranges: [0, m.pages] },
      "qemu: ram_block_add → qemu_madvise(QEMU_MADV_HUGEPAGE)",
    );
  }
  markMergeable(m, SOURCE);
}

export function runParsed(s: Scenario, opts: RunOptions = {}): RunAttempt {
  const kernel = opts.kernel ?? s.machine.kernel;
  const issues = checkScenario(s, kernel);
  if (issues.length > 0) return { ok: false, issues };
  const limit = (h: { memLimit: "unlimited" | number } | undefined) =>
    !h || h.memLimit === "unlimited" ? Number.POSITIVE_INFINITY : h.memLimit;
  const q = s.machine.qemu;
  const m = new Machine({
    kernel,
    kernelVersion: kernelVersionFor(s, kernel),
    guestPages: s.machine.guestRam / PAGE_SIZE,
    sourceLimitBytes: limit(s.machine.hosts.source),
    destinationLimitBytes: limit(s.machine.hosts.destination),
    thp: s.machine.thp,
    ksmEnabled: s.machine.ksm.enabled,
    ksmUseZeroPages: s.machine.ksm.useZeroPages,
    ...(s.machine.hostZeropage ? { hostZeropage: s.machine.hostZeropage } : {}),
    qemu: {
      version: q.version,
      multifd: q.multifd,
      zeroPageDetection: q.zeroPageDetection ?? defaultZeroPageDetection(q.version),
      postcopyRam: usesPostcopyRam(s),
      memMerge: q.memMerge,
      freePageReporting: q.freePageReporting,
      freePageHinting: q.freePageHinting,
      memoryBackend: q.memoryBackend,
    },
    withDestination: usesMigration(s),
    checkpoints: opts.checkpoints ?? true,
    seed: s.seed,
  });
  startQemu(m);
  let done = 0;
  for (const a of s.actions) {
    opts.onAction?.(done++, s.actions.length);
    if (m.halted) break;
    const [actor, marker] = actorOf(a);
    m.sim.beginAction(actionLabel(a, s.machine.guestRam), actor, marker);
    runAction(m, a);
    if (m.outcome === "hung") m.sim.noteAction(m.outcomeReason);
  }
  opts.onAction?.(s.actions.length, s.actions.length);
  const mig = migrationOf(m);
  if (!m.halted && mig && mig.phase !== "done") {
    m.sim.beginAction("the scenario ends with the migration still running", "qemu", "");
  }
  return {
    ok: true,
    run: {
      scenario: s,
      kernel,
      kernelVersion: m.cfg.kernelVersion,
      trace: m.sim.finish(),
      simulation: m.sim,
      outcome: m.outcome,
      outcomeReason: m.outcomeReason,
    },
  };
}

/** Validates and runs scenario JSON. Never throws for bad input. */
export function runScenario(input: unknown, opts: RunOptions = {}): RunAttempt {
  const parsed = parseScenario(input);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return runParsed(parsed.scenario, opts);
}
