/** The diff map (state-diff.ts): which page tables differ between two worlds. */
import { describe, expect, test } from "vitest";
import { applyEvent, type KernelEvent, snapshotMm, World } from "../engine/index.ts";
import {
  DIFF_DIFFERS,
  DIFF_ONLY_HERE,
  DIFF_SAME,
  diffSnapshots,
  diffWorlds,
  worldsDiffer,
} from "./state-diff.ts";
import { createVm, mmConfig, read, write } from "./testing.ts";

function world(variant: Parameters<typeof mmConfig>[0], events: readonly KernelEvent[], pages = 1024): World {
  const w = new World([mmConfig(variant, pages)]);
  for (const e of events) applyEvent(w, e);
  return w;
}

/** Cells as text: "." same, "x" differs, "+" only here. */
function cells(c: Uint8Array | null): string {
  return c ? Array.from(c, (v) => (v === DIFF_SAME ? "." : v === DIFF_DIFFERS ? "x" : "+")).join("") : "-";
}

describe("diffWorlds", () => {
  test("equal worlds: nothing differs", () => {
    const a = world("s390-06201e00", [createVm, read(0, 600)]);
    const b = world("s390-06201e00", [createVm, read(0, 600)]);
    const [d] = diffWorlds(a, b);
    expect(cells(d!.left)).toBe("....");
    expect(worldsDiffer(a, b)).toBe(false);
  });

  test("the same reads under fa41ba0d and 06201e00: every table they filled differs", () => {
    const a = world("s390-fa41ba0d", [createVm, read(0, 600)]);
    const b = world("s390-06201e00", [createVm, read(0, 600)]);
    const [d] = diffWorlds(a, b);
    expect(cells(d!.left)).toBe("xxx.");
    expect(cells(d!.right)).toBe("xxx.");
    expect(worldsDiffer(a, b)).toBe(true);
  });

  test("one page of a mixed table: only that table", () => {
    const a = world("s390-06201e00", [read(0, 1024), write(600, 1)]);
    const b = world("s390-06201e00", [read(0, 1024), write(601, 1)]);
    expect(cells(diffWorlds(a, b)[0]!.left)).toBe("..x.");
  });

  test("a page table allocated on one side only differs even with every PTE empty", () => {
    const a = world("s390-06201e00", [
      write(0, 1),
      { kind: "madvise", mm: 0, advice: "dontneed", ranges: [0, 1] },
    ]);
    const b = world("s390-06201e00", []);
    expect(cells(diffWorlds(a, b)[0]!.left)).toBe("x...");
  });

  test("different geometry compares pages: x86_64 tables span two s390 tables", () => {
    const a = world("s390-06201e00", [read(0, 1024), write(300, 1)]);
    const b = world("x86_64", [read(0, 1024)]);
    const [d] = diffWorlds(a, b);
    expect(cells(d!.left)).toBe(".x..");
    expect(cells(d!.right)).toBe("x.");
  });

  test("a larger mm's extra tables are only on that side when mapped", () => {
    const a = world("s390-06201e00", [read(0, 2048)], 2048);
    const b = world("s390-06201e00", [read(0, 1024)], 1024);
    const [d] = diffWorlds(a, b);
    expect(cells(d!.left)).toBe("....++++");
    expect(d!.differingLeft).toBe(4);
    expect(worldsDiffer(a, b)).toBe(true);
  });
});

describe("diffSnapshots", () => {
  test("compares majority classes per table, so it misses what a majority hides", () => {
    const a = world("s390-fa41ba0d", [createVm, read(0, 600)]);
    const b = world("s390-06201e00", [createVm, read(0, 600)]);
    const [d] = diffSnapshots([snapshotMm(a, 0)], [snapshotMm(b, 0)]);
    // Table 2 holds 88 read pages and 168 empty ones on both sides: "mostly none, mixed" twice.
    expect(cells(d!.left)).toBe("xx..");
    expect(DIFF_ONLY_HERE).toBe(2);
  });
});
