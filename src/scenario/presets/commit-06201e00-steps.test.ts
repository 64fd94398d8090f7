/**
 * Reading the 100 GiB run at three granularities: the migration of
 * `commit-06201e00` under fa41ba0d is one step at the action granularity, ~100,000s of steps at
 * the page-table granularity and tens of millions at the PTE granularity, and Simulation.worldAt
 * rebuilds the exact state part-way through one of its events.
 *
 * Expectations from the rules: the bulk stage reads every page of guest RAM once, in address
 * order, in chunks; under B each read of a ballooned (none) page allocates one 4 KiB page
 * (event 14) and nothing else changes (the source's tables all exist, the guest wrote all of RAM
 * before the balloon). So a cursor k tables into a chunk's read has added exactly
 * 4 KiB × (ballooned pages among the chunk's first 256·k pages) to the source's RssAnon.
 */
import { expect, test } from "vitest";
import { GiB, PAGE_SIZE } from "../../base/units.ts";
import { EVENT_KINDS, footprintOf, Positions, snapshotCounters } from "../../engine/index.ts";
import { GUEST_BALLOON, GUEST_SET } from "../../hypervisor/guest.ts";
import type { RunResult } from "../compile.ts";
import {
  actionIndex,
  afterAction,
  beforeAction,
  countersAfterEvent,
  DESTINATION,
  pages,
  runPreset,
  SOURCE,
} from "../test-support/golden.ts";

const GUEST = pages(100 * GiB);
const TABLES = GUEST / 256; // 102,400
const READ = EVENT_KINDS.indexOf("fault");

function run(): RunResult {
  return runPreset("commit-06201e00", "s390-fa41ba0d");
}

/** The migration action's source read faults: the bulk stage. */
function sourceReads(r: RunResult): number[] {
  const t = r.trace;
  const a = t.actions[actionIndex(r, /precopy migration/)]!;
  const out: number[] = [];
  for (let e = a.firstEvent; e < a.endEvent; e++) {
    if (t.mm[e] === SOURCE && t.kind[e] === READ && /read fault/.test(t.strings[t.label[e]!]!)) out.push(e);
  }
  return out;
}

function balloonPagesIn(r: RunResult, first: number, count: number): number {
  let n = 0;
  r.simulation.world.pageset(SOURCE, GUEST_SET).forEachRun(first, count, (value, _s, length) => {
    if (value === GUEST_BALLOON) n += length;
  });
  return n;
}

test("coarse: the whole migration is one action step", () => {
  const r = run();
  const pos = new Positions(r.trace);
  const m = actionIndex(r, /precopy migration/);
  expect(pos.count("action")).toBe(r.trace.actions.length);
  const before = r.simulation.worldAt(pos.toCursor("action", m));
  const after = r.simulation.worldAt(pos.toCursor("action", m + 1));
  expect(snapshotCounters(before.mms[DESTINATION]!).rssAnonBytes).toBe(0);
  expect(snapshotCounters(after.mms[DESTINATION]!).rssAnonBytes).toBe(100 * GiB);
  expect(snapshotCounters(before.mms[SOURCE]!)).toEqual(beforeAction(r, m, SOURCE));
  expect(snapshotCounters(after.mms[SOURCE]!)).toEqual(afterAction(r, m, SOURCE));
});

test("the bulk stage reads every page once, in address order: 102,400 table steps, 26,214,400 PTE steps", () => {
  const r = run();
  const t = r.trace;
  const reads = sourceReads(r);
  let tables = 0;
  let ptes = 0;
  let next = 0;
  for (const e of reads) {
    const fp = footprintOf(t, e);
    expect(fp[0]).toBe(next);
    next = fp[0]! + fp[1]!;
    tables += t.footprintTables[e]!;
    ptes += t.footprintPages[e]!;
  }
  expect(next).toBe(GUEST);
  expect(tables).toBe(TABLES);
  expect(ptes).toBe(GUEST);
  const pos = new Positions(t);
  const a = t.actions[actionIndex(r, /precopy migration/)]!;
  const span = (g: "table" | "pte") =>
    pos.fromCursor(g, { event: a.endEvent, done: 0 }) - pos.fromCursor(g, { event: a.firstEvent, done: 0 });
  expect(span("table")).toBeGreaterThanOrEqual(TABLES);
  expect(span("pte")).toBeGreaterThanOrEqual(GUEST);
});

test("table granularity: worldAt part-way through a chunk's read has the partial counters", () => {
  const r = run();
  const t = r.trace;
  const pos = new Positions(t);
  const reads = sourceReads(r);
  // A chunk in the middle of the migration, and half of its tables.
  const e = reads[Math.floor(reads.length / 2)]!;
  const [first, count] = footprintOf(t, e) as [number, number];
  const k = Math.floor(t.footprintTables[e]! / 2);
  const position = pos.fromCursor("table", { event: e, done: 0 }) + k;
  const cursor = pos.toCursor("table", position);
  expect(cursor).toEqual({ event: e, done: k * 256 });
  const before = countersAfterEvent(r, e - 1, SOURCE);
  const mid = snapshotCounters(r.simulation.worldAt(cursor).mms[SOURCE]!);
  const allocated = balloonPagesIn(r, first, k * 256);
  expect(allocated).toBeGreaterThan(0);
  expect(mid.rssAnonBytes).toBe(before.rssAnonBytes + allocated * PAGE_SIZE);
  expect(mid.pteTables).toBe(TABLES);
  // ... and the rest of the chunk comes with the rest of the event.
  const end = countersAfterEvent(r, e, SOURCE);
  expect(end.rssAnonBytes).toBe(before.rssAnonBytes + balloonPagesIn(r, first, count) * PAGE_SIZE);
  // The destination has not loaded this chunk yet: its counters are those before the event.
  expect(snapshotCounters(r.simulation.worldAt(cursor).mms[DESTINATION]!)).toEqual(
    countersAfterEvent(r, e - 1, DESTINATION),
  );
});

test("PTE granularity: one step reads one page; a ballooned page adds exactly 4 KiB", () => {
  const r = run();
  const t = r.trace;
  const pos = new Positions(t);
  const e = sourceReads(r)[Math.floor(sourceReads(r).length / 2)]!;
  const [first, count] = footprintOf(t, e) as [number, number];
  // The chunk's first ballooned page.
  let d = -1;
  r.simulation.world.pageset(SOURCE, GUEST_SET).forEachRun(first, count, (value, start) => {
    if (value === GUEST_BALLOON && d < 0) d = start - first;
  });
  expect(d).toBeGreaterThanOrEqual(0);
  const at = pos.fromCursor("pte", { event: e, done: 0 }) + d;
  expect(pos.toCursor("pte", at + 1)).toEqual({ event: e, done: d + 1 });
  const a = snapshotCounters(r.simulation.worldAt(pos.toCursor("pte", at)).mms[SOURCE]!);
  const b = snapshotCounters(r.simulation.worldAt(pos.toCursor("pte", at + 1)).mms[SOURCE]!);
  expect(b.rssAnonBytes - a.rssAnonBytes).toBe(PAGE_SIZE);
  expect(b.presentPages - a.presentPages).toBe(1);
  // A page the guest wrote is present already: reading it changes nothing.
  if (d > 0) {
    const c = snapshotCounters(r.simulation.worldAt(pos.toCursor("pte", at - 1)).mms[SOURCE]!);
    expect(a).toEqual(c);
  }
});
