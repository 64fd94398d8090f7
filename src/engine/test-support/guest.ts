/**
 * A tiny driver for unit tests: one mm of guest RAM under a chosen variant, with one method per
 * kernel event, plus readable views of the result (PTE text, counters, the rules that fired).
 * Tests only.
 */
import type { Content, KernelEvent } from "../events.ts";
import { applyEvent } from "../kernel.ts";
import { type HostConfig, type Mm, type MmConfig, VmFlag } from "../mm.ts";
import { type MmCounters, snapshotCounters } from "../proc/status.ts";
import { formatPath, ruleAt } from "../rules.ts";
import { VARIANTS, type VariantId } from "../variants.ts";
import { type EventResult, World } from "../world.ts";
import { ptesText, tablesText } from "./dump.ts";

export const DEFAULT_HOST: HostConfig = {
  name: "host",
  memLimitBytes: Number.POSITIVE_INFINITY,
  ksmRun: true,
  ksmUseZeroPages: false,
  thp: "never",
};

export interface GuestOptions {
  /** The mm's name; default "guest". */
  readonly name?: string;
  readonly host?: Partial<HostConfig>;
  readonly kernelVersion?: string;
  readonly baseVpn?: number;
  readonly vmaFlags?: number;
}

/**
 * The engine tests' one MmConfig builder: `pages` of anonymous private guest RAM (writable, COW,
 * or `vmaFlags`) under `variant`, on a host with no memory limit, ksmd running without
 * use_zero_pages and THP off unless `host` says otherwise; the kernel version is the variant's
 * source tag (x86_64: 6.18).
 */
export function guestConfig(variant: VariantId, pages: number, o: GuestOptions = {}): MmConfig {
  const cfg: MmConfig = {
    name: o.name ?? "guest",
    host: { ...DEFAULT_HOST, ...o.host },
    variant,
    kernelVersion:
      o.kernelVersion ?? (variant === "x86_64" ? "6.18" : VARIANTS[variant].sourceTag.replace(/^v/, "")),
    pages,
    vmaFlags: o.vmaFlags ?? VmFlag.WRITE | VmFlag.COW,
  };
  return o.baseVpn === undefined ? cfg : { ...cfg, baseVpn: o.baseVpn };
}

/** Rule ids an event used, each once: its effects' rules (in order) then its event-level steps. */
export function rulesOf(r: EventResult): string[] {
  const ids = r.rec.effects.map((e) => ruleAt(e.rule).id);
  for (const s of r.rec.steps) ids.push(ruleAt(s).id);
  return [...new Set(ids)];
}

/** The kernel path of the event's first effect (or first step), as "a → b → c". */
export function pathOf(r: EventResult): string {
  const e = r.rec.effects.find((x) => x.from !== x.to) ?? r.rec.effects[0];
  const rule = e ? e.rule : r.rec.steps[0];
  return rule === undefined ? "" : formatPath(ruleAt(rule).path);
}

export class Guest {
  readonly world: World;
  last: EventResult | null = null;

  constructor(variant: VariantId, pages: number, o: GuestOptions = {}) {
    this.world = new World([guestConfig(variant, pages, o)]);
  }

  static fromConfig(cfg: MmConfig): Guest {
    const g = Object.create(Guest.prototype) as Guest;
    (g as { world: World }).world = new World([cfg]);
    g.last = null;
    return g;
  }

  get mm(): Mm {
    return this.world.mms[0]!;
  }

  apply(e: KernelEvent): EventResult {
    this.last = applyEvent(this.world, e);
    return this.last;
  }

  read(first: number, count = 1): EventResult {
    return this.apply({ kind: "fault", mm: 0, access: "read", ranges: [first, count] });
  }

  write(first: number, count = 1, content: Content = "data"): EventResult {
    return this.apply({ kind: "fault", mm: 0, access: "write", ranges: [first, count], content });
  }

  unshare(first: number, count = 1): EventResult {
    return this.apply({ kind: "fault", mm: 0, access: "unshare", ranges: [first, count] });
  }

  dontneed(first: number, count: number, callPages?: number): EventResult {
    return this.apply(
      callPages === undefined
        ? { kind: "madvise", mm: 0, advice: "dontneed", ranges: [first, count] }
        : { kind: "madvise", mm: 0, advice: "dontneed", ranges: [first, count], callPages },
    );
  }

  madvise(
    advice: "hugepage" | "nohugepage" | "mergeable" | "unmergeable",
    first = 0,
    count = this.mm.pages,
  ): EventResult {
    return this.apply({ kind: "madvise", mm: 0, advice, ranges: [first, count] });
  }

  uffdRegister(first = 0, count = this.mm.pages): EventResult {
    return this.apply({ kind: "uffd_register", mm: 0, ranges: [first, count] });
  }

  uffdUnregister(first = 0, count = this.mm.pages): EventResult {
    return this.apply({ kind: "uffd_unregister", mm: 0, ranges: [first, count] });
  }

  uffdZeropage(first: number, count = 1): EventResult {
    return this.apply({ kind: "uffd_zeropage", mm: 0, first, count });
  }

  uffdCopy(first: number, count = 1, content: Content = "data"): EventResult {
    return this.apply({ kind: "uffd_copy", mm: 0, first, count, content });
  }

  ksmScan(): EventResult {
    return this.apply({ kind: "ksm_scan", mm: 0 });
  }

  ksmDisable(): EventResult {
    return this.apply({ kind: "ksm_disable", mm: 0 });
  }

  createVm(): EventResult {
    return this.apply({ kind: "kvm_create_vm", mm: 0 });
  }

  enableSkeys(): EventResult {
    return this.apply({ kind: "enable_skeys", mm: 0, via: "instruction" });
  }

  enablePv(): EventResult {
    return this.apply({ kind: "enable_pv", mm: 0 });
  }

  /** PTE states of pages [first, first+count) as text (see dump.ts). */
  text(first = 0, count = this.mm.pages - first): string {
    return ptesText(this.mm, first, count);
  }

  tables(): string {
    return tablesText(this.mm);
  }

  get c(): MmCounters {
    return snapshotCounters(this.mm);
  }
}
