/**
 * The permalink's promise: a link copied at any step of any preset reproduces that exact view in a
 * fresh browser. For every preset (under its first variant) a store opened on the preset seeks to
 * sampled steps (the first, the last, and seeded random ones) at each granularity, selects a
 * seeded page table and PTE, and copies the URL sync's linkTo(); a fresh store, on its own
 * in-process engine and fake window, opens that link and must show the same kernel, position,
 * granularity, selection, selected page and per-mm counters, with a clean self-check.
 *
 * Runtime: a 100 GiB preset costs ~1.5 s per simulation and every fresh store simulates again, so
 * those presets are sampled at action granularity only (the step a reviewer copies from the action
 * list); the smaller ones at all three. The fake window is test-support/url-host.ts.
 */
import { describe, expect, it } from "vitest";
import { Prng } from "../base/prng.ts";
import { GiB, parseSize } from "../base/units.ts";
import { PRESETS } from "../scenario/presets/index.ts";
import type { Granularity } from "../worker/api.ts";
import { readyLinkedStore } from "./test-support/ready-store.ts";
import { settle } from "./test-support/url-host.ts";

/** The first and last step and `random` seeded ones in between, without repeats. */
function sampleSteps(count: number, random: number, rand: Prng): number[] {
  const steps = new Set([0, count]);
  for (let i = 0; i < random; i++) steps.add(rand.int(0, count));
  return [...steps];
}
const BIG = 32 * GiB;

function guestRamOf(scenario: unknown): number {
  const r = parseSize((scenario as { machine: { guestRam: string | number } }).machine.guestRam);
  if (!r.ok) throw new Error(r.error);
  return r.bytes;
}

describe("a link copied at any step of any preset reproduces the view in a fresh store", () => {
  it("samples every preset", () => {
    expect(PRESETS.length).toBeGreaterThan(5);
    expect(PRESETS.some((p) => guestRamOf(p.scenario) >= BIG)).toBe(true);
    expect(PRESETS.some((p) => guestRamOf(p.scenario) < BIG)).toBe(true);
  });

  PRESETS.forEach((preset, n) => {
    const big = guestRamOf(preset.scenario) >= BIG;
    const granularities: Granularity[] = big ? ["action"] : ["action", "table", "pte"];
    it(`${preset.id} (${big ? "action granularity" : "every granularity"})`, async () => {
      const kernel = preset.variants[0]!;
      const rand = new Prng(0x5eed + n);
      const first = await readyLinkedStore(`#v=1&preset=${preset.id}&kernel=${kernel}`, 5000);
      const a = first.store;
      expect(a.getState().status).toBe("ready");
      let checked = 0;
      for (const g of granularities) {
        await a.getState().setGranularity(g);
        await settle(a, 5000);
        const count = a.getState().run!.counts[g];
        for (const step of sampleSteps(count, big ? 1 : 2, rand)) {
          a.getState().seek(step);
          const mm = rand.int(0, a.getState().run!.trace.mmNames.length - 1);
          await settle(a, 5000);
          const tables = a.getState().view!.mms[mm]!.tables;
          const table = rand.int(0, tables - 1);
          a.getState().select({ mm, table });
          a.getState().selectPage({ mm, page: table * a.getState().run!.geometry.ptesPerTable });
          await settle(a, 5000);

          const link = first.sync.linkTo();
          const where = `${link} (${g} step ${step})`;
          const b = await readyLinkedStore(link.slice(link.indexOf("#")), 5000);
          const [sa, sb] = [a.getState(), b.store.getState()];
          expect(b.sync.links.getState().error, where).toBeNull();
          expect(b.sync.links.getState().report?.matches ?? true, where).toBe(true);
          expect(sb.presetId, where).toBe(preset.id);
          expect(sb.run?.kernel.id, where).toBe(kernel);
          expect(sb.granularity, where).toBe(g);
          expect(sb.position, where).toBe(step);
          expect(sb.view?.position, where).toBe(step);
          expect(sb.selection, where).toEqual({ mm, table });
          expect(sb.selectedPage, where).toEqual(sa.selectedPage);
          expect(sb.view?.event, where).toBe(sa.view?.event);
          expect(
            sb.view?.mms.map((m) => m.counters),
            where,
          ).toEqual(sa.view?.mms.map((m) => m.counters));
          b.sync.stop();
          checked++;
        }
      }
      first.sync.stop();
      expect(checked).toBeGreaterThanOrEqual(granularities.length * 2);
    }, 60_000);
  });
});
