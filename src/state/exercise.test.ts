/**
 * An exercise played through the stores (exercise.ts over store.ts, in-process engine): the run
 * opens at its start, stepping stops at each question, an answer reveals the step with its grade,
 * a click on the map answers a click question, the score comes at the end; and a seed is a
 * student's own problem, carried by the link.
 */
import { describe, expect, it } from "vitest";
import { MiB } from "../base/units.ts";
import { drawScenario } from "../exercise/draw.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { createExerciseStore, type ExerciseStore, studentLink } from "./exercise.ts";
import { LinkSync } from "./link-sync.ts";
import { type AppStore, chosenKernel, createAppStore } from "./store.ts";
import { until } from "./test-support/ready-store.ts";
import { FakeHost } from "./test-support/url-host.ts";

/** A 64 MiB lesson: the guest writes it all, the balloon takes some back, the guest migrates. */
const LESSON = {
  schemaVersion: 2,
  title: "lesson",
  seed: 64,
  machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
  actions: [
    { do: "guest-touch", size: "64MiB", content: "data" },
    { do: "balloon-inflate", size: "16MiB" },
    { do: "migrate", mode: "precopy" },
  ],
  exercise: {
    vary: { balloon: { from: "10%", to: "50%", step: "10%" }, kernel: ["s390-fa41ba0d", "s390-06201e00"] },
    checkpoints: [
      { ask: "number", at: 1, question: "RssAnon after the balloon?", counter: "rssAnonBytes", unit: "MiB" },
      { ask: "pte", at: 2, on: "source", question: "What does a read of a ballooned page map?" },
      { ask: "click", at: 2, on: "source", question: "Where first?" },
      { ask: "outcome", at: 2, question: "How does it end?" },
    ],
  },
};

async function settled(app: AppStore, ex: ExerciseStore): Promise<void> {
  await until(() => app.getState().isIdle() && ex.getState().isIdle(), "the stores settle");
}

async function lesson(initial: Parameters<typeof createAppStore>[1] = {}) {
  const api = new EngineHost("main");
  const app = createAppStore(api, { scenario: LESSON, ...initial });
  const ex = createExerciseStore(app, api);
  await app.getState().init();
  await settled(app, ex);
  return { app, ex };
}

describe("an exercise", () => {
  it("opens at its start, with stepping held before the first question's step", async () => {
    const { app, ex } = await lesson();
    expect(app.getState().position).toBe(0);
    expect(ex.getState().status).toBe("ready");
    expect(ex.getState().positions?.holds).toEqual([2, 3, 3, 3]);
    expect(app.getState().seekLimit?.position).toBe(2);
    app.getState().seek(4);
    await settled(app, ex);
    expect(app.getState().position).toBe(2);
    expect(ex.getState().phase).toEqual({ kind: "asking", index: 0 });
  });

  it("grades an answer, reveals the step, and holds before the next question", async () => {
    const { app, ex } = await lesson();
    app.getState().setPlaying(true);
    app.getState().seek(2);
    await settled(app, ex);
    expect(app.getState().playing).toBe(false);
    ex.getState().answer({ kind: "number", value: 48 });
    await settled(app, ex);
    expect(ex.getState().results[0]).toEqual({ status: "right", given: { kind: "number", value: 48 } });
    expect(ex.getState().phase).toEqual({ kind: "revealed", indices: [0] });
    expect(app.getState().position).toBe(3);
    expect(app.getState().view?.mms[0]?.counters.rssAnonBytes).toBe(48 * MiB);
    // Continue: playback resumes (the question paused it) and stops at once for the next one.
    ex.getState().proceed();
    await settled(app, ex);
    expect(ex.getState().phase).toEqual({ kind: "asking", index: 1 });
    expect(app.getState().playing).toBe(false);
  });

  it("asks every question about a step before revealing it; a click on the map answers a click", async () => {
    const { app, ex } = await lesson();
    app.getState().seek(2);
    await settled(app, ex);
    ex.getState().answer({ kind: "number", value: 40 });
    expect(ex.getState().results[0]?.status).toBe("wrong");
    ex.getState().proceed();
    await settled(app, ex);
    ex.getState().answer({ kind: "choice", option: "own" });
    expect(ex.getState().results[1]?.status).toBe("wrong");
    expect(ex.getState().phase).toEqual({ kind: "asking", index: 2 });
    expect(app.getState().position).toBe(3);
    const click = ex.getState().answers!.checkpoints[2]!.answer;
    if (click?.kind !== "click") throw new Error("a click answer");
    app.getState().select({ mm: 0, table: click.table });
    expect(ex.getState().clicked).toEqual({ mm: 0, table: click.table });
    ex.getState().answer({ kind: "click", mm: 0, table: click.table });
    ex.getState().skip();
    await settled(app, ex);
    expect(ex.getState().results.map((r) => r?.status)).toEqual(["wrong", "wrong", "right", "skipped"]);
    expect(ex.getState().phase).toEqual({ kind: "revealed", indices: [1, 2, 3] });
    expect(app.getState().position).toBe(app.getState().run!.counts.action);
    ex.getState().proceed();
    await settled(app, ex);
    expect(ex.getState().phase).toEqual({ kind: "summary" });
    expect(app.getState().seekLimit).toBeNull();
  });

  it("places its questions again at another granularity", async () => {
    const { app, ex } = await lesson();
    await app.getState().setGranularity("table");
    await settled(app, ex);
    const host = new EngineHost("main");
    const r = await host.load({ scenario: LESSON });
    if (!r.ok) throw new Error("load");
    const hold = await host.convert(r.run.runId, "action", 2, "table");
    expect(ex.getState().positions?.holds[0]).toBe(hold);
    expect(app.getState().seekLimit).toEqual({
      runId: app.getState().run!.runId,
      granularity: "table",
      position: hold,
    });
    app.getState().seek(hold + 50);
    await settled(app, ex);
    expect(app.getState().position).toBe(hold);
    expect(ex.getState().phase.kind).toBe("asking");
  });

  it("lets a teacher browse freely with the questions off, and start again", async () => {
    const { app, ex } = await lesson();
    ex.getState().setAsking(false);
    expect(app.getState().seekLimit).toBeNull();
    app.getState().seek(4);
    await settled(app, ex);
    expect(app.getState().position).toBe(4);
    ex.getState().setAsking(true);
    ex.getState().restart();
    await settled(app, ex);
    expect(app.getState().position).toBe(0);
    expect(app.getState().seekLimit?.position).toBe(2);
  });
});

