/**
 * The guest: a Linux kernel running in the VM, seen from the host. It allocates and writes its
 * memory, reads it, executes its first storage-key instruction or turns on PV (kvm.ts), and lends
 * pages to the balloon (balloon.ts).
 *
 * Which guest pages it uses is decided by the scenario's seeded PRNG: allocations come as extents
 * (contiguous runs of random length, as a buddy allocator hands out memory after a while), not as
 * single scattered pages. The guest's view of its memory is the page set "guest" on mm 0:
 *   0 free   1 used (allocated and written)   2 in the balloon   3 held by the CMM driver (s390)
 *
 * ASSUMPTION (modelling choice): the guest never touches pages it gave to the balloon or to CMM.
 */
import type { ChunkedBytes } from "../base/chunked.ts";
import type { Prng } from "../base/prng.ts";
import { appendRun, normalizeRuns, pagesIn, subtractRuns } from "../base/runs.ts";
import type { Content, Ranges } from "../engine/index.ts";
import { type Machine, SOURCE } from "./machine.ts";
import { DIRTY_SET, migrationOf } from "./migration/state.ts";

export const GUEST_SET = "guest";
export const GUEST_FREE = 0;
export const GUEST_USED = 1;
export const GUEST_BALLOON = 2;
/** s390: pages the guest's CMM driver holds and released to the host with DIAGNOSE 0x10 (cmm.ts). */
export const GUEST_CMM = 3;

export function guestSet(m: Machine): ChunkedBytes {
  return m.sim.world.pageset(SOURCE, GUEST_SET);
}

/** Runs of guest pages whose guest state satisfies `pick`, within [first, first+count). */
export function guestRuns(
  m: Machine,
  pick: (state: number) => boolean,
  first = 0,
  count = m.pages,
): number[] {
  const out: number[] = [];
  guestSet(m).forEachSpan(first, count, (value, start, length) => {
    if (pick(value)) appendRun(out, start, length);
  });
  return out;
}

/**
 * Chooses `pages` pages out of `candidates` (sorted runs) as random extents. First pass: walk the
 * candidates taking extents of log-uniform length in [min, max], each after a random gap whose
 * mean makes the takes add up to the target over the whole space. Second pass (if short): take
 * whole leftover gaps in a random order until the target is met.
 */
export function pickExtents(
  prng: Prng,
  candidates: Ranges,
  pages: number,
  [min, max]: [number, number],
): number[] {
  const total = pagesIn(candidates);
  const want = Math.min(pages, total);
  if (want === 0) return [];
  if (want === total) return candidates.slice();
  const unit = () => prng.int(0, 1 << 20) / (1 << 20);
  const fraction = want / total;
  const taken: number[] = [];
  let got = 0;
  for (let i = 0; i < candidates.length && got < want; i += 2) {
    const end = candidates[i]! + candidates[i + 1]!;
    let at = candidates[i]!;
    while (at < end && got < want) {
      const len = Math.max(1, Math.round(Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * unit())));
      const gap = Math.round(((2 * len * (1 - fraction)) / fraction) * unit());
      const s = at + gap;
      if (s >= end) break;
      const n = Math.min(len, end - s, want - got);
      taken.push(s, n);
      got += n;
      at = s + n;
    }
  }
  if (got < want) {
    // Leftovers: candidate pages not taken, as runs; take whole runs in random order.
    const left = subtractRuns(candidates, taken);
    const order = Array.from({ length: left.length / 2 }, (_, j) => j);
    for (let j = order.length - 1; j > 0; j--) {
      const r = prng.int(0, j);
      [order[j], order[r]] = [order[r]!, order[j]!];
    }
    for (const j of order) {
      if (got >= want) break;
      const n = Math.min(left[j * 2 + 1]!, want - got);
      taken.push(left[j * 2]!, n);
      got += n;
    }
  }
  return normalizeRuns(taken);
}

/** Marks `ranges` in the guest's page set. */
export function markGuest(m: Machine, ranges: Ranges, state: number, cause: string): void {
  if (ranges.length === 0) return;
  m.apply({ kind: "pageset", mm: SOURCE, set: GUEST_SET, ranges, value: state }, cause);
}

