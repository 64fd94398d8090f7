/**
 * snapshotMm's summaries for the views: the class histogram and balloon parts must agree with the
 * per-table bytes they summarise, and the content hashes must follow the bytes.
 */
import { describe, expect, it } from "vitest";
import type { KernelEvent, MmConfig } from "./index.ts";
import { applyEvent, snapshotMm, World } from "./index.ts";
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
