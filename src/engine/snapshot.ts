/**
 * What the views draw, computed in the worker from a world: per page table one byte that says what
 * its PTEs hold, per selected table its PTE states, and per-table summaries of the hypervisor's
 * page sets (the balloon). Views colour these bytes; they never look at PTE semantics themselves.
 *
 * Table class byte:
 *   0xFF            no page table (PMD entry none)
 *   low 3 bits      majority content class: 0 none, 1 zeropage, 2 anon zero-filled, 3 anon data, 4 KSM
 *   bit 3 (0x08)    mixed: more than one class in the table
 *   bit 4 (0x10)    mapped by a huge PMD (x86_64 THP / huge zero page)
 */
import { ABSENT, MIXED } from "../base/chunked.ts";
import { describeHostPolicy, isHostPolicyNonDefault } from "./mm.ts";
import { type MmCounters, snapshotCounters } from "./proc/status.ts";
import { type VmstatDeltas, vmstatDeltas } from "./proc/vmstat.ts";
import { Pte } from "./pte.ts";
import type { World } from "./world.ts";

export const CLASS_NONE = 0;
export const CLASS_ZERO = 1;
export const CLASS_ANON_ZERO = 2;
export const CLASS_ANON_DATA = 3;
export const CLASS_KSM = 4;
export const CLASS_MIXED = 0x08;
export const CLASS_HUGE = 0x10;
export const CLASS_ABSENT = 0xff;

export const CLASS_NAMES = ["none", "zeropage", "anon, zero-filled", "anon, data", "KSM"] as const;

/** PTE state → content class. */
export const STATE_CLASS: readonly number[] = [
  CLASS_NONE,
  CLASS_ZERO,
  CLASS_ZERO,
  CLASS_ZERO,
  CLASS_ANON_ZERO,
  CLASS_ANON_DATA,
  CLASS_ANON_ZERO,
  CLASS_ANON_DATA,
  CLASS_KSM,
  // A memfd page is a frame of the guest's own, like an anonymous one; a page only the page cache
  // holds has no PTE, so the map shows its entry as empty.
  CLASS_ANON_ZERO,
  CLASS_ANON_DATA,
  CLASS_NONE,
  CLASS_NONE,
];

/**
 * PTE state → what it maps, for the fan-in diagram: nothing, the one shared zeropage (every ZERO*
 * state, however it was placed), a frame of its own (every anonymous state), or a KSM page.
 */
export const STATE_FRAME: readonly ("none" | "zeropage" | "own" | "ksm")[] = [
  "none",
  "zeropage",
  "zeropage",
  "zeropage",
  "own",
  "own",
  "own",
  "own",
  "ksm",
  "own",
  "own",
  "none",
  "none",
];

/** What a content class is called in one run: a short name for the key, a sentence for its note. */
export interface ContentClassName {
  readonly label: string;
  readonly note: string;
}

/**
 * The content classes' names for a run whose PTEs took the states in `seen` (every state any PTE
 * held, however briefly). A class the run's memfd pages fall into says so: guest RAM in a memfd
 * mapped shared (memory-backend-memfd, share=on) is shmem, whose faults allocate a page-cache page
 * for every hole (shmem_fault → shmem_get_folio_gfp, mm/shmem.c) and never map the zeropage, and
 * its pages count in RssShmem, not RssAnon. A run with both kinds names both.
 */
