import { describe, expect, it } from "vitest";
import type { PteStateInfo, TableDetail, TableGeometry, ViewState } from "../../../worker/api.ts";
import {
  activeSlotsOf,
  beforeFromChanges,
  changedCount,
  changedSentence,
  fanInSummary,
  framesOf,
  lastTouchedTable,
  pteKeyTarget,
  seeTable,
  selectedPteText,
  slotInRam,
  tableStatus,
} from "./derive.ts";

const STATES: PteStateInfo[] = [
  { key: "none", name: "none", contentClass: 0, frame: "none" },
  { key: "zero", name: "zeropage", contentClass: 1, frame: "zeropage" },
  { key: "anon_rw_data", name: "anonymous, writable", contentClass: 3, frame: "own" },
  { key: "ksm", name: "KSM", contentClass: 4, frame: "ksm" },
];

/** A table of 8 slots starting at guest page `firstPage`. */
function table(states: number[], firstPage = 16, balloon: number[] = []): TableDetail {
  return {
    mm: 0,
    table: 2,
    firstPage,
    present: true,
    huge: false,
    states: Uint8Array.from(states),
    balloon: Uint8Array.from(states, (_, i) => (balloon.includes(i) ? 1 : 0)),
  };
}

type Active = ViewState["active"];

describe("framesOf", () => {
  it("maps each state to the frame the worker says it points at; an unknown state maps nothing", () => {
    expect(framesOf([0, 1, 2, 3, 9], STATES)).toEqual(["none", "zeropage", "own", "ksm", "none"]);
  });
});

describe("activeSlotsOf", () => {
  it("marks the slots the step's page runs cover within this table, on this mm only", () => {
    const active: Active = [
      { mm: 0, runs: [14, 4, 22, 1] }, // pages 14..17 (16, 17 inside) and 22
      { mm: 1, runs: [16, 8] },
    ];
    expect(Array.from(activeSlotsOf(table([0, 0, 0, 0, 0, 0, 0, 0]), active))).toEqual([
      1, 1, 0, 0, 0, 0, 1, 0,
    ]);
  });
});

describe("beforeFromChanges", () => {
  const detail = table([2, 2, 1, 0, 2, 0, 0, 0]);
  const active: Active = [{ mm: 0, runs: [16, 3] }];

  it("puts back the state a covered slot came from when the step's record is unambiguous", () => {
    const before = beforeFromChanges(detail, active, [{ from: 1, to: 2, rule: 0, count: 2 }]);
    // Slots 0 and 1 (covered, now own) came from the zeropage; slot 4 is outside the step.
    expect(Array.from(before!)).toEqual([1, 1, 1, 0, 2, 0, 0, 0]);
  });

  it("leaves a slot as it is when pages now in its state came from two different states", () => {
    const changes = [
      { from: 1, to: 2, rule: 0, count: 1 },
      { from: 3, to: 2, rule: 1, count: 1 },
    ];
    expect(beforeFromChanges(detail, active, changes)).toBeNull();
  });

  it("is null without a record (action granularity)", () => {
    expect(beforeFromChanges(detail, active, null)).toBeNull();
    expect(beforeFromChanges(detail, active, [])).toBeNull();
  });
});

describe("seeTable", () => {
  const a = table([1, 1, 1, 1, 1, 1, 1, 1]);
  const b = table([2, 1, 1, 1, 1, 1, 1, 1]);

  it("keeps the states one step earlier when the view stepped forward by one", () => {
    const first = seeTable(null, 7, a, "table", 3);
    expect(first.prev).toBeNull();
    const next = seeTable(first, 7, b, "table", 4);
    expect(next.prev).toBe(a.states);
    expect(next.states).toBe(b.states);
  });

  it("forgets them after a jump, going back, or another table", () => {
    const first = seeTable(null, 7, a, "table", 3);
    expect(seeTable(first, 7, b, "table", 5).prev).toBeNull();
    expect(seeTable(first, 7, b, "table", 2).prev).toBeNull();
    expect(seeTable(first, 7, b, "pte", 4).prev).toBeNull();
    expect(seeTable(first, 7, { ...b, table: 3 }, "table", 4).prev).toBeNull();
    expect(seeTable(first, 8, b, "table", 4).prev).toBeNull();
  });

  it("returns the same object at the same step, so that state holding it settles", () => {
    const first = seeTable(null, 7, a, "table", 3);
    const next = seeTable(first, 7, b, "table", 4);
    expect(seeTable(next, 7, b, "table", 4)).toBe(next);
  });
});

describe("changedCount", () => {
  it("counts the slots whose state differs from before", () => {
    expect(changedCount(Uint8Array.from([1, 2, 2, 0]), Uint8Array.from([1, 1, 1, 0]))).toBe(2);
    expect(changedCount(Uint8Array.from([1, 2]), null)).toBe(0);
  });
});