describe("a student's seed", () => {
  it("runs the problem the seed draws, under its kernel, and a new seed draws another", async () => {
    const { app, ex } = await lesson({ seed: 3 });
    const drawn = drawScenario(LESSON, 3);
    if (!drawn.ok) throw new Error("draw");
    const kernel = drawn.values.find((v) => v.id === "kernel")!.value;
    expect(app.getState().run?.kernel.id).toBe(kernel);
    expect(chosenKernel(app.getState())).toBe(kernel);
    const balloon = drawn.values.find((v) => v.id === "balloon")!.value as number;
    expect(ex.getState().answers?.checkpoints[0]?.answer).toMatchObject({ raw: 64 * MiB - balloon });
    let other = 4;
    for (; other < 40; other++) {
      const d = drawScenario(LESSON, other);
      if (d.ok && JSON.stringify(d.values) !== JSON.stringify(drawn.values)) break;
    }
    await app.getState().setSeed(other);
    await settled(app, ex);
    const d2 = drawScenario(LESSON, other);
    if (!d2.ok) throw new Error("draw");
    const b2 = d2.values.find((v) => v.id === "balloon")!.value as number;
    expect(ex.getState().answers?.checkpoints[0]?.answer).toMatchObject({ raw: 64 * MiB - b2 });
  });

  it("travels in the link: seed= opens that problem at its start, and a new seed is a new entry", async () => {
    const host = new FakeHost("#v=1&preset=commit-06201e00-exercise&seed=42");
    const { readUrlState } = await import("./url.ts");
    const api = new EngineHost("main");
    const app = createAppStore(api, readUrlState(host.location.hash));
    const ex = createExerciseStore(app, api);
    const sync = new LinkSync(app, host, { replaceDelayMs: 0 });
    await app.getState().init();
    await settled(app, ex);
    expect(app.getState().seed).toBe(42);
    expect(app.getState().position).toBe(0);
    expect(host.location.hash).toMatch(/&seed=42(&|$)/);
    await app.getState().setSeed(7);
    await settled(app, ex);
    await until(() => /&seed=7(&|$)/.test(host.location.hash), "the link names the new seed");
    expect(host.pushes).toBe(1);
    host.go(-1);
    await until(() => app.getState().seed === 42 && app.getState().isIdle(), "Back returns to seed 42");
    sync.stop();
    ex.stop();
  });

  it("the class's link has no seed, no step, no kernel and no self-check; a student's link adds the seed", async () => {
    const host = new FakeHost("#v=1&preset=commit-06201e00-exercise&seed=42&kernel=s390-fa41ba0d");
    const { readUrlState } = await import("./url.ts");
    const api = new EngineHost("main");
    const app = createAppStore(api, readUrlState(host.location.hash));
    const ex = createExerciseStore(app, api);
    const sync = new LinkSync(app, host, { replaceDelayMs: 0 });
    await app.getState().init();
    await settled(app, ex);
    app.getState().seek(2);
    await settled(app, ex);
    const forClass = studentLink(sync, null);
    const hash = forClass.slice(forClass.indexOf("#") + 1);
    const params = new URLSearchParams(hash);
    expect(params.get("preset")).toBe("commit-06201e00-exercise");
    for (const key of ["seed", "step", "kernel", "check", "sweep"]) expect(params.has(key), key).toBe(false);
    const student = new URLSearchParams(studentLink(sync, 1234).split("#")[1]);
    expect(student.get("seed")).toBe("1234");
    expect(student.has("step")).toBe(false);
    const reopened = readUrlState(`#${hash}`);
    expect(reopened.seed ?? null).toBeNull();
    sync.stop();
    ex.stop();
  });
});
