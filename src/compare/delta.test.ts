/** The delta table (delta.ts): final and peak counters, differences, the mailing-list text. */
import { describe, expect, test } from "vitest";
import { MiB } from "../base/units.ts";
import { deltaRow, deltaTable, formatDeltaTable, formatDiff, formatPct } from "./delta.ts";
import { createVm, dontneed, read, simulate, write } from "./testing.ts";

describe("deltaTable", () => {
  const script = [
    ["boot", [createVm]],
    ["use", [write(0, 512), dontneed(0, 256), read(0, 1024)]],
  ] as const;
  const a = simulate("s390-fa41ba0d", script).finish();
  const b = simulate("s390-06201e00", script).finish();
  const t = deltaTable(a, b, ["left run", "right run"]);

  test("final and peak RssAnon, difference in bytes and per cent", () => {
    const r = deltaRow(t, "source", "rssAnonBytes")!;
    // Left: 512 written, 256 discarded, then the read allocates the 768 empty pages: 1024 pages.
    // Right: 256 written pages stay; the read maps the zeropage.
    expect(r.final).toEqual([4 * MiB, 1 * MiB]);
    expect(r.peak).toEqual([4 * MiB, 2 * MiB]);
    expect(r.finalDiffBytes).toBe(-3 * MiB);
    expect(r.finalPct).toBe(-75);
    expect(r.peakPct).toBe(-50);
  });

  test("page counters and counts stay counts: never bytes", () => {
    const z = deltaRow(t, "source", "zeropagePtes")!;
    expect(z.finalDiff).toBe(768);
    expect(z.finalDiffBytes).toBeNull();
    expect(formatDiff(z, "final")).toBe("+768");
    expect(z.finalPct).toBeNull();
    expect(deltaRow(t, "source", "pteTables")!.finalDiffBytes).toBeNull();
  });

  test("a rise of zeropage PTEs is a gain, a fall of RssAnon too; a rise of RssAnon is a cost", () => {
    expect(deltaRow(t, "source", "zeropagePtes")!.finalTone).toBe("gain");
    expect(deltaRow(t, "source", "rssAnonBytes")!.finalTone).toBe("gain");
    const back = deltaTable(b, a, ["right run", "left run"]);
    expect(deltaRow(back, "source", "rssAnonBytes")!.finalTone).toBe("cost");
    expect(deltaRow(back, "source", "zeropagePtes")!.finalTone).toBe("cost");
    expect(deltaRow(t, "source", "vmPteBytes")!.finalTone).toBe("neutral");
  });

  test("the text table, for a mailing list", () => {
    expect(formatDeltaTable(t)).toBe(
      [
        "left:  left run",
        "right: right run",
        "",
        "mm      counter            left final  right final    diff       %  left peak  right peak       diff       %",
        "source  RssAnon                 4 MiB        1 MiB  -3 MiB  -75.0%      4 MiB       2 MiB     -2 MiB  -50.0%",
        "source  VmPTE                  24 KiB       24 KiB     0 B    0.0%     24 KiB      24 KiB        0 B    0.0%",
        "source  page-table memory      32 KiB       32 KiB     0 B    0.0%     32 KiB      32 KiB        0 B    0.0%",
        "source  zeropage PTEs               0          768    +768     new          0         768       +768     new",
        "source  host memory          4.03 MiB     1.03 MiB  -3 MiB  -74.4%   4.03 MiB    2.02 MiB  -2.01 MiB  -49.8%",
        "",
        "diff = right - left; % of left; page counts are in pages (4 KiB each).",
      ].join("\n"),
    );
  });
});

test("formatPct", () => {
  expect(formatPct(-40)).toBe("-40.0%");
  expect(formatPct(0.01)).toBe("0.0%");
  expect(formatPct(12.345)).toBe("+12.3%");
  expect(formatPct(null)).toBe("new");
});
