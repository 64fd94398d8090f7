/**
 * The small multiples' byte axes: ticks at round numbers of GiB (MiB, KiB), so the commit story's
 * 0–100 GiB balloon reads 0, 20, 40 … GiB rather than d3's byte ticks (20e9 B = "18.6 GiB").
 */
import { describe, expect, it } from "vitest";
import { GiB, MiB } from "../../base/units.ts";
import { formatBytesShort } from "../format.ts";
import { byteTicks, niceByteTop } from "./SmallMultiples.tsx";

describe("byte axes", () => {
  it("tick a 0–100 GiB range every 20 GiB", () => {
    expect(byteTicks(0, 100 * GiB, 5).map(formatBytesShort)).toEqual([
      "0 B",
      "20 GiB",
      "40 GiB",
      "60 GiB",
      "80 GiB",
      "100 GiB",
    ]);
  });

  it("tick in MiB below a GiB, and keep whole units", () => {
    const ticks = byteTicks(0, 64 * MiB, 4);
    expect(ticks.map(formatBytesShort)).toEqual(["0 B", "20 MiB", "40 MiB", "60 MiB"]);
    for (const t of byteTicks(16 * MiB, 64 * MiB, 5)) expect(t % MiB).toBe(0);
  });

  it("widen the shared y scale to a round number of the unit, never below the largest value", () => {
    for (const max of [100 * GiB, 100.4 * GiB, 40.4 * GiB, 32.3 * MiB, 5000]) {
      const top = niceByteTop(max, 4);
      expect(top).toBeGreaterThanOrEqual(max);
      const unit = max >= GiB ? GiB : max >= MiB ? MiB : 1024;
      expect(Number.isInteger(top / unit), `${max} → ${top}`).toBe(true);
      for (const t of byteTicks(0, top, 4)) expect(formatBytesShort(t)).not.toMatch(/\.\d/);
    }
  });
});
