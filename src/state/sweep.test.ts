/**
 * The sweep and the answer key through the stores (sweep.ts, answer-key.ts over store.ts and the
 * URL sync, in-process engines): points land one at a time, a sweep travels in the link, a point
 * opens its run at the step that matters (Back returns to the sweep), Cancel stops between points
 * and mid-point, and the answer key's rows are the library's.
 */
import { describe, expect, it } from "vitest";
import { isAnon, Pte } from "../engine/pte.ts";
import { answerKeyRow } from "../exercise/key.ts";
import { applyParameter } from "../scenario/parameters.ts";
import { presetById } from "../scenario/presets/index.ts";
import { runSweepPoint } from "../sweep/run.ts";
import { parseSpec, type SweepSpec } from "../sweep/spec.ts";
import type { EngineApi } from "../worker/api.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { createAnswerKeyStore } from "./answer-key.ts";
import { LinkSync } from "./link-sync.ts";
import { CancelledError } from "./restartable-engine.ts";
import { type AppStore, createAppStore } from "./store.ts";
import { createSweepStore, type SweepEngine, type SweepStore } from "./sweep.ts";
import { until } from "./test-support/ready-store.ts";
import { FakeHost } from "./test-support/url-host.ts";
import { readUrlState } from "./url.ts";

function spec(text: string): SweepSpec {
  const r = parseSpec(text);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
}

/** A second engine that can be held between points, as a slow worker would be. */
function gatedEngine(): SweepEngine & { release(): void; calls: number; cancelled: number } {
  const host = new EngineHost("main");
  let waiting: (() => void)[] = [];
  let fail: ((e: Error) => void)[] = [];
  const e = {
    calls: 0,
    cancelled: 0,
    release() {
      const w = waiting;
      waiting = [];
      fail = [];
      for (const f of w) f();
    },
    cancel() {
      e.cancelled++;
      const f = fail;
      waiting = [];
      fail = [];
      for (const x of f) x(new CancelledError());
    },
    api: new Proxy({} as EngineApi, {
      get: (_t, name: string) => {
        if (name === "then") return undefined;
        return (...args: unknown[]) => {
          e.calls++;
          return new Promise((resolve, reject) => {
            waiting.push(() =>
              resolve((host as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args)),
            );
            fail.push(reject);
          });
        };
      },
    }),
  };
  return e;
}

function direct(): SweepEngine {
  return { api: new EngineHost("main"), cancel: () => {} };
}

async function setup(hash: string, second: SweepEngine = direct()) {
  const api = new EngineHost("main");
  const host = new FakeHost(hash);
  const app: AppStore = createAppStore(api, readUrlState(host.location.hash));
  const sync = new LinkSync(app, host, { replaceDelayMs: 0 });
  const sweep: SweepStore = createSweepStore(app, second, sync, api);
  await app.getState().init();
  await until(() => app.getState().isIdle(), "the app settles");
  return { api, host, app, sync, sweep };
}

const SMALL = "balloon~0%~100%~3~s390-fa41ba0d.s390-06201e00";

/**
 * The app shows event `event` at page-table granularity, on its first step whose table gets a page
 * of its own for an empty PTE (a ballooned page allocated); returns how many steps of the event
 * come before it.
 */
async function expectFirstAllocation(api: EngineApi, app: AppStore, event: number): Promise<number> {
  const a = app.getState();
  expect(a.granularity).toBe("table");
  const runId = a.run!.runId;
  const start = (event > 0 ? await api.positionOfEvent(runId, "table", event - 1) : 0) + 1;
  const allocates = async (position: number) => {
    const v = await api.view({ runId, granularity: "table", position, selection: null });
    expect(v.event, `step ${position}`).toBe(event);
    return (v.changes ?? []).some((c) => c.from === Pte.NONE && isAnon(c.to));
  };
  expect(await allocates(a.position)).toBe(true);
  for (let p = start; p < a.position; p++) expect(await allocates(p), `step ${p}`).toBe(false);
  return a.position - start;
}

