/**
 * The world the engine simulates: the mms (one per host: migration source and destination), plus
 * named per-page flag sets that the hypervisor layer keeps alongside (the guest's balloon, QEMU's
 * receive bitmap). The engine stores and checkpoints those sets; it never reads them in a rule.
 *
 * An event's outcome (EventResult) is also defined here, because every room returns one.
 */
import { ChunkedBytes } from "../base/chunked.ts";
import type { Errno, Recorder } from "./apply.ts";
import { Mm, type MmConfig } from "./mm.ts";
import { hostMemBytes } from "./proc/status.ts";

export class World {
  mms: Mm[];
  /** pagesets[mm].get(name): one byte per page, 0 or 1, stored like the page tables. */
  pagesets: Map<string, ChunkedBytes>[];

  constructor(configs: readonly MmConfig[]) {
    this.mms = configs.map((c) => new Mm(c));
    this.pagesets = configs.map(() => new Map());
  }

  pageset(mm: number, name: string): ChunkedBytes {
    const sets = this.pagesets[mm]!;
    let s = sets.get(name);
    if (!s) {
      const m = this.mms[mm]!;
      s = new ChunkedBytes(m.pages, m.geometry.pteShift, m.pt.ptes.pageOffset, 0);
      sets.set(name, s);
    }
    return s;
  }

  /** Memory still available to `mm` before its host's limit (anon pages and page tables). */
  budgetBytes(mm: Mm): number {
    if (!Number.isFinite(mm.host.memLimitBytes)) return Number.POSITIVE_INFINITY;
    let used = 0;
    for (const m of this.mms) if (m.host === mm.host) used += hostMemBytes(m);
    return mm.host.memLimitBytes - used;
  }

  clone(): World {
    const copy = Object.create(World.prototype) as World;
    copy.mms = this.mms.map((m) => m.clone());
    copy.pagesets = this.pagesets.map((sets) => {
      const out = new Map<string, ChunkedBytes>();
      for (const [k, v] of sets) out.set(k, v.clone());
      return out;
    });
    return copy;
  }
}

export interface EventResult {
  /** The event took effect (fully, or with partial progress as a uffd ioctl reports it). */
  readonly ok: boolean;
  /** What the system call or fault returned: null for success. EAGAIN = partial progress. */
  readonly errno: Errno | null;
  /** Human-readable reason when not ok, or a note on partial progress. */
  readonly message: string | null;
  /** For -ENOMEM: the page whose allocation would exceed the host's memory limit. */
  readonly failedAt: number;
  readonly rec: Recorder;
}
