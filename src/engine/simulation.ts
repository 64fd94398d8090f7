/**
 * A run of the model: a live world that callers (the hypervisor layer) drive event by event, the
 * trace it records, and checkpoints so that any position can be rebuilt quickly afterwards.
 *
 * Seeking: a cursor (event e, first `done` pages of its footprint) is rebuilt by cloning the last
 * checkpoint at or before e, replaying the events in between, then replaying event e with
 * limit = done. A checkpoint is taken whenever the work since the previous one (pages of page
 * tables touched) passes a threshold (CHECKPOINT_WORK to begin with), so a seek replays a bounded
 * amount of work. Checkpoints are kept within CHECKPOINT_BUDGET_BYTES: when they would exceed it,
 * every other one is dropped and the threshold doubles (a 1 TiB run keeps fewer, farther apart;
 * 100 GiB keeps them dense). Worked numbers: a 100 GiB two-host world is ~1.5 MB per checkpoint,
 * so ~25 checkpoints for the commit story; a 1 TiB one is ~6 MB, so at most ~32.
 */

import type { KernelEvent } from "./events.ts";
import { applyEvent } from "./kernel.ts";
import type { MmConfig } from "./mm.ts";
import { type Trace, type TraceAction, TraceBuilder } from "./trace.ts";
import { type EventResult, World } from "./world.ts";

/** Table-visits of replay between checkpoints to begin with (bounds seek latency). */
export const CHECKPOINT_WORK = 30_000;

/** Memory all checkpoints of one run may hold. */
export const CHECKPOINT_BUDGET_BYTES = 192 * 1024 * 1024;

export interface Cursor {
  /** Events before this one are applied in full. */
  readonly event: number;
  /** Pages of event `event`'s footprint applied (0 = none of it, Infinity = all). */
  readonly done: number;
}

export interface ApplyMeta {
  /** The hypervisor call path that issued the event ("" for none). */
  readonly cause?: string;
  /**
   * false: if the event fails, leave it out of the trace (it changed nothing). For callers that try
   * an event whole and, on -ENOMEM, record the part that fits and the page that fails instead.
   */
  readonly recordFailure?: boolean;
}

export class Simulation {
  readonly world: World;
  readonly events: KernelEvent[] = [];
  private readonly builder: TraceBuilder;
  private readonly checkpoints: { event: number; world: World }[] = [];
  private workSinceCheckpoint = 0;
  private checkpointWork = CHECKPOINT_WORK;
  private currentAction = -1;
  private actionStart = 0;
  private actionMeta: Omit<TraceAction, "firstEvent" | "endEvent" | "note"> | null = null;
  private actionNote = "";
  private extra: number[];

  /** false: no checkpoints after the first (a run nobody seeks: the CLI); worldAt() replays from the start. */
  private readonly keepCheckpoints: boolean;

  constructor(
    configs: readonly MmConfig[],
    readonly extraKeys: readonly string[] = [],
    options: { readonly checkpoints?: boolean } = {},
  ) {
    this.keepCheckpoints = options.checkpoints ?? true;
    this.world = new World(configs);
    this.builder = new TraceBuilder(this.world, extraKeys);
    this.extra = extraKeys.map(() => 0);
    this.checkpoints.push({ event: 0, world: this.world.clone() });
  }

  get eventCount(): number {
    return this.events.length;
  }

  /** Sets a hypervisor counter (balloon size, migration stats); recorded with the next event. */
  setExtra(key: string, value: number): void {
    const i = this.extraKeys.indexOf(key);
    if (i < 0) throw new Error(`unknown extra counter ${key}`);
    this.extra[i] = value;
    if (this.events.length === 0) this.builder.setInitialExtra(this.extra);
  }

  getExtra(key: string): number {
    return this.extra[this.extraKeys.indexOf(key)] ?? 0;
  }

  /** Starts scenario action `label`; events applied until the next beginAction belong to it. */
  beginAction(label: string, actor: string, marker = ""): void {
    this.endAction();
    this.currentAction++;
    this.actionStart = this.events.length;
    this.actionMeta = { label, actor, marker };
    this.actionNote = "";
  }

  /** Records why the current action ended early (a hang, an OOM kill). */
  noteAction(note: string): void {
    this.actionNote = note;
  }

  private endAction(): void {
    if (!this.actionMeta) return;
    this.builder.addAction({
      ...this.actionMeta,
      firstEvent: this.actionStart,
      endEvent: this.events.length,
      note: this.actionNote,
    });
    this.actionMeta = null;
  }

  apply(e: KernelEvent, meta: ApplyMeta = {}): EventResult {
    if (this.currentAction < 0) this.beginAction("events", "kernel");
    const r = applyEvent(this.world, e, Number.POSITIVE_INFINITY);
    if (!r.ok && meta.recordFailure === false) return r;
    this.events.push(e);
    this.builder.record(this.currentAction, e, r, meta.cause ?? "", this.extra);
    const mm = this.world.mms[e.mm];
    const tablesPerPage = mm ? 1 / mm.geometry.ptesPerTable : 0;
    this.workSinceCheckpoint +=
      1 + r.rec.footprintPages * tablesPerPage + (mm && isWalk(e) ? mm.pt.tables : 0);
    if (this.keepCheckpoints && this.workSinceCheckpoint >= this.checkpointWork) {
      this.checkpoints.push({ event: this.events.length, world: this.world.clone() });
      this.workSinceCheckpoint = 0;
      this.thinCheckpoints();
    }
    return r;
  }

  finish(): Trace {
    this.endAction();
    return this.builder.build();
  }

  /** Keeps checkpoints within the memory budget: drop every other one, space the next ones wider. */
  private thinCheckpoints(): void {
    const bytes = worldBytes(this.world);
    const max = Math.max(8, Math.floor(CHECKPOINT_BUDGET_BYTES / Math.max(1, bytes)));
    if (this.checkpoints.length <= max) return;
    this.checkpoints.splice(0, this.checkpoints.length, ...this.checkpoints.filter((_, i) => i % 2 === 0));
    this.checkpointWork *= 2;
  }

  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** The world at `cursor`, freshly built (callers may keep or change it). */
  worldAt(cursor: Cursor): World {
    const target = Math.max(0, Math.min(cursor.event, this.events.length));
    let cp = this.checkpoints[0]!;
    for (const c of this.checkpoints) if (c.event <= target) cp = c;
    const w = cp.world.clone();
    for (let e = cp.event; e < target; e++) applyEvent(w, this.events[e]!, Number.POSITIVE_INFINITY);
    if (target < this.events.length && cursor.done > 0) applyEvent(w, this.events[target]!, cursor.done);
    return w;
  }
}

function isWalk(e: KernelEvent): boolean {
  return (
    e.kind === "ksm_scan" ||
    e.kind === "ksm_disable" ||
    e.kind === "kvm_create_vm" ||
    e.kind === "enable_skeys" ||
    e.kind === "enable_pv"
  );
}

/** Bytes a clone of `w` holds (page tables and page sets). */
function worldBytes(w: World): number {
  let n = 0;
  for (const mm of w.mms) n += mm.pt.ptes.footprintBytes() + mm.pt.tables * 3;
  for (const sets of w.pagesets) for (const set of sets.values()) n += set.footprintBytes();
  return n;
}
