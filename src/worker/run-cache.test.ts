/**
 * The worker's run cache and its computing ahead: a kernel chosen again, or one of the preset's
 * kernels computed while the worker was idle, loads without a new run, and gives exactly what a
 * fresh computation gives (every RunInfo field but the id and the time, and the views).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PRESETS } from "../scenario/presets/index.ts";
import type { LoadProgress, LoadRequest, RunInfo, VariantId } from "./api.ts";
import { exposed } from "./engine.worker.ts";
import { EngineHost } from "./engine-host.ts";

const preset = PRESETS.find((p) => p.id === "teaching-small")!;
const req = (kernel: VariantId): LoadRequest => ({ scenario: preset.scenario, kernel });

/** Loads and says whether the host ran the scenario (a run reports its progress; a hit does not). */
async function load(host: EngineHost, r: LoadRequest): Promise<{ run: RunInfo; computed: boolean }> {
  const reports: LoadProgress[] = [];
  await host.setProgressListener((p) => {
    reports.push(p);
  });
  const res = await host.load(r);
  if (!res.ok) throw new Error(JSON.stringify(res.issues));
  return { run: res.run, computed: reports.length > 0 };
}

function sameRun(a: RunInfo, b: RunInfo): void {
  const { runId: _a, elapsedMs: _ea, ...restA } = a;
  const { runId: _b, elapsedMs: _eb, ...restB } = b;
  expect(restA).toEqual(restB);
}

async function endView(host: EngineHost, run: RunInfo) {
  const v = await host.view({
    runId: run.runId,
    granularity: "table",
    position: run.counts.table,
    selection: null,
  });
  const { runId: _r, elapsedMs: _e, ...rest } = v;
  return rest;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the worker's run cache", () => {
  it("loads a kernel chosen again without running it, and the same run as a fresh host computes", async () => {
    const host = new EngineHost("main", { cacheRuns: 3 });
    const first = await load(host, req("s390-fa41ba0d"));
    expect(first.computed).toBe(true);
    await load(host, req("x86_64"));
    const again = await load(host, req("s390-fa41ba0d"));
    expect(again.computed).toBe(false);
    expect(again.run.runId).not.toBe(first.run.runId);
    const freshHost = new EngineHost("main");
    const fresh = await load(freshHost, req("s390-fa41ba0d"));
    sameRun(again.run, fresh.run);
    // Two held runs on one result: each seeks on its own.
    expect(await endView(host, again.run)).toEqual(await endView(freshHost, fresh.run));
    // Releasing one of them leaves the other whole.
    const before = await endView(freshHost, fresh.run);
    await host.release(first.run.runId);
    expect(await endView(host, again.run)).toEqual(before);
  });

  it("a preset opened under its own kernel, and that kernel chosen again, are one run", async () => {
    const host = new EngineHost("main", { cacheRuns: 3 });
    const own = (preset.scenario as { machine: { kernel: VariantId } }).machine.kernel;
    const opened = await load(host, { scenario: preset.scenario });
    expect(opened.computed).toBe(true);
    const again = await load(host, req(own));
    expect(again.computed).toBe(false);
    sameRun(again.run, (await load(new EngineHost("main"), req(own))).run);
    sameRun(again.run, opened.run);
  });

  it("keeps at most cacheRuns runs, dropping the least recently used", async () => {
    const host = new EngineHost("main", { cacheRuns: 2 });
    await load(host, req("s390-fa41ba0d"));
    await load(host, req("s390-06201e00"));
    await load(host, req("s390-fa41ba0d")); // used again: now the most recent
    await load(host, req("x86_64")); // drops 06201e00
    expect((await load(host, req("s390-fa41ba0d"))).computed).toBe(false);
    expect((await load(host, req("s390-06201e00"))).computed).toBe(true);
  });

  it("without a cache, every load runs and nothing is computed ahead", async () => {
    const host = new EngineHost("main");
    await load(host, req("s390-fa41ba0d"));
    expect(host.computeAhead()).toBe(false);
    expect((await load(host, req("s390-fa41ba0d"))).computed).toBe(true);
  });

  it("computes the preset's other kernels ahead, one per call, and loads them as a fresh host does", async () => {
    const host = new EngineHost("main", { cacheRuns: 6 });
    await load(host, req("s390-fa41ba0d"));
    const others = preset.variants.filter((k) => k !== "s390-fa41ba0d");
    let n = 0;
    while (host.computeAhead()) n++;
    expect(n).toBe(others.length);
    for (const k of others) {
      const hit = await load(host, req(k));
      expect(hit.computed, k).toBe(false);
      sameRun(hit.run, (await load(new EngineHost("main"), req(k))).run);
    }
  });

  it("never answers from the cache a scenario whose JSON would hide a difference", async () => {
    const host = new EngineHost("main", { cacheRuns: 6 });
    await load(host, req("s390-fa41ba0d"));
    // JSON drops an undefined field: the same text as the preset, but the schema refuses it.
    const odd = { ...(preset.scenario as object), note: undefined };
    const r = await host.load({ scenario: odd, kernel: "s390-fa41ba0d" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((x) => x.path)).toContain("note");
  });

  it("computes nothing ahead for a scenario that is no preset's", async () => {
    const host = new EngineHost("main", { cacheRuns: 6 });
    const edited = structuredClone(preset.scenario) as { title: string };
    edited.title = "an edited copy";
    const r = await host.load({ scenario: edited, kernel: "s390-fa41ba0d" });
    expect(r.ok).toBe(true);
    expect(host.computeAhead()).toBe(false);
  });

  it("in the worker, computes ahead only after a pause in the calls", async () => {
    vi.useFakeTimers();
    const host = new EngineHost("main", { cacheRuns: 6 });
    const spy = vi.spyOn(host, "computeAhead");
    const api = exposed(host);
    await api.load(req("s390-fa41ba0d"));
    await vi.advanceTimersByTimeAsync(1500);
    await api.presets(); // a call: the pause starts again
    await vi.advanceTimersByTimeAsync(1500);
    expect(spy).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(600);
    expect(spy).toHaveBeenCalled();
    await vi.runAllTimersAsync();
    expect(spy.mock.results.at(-1)?.value).toBe(false);
    expect((await load(host, req("x86_64"))).computed).toBe(false);
  });

  it("on one core, never computes ahead", async () => {
    vi.useFakeTimers();
    const host = new EngineHost("main", { cacheRuns: 6 });
    const spy = vi.spyOn(host, "computeAhead");
    await exposed(host, 1).load(req("s390-fa41ba0d"));
    await vi.runAllTimersAsync();
    expect(spy).not.toHaveBeenCalled();
  });
});
