/**
 * The aligned timeline (align.ts): actions, event pairs by key, steps merged by page-table position.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { GRANULARITIES, type Granularity, type Trace } from "../engine/index.ts";
import { Alignment, matchEvents } from "./align.ts";
import { createVm, dontneed, read, type Script, simulate, write } from "./testing.ts";

function traceOf(variant: Parameters<typeof simulate>[0], script: Script, pages?: number): Trace {
  return simulate(variant, script, pages).finish();
}

/** Every aligned position's side positions, at granularity g. */
function sidesAll(al: Alignment, g: Granularity): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p <= al.count(g); p++) out.push(al.sides(g, p));
  return out;
}

const story: Script = [
  ["boot", [createVm]],
  ["guest writes", [write(0, 300)]],
  ["migration reads", [read(0, 600), dontneed(100, 50)]],
];

describe("matchEvents", () => {
  test("matches a longest common subsequence, prefix and suffix first", () => {
    const m = matchEvents(Int32Array.from([1, 2, 3, 4, 5]), Int32Array.from([1, 3, 9, 4, 5]));
    expect(m).toEqual([
      [0, 0],
      [2, 1],
      [3, 3],
      [4, 4],
    ]);
  });

  test("nothing in common matches nothing", () => {
    expect(matchEvents(Int32Array.from([1, 2]), Int32Array.from([3]))).toEqual([]);
  });
});

describe("identical runs", () => {
  const a = traceOf("s390-06201e00", story);
  const b = traceOf("s390-06201e00", story);
  const al = new Alignment(a, b);

  test("pair every event with itself, one pair per event", () => {
    expect(al.pairCount).toBe(a.events);
    expect(Array.from(al.pairEvent[0])).toEqual(Array.from(al.pairEvent[1]));
    expect(al.oneSidedPairs()).toBe(0);
    expect(al.mergedPairs("table")).toBe(0);
  });

  test.each(GRANULARITIES)("at %s granularity, aligned position p is position p on both sides", (g) => {
    expect(al.count(g)).toBe(new Alignment(a, a).positions[0].count(g));
    sidesAll(al, g).forEach(([x, y], p) => {
      expect(x).toBe(p);
      expect(y).toBe(p);
    });
  });

  test("converting between granularities matches each side's own conversion", () => {
    const pos = al.positions[0];
    for (let p = 0; p <= al.count("table"); p++) {
      expect(al.convert("table", p, "pte")).toBe(pos.fromCursor("pte", pos.toCursor("table", p)));
      expect(al.convert("table", p, "action")).toBe(pos.fromCursor("action", pos.toCursor("table", p)));
    }
  });
});

