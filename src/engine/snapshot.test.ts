/**
 * snapshotMm's summaries for the views: the class histogram and balloon parts must agree with the
 * per-table bytes they summarise, and the content hashes must follow the bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KernelEvent, MmConfig } from "./index.ts";
import { applyEvent, snapshotMm, World } from "./index.ts";
import { CLASS_ABSENT, CLASS_HUGE, CLASS_MIXED, STATE_CLASS } from "./snapshot.ts";
import { guestConfig } from "./test-support/guest.ts";

const PAGES = 4 * 256 + 100; // four full s390 tables and a partial fifth

function config(): MmConfig {
  return guestConfig("s390-06201e00", PAGES, {
    name: "source",
    host: { name: "source", ksmRun: false },
    kernelVersion: "6.10",
  });
}

function world(events: readonly KernelEvent[]): World {
  const w = new World([config()]);
  for (const e of events) applyEvent(w, e);
  return w;
}

const read = (first: number, count: number): KernelEvent => ({
  kind: "fault",
  mm: 0,
  access: "read",
  ranges: [first, count],
});
const write = (first: number, count: number): KernelEvent => ({
  kind: "fault",
  mm: 0,
  access: "write",
  ranges: [first, count],
  content: "data",
});
const balloon = { mm: 0, name: "guest", value: 2 } as const;

describe("snapshotMm summaries", () => {
  it("the class histogram counts every table's class byte", () => {
    const w = world([read(0, 300), write(200, 400)]);
    const s = snapshotMm(w, 0);
    const expected = new Float64Array(256);
    for (const b of s.tableClass) expected[b]! += 1;
    expect(Array.from(s.classHistogram)).toEqual(Array.from(expected));
    expect(s.classHistogram.reduce((a, b) => a + b, 0)).toBe(s.tables);
  });

  it("balloon parts and the balloon histogram follow the page set", () => {
    const w = world([write(0, PAGES)]);
    // The whole second table and half of the third are in the balloon.
    w.pageset(0, "guest").fill(256, 256 + 128, 2);
    const s = snapshotMm(w, 0, balloon);
    expect(Array.from(s.balloon)).toEqual([0, 2, 1, 0, 0]);
    expect(s.balloonParts).toEqual([3, 1, 1]);
    const inBalloon = new Float64Array(256);
    inBalloon[s.tableClass[1]!] = 1;
    expect(Array.from(s.balloonClassHistogram)).toEqual(Array.from(inBalloon));
  });

  it("equal bytes give equal hashes; a changed table changes the hash", () => {
    const a = snapshotMm(world([read(0, 300)]), 0);
    const b = snapshotMm(world([read(0, 300)]), 0);
    expect(b.tableClassHash).toBe(a.tableClassHash);
    const c = snapshotMm(world([read(0, 300), write(700, 1)]), 0);
    expect(c.tableClass).not.toEqual(a.tableClass);
    expect(c.tableClassHash).not.toBe(a.tableClassHash);
    // The same classes moved to other tables are other content: the hash depends on position.
    const d = snapshotMm(world([read(256, 300)]), 0);
    expect(d.tableClass).not.toEqual(a.tableClass);
    expect(d.tableClassHash).not.toBe(a.tableClassHash);
  });

  it("the balloon hash follows the balloon bytes", () => {
    const w = world([]);
    const before = snapshotMm(w, 0, balloon).balloonHash;
    w.pageset(0, "guest").fill(0, 10, 2);
    const after = snapshotMm(w, 0, balloon);
    expect(Array.from(after.balloon)).toEqual([1, 0, 0, 0, 0]);
    expect(after.balloonHash).not.toBe(before);
  });
});

/**
 * The per-table definition of snapshotMm's bytes and summaries, visiting every table (what
 * snapshotMm computed before it took uniform stretches at once): the span-based one must agree.
 */
