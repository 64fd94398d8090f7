/**
 * The trace: what a run did, event by event, as columns of typed arrays (no object per event,
 * none per page), cheap to transfer from the worker and to hash.
 *
 * One row per kernel event:
 *   action     index of the scenario action that caused it
 *   mm         which address space (0 = source, 1 = destination)
 *   kind       EVENT_KINDS index; label: its one-line name (strings table)
 *   ok, errno  outcome (errno index into ERRNOS, 0 = none)
 *   cause      the hypervisor call path that issued it (strings table, "" for none)
 *   footprint  pages visited, run-length encoded in `runs` (pairs first, count) in visit order
 *   effects    (from, to, rule, count) quads in `effects`: PTE transitions by kind and rule
 *   steps      event-level rule indices in `steps` (flag changes, walks)
 *   counters   every mm's counters after the event (COUNTERS order), mm-major
 *   flags      every mm's context flags after the event (FLAG_* bits)
 *   extra      hypervisor counters after the event (names in `extraKeys`)
 *
 * Positions for stepping: position 0 is the state before any event. At "event" granularity the
 * position after event e is e + 1. Finer positions count pages (PTE granularity) or page-table
 * pieces (table granularity) of each event's footprint; an event with an empty footprint is one step.
 * cursor.ts maps positions to (event, pages done) cursors.
 */
import { Hasher } from "../base/hash.ts";
import type { Ranges } from "./apply.ts";
import { EVENT_KINDS, eventLabel, type KernelEvent } from "./events.ts";
import type { Mm } from "./mm.ts";
import { COUNTER_COUNT, readCounters } from "./proc/status.ts";
import { allRules } from "./rules.ts";
import type { EventResult, World } from "./world.ts";

export const ERRNOS = ["", "ENOMEM", "EEXIST", "EFAULT", "EINVAL", "ENOENT", "EAGAIN", "EBUSY"] as const;

export const FLAG_HAS_PGSTE = 1;
export const FLAG_USES_SKEYS = 2;
export const FLAG_ALLOW_COW_SHARING = 4;
export const FLAG_PV = 8;

export function contextFlags(mm: Mm): number {
  return (
    (mm.ctx.hasPgste ? FLAG_HAS_PGSTE : 0) |
    (mm.ctx.usesSkeys ? FLAG_USES_SKEYS : 0) |
    (mm.ctx.allowCowSharing ? FLAG_ALLOW_COW_SHARING : 0) |
    (mm.ctx.pv ? FLAG_PV : 0)
  );
}

/** A scenario action: a range of events with a label and a marker kind for the timeline. */
export interface TraceAction {
  readonly label: string;
  /** Actor that performs it: "guest", "balloon", "qemu-src", "qemu-dst", "kvm", "ksmd", ... */
  readonly actor: string;
  /** Timeline marker: "inflate", "migration-start", "skeys", "unshare", "hang", ... or "". */
  readonly marker: string;
  readonly firstEvent: number;
  readonly endEvent: number;
  /** Why the action stopped early, if it did (a hang, an OOM kill). */
  readonly note: string;
}

export interface Trace {
  readonly mmNames: readonly string[];
  readonly mmPages: readonly number[];
  readonly mmTables: readonly number[];
  /** log2(PTEs per table) and the first table's page offset, per mm (for table steps). */
  readonly mmPteShift: readonly number[];
  readonly mmPageOffset: readonly number[];
  readonly extraKeys: readonly string[];
  readonly strings: readonly string[];
  readonly ruleIds: readonly string[];
  readonly actions: readonly TraceAction[];
  readonly events: number;
  readonly action: Uint32Array;
  readonly mm: Uint8Array;
  readonly kind: Uint8Array;
  readonly label: Uint32Array;
  readonly ok: Uint8Array;
  readonly errno: Uint8Array;
  readonly message: Int32Array;
  readonly cause: Uint32Array;
  readonly runStart: Uint32Array;
  readonly runCount: Uint32Array;
  readonly runs: Float64Array;
  readonly effStart: Uint32Array;
  readonly effCount: Uint32Array;
  readonly effects: Float64Array;
  readonly stepStart: Uint32Array;
  readonly stepCount: Uint32Array;
  readonly steps: Uint16Array;
  readonly footprintPages: Float64Array;
  readonly footprintTables: Float64Array;
  readonly userfaultAt: Float64Array;
  /** For a failed event, the page it failed at (-ENOMEM: the allocation past the limit), else -1. */
  readonly failedAt: Float64Array;
  readonly counters: Float64Array;
  readonly flags: Uint8Array;
  readonly extra: Float64Array;
  /** Initial counters and flags (position 0). */
  readonly initialCounters: Float64Array;
  readonly initialFlags: Uint8Array;
  readonly initialExtra: Float64Array;
}

class Grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(64);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Appends every value of `values` (one copy, not one push each). */
  pushAll(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    this.data.set(values as never, this.length);
    this.length += values.length;
  }
  /** Room for `needed` values: kept out of push() so that push stays small where it is inlined. */
  private grow(needed: number): void {
    let size = this.data.length * 2;
    while (size < needed) size *= 2;
    const next = this.make(size);
    next.set(this.data as never);
    this.data = next;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/** Number of page-table pieces a footprint crosses: the table-granularity steps of an event. */
export function countTablePieces(runs: Ranges, pteShift: number, pageOffset: number): number {
  let n = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const first = runs[i]! + pageOffset;
    const last = first + runs[i + 1]! - 1;
    n += Math.floor(last / 2 ** pteShift) - Math.floor(first / 2 ** pteShift) + 1;
  }
  return n;
}

export class TraceBuilder {
  private readonly stringIndex = new Map<string, number>();
  readonly strings: string[] = [];
  readonly actions: TraceAction[] = [];
  private readonly action = new Grow((n) => new Uint32Array(n));
  private readonly mm = new Grow((n) => new Uint8Array(n));
  private readonly kind = new Grow((n) => new Uint8Array(n));
  private readonly label = new Grow((n) => new Uint32Array(n));
  private readonly ok = new Grow((n) => new Uint8Array(n));
  private readonly errno = new Grow((n) => new Uint8Array(n));
  private readonly message = new Grow((n) => new Int32Array(n));
  private readonly cause = new Grow((n) => new Uint32Array(n));
  private readonly runStart = new Grow((n) => new Uint32Array(n));
  private readonly runCount = new Grow((n) => new Uint32Array(n));
  private readonly runs = new Grow((n) => new Float64Array(n));
  private readonly effStart = new Grow((n) => new Uint32Array(n));
  private readonly effCount = new Grow((n) => new Uint32Array(n));
  private readonly effects = new Grow((n) => new Float64Array(n));
  private readonly stepStart = new Grow((n) => new Uint32Array(n));
  private readonly stepCount = new Grow((n) => new Uint32Array(n));
  private readonly steps = new Grow((n) => new Uint16Array(n));
  private readonly fpPages = new Grow((n) => new Float64Array(n));
  private readonly fpTables = new Grow((n) => new Float64Array(n));
  private readonly ufAt = new Grow((n) => new Float64Array(n));
  private readonly failAt = new Grow((n) => new Float64Array(n));
  private readonly counters = new Grow((n) => new Float64Array(n));
  private readonly flags = new Grow((n) => new Uint8Array(n));
  private readonly extra = new Grow((n) => new Float64Array(n));
  /** Every mm's counters after the last recorded event (mm-major), the next row's starting point. */
  private readonly lastCounters: Float64Array;
  private events = 0;
  readonly initialCounters: Float64Array;
  readonly initialFlags: Uint8Array;
  readonly initialExtra: Float64Array;

  constructor(
    private readonly world: World,
    readonly extraKeys: readonly string[],
  ) {
    this.intern("");
    const mms = world.mms.length;
    this.initialCounters = new Float64Array(mms * COUNTER_COUNT);
    this.initialFlags = new Uint8Array(mms);
    world.mms.forEach((m, i) => {
      readCounters(m, this.initialCounters, i * COUNTER_COUNT);
      this.initialFlags[i] = contextFlags(m);
    });
    this.initialExtra = new Float64Array(extraKeys.length);
    this.lastCounters = this.initialCounters.slice();
  }