/**
 * A guest access to `ranges` on the mm the guest runs on. While postcopy runs there, a fault on a
 * page that has not arrived raises a userfault: QEMU's fault thread is asked to place it
 * (machine.onUserfault) and the access resumes; if it never will be placed, the vCPU hangs.
 * Returns false when the run cannot continue (hang or OOM).
 */
export function guestAccess(
  m: Machine,
  access: "read" | "write",
  ranges: Ranges,
  content: Content,
  cause: string,
): boolean {
  let rest: number[] = ranges.slice();
  for (let guard = 0; rest.length > 0; guard++) {
    if (guard > 1_000_000) throw new Error("guestAccess: no progress");
    const e =
      access === "read"
        ? ({ kind: "fault", mm: m.guestOn, access: "read", ranges: rest } as const)
        : ({ kind: "fault", mm: m.guestOn, access: "write", ranges: rest, content } as const);
    const r = m.access(m.guestOn, e, cause);
    if (!r) return false;
    if (!r.ok) {
      m.fail(`guest access failed: ${r.message ?? r.errno}`);
      return false;
    }
    const uf = r.rec.userfaultAt;
    if (uf < 0) return true;
    if (!m.onUserfault?.(uf)) {
      if (!m.halted) {
        m.hang(`a vCPU waits forever on guest page ${uf}: it raised a userfault that nobody will resolve`);
      }
      return false;
    }
    // The page is in place now: continue the access from it.
    rest = dropBefore(rest, uf);
  }
  return true;
}

/** `ranges` from `page` on. */
function dropBefore(ranges: Ranges, page: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const first = ranges[i]!;
    const count = ranges[i + 1]!;
    if (first + count <= page) continue;
    if (first < page) out.push(page, first + count - page);
    else out.push(first, count);
  }
  return out;
}

/**
 * KVM dirty logging: while a migration is in its precopy phase, the source QEMU syncs the dirty
 * log (KVM_GET_DIRTY_LOG → migration_bitmap_sync), so pages the guest writes there are sent
 * again, before the switchover (precopy) or as part of the discard bitmap (postcopy).
 */
function logDirty(m: Machine, runs: Ranges): void {
  const s = migrationOf(m);
  if (s?.phase !== "precopy" || m.guestOn !== SOURCE || runs.length === 0) return;
  m.apply(
    { kind: "pageset", mm: SOURCE, set: DIRTY_SET, ranges: runs, value: 1 },
    "kvm: dirty logging (KVM_GET_DIRTY_LOG) → migration_bitmap_sync → the written pages are dirty again",
  );
}

/** guest-touch: the guest allocates `pages` free pages and writes them. */
export function guestTouch(m: Machine, pages: number, content: Content): void {
  const free = guestRuns(m, (s) => s === GUEST_FREE);
  const runs = pickExtents(m.prng, free, pages, m.extentRange);
  const got = pagesIn(runs);
  if (got < pages) m.sim.noteAction(`the guest had only ${got} free pages of the ${pages} requested`);
  const cause =
    content === "data"
      ? "guest: allocates memory and writes data (KVM_RUN)"
      : "guest: allocates memory and zero-fills it (KVM_RUN)";
  if (!guestAccess(m, "write", runs, content, cause)) return;
  markGuest(m, runs, GUEST_USED, "guest: page allocator marks the pages in use");
  logDirty(m, runs);
}

/** guest-read / guest-write over a region, skipping pages the balloon or CMM holds. */
export function guestRegion(
  m: Machine,
  access: "read" | "write",
  first: number,
  count: number,
  content: Content,
): void {
  const runs = guestRuns(m, (s) => s !== GUEST_BALLOON && s !== GUEST_CMM, first, count);
  const cause = access === "read" ? "guest: reads memory (KVM_RUN)" : "guest: writes memory (KVM_RUN)";
  if (!guestAccess(m, access, runs, content, cause)) return;
  if (access !== "write") return;
  markGuest(m, runs, GUEST_USED, "guest: the written pages are in use");
  logDirty(m, runs);
}
