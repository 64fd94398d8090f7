/**
 * The before/after slice over an in-process engine and a real app store: the commit's story shows
 * each step under fa41ba0d and 06201e00 (and x86_64 on request), whatever kernel the app runs; a
 * story without a patch shows no panel.
 */
import { describe, expect, it } from "vitest";
import { GiB } from "../base/units.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { createBeforeAfterStore } from "./before-after.ts";
import { createAppStore } from "./store.ts";
import { until } from "./test-support/ready-store.ts";

async function setup(kernel: "s390-fa41ba0d" | "s390-06201e00" | "x86_64" = "s390-fa41ba0d") {
  const api = new EngineHost("main");
  const app = createAppStore(api, { presetId: "commit-06201e00", kernel });
  const ba = createBeforeAfterStore(api, app);
  await app.getState().init();
  const idle = () => app.getState().isIdle() && ba.getState().isIdle() && ba.getState().status !== "loading";
  await until(idle);
  return { app, ba, idle };
}

const rss = (v: { mms: readonly { name: string; counters: { rssAnonBytes: number } }[] }, mm: string) =>
  v.mms.find((m) => m.name === mm)!.counters.rssAnonBytes;
describe("before/after store", () => {
  it("follows the app's steps under the patch's two kernels, with the step's sentence", async () => {
    const { app, ba, idle } = await setup();
    const s = ba.getState();
    expect(s.status).toBe("ready");
    expect(s.patch?.commit).toBe("06201e00");
    expect(s.columns.map((c) => c.kernel)).toEqual(["s390-fa41ba0d", "s390-06201e00"]);
    // The app opens at its end: the migration has read the balloon on both hosts.
    const end = s.step!;
    expect(end.position).toBe(app.getState().position);
    expect(rss(end.views[0]!, "source") - rss(end.views[1]!, "source")).toBe(40 * GiB);
    expect(rss(end.views[0]!, "destination") - rss(end.views[1]!, "destination")).toBe(40 * GiB);
    expect(end.difference.kind).toBe("differs");
    // Back to the balloon step: the same memory on both, and the sentence says so.
    app.getState().seek(3);
    await until(idle);
    const inflate = ba.getState().step!;
    expect(inflate.position).toBe(3);
    expect(rss(inflate.views[0]!, "source")).toBe(rss(inflate.views[1]!, "source"));
    expect(inflate.difference.kind).toBe("same");
  });

  it("maps a step of any kernel the app runs, and adds x86_64 as a third column on request", async () => {
    const { app, ba, idle } = await setup("x86_64");
    await app.getState().setGranularity("table");
    await until(idle);
    const last = app.getState().run!.counts.table;
    expect(ba.getState().step!.position).toBe(last);
    expect(rss(ba.getState().step!.views[0]!, "source") - rss(ba.getState().step!.views[1]!, "source")).toBe(
      40 * GiB,
    );
    ba.getState().setThird("x86_64");
    await until(() => idle() && ba.getState().columns.length === 3 && ba.getState().step?.views.length === 3);
    const v = ba.getState().step!.views;
    expect(v[2]!.runId).toBe(ba.getState().columns[2]!.run.runId);
    // x86_64 pays only page tables for the balloon's reads, as 06201e00 does.
    expect(rss(v[2]!, "source")).toBe(rss(v[1]!, "source"));
    app.getState().seek(0);
    await until(idle);
    expect(ba.getState().step!.views.map((x) => x.position)).toEqual([0, 0, 0]);
    expect(ba.getState().step!.difference.kind).toBe("start");
  });

  it("is off for a story without a patch, and when hidden", async () => {
    const { app, ba, idle } = await setup();
    await app.getState().loadPreset("teaching-small");
    await until(idle);
    expect(ba.getState().patch).toBeNull();
    expect(ba.getState().status).toBe("off");
    await app.getState().loadPreset("commit-06201e00");
    await until(() => idle() && ba.getState().status === "ready");
    ba.getState().setShown(false);
    await until(idle);
    expect(ba.getState().status).toBe("off");
    expect(ba.getState().step).toBeNull();
  });
});
