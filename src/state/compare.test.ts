/**
 * The compare slice through its public surface, over an in-process engine and a real app store:
 * opening compare mode, the shared cursor mirrored into the app store, divergence navigation, the
 * right side following the app's scenario, and closing.
 */
import { describe, expect, it } from "vitest";
import { createStore } from "zustand/vanilla";
import { PRESETS } from "../scenario/presets/index.ts";
import type { VariantId } from "../worker/api.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { type CompareStore, compareOf, connectCompareLinks } from "./compare.ts";
import type { LinkCompare, RightScenario } from "./link-state.ts";
import { type AppStore, createAppStore } from "./store.ts";
import { readyStore, until } from "./test-support/ready-store.ts";

async function setup(): Promise<{ app: AppStore; cmp: CompareStore }> {
  const { store: app } = await readyStore({ presetId: "teaching-small", kernel: "s390-fa41ba0d" });
  const cmp = compareOf(app);
  await cmp.getState().open("s390-06201e00");
  await until(() => cmp.getState().isIdle() && app.getState().isIdle());
  return { app, cmp };
}

describe("compare store", () => {
  it("opens against a variant at the app's position, left = the app's run", async () => {
    const { app, cmp } = await setup();
    const s = cmp.getState();
    expect(s.status).toBe("ready");
    expect(s.left!.runId).toBe(app.getState().run!.runId);
    expect(s.right!.kernel.id).toBe("s390-06201e00");
    // The app was at its end (action granularity): so is the aligned cursor.
    expect(s.position).toBe(s.info!.counts.action);
    expect(s.view!.sides[0].runId).toBe(s.left!.runId);
    expect(s.view!.sides[1].runId).toBe(s.right!.runId);
  });

  it("next and previous divergence move the shared cursor; the app follows on the left", async () => {
    const { app, cmp } = await setup();
    await cmp.getState().setGranularity("table");
    await until(() => cmp.getState().isIdle() && app.getState().isIdle());
    expect(app.getState().granularity).toBe("table");
    cmp.getState().seek(0);
    expect(cmp.getState().stepDivergence(1)).toBe(true);
    await until(() => cmp.getState().isIdle() && app.getState().isIdle());
    const s = cmp.getState();
    const first = s.info!.divergences[s.info!.first]!;
    expect(s.position).toBe(first.positions.table);
    expect(s.view!.divergence).toBe(s.info!.first);
    expect(app.getState().position).toBe(s.view!.sidePositions[0]);
    // The diff map follows the view: at the first divergence some table differs.
    expect(s.diff!.position).toBe(s.position);
    expect(s.diff!.diff.some((m) => m.differingLeft > 0)).toBe(true);
    // ... and the first table that differs there is selected, on both sides.
    const cells = s.diff!.diff.find((m) => m.name === first.mm)!.left!;
    expect(s.selection).toEqual({ mm: s.left!.trace.mmNames.indexOf(first.mm!), table: cells.indexOf(1) });
    expect(s.view!.sides[0].table!.table).toBe(cells.indexOf(1));
    expect(cmp.getState().stepDivergence(-1)).toBe(false);
  });

  it("the right side follows when the app loads another kernel; close turns compare off", async () => {
    const { app, cmp } = await setup();
    await app.getState().setKernel("x86_64");
    await until(() => cmp.getState().status === "ready" && cmp.getState().isIdle());
    expect(cmp.getState().left!.kernel.id).toBe("x86_64");
    expect(cmp.getState().right!.kernel.id).toBe("s390-06201e00");
    cmp.getState().close();
    expect(cmp.getState().status).toBe("off");
    expect(cmp.getState().isIdle()).toBe(true);
  });

  it("a variant the scenario cannot run under is an error, not a crash", async () => {
    const { store: app } = await readyStore({ presetId: "pv-guest", kernel: "s390-06201e00" });
    const cmp = compareOf(app);
    await cmp.getState().open("x86_64");
    expect(cmp.getState().status).toBe("error");
    expect(cmp.getState().error).toContain("cannot run under x86_64");
  });

  it("follows the link's compare setting both ways", async () => {
    const { store: app } = await readyStore({ presetId: "teaching-small", kernel: "s390-fa41ba0d" });
    const cmp = compareOf(app);
    const first: LinkCompare = { kernel: "s390-06201e00", right: null, position: null, report: null };
    const links = createStore<{ compare: LinkCompare | null }>()(() => ({ compare: first }));
    const written: [VariantId | null, RightScenario | null][] = [];
    const positions: (number | null)[] = [];
    const sync = {
      links: links as never,
      setCompare: (k: VariantId | null, right: RightScenario | null = null) => {
        written.push([k, right]);
        links.setState({ compare: k ? { kernel: k, right, position: null, report: null } : null });
      },
      setComparePosition: (p: number | null) => positions.push(p),
      compareReady: () => {},
    };
    const stop = connectCompareLinks(cmp, sync);
    await until(() => cmp.getState().status === "ready" && cmp.getState().isIdle());
    expect(cmp.getState().right!.kernel.id).toBe("s390-06201e00");
    expect(positions.at(-1)).toBe(cmp.getState().position);
    // A popstate to a link without compare= leaves compare mode.
    links.setState({ compare: null });
    expect(cmp.getState().status).toBe("off");
    // Opening compare mode from the UI writes the setting: another scenario on the right.
    const right = { presetId: "pv-guest", scenario: PRESETS.find((p) => p.id === "pv-guest")!.scenario };
    await cmp.getState().open("s390-06201e00", right);
    expect(written).toEqual([["s390-06201e00", right]]);
    stop();
  });

  it("compares two different scenarios, keeping the right one when the left changes", async () => {
    const { app, cmp } = await setup();
    const pv = PRESETS.find((p) => p.id === "pv-guest")!;
    await cmp.getState().open("s390-06201e00", { presetId: pv.id, scenario: pv.scenario });
    await until(() => cmp.getState().isIdle() && app.getState().isIdle());
    const s = cmp.getState();
    expect(s.left!.title).toBe(app.getState().run!.title);
    expect(s.right!.title).toBe(pv.scenario.title);
    expect(s.right!.title).not.toBe(s.left!.title);
    expect(s.info!.labels[1]).toContain(pv.scenario.title);
    const rightRun = s.right!.runId;
    // The left moves to another kernel: the right-hand scenario stays, and its run is reused.
    await app.getState().setKernel("x86_64");
    await until(() => cmp.getState().status === "ready" && cmp.getState().isIdle());
    expect(cmp.getState().left!.kernel.id).toBe("x86_64");
    expect(cmp.getState().right!.runId).toBe(rightRun);
    expect(cmp.getState().rightScenario?.presetId).toBe("pv-guest");
  });

  it("opens at a link's shared position, also one that the left's position alone does not name", async () => {
    const api = new EngineHost("main");
    const app = createAppStore(api, {
      presetId: "teaching-small",
      kernel: "s390-06201e00",
      granularity: "table",
    });
    await app.getState().init();
    await until(() => app.getState().isIdle());
    const cmp = compareOf(app);
    await cmp.getState().open("x86_64");
    await until(() => cmp.getState().isIdle() && app.getState().isIdle());
    const info = cmp.getState().info!;
    // Shared positions where the right runs steps alone: the left's position maps back elsewhere.
    const ambiguous: number[] = [];
    for (let p = 0; p <= info.counts.table; p++) {
      const [left] = await api.sidesOfPair(info.compareId, "table", p);
      if ((await api.alignedOf(info.compareId, 0, "table", left)) !== p) ambiguous.push(p);
    }
    expect(ambiguous.length).toBeGreaterThan(0);
    const p = ambiguous[ambiguous.length >> 1]!;
    const [left] = await api.sidesOfPair(info.compareId, "table", p);
    cmp.getState().close();
    app.getState().seek(left);
    await until(() => app.getState().isIdle());
    await cmp.getState().open("x86_64", null, p);
    await until(() => cmp.getState().isIdle() && app.getState().isIdle());
    expect(cmp.getState().position).toBe(p);
    expect(cmp.getState().view!.sidePositions[0]).toBe(left);
    expect(app.getState().position).toBe(left);
    // Without it, the same left position opens at the first shared position of that step.
    cmp.getState().close();
    await cmp.getState().open("x86_64");
    await until(() => cmp.getState().isIdle() && app.getState().isIdle());
    expect(cmp.getState().position).not.toBe(p);
    expect(cmp.getState().view!.sidePositions[0]).toBe(left);
  });
});