describe("a sweep", () => {
  it("runs one point at a time, each the library's point, and travels in the link", async () => {
    const { host, app, sweep } = await setup("#v=1&preset=teaching-small");
    const seen: number[] = [];
    sweep.subscribe((s) => seen.push(s.done));
    await sweep.getState().start(spec(SMALL));
    const s = sweep.getState();
    expect(s.status).toBe("done");
    expect(s.total).toBe(6);
    expect(new Set(seen)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    const scenario = app.getState().scenario;
    expect(s.run!.points[3]).toEqual(
      runSweepPoint({ scenario, param: "balloon", value: 32 * 2 ** 20, kernel: "s390-06201e00" }),
    );
    expect(host.location.hash).toContain("&sweep=balloon~0%25~100%25~3~s390-fa41ba0d.s390-06201e00");
  });

  it("opens from a link, and a point opens its run at the first allocation of ballooned memory", async () => {
    const { api, host, app, sweep } = await setup(
      `#v=1&preset=teaching-small&sweep=${encodeURIComponent(SMALL)}`,
    );
    await until(() => sweep.getState().status === "done", "the link's sweep runs");
    expect(sweep.getState().open).toBe(true);
    await sweep.getState().openPoint(1, "s390-fa41ba0d");
    await until(() => app.getState().isIdle(), "the point's run settles");
    const a = app.getState();
    expect(sweep.getState().open).toBe(false);
    expect(a.run?.kernel.id).toBe("s390-fa41ba0d");
    expect(a.granularity).toBe("table");
    const point = sweep.getState().run!.points[2]!;
    expect(point.relevantLabel).toBe("the first allocation of ballooned memory");
    await expectFirstAllocation(api, app, point.relevantEvent);
    const set = applyParameter(presetById("teaching-small")!.scenario, "balloon", 32 * 2 ** 20);
    if (!set.ok) throw new Error("apply");
    expect((a.scenario as { actions: unknown[] }).actions).toEqual(set.scenario.actions);
    await until(() => !host.location.hash.includes("sweep="), "the point's entry has no sweep");
    expect(host.pushes).toBe(1);
    // Back: the sweep again, at once (its results were kept).
    host.go(-1);
    await until(() => sweep.getState().open && sweep.getState().status === "done", "Back reopens the sweep");
    expect(sweep.getState().run!.spec).toEqual(spec(SMALL));
  });

  it("opens a point on the table where ballooned memory is first allocated, past the tables that only hold data", async () => {
    // The commit's story in small: the guest writes all its RAM, the balloon takes a quarter back,
    // and precopy's read of every page allocates the ballooned ones under fa41ba0d. The event that
    // first does so starts on tables whose pages all hold data.
    const api = new EngineHost("main");
    const scenario = {
      schemaVersion: 1,
      title: "small commit story",
      seed: 64,
      machine: { kernel: "s390-fa41ba0d", guestRam: "256MiB" },
      actions: [
        { do: "guest-touch", size: "256MiB", content: "data" },
        { do: "balloon-inflate", size: "64MiB" },
        { do: "migrate", mode: "precopy" },
      ],
    };
    const app = createAppStore(api, { scenario });
    const sweep = createSweepStore(app, direct(), null, api);
    await app.getState().init();
    await until(() => app.getState().isIdle(), "the app settles");
    await sweep.getState().start(spec("balloon~25%~50%~2~s390-fa41ba0d.s390-06201e00"));
    const point = sweep.getState().run!.points[0]!;
    expect(point.relevantLabel).toBe("the first allocation of ballooned memory");
    await sweep.getState().openPoint(0, "s390-fa41ba0d");
    await until(() => app.getState().isIdle(), "the point's run settles");
    expect(await expectFirstAllocation(api, app, point.relevantEvent)).toBeGreaterThan(0);
  });

  it("starts its worker when the panel opens, before Run", async () => {
    const slow = gatedEngine();
    const { sweep } = await setup("#v=1&preset=teaching-small", slow);
    expect(slow.calls).toBe(0);
    sweep.getState().openPanel();
    expect(sweep.getState().open).toBe(true);
    expect(slow.calls).toBe(1);
    expect(sweep.getState().status).toBe("idle");
    slow.release();
  });

  it("stops on Cancel, mid-point, and keeps what landed", async () => {
    const slow = gatedEngine();
    const { sweep } = await setup("#v=1&preset=teaching-small", slow);
    const running = sweep.getState().start(spec(SMALL));
    await until(() => slow.calls === 1, "the first point is asked for");
    slow.release();
    await until(() => sweep.getState().done === 1, "one point lands");
    await until(() => slow.calls === 2, "the second point is asked for");
    sweep.getState().cancel();
    await running;
    expect(slow.cancelled).toBe(1);
    expect(sweep.getState().status).toBe("cancelled");
    expect(sweep.getState().done).toBe(1);
    expect(sweep.getState().run!.points.filter(Boolean)).toHaveLength(1);
    expect(slow.calls).toBe(2);
  });
});

describe("the answer key", () => {
  it("is one row per seed, the library's rows, one seed at a time", async () => {
    const api = new EngineHost("main");
    const app = createAppStore(api, { presetId: "ksm-zero-pages-exercise" });
    await app.getState().init();
    const key = createAnswerKeyStore(app, direct());
    key.getState().setSeedsText("1-3, 9");
    await key.getState().run();
    const scenario = app.getState().scenario;
    expect(key.getState().status).toBe("done");
    expect(JSON.stringify(key.getState().rows)).toBe(
      JSON.stringify([1, 2, 3, 9].map((s) => answerKeyRow(scenario, s))),
    );
    key.getState().setSeedsText("3-1");
    await key.getState().run();
    expect(key.getState()).toMatchObject({ status: "error", error: '"3-1" runs backwards' });
  });
});