export function contentClassNames(seen: (state: number) => boolean): ContentClassName[] {
  const anon = [Pte.ANON_RO_ZERO, Pte.ANON_RO_DATA, Pte.ANON_RW_ZERO, Pte.ANON_RW_DATA].some(seen);
  const shmem = seen(Pte.SHMEM_ZERO) || seen(Pte.SHMEM_DATA);
  const cached = seen(Pte.CACHED_ZERO) || seen(Pte.CACHED_DATA);
  const kind = shmem ? (anon ? "anon or shmem/memfd page" : "shmem/memfd page") : "anon page";
  const frame = (content: string) => {
    const own = `a private 4 KiB frame per page that holds ${content}`;
    const memfd = `a 4 KiB page of the guest's memfd (shmem page cache) per page, holding ${content}: shmem never maps the zeropage`;
    return shmem ? (anon ? `${own}, or ${memfd}` : memfd) : own;
  };
  return [
    {
      label: "table, PTEs empty",
      note: cached
        ? "the page table exists (it costs memory) but maps nothing; a memfd page that a zap unmapped stays in the page cache and still costs its 4 KiB"
        : "the page table exists (it costs memory) but maps nothing",
    },
    { label: "shared zeropage", note: "PTEs point at the one shared zero page: costs only the page table" },
    { label: `${kind}, zero-filled`, note: frame("only zeros") },
    { label: `${kind}, data`, note: frame("the guest's data") },
    { label: "KSM page", note: "merged into a shared KSM page" },
  ];
}

export interface MmSnapshot {
  readonly name: string;
  readonly tables: number;
  readonly ptesPerTable: number;
  readonly pageOffset: number;
  readonly tableClass: Uint8Array;
  /** Per table: 0 none of its guest pages in the balloon, 1 some, 2 all. */
  readonly balloon: Uint8Array;
  /** Tables per class byte (256 bins): legends count from this instead of every table. */
  readonly classHistogram: Float64Array;
  /** Tables per class byte, over the tables whose guest pages are all in the balloon. */
  readonly balloonClassHistogram: Float64Array;
  /** Tables with none, some and all of their guest pages in the balloon. */
  readonly balloonParts: readonly [number, number, number];
  /**
   * Content hashes of tableClass and balloon (two 32-bit FNV-1a variants each, as one number):
   * equal hashes, equal bytes, so a view can keep the previous array and skip a repaint.
   */
  readonly tableClassHash: number;
  readonly balloonHash: number;
  readonly counters: MmCounters;
  /** /proc/vmstat events this mm caused since the scenario began (proc/vmstat.ts). */
  readonly vmstat: VmstatDeltas;
  readonly forbidsZeropage: boolean;
  /** The host's zeropage policy in words where it is not upstream's (describeHostPolicy), else null. */
  readonly hostZeropage: string | null;
}

/** Content class of every state of a mixed table, counted; returns the class byte. */
function classOfMixed(
  arr: Uint8Array,
  lo: number,
  hi: number,
  states: Int32Array,
  counts: Float64Array,
): number {
  states.fill(0);
  for (let i = lo; i < hi; i++) states[arr[i]!]!++;
  counts.fill(0);
  for (let st = 0; st < states.length; st++) counts[STATE_CLASS[st]!]! += states[st]!;
  let best = 0;
  let kinds = 0;
  for (let c = 0; c < 5; c++) {
    if (counts[c]! > 0) kinds++;
    if (counts[c]! > counts[best]!) best = c;
  }
  return best | (kinds > 1 ? CLASS_MIXED : 0);
}

/**
 * Maximal runs of equal bytes in a per-table array, in table order (values, starts, lengths):
 * written while the array is filled, span by span, so that a stretch of uniform page tables costs
 * one entry instead of one visit per table. Adjacent spans with equal bytes merge, so equal arrays
 * give equal runs however they were filled.
 */
class Runs {
  values: number[] = [];
  starts: number[] = [];
  lengths: number[] = [];

  /** Bytes [start, start + length) hold `value` (spans arrive in order and adjoin). */
  push(value: number, start: number, length: number): void {
    if (length <= 0) return;
    const last = this.values.length - 1;
    if (last >= 0 && this.values[last] === value) this.lengths[last]! += length;
    else {
      this.values.push(value);
      this.starts.push(start);
      this.lengths.push(length);
    }
  }

  /**
   * A content hash of the runs (two 32-bit FNV-1a style variants, as one number): equal hashes,
   * equal bytes, so a view can keep the array it has and skip a repaint. Positions count: the
   * same classes in other tables hash differently.
   */
  hash(): number {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i]!;
      const start = this.starts[i]!;
      const len = this.lengths[i]!;
      h1 = Math.imul(Math.imul(Math.imul(h1 ^ v, 0x01000193) ^ start, 0x01000193) ^ len, 0x01000193);
      h2 = Math.imul(Math.imul(h2 ^ (v + start), 0x5bd1e995) ^ (len + i), 0x5bd1e995);
    }
    return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff);
  }
}

