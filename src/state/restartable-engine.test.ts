/** The cancellable engine wrapper: cancel fails waiting calls, the next call gets a fresh engine. */
import { describe, expect, it } from "vitest";
import { presetById } from "../scenario/presets/index.ts";
import type { EngineApi, LoadProgress } from "../worker/api.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { CancelledError, createRestartableEngine } from "./restartable-engine.ts";

function hosts() {
  const made: EngineHost[] = [];
  let terminated = 0;
  const engine = createRestartableEngine({
    connect: () => {
      const h = new EngineHost("main");
      made.push(h);
      return h;
    },
    terminate: () => {
      terminated++;
    },
    proxy: (fn) => fn,
  });
  return { engine, made, terminated: () => terminated };
}

describe("restartable engine", () => {
  it("forwards calls, including the additive check(), and reports load progress per action", async () => {
    const { engine } = hosts();
    const seen: LoadProgress[] = [];
    engine.progress.subscribe((s, prev) => {
      if (s.last && s.last !== prev.last) seen.push(s.last);
    });
    const scenario = presetById("teaching-small")!.scenario;
    expect(await engine.api.check({ scenario })).toEqual([]);
    expect(await engine.api.check({ scenario, kernel: "x86_64" })).toEqual([]);
    const r = await engine.api.load({ scenario });
    expect(r.ok).toBe(true);
    const total = scenario.actions.length;
    expect(seen.map((p) => p.actionsDone)).toEqual([
      ...Array.from({ length: total + 1 }, (_, i) => i),
      total,
    ]);
    expect(seen.at(-1)?.phase).toBe("indexing");
    expect(engine.progress.getState().running).toBe(false);
  });

  it("reports compile-time problems without running", async () => {
    const { engine } = hosts();
    const issues = await engine.api.check({
      scenario: presetById("postcopy-hang-2017")!.scenario,
      kernel: "x86_64",
    });
    expect(issues.map((i) => i.message).join()).toContain("storage keys exist only on s390");
  });

  it("cancel() rejects a waiting load, terminates the engine, and the next call starts a new one", async () => {
    let release: (() => void) | null = null;
    const hanging = {
      load: () =>
        new Promise((resolve) => {
          release = () => resolve({ ok: false, issues: [] });
        }),
      setProgressListener: async () => {},
      setRunIdBase: async () => {},
      presets: async () => [],
    } as unknown as EngineApi;
    const connects: string[] = [];
    const engine = createRestartableEngine({
      connect: () => {
        connects.push("connect");
        return connects.length === 1 ? hanging : new EngineHost("main");
      },
      terminate: () => connects.push("terminate"),
      proxy: (fn) => fn,
    });
    const load = engine.api.load({ scenario: {} });
    expect(engine.progress.getState().running).toBe(true);
    engine.cancel();
    await expect(load).rejects.toBeInstanceOf(CancelledError);
    expect(engine.progress.getState()).toMatchObject({ running: false, cancelled: true });
    release!();
    expect((await engine.api.presets()).length).toBeGreaterThan(0);
    expect(connects).toEqual(["connect", "terminate", "connect"]);
  });

  it("gives each new worker its own run ids, so the store never releases a live run by mistake", async () => {
    const { engine } = hosts();
    const scenario = presetById("teaching-small")!.scenario;
    const first = await engine.api.load({ scenario });
    engine.cancel();
    const second = await engine.api.load({ scenario });
    if (!first.ok || !second.ok) throw new Error("no run");
    expect(second.run.runId).not.toBe(first.run.runId);
    await engine.api.release(first.run.runId);
    const view = await engine.api.view({
      runId: second.run.runId,
      granularity: "action",
      position: 1,
      selection: null,
    });
    expect(view.position).toBe(1);
  });

  it("a run that finishes after cancel() is dropped", async () => {
    const { engine } = hosts();
    const p = engine.api.load({ scenario: presetById("teaching-small")!.scenario });
    engine.cancel();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});