  intern(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  get eventCount(): number {
    return this.events;
  }

  setInitialExtra(values: readonly number[]): void {
    this.initialExtra.set(values);
  }

  addAction(a: TraceAction): void {
    this.actions.push(a);
  }

  /** Records event `e` with its result and the world's counters after it. */
  record(actionIndex: number, e: KernelEvent, r: EventResult, cause: string, extra: readonly number[]): void {
    // An event naming no mm fails with -EINVAL and has an empty footprint: there is no geometry.
    const mm = this.world.mms[e.mm];
    this.action.push(actionIndex);
    this.mm.push(e.mm);
    this.kind.push(EVENT_KINDS.indexOf(e.kind));
    this.label.push(this.intern(eventLabel(e)));
    this.ok.push(r.ok ? 1 : 0);
    this.errno.push(r.errno ? ERRNOS.indexOf(r.errno) : 0);
    this.message.push(r.message === null ? -1 : this.intern(r.message));
    this.cause.push(this.intern(cause));
    const fp = r.rec.footprint;
    this.runStart.push(this.runs.length / 2);
    this.runCount.push(fp.length / 2);
    this.runs.pushAll(fp);
    this.effStart.push(this.effects.length / 4);
    this.effCount.push(r.rec.effects.length);
    for (const ef of r.rec.effects) {
      this.effects.push(ef.from);
      this.effects.push(ef.to);
      this.effects.push(ef.rule);
      this.effects.push(ef.count);
    }
    this.stepStart.push(this.steps.length);
    this.stepCount.push(r.rec.steps.length);
    this.steps.pushAll(r.rec.steps);
    this.fpPages.push(r.rec.footprintPages);
    this.fpTables.push(mm ? countTablePieces(fp, mm.geometry.pteShift, mm.pt.ptes.pageOffset) : 0);
    this.ufAt.push(r.rec.userfaultAt);
    this.failAt.push(r.ok ? -1 : r.failedAt);
    // An event changes only the mm it names (applyEvent hands its room that one mm), so only that
    // mm's counters are read again; the others carry over from the row before.
    if (mm) readCounters(mm, this.lastCounters, e.mm * COUNTER_COUNT);
    this.counters.pushAll(this.lastCounters);
    for (const m of this.world.mms) this.flags.push(contextFlags(m));
    if (extra.length !== this.extraKeys.length) throw new Error("extra counters do not match extraKeys");
    this.extra.pushAll(extra);
    this.events++;
  }

  build(): Trace {
    return {
      mmNames: this.world.mms.map((m) => m.name),
      mmPages: this.world.mms.map((m) => m.pages),
      mmTables: this.world.mms.map((m) => m.pt.tables),
      mmPteShift: this.world.mms.map((m) => m.geometry.pteShift),
      mmPageOffset: this.world.mms.map((m) => m.pt.ptes.pageOffset),
      extraKeys: this.extraKeys,
      strings: this.strings.slice(),
      ruleIds: allRules().map((r) => r.id),
      actions: this.actions.slice(),
      events: this.events,
      action: this.action.done(),
      mm: this.mm.done(),
      kind: this.kind.done(),
      label: this.label.done(),
      ok: this.ok.done(),
      errno: this.errno.done(),
      message: this.message.done(),
      cause: this.cause.done(),
      runStart: this.runStart.done(),
      runCount: this.runCount.done(),
      runs: this.runs.done(),
      effStart: this.effStart.done(),
      effCount: this.effCount.done(),
      effects: this.effects.done(),
      stepStart: this.stepStart.done(),
      stepCount: this.stepCount.done(),
      steps: this.steps.done(),
      footprintPages: this.fpPages.done(),
      footprintTables: this.fpTables.done(),
      userfaultAt: this.ufAt.done(),
      failedAt: this.failAt.done(),
      counters: this.counters.done(),
      flags: this.flags.done(),
      extra: this.extra.done(),
      initialCounters: this.initialCounters,
      initialFlags: this.initialFlags,
      initialExtra: this.initialExtra,
    };
  }
}

/** Counter `c` of mm `m` after event `e` (e = -1: the initial state). */
export function counterAt(t: Trace, e: number, m: number, c: number): number {
  const mms = t.mmNames.length;
  if (e < 0) return t.initialCounters[m * COUNTER_COUNT + c]!;
  return t.counters[(e * mms + m) * COUNTER_COUNT + c]!;
}

/** The largest value of counter `c` of mm `m` over the initial state and every event. */
export function peakCounterAt(t: Trace, m: number, c: number): number {
  let max = counterAt(t, -1, m, c);
  for (let e = 0; e < t.events; e++) max = Math.max(max, counterAt(t, e, m, c));
  return max;
}

/** Whether any of the first `events` events (all of them by default) acted on mm `m`. */
export function mmActive(t: Trace, m: number, events = t.events): boolean {
  if (m >= t.mmNames.length) return false;
  for (let e = 0; e < events; e++) if (t.mm[e] === m) return true;
  return false;
}

export function flagsAt(t: Trace, e: number, m: number): number {
  if (e < 0) return t.initialFlags[m]!;
  return t.flags[e * t.mmNames.length + m]!;
}

export function extraAt(t: Trace, e: number, k: number): number {
  if (e < 0) return t.initialExtra[k]!;
  return t.extra[e * t.extraKeys.length + k]!;
}

/** The footprint of event e as flat [first, count, ...] pairs. */
export function footprintOf(t: Trace, e: number): number[] {
  const s = t.runStart[e]! * 2;
  return Array.from(t.runs.subarray(s, s + t.runCount[e]! * 2));
}

export interface EffectRow {
  from: number;
  to: number;
  rule: number;
  count: number;
}

export function effectsOf(t: Trace, e: number): EffectRow[] {
  const out: EffectRow[] = [];
  const s = t.effStart[e]! * 4;
  for (let i = 0; i < t.effCount[e]!; i++) {
    const o = s + i * 4;
    out.push({
      from: t.effects[o]!,
      to: t.effects[o + 1]!,
      rule: t.effects[o + 2]!,
      count: t.effects[o + 3]!,
    });
  }
  return out;
}

export function stepsOf(t: Trace, e: number): number[] {
  const s = t.stepStart[e]!;
  return Array.from(t.steps.subarray(s, s + t.stepCount[e]!));
}

/** Every per-event column of a trace, in a fixed order (hashing and transfer use the same list). */
export function traceColumns(t: Trace): ArrayBufferView[] {
  return [
    t.action,
    t.mm,
    t.kind,
    t.label,
    t.ok,
    t.errno,
    t.message,
    t.cause,
    t.runStart,
    t.runCount,
    t.runs,
    t.effStart,
    t.effCount,
    t.effects,
    t.stepStart,
    t.stepCount,
    t.steps,
    t.footprintPages,
    t.footprintTables,
    t.userfaultAt,
    t.failedAt,
    t.counters,
    t.flags,
    t.extra,
  ];
}

/**
 * SHA-256 over every column and table: equal traces, equal hashes, on Node and in Chromium.
 * `hasher` may bring a native SHA-256 (Hasher's constructor); the digest is the same.
 */
export function traceHash(t: Trace, hasher: Hasher = new Hasher()): string {
  const h = hasher;
  for (const s of t.strings) h.text(s);
  for (const s of t.ruleIds) h.text(s);
  for (const a of t.actions)
    h.text(`${a.label}|${a.actor}|${a.marker}|${a.firstEvent}|${a.endEvent}|${a.note}`);
  for (const k of t.extraKeys) h.text(k);
  h.number(t.events);
  for (const c of [...traceColumns(t), t.initialCounters, t.initialFlags, t.initialExtra]) h.bytes(c);
  return h.hex(16);
}

/** Typed arrays of a trace, for comlink.transfer(). */
export function traceBuffers(t: Trace): ArrayBuffer[] {
  return traceColumns(t).map((c) => c.buffer as ArrayBuffer);
}