/** Per-table summary of a page set: 0 no page has `value`, 1 some do, 2 all do. */
export interface PagesetSummary {
  /** mm whose page set to read (guest-side sets live on mm 0). */
  readonly mm: number;
  readonly name: string;
  readonly value: number;
}

/**
 * The balloon byte per table (PagesetSummary) and its runs. Uniform chunks of the page set are
 * taken a stretch at a time (ChunkedBytes.endOfTag: one compare per group of chunks that hold the
 * same tag); only mixed chunks are counted page by page.
 */
function summarizePageset(w: World, index: number, spec: PagesetSummary | undefined): [Uint8Array, Runs] {
  const tables = w.mms[index]!.pt.tables;
  const out = new Uint8Array(tables);
  const runs = new Runs();
  const set = spec ? w.pagesets[spec.mm]?.get(spec.name) : undefined;
  if (!spec || !set || set.chunks !== tables) {
    runs.push(0, 0, tables);
    return [out, runs];
  }
  const tags = set.tags;
  const value = spec.value;
  for (let t = 0; t < tables; ) {
    const tag = tags[t]!;
    if (tag === MIXED) {
      const arr = set.mixed.get(t)!;
      const lo = set.chunkStart(t) - (t * set.chunkSize - set.pageOffset);
      const hi = lo + (set.chunkEnd(t) - set.chunkStart(t));
      let n = 0;
      for (let i = lo; i < hi; i++) if (arr[i] === value) n++;
      const b = n === 0 ? 0 : n === hi - lo ? 2 : 1;
      out[t] = b;
      runs.push(b, t, 1);
      t++;
      continue;
    }
    const end = set.endOfTag(t, tag, tables - 1);
    const b = tag === value ? 2 : 0;
    if (b !== 0) out.fill(b, t, end);
    runs.push(b, t, end - t);
    t = end;
  }
  return [out, runs];
}

/**
 * Table class bytes for tables [t, end), which all hold uniform tag `tag` (not MIXED): one class,
 * with the huge-PMD bit where the table's range is mapped by a huge PMD.
 */
function fillUniform(
  tableClass: Uint8Array,
  runs: Runs,
  t: number,
  end: number,
  tag: number,
  huge: Uint8Array | null,
): void {
  if (tag === ABSENT) {
    tableClass.fill(CLASS_ABSENT, t, end);
    runs.push(CLASS_ABSENT, t, end - t);
    return;
  }
  const cls = STATE_CLASS[tag]!;
  if (!huge) {
    tableClass.fill(cls, t, end);
    runs.push(cls, t, end - t);
    return;
  }
  for (let u = t; u < end; ) {
    const flag = huge[u]!;
    let v = u + 1;
    while (v < end && huge[v] === flag) v++;
    const c = flag ? cls | CLASS_HUGE : cls;
    tableClass.fill(c, u, v);
    runs.push(c, u, v - u);
    u = v;
  }
}

/**
 * Adds the balloon's breakdown: per balloon byte the tables holding it (`parts`), and per class
 * byte the tables wholly in the balloon (`inBalloon`), by walking both run lists together.
 */
function balloonBreakdown(classes: Runs, balloon: Runs, parts: number[], inBalloon: Float64Array): void {
  let i = 0;
  for (let j = 0; j < balloon.values.length; j++) {
    const b = balloon.values[j]!;
    const start = balloon.starts[j]!;
    const end = start + balloon.lengths[j]!;
    parts[b]! += end - start;
    if (b !== 2) continue;
    while (i < classes.values.length && classes.starts[i]! + classes.lengths[i]! <= start) i++;
    for (let k = i; k < classes.values.length && classes.starts[k]! < end; k++) {
      const lo = Math.max(start, classes.starts[k]!);
      const hi = Math.min(end, classes.starts[k]! + classes.lengths[k]!);
      inBalloon[classes.values[k]!]! += hi - lo;
    }
  }
}