describe("slotInRam", () => {
  it("is false for slots of a partial first table before guest page 0 and past the mm's last page", () => {
    const t = table([0, 0, 0, 0, 0, 0, 0, 0], -2);
    expect([0, 1, 2, 5, 6].map((s) => slotInRam(t, 4, s))).toEqual([false, false, true, true, false]);
  });
});

describe("pteKeyTarget", () => {
  it("moves by one cell or one row, clamped to the table", () => {
    expect(pteKeyTarget("ArrowRight", 5, 32, 16)).toBe(6);
    expect(pteKeyTarget("ArrowDown", 5, 32, 16)).toBe(21);
    expect(pteKeyTarget("ArrowDown", 20, 32, 16)).toBe(31);
    expect(pteKeyTarget("ArrowUp", 5, 32, 16)).toBe(0);
    expect(pteKeyTarget("End", 5, 32, 16)).toBe(31);
    expect(pteKeyTarget("Home", 5, 32, 16)).toBe(0);
  });

  it("selects the first slot when nothing is selected, hands Escape back, ignores other keys", () => {
    expect(pteKeyTarget("ArrowDown", null, 32, 16)).toBe(0);
    expect(pteKeyTarget("End", null, 32, 16)).toBe(0);
    expect(pteKeyTarget("Escape", 3, 32, 16)).toBe("escape");
    expect(pteKeyTarget("a", 3, 32, 16)).toBeNull();
  });
});

describe("sentences", () => {
  const s390: TableGeometry = {
    ptesPerTable: 256,
    tableSpanBytes: 1 << 20,
    pteTableMemBytes: 4096,
    pteTableVmPteBytes: 2048,
    pteTableName: "page table",
  };
  const x86: TableGeometry = { ...s390, ptesPerTable: 512, pteTableVmPteBytes: 4096 };

  it("summarises where the PTEs point, naming KSM only when some point there", () => {
    expect(fanInSummary({ none: 3, zeropage: 4, own: 1, ksm: 0 })).toBe(
      "4 PTEs point to the one shared zeropage frame, 1 to frames of their own, 3 map nothing.",
    );
    expect(fanInSummary({ none: 0, zeropage: 1, own: 1, ksm: 2 })).toContain(", 2 to a KSM page,");
  });

  it("says what a table costs, with the PGSTEs where the kernel keeps them", () => {
    const t = table([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(tableStatus(t, s390, "S.")).toBe(
      "The page table costs 4 KiB of host memory (8 PTEs × 8 B + 8 PGSTEs × 8 B); VmPTE counts 2 KiB of it. S.",
    );
    expect(tableStatus(t, x86, "S.")).toBe("The page table costs 4 KiB of host memory (8 PTEs × 8 B). S.");
    expect(tableStatus({ ...t, present: false }, x86, "S.")).toMatch(/^No page table here/);
    expect(tableStatus({ ...t, huge: true }, x86, "S.")).toBe(
      "Mapped by a huge PMD: one PMD entry maps all 8 pages at once.",
    );
  });

  it("says what the step changed, and how many PTEs left a shared frame", () => {
    expect(changedSentence(0, 0)).toBeNull();
    expect(changedSentence(1, 0)).toBe("This step changed 1 PTE of this table (ringed).");
    expect(changedSentence(3, 2)).toBe(
      "This step changed 3 PTEs of this table (ringed); 2 left a shared frame for a frame of their own (unshare or copy-on-write).",
    );
  });

  it("describes the selected PTE: where it is, what it maps, whether it is ballooned", () => {
    const t = table([0, 1, 2, 0, 0, 0, 0, 0], 16, [2]);
    expect(selectedPteText(t, 1, STATES[1]!)).toEqual({
      where: "PTE 1 (guest page 17, at 68 KiB):",
      what: "zeropage, pointing at the shared zeropage.",
    });
    expect(selectedPteText(t, 2, STATES[2]!).what).toBe(
      "anonymous, writable, its own 4 KiB frame; the guest gave this page to the balloon.",
    );
  });
});

describe("lastTouchedTable", () => {
  it("finds the table of the last page of the last mm the step touched", () => {
    const mm = { pageOffset: 0, ptesPerTable: 256 } as ViewState["mms"][number];
    const view = {
      mms: [mm, { ...mm, pageOffset: 128 }],
      active: [
        { mm: 0, runs: [0, 10] },
        { mm: 1, runs: [100, 50] },
        { mm: 0, runs: [] },
      ],
    } as unknown as ViewState;
    // mm 1: last page 149, + offset 128 = 277 → table 1.
    expect(lastTouchedTable(view)).toEqual({ mm: 1, table: 1 });
    expect(lastTouchedTable({ ...view, active: [] })).toBeNull();
  });
});