describe("event pairs", () => {
  test("an event only one side runs is a one-sided pair; the other side holds still", () => {
    const left: Script = [["boot", [createVm, read(0, 10)]]];
    const right: Script = [["boot", [createVm, write(500, 1), read(0, 10)]]];
    const al = new Alignment(traceOf("s390-06201e00", left), traceOf("s390-06201e00", right));
    expect(Array.from(al.pairEvent[0])).toEqual([0, -1, 1]);
    expect(Array.from(al.pairEvent[1])).toEqual([0, 1, 2]);
    // Table steps: KVM_CREATE_VM 1, the write 1 (right only), the read 1.
    expect(sidesAll(al, "table")).toEqual([
      [0, 0],
      [1, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  test("unmatched events between matches pair up by index", () => {
    const left: Script = [["a", [createVm, read(0, 1), read(1, 1)]]];
    const right: Script = [["a", [createVm, write(0, 1), read(1, 1)]]];
    const al = new Alignment(traceOf("s390-06201e00", left), traceOf("s390-06201e00", right));
    // KVM_CREATE_VM and the last read match; the left's first read pairs with the right's write.
    expect(Array.from(al.pairEvent[0])).toEqual([0, 1, 2]);
    expect(Array.from(al.pairEvent[1])).toEqual([0, 1, 2]);
    expect(al.oneSidedPairs()).toBe(0);
  });

  test("a side with fewer actions holds its end state", () => {
    const left: Script = [
      ["boot", [createVm]],
      ["read", [read(0, 600)]],
    ];
    const right: Script = [["boot", [createVm]]];
    const al = new Alignment(traceOf("s390-06201e00", left), traceOf("s390-06201e00", right));
    expect(al.actionCount).toBe(2);
    expect(al.sides("action", 2)).toEqual([2, 1]);
    expect(al.sides("table", al.count("table"))).toEqual([4, 1]);
  });
});

describe("steps by page-table position", () => {
  test("different footprints merge by table: both sides are past the same tables", () => {
    // Left reads tables 0..3 (pages 0..1023); right reads tables 2..3 only.
    const al = new Alignment(
      traceOf("s390-06201e00", [["r", [read(0, 1024)]]]),
      traceOf("s390-06201e00", [["r", [read(512, 512)]]]),
    );
    expect(al.mergedPairs("table")).toBe(1);
    expect(sidesAll(al, "table")).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 2],
    ]);
    // At PTE granularity, page by page: 512 left-only steps, then 512 together.
    expect(al.count("pte")).toBe(1024);
    expect(al.sides("pte", 512)).toEqual([512, 0]);
    expect(al.sides("pte", 600)).toEqual([600, 88]);
  });

  test("an empty footprint completes with the other side", () => {
    // A zap walk visits the zeropages fa41ba0d finds at KVM_CREATE_VM; 06201e00 visits none.
    const script: Script = [["a", [read(0, 512), createVm]]];
    const al = new Alignment(traceOf("s390-fa41ba0d", script), traceOf("s390-06201e00", script));
    const pair = 1;
    expect(al.pairSteps("table", pair)).toBe(2);
    expect(al.sides("table", al.pairStep("table", pair, 1))).toEqual([3, 2]);
    expect(al.sides("table", al.pairStep("table", pair, 2))).toEqual([4, 3]);
  });

  test("different table geometry merges by the first page of each piece", () => {
    // s390: 256 PTEs per table; x86_64: 512. Reading 1024 pages: 4 pieces against 2.
    const al = new Alignment(
      traceOf("s390-06201e00", [["r", [read(0, 1024)]]]),
      traceOf("x86_64", [["r", [read(0, 1024)]]]),
    );
    expect(sidesAll(al, "table")).toEqual([
      [0, 0],
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
    ]);
  });

  test("fromSide lands where that side is at the given position", () => {
    const al = new Alignment(
      traceOf("s390-06201e00", [["r", [read(0, 1024), write(0, 10)]]]),
      traceOf("s390-06201e00", [["r", [read(512, 512), write(0, 10)]]]),
    );
    for (const g of ["table", "pte"] as const) {
      for (const s of [0, 1] as const) {
        for (let p = 0; p <= al.positions[s].count(g); p++) {
          expect(al.sides(g, al.fromSide(s, g, p))[s]).toBe(p);
        }
      }
    }
  });
});

describe("properties", () => {
  const range = fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 1, max: 1024 }));
  const script = fc
    .array(fc.tuple(fc.constantFrom("read", "write"), range), { minLength: 1, maxLength: 4 })
    .map(
      (xs): Script => [
        [
          "a",
          xs.map(([k, [first, n]]) =>
            k === "read" ? read(first, Math.min(n, 1024 - first)) : write(first, Math.min(n, 1024 - first)),
          ),
        ],
      ],
    );

  test("side positions never go back, and both runs end together", () => {
    fc.assert(
      fc.property(script, script, (l, r) => {
        const al = new Alignment(traceOf("s390-06201e00", l), traceOf("s390-fa41ba0d", r));
        for (const g of GRANULARITIES) {
          const all = sidesAll(al, g);
          for (let i = 1; i < all.length; i++) {
            expect(all[i]![0]).toBeGreaterThanOrEqual(all[i - 1]![0]);
            expect(all[i]![1]).toBeGreaterThanOrEqual(all[i - 1]![1]);
          }
          expect(all[all.length - 1]).toEqual([al.positions[0].count(g), al.positions[1].count(g)]);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