/**
 * The views' picture of mm `index`. `balloon` names the page set and value that mark ballooned
 * guest pages (the hypervisor layer's convention; the engine does not interpret it).
 *
 * Cost follows the number of boundaries between runs of page tables, not the number of tables:
 * the worker takes one per step shown, for every mm of the run.
 */
export function snapshotMm(w: World, index: number, balloon?: PagesetSummary): MmSnapshot {
  const mm = w.mms[index]!;
  const pt = mm.pt;
  const ptes = pt.ptes;
  const tags = ptes.tags;
  const huge = pt.hugePmds > 0 ? pt.huge : null;
  const tables = tags.length;
  const tableClass = new Uint8Array(tables);
  const classRuns = new Runs();
  const counts = new Float64Array(5);
  const states = new Int32Array(STATE_CLASS.length);
  for (let t = 0; t < tables; ) {
    const tag = tags[t]!;
    if (tag !== MIXED) {
      const end = ptes.endOfTag(t, tag, tables - 1);
      fillUniform(tableClass, classRuns, t, end, tag, huge);
      t = end;
      continue;
    }
    const lo = ptes.chunkStart(t) - (t * ptes.chunkSize - ptes.pageOffset);
    const cls = classOfMixed(
      ptes.mixed.get(t)!,
      lo,
      lo + (ptes.chunkEnd(t) - ptes.chunkStart(t)),
      states,
      counts,
    );
    const c = huge?.[t] ? cls | CLASS_HUGE : cls;
    tableClass[t] = c;
    classRuns.push(c, t, 1);
    t++;
  }
  const [balloonOf, balloonRuns] = summarizePageset(w, index, balloon);
  const classHistogram = new Float64Array(256);
  for (let i = 0; i < classRuns.values.length; i++)
    classHistogram[classRuns.values[i]!]! += classRuns.lengths[i]!;
  const balloonClassHistogram = new Float64Array(256);
  const parts: [number, number, number] = [0, 0, 0];
  balloonBreakdown(classRuns, balloonRuns, parts, balloonClassHistogram);
  return {
    name: mm.name,
    tables,
    ptesPerTable: mm.geometry.ptesPerTable,
    pageOffset: ptes.pageOffset,
    tableClass,
    balloon: balloonOf,
    classHistogram,
    balloonClassHistogram,
    balloonParts: parts,
    tableClassHash: classRuns.hash(),
    balloonHash: balloonRuns.hash(),
    counters: snapshotCounters(mm),
    vmstat: vmstatDeltas(mm),
    forbidsZeropage: mm.forbidsZeropage(),
    hostZeropage: isHostPolicyNonDefault(mm.hostZeropage) ? describeHostPolicy(mm.hostZeropage) : null,
  };
}

export interface TableDetail {
  readonly mm: number;
  readonly table: number;
  /** First page of the table (may be negative for a partial first table). */
  readonly firstPage: number;
  readonly present: boolean;
  readonly huge: boolean;
  /** PTE state per slot (Pte values); slots outside guest RAM read as none. */
  readonly states: Uint8Array;
  /** Balloon flag per slot. */
  readonly balloon: Uint8Array;
}

export function tableDetail(w: World, index: number, table: number, balloon?: PagesetSummary): TableDetail {
  const mm = w.mms[index]!;
  const pt = mm.pt;
  const t = Math.max(0, Math.min(table, pt.tables - 1));
  const set = balloon ? w.pagesets[balloon.mm]?.get(balloon.name) : undefined;
  return {
    mm: index,
    table: t,
    firstPage: t * pt.ptes.chunkSize - pt.ptes.pageOffset,
    present: pt.hasTable(t),
    huge: pt.huge[t] === 1,
    states: pt.ptes.chunkValues(t),
    balloon:
      set && balloon
        ? set.chunkValues(t).map((v) => (v === balloon.value ? 1 : 0))
        : new Uint8Array(pt.ptes.chunkSize),
  };
}

export { Pte };
