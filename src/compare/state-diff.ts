/**
 * Comparing two worlds' states, exactly: the diff map (which page tables differ between the two
 * sides, per mm) and the yes/no test that divergence refinement uses.
 *
 * What counts as state: each mm's PTE state per page (pte.ts, the model's full state: zeropage by
 * fault, by UFFDIO_ZEROPAGE or by KSM; anon r/o or r/w, zero-filled or data; KSM), whether each PTE
 * table exists and whether a huge PMD maps it, and the counters (proc/status.ts), which also cover
 * the upper-level tables. The mm context flags are not state here (see divergence.ts), nor are the
 * hypervisor's page sets (the balloon, migration bitmaps), nor VMA flags.
 *
 * Mms are matched by name ("source", "destination"). With the same table geometry (size and
 * offset) tables are compared one to one: tags, then the bytes of mixed tables, inside guest RAM
 * only. With different geometry (x86_64 against s390) pages are compared run by run over the pages
 * both sides have, and a table differs if any of its pages does; table presence is then left out,
 * because a 512-entry table and two 256-entry tables cannot be matched.
 *
 * Diff map cells: 0 same, 1 differs, 2 only on this side (the other mm is smaller or missing, and
 * this side's table is present).
 */
import type { MmSnapshot, World } from "../engine/index.ts";
import { snapshotCounters } from "../engine/index.ts";

const MIXED = 0xfe;
const ABSENT = 0xff;

export const DIFF_SAME = 0;
export const DIFF_DIFFERS = 1;
export const DIFF_ONLY_HERE = 2;

export interface MmDiff {
  readonly name: string;
  /** Per table of the left mm (null if the left has no such mm): DIFF_* cells. */
  readonly left: Uint8Array | null;
  readonly right: Uint8Array | null;
  /** Tables marked differing (or only here) on each side. */
  readonly differingLeft: number;
  readonly differingRight: number;
}

type Pt = World["mms"][number]["pt"];

function count(cells: Uint8Array | null): number {
  if (!cells) return 0;
  let n = 0;
  // Mostly same (0): four cells per compare where they are.
  const words = cells.byteOffset % 4 === 0 ? cells.length >> 2 : 0;
  const w = new Uint32Array(cells.buffer, cells.byteOffset, words);
  for (let i = 0; i < words; i++) {
    if (w[i] === 0) continue;
    for (let j = i << 2; j < (i + 1) << 2; j++) if (cells[j] !== DIFF_SAME) n++;
  }
  for (let i = words << 2; i < cells.length; i++) if (cells[i] !== DIFF_SAME) n++;
  return n;
}