function perTable(w: World, index: number, spec?: typeof balloon) {
  const mm = w.mms[index]!;
  const ptes = mm.pt.ptes;
  const tables = ptes.chunks;
  const tableClass = new Uint8Array(tables);
  const balloonBytes = new Uint8Array(tables);
  const set = spec ? w.pagesets[spec.mm]?.get(spec.name) : undefined;
  for (let t = 0; t < tables; t++) {
    const lo = ptes.chunkStart(t);
    const hi = ptes.chunkEnd(t);
    if (ptes.isAbsent(t)) tableClass[t] = CLASS_ABSENT;
    else {
      const perClass = new Float64Array(5);
      for (let p = lo; p < hi; p++) perClass[STATE_CLASS[ptes.get(p)]!]! += 1;
      let best = 0;
      for (let c = 1; c < 5; c++) if (perClass[c]! > perClass[best]!) best = c;
      const kinds = perClass.filter((n) => n > 0).length;
      const cls = best | (kinds > 1 ? CLASS_MIXED : 0);
      tableClass[t] = mm.pt.huge[t] ? cls | CLASS_HUGE : cls;
    }
    if (set && spec) {
      let n = 0;
      for (let p = lo; p < hi; p++) if (set.get(p) === spec.value) n++;
      balloonBytes[t] = n === 0 ? 0 : n === hi - lo ? 2 : 1;
    }
  }
  const classHistogram = new Float64Array(256);
  const balloonClassHistogram = new Float64Array(256);
  const parts = [0, 0, 0];
  for (let t = 0; t < tables; t++) {
    classHistogram[tableClass[t]!]! += 1;
    parts[balloonBytes[t]!]! += 1;
    if (balloonBytes[t] === 2) balloonClassHistogram[tableClass[t]!]! += 1;
  }
  return { tableClass, balloonBytes, classHistogram, balloonClassHistogram, parts };
}

describe("snapshotMm takes uniform stretches at once", () => {
  // 300 page tables and a partial one: more than the 64-chunk groups that stretches skip by.
  const BIG = 300 * 256 + 37;
  const range = fc
    .tuple(fc.integer({ min: 0, max: BIG - 1 }), fc.integer({ min: 1, max: BIG }))
    .map(([first, n]): [number, number] => [first, Math.min(n, BIG - first)]);
  const step = fc.oneof(
    range.map(([f, n]): KernelEvent => ({ kind: "fault", mm: 0, access: "read", ranges: [f, n] })),
    range.map(
      ([f, n]): KernelEvent => ({ kind: "fault", mm: 0, access: "write", ranges: [f, n], content: "data" }),
    ),
    range.map(
      ([f, n]): KernelEvent => ({ kind: "fault", mm: 0, access: "write", ranges: [f, n], content: "zero" }),
    ),
    range.map(([f, n]): KernelEvent => ({ kind: "madvise", mm: 0, advice: "dontneed", ranges: [f, n] })),
    range.map(([f, n]): KernelEvent => ({ kind: "pageset", mm: 0, set: "guest", ranges: [f, n], value: 2 })),
    range.map(([f, n]): KernelEvent => ({ kind: "pageset", mm: 0, set: "guest", ranges: [f, n], value: 0 })),
  );
  const cases: [string, MmConfig][] = [
    ["s390", guestConfig("s390-06201e00", BIG, { host: { ksmRun: false } })],
    // x86_64 with THP always: huge PMDs (THP and the huge zero page) set the huge bit.
    ["x86_64 with THP", guestConfig("x86_64", 150 * 512 + 11, { host: { ksmRun: false, thp: "always" } })],
  ];
  for (const [name, cfg] of cases) {
    it(`agrees with the per-table definition (${name})`, () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 12 }), (events) => {
          const w = new World([cfg]);
          for (const e of events) {
            const pages = cfg.pages;
            const [f, n] =
              e.kind === "fault" || e.kind === "madvise" || e.kind === "pageset" ? e.ranges : [0, 0];
            if (f! >= pages) continue;
            applyEvent(w, { ...e, ranges: [f!, Math.min(n!, pages - f!)] } as KernelEvent);
          }
          const s = snapshotMm(w, 0, balloon);
          const r = perTable(w, 0, balloon);
          expect(s.tableClass).toEqual(r.tableClass);
          expect(s.balloon).toEqual(r.balloonBytes);
          expect(Array.from(s.classHistogram)).toEqual(Array.from(r.classHistogram));
          expect(Array.from(s.balloonClassHistogram)).toEqual(Array.from(r.balloonClassHistogram));
          expect(s.balloonParts).toEqual(r.parts);
        }),
        { numRuns: 60 },
      );
    });
  }

  it("the hash is the bytes' hash, however the world came to hold them", () => {
    // Two paths to the same bytes: written in one go, or in two halves.
    const cfg = cases[0]![1];
    const one = new World([cfg]);
    applyEvent(one, write(0, 200 * 256));
    const two = new World([cfg]);
    applyEvent(two, write(0, 100 * 256));
    applyEvent(two, write(100 * 256, 100 * 256));
    const a = snapshotMm(one, 0);
    const b = snapshotMm(two, 0);
    expect(b.tableClass).toEqual(a.tableClass);
    expect(b.tableClassHash).toBe(a.tableClassHash);
    applyEvent(two, read(250 * 256, 1));
    expect(snapshotMm(two, 0).tableClassHash).not.toBe(a.tableClassHash);
  });
});