/** Whether mixed tables a and b hold the same states on the pages inside guest RAM. */
function sameMixed(pa: Pt, pb: Pt, t: number): boolean {
  const x = pa.ptes.mixed.get(t)!;
  const y = pb.ptes.mixed.get(t)!;
  const base = t * pa.ptes.chunkSize - pa.ptes.pageOffset;
  const lo = Math.max(0, -base);
  const hi = Math.min(pa.ptes.chunkSize, pa.pages - base);
  for (let i = lo; i < hi; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameGrid(pa: Pt, pb: Pt): boolean {
  return pa.ptes.chunkShift === pb.ptes.chunkShift && pa.ptes.pageOffset === pb.ptes.pageOffset;
}

/** Marks tables of both sides that differ page by page over the pages both have. */
function diffByPages(pa: Pt, pb: Pt, left: Uint8Array, right: Uint8Array): void {
  const pages = Math.min(pa.pages, pb.pages);
  // Walk the runs of the right side inside each run of the left side.
  pa.ptes.forEachRun(0, pages, (va, start, length) => {
    pb.ptes.forEachRun(start, length, (vb, s2, l2) => {
      if (va === vb) return;
      for (let t = pa.tableOf(s2); t <= pa.tableOf(s2 + l2 - 1); t++) left[t] = DIFF_DIFFERS;
      for (let t = pb.tableOf(s2); t <= pb.tableOf(s2 + l2 - 1); t++) right[t] = DIFF_DIFFERS;
    });
  });
}

/** Tables of `pt` at or past page `from` that are present: only on this side. */
function markOnlyHere(pt: Pt, from: number, cells: Uint8Array): void {
  if (from >= pt.pages) return;
  for (let t = pt.tableOf(from); t < pt.tables; t++) {
    if (pt.ptes.tags[t] === ABSENT) continue;
    // A table straddling the boundary compares its shared part elsewhere; mark it only if its
    // pages past the boundary are mapped.
    if (pt.ptes.chunkStart(t) < from) {
      let mapped = false;
      pt.ptes.forEachRun(from, pt.ptes.chunkEnd(t) - from, (v) => {
        if (v !== 0) mapped = true;
      });
      if (!mapped) continue;
    }
    if (cells[t] === DIFF_SAME) cells[t] = DIFF_ONLY_HERE;
  }
}

/** The diff map of two worlds: one entry per mm name, left's mms first. */
export function diffWorlds(a: World, b: World): MmDiff[] {
  const names: string[] = [];
  for (const m of a.mms) names.push(m.name);
  for (const m of b.mms) if (!names.includes(m.name)) names.push(m.name);
  return names.map((name) => {
    const ma = a.mms.find((m) => m.name === name);
    const mb = b.mms.find((m) => m.name === name);
    const left = ma ? new Uint8Array(ma.pt.tables) : null;
    const right = mb ? new Uint8Array(mb.pt.tables) : null;
    if (ma && mb && left && right) {
      const pa = ma.pt;
      const pb = mb.pt;
      const common = Math.min(pa.pages, pb.pages);
      if (sameGrid(pa, pb)) {
        const tables = common === 0 ? 0 : pa.tableOf(common - 1) + 1;
        // Hot loop (102,400 tables at 100 GiB): tags and huge flags first, mixed bytes only when
        // both tables are mixed. Without huge PMDs on either side, a stretch of tables that hold
        // the same uniform tag on both sides is one step (endOfTag skips whole groups of chunks).
        const ta = pa.ptes.tags;
        const tb = pb.ptes.tags;
        const ha = pa.huge;
        const hb = pb.huge;
        const noHuge = pa.hugePmds === 0 && pb.hugePmds === 0;
        for (let t = 0; t < tables; t++) {
          const x = ta[t]!;
          if (noHuge && x === tb[t] && x !== MIXED) {
            // Equal uniform tags are equal tables, cut by the end of the smaller mm or not.
            t = Math.min(pa.ptes.endOfTag(t, x, tables - 1), pb.ptes.endOfTag(t, x, tables - 1)) - 1;
            continue;
          }
          if (x === tb[t] && ha[t] === hb[t] && (x !== MIXED || sameMixed(pa, pb, t))) continue;
          // Tables cut by the end of the smaller mm: compare their shared pages only.
          if (pa.ptes.chunkEnd(t) > common || pb.ptes.chunkEnd(t) > common) {
            const sub = new Uint8Array(1);
            const s0 = pa.ptes.chunkStart(t);
            pa.ptes.forEachRun(s0, common - s0, (va, start, length) => {
              pb.ptes.forEachRun(start, length, (vb) => {
                if (va !== vb) sub[0] = 1;
              });
            });
            if (!sub[0] && pa.ptes.isAbsent(t) === pb.ptes.isAbsent(t)) continue;
          }
          left[t] = DIFF_DIFFERS;
          right[t] = DIFF_DIFFERS;
        }
      } else diffByPages(pa, pb, left, right);
      markOnlyHere(pa, common, left);
      markOnlyHere(pb, common, right);
    } else if (ma && left) markOnlyHere(ma.pt, 0, left);
    else if (mb && right) markOnlyHere(mb.pt, 0, right);
    return { name, left, right, differingLeft: count(left), differingRight: count(right) };
  });
}

/** Whether two mms' page tables differ (stops at the first difference). */
function tablesDiffer(pa: Pt, pb: Pt): boolean {
  if (pa.pages !== pb.pages || !sameGrid(pa, pb)) {
    const d = diffWorlds1(pa, pb);
    return d;
  }
  const ta = pa.ptes.tags;
  const tb = pb.ptes.tags;
  for (let t = 0; t < ta.length; t++) {
    if (ta[t] !== tb[t] || pa.huge[t] !== pb.huge[t]) return true;
    if (ta[t] === MIXED && !sameMixed(pa, pb, t)) return true;
  }
  return false;
}

function diffWorlds1(pa: Pt, pb: Pt): boolean {
  const left = new Uint8Array(pa.tables);
  const right = new Uint8Array(pb.tables);
  diffByPages(pa, pb, left, right);
  markOnlyHere(pa, Math.min(pa.pages, pb.pages), left);
  markOnlyHere(pb, Math.min(pa.pages, pb.pages), right);
  return count(left) > 0 || count(right) > 0;
}

/** Whether two worlds' states differ (counters first, then tables; mms matched by name). */
export function worldsDiffer(a: World, b: World): boolean {
  for (const ma of a.mms) {
    const mb = b.mms.find((m) => m.name === ma.name);
    const ca = snapshotCounters(ma);
    if (!mb) {
      if (Object.values(ca).some((v) => v !== 0)) return true;
      continue;
    }
    const cb = snapshotCounters(mb);
    for (const k of Object.keys(ca) as (keyof typeof ca)[]) if (ca[k] !== cb[k]) return true;
  }
  for (const mb of b.mms) {
    if (a.mms.some((m) => m.name === mb.name)) continue;
    if (Object.values(snapshotCounters(mb)).some((v) => v !== 0)) return true;
  }
  for (const ma of a.mms) {
    const mb = b.mms.find((m) => m.name === ma.name);
    if (mb && tablesDiffer(ma.pt, mb.pt)) return true;
  }
  return false;
}

/**
 * A cheaper, coarser diff map from two views' snapshots (MmSnapshot.tableClass: majority class per
 * table): for callers that hold snapshots, not worlds. It can miss a difference inside a table whose
 * majority class is the same on both sides; the worker uses diffWorlds.
 */
export function diffSnapshots(a: readonly MmSnapshot[], b: readonly MmSnapshot[]): MmDiff[] {
  const names: string[] = [];
  for (const m of a) names.push(m.name);
  for (const m of b) if (!names.includes(m.name)) names.push(m.name);
  return names.map((name) => {
    const sa = a.find((m) => m.name === name);
    const sb = b.find((m) => m.name === name);
    const left = sa ? new Uint8Array(sa.tables) : null;
    const right = sb ? new Uint8Array(sb.tables) : null;
    if (sa && sb && left && right) {
      // Different table grids cannot be matched from classes: nothing is marked.
      if (sa.ptesPerTable !== sb.ptesPerTable || sa.pageOffset !== sb.pageOffset) {
        return { name, left, right, differingLeft: 0, differingRight: 0 };
      }
      const n = Math.min(sa.tables, sb.tables);
      for (let t = 0; t < n; t++) {
        if (sa.tableClass[t] !== sb.tableClass[t]) {
          left[t] = DIFF_DIFFERS;
          right[t] = DIFF_DIFFERS;
        }
      }
      for (let t = n; t < sa.tables; t++) if (sa.tableClass[t] !== ABSENT) left[t] = DIFF_ONLY_HERE;
      for (let t = n; t < sb.tables; t++) if (sb.tableClass[t] !== ABSENT) right[t] = DIFF_ONLY_HERE;
    } else {
      if (left && sa)
        for (let t = 0; t < sa.tables; t++) if (sa.tableClass[t] !== ABSENT) left[t] = DIFF_ONLY_HERE;
      if (right && sb)
        for (let t = 0; t < sb.tables; t++) if (sb.tableClass[t] !== ABSENT) right[t] = DIFF_ONLY_HERE;
    }
    return { name, left, right, differingLeft: count(left), differingRight: count(right) };
  });
}
