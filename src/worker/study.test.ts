/**
 * The worker's exercise and sweep calls (study-host.ts through EngineHost), in process: a held
 * run's answers, one sweep point, one row of the answer key, each the library's result.
 */
import { describe, expect, it } from "vitest";
import { answerKeyRow } from "../exercise/key.ts";
import { presetById } from "../scenario/presets/index.ts";
import { runSweepPoint } from "../sweep/run.ts";
import { EngineHost } from "./engine-host.ts";

const exercise = presetById("ksm-zero-pages-exercise")!.scenario;

describe("the worker's exercise and sweep calls", () => {
  it("answers a loaded run's questions, and none for a scenario that asks none", async () => {
    const host = new EngineHost("main");
    const r = await host.load({ scenario: exercise });
    if (!r.ok) throw new Error("load");
    const a = await host.exercise(r.run.runId);
    expect(a?.checkpoints).toHaveLength(5);
    expect(a?.kernel).toBe("s390-06201e00");
    expect(await host.exercise(r.run.runId)).toBe(a);
    const plain = await host.load({ scenario: presetById("teaching-small")!.scenario });
    if (!plain.ok) throw new Error("load");
    expect(await host.exercise(plain.run.runId)).toBeNull();
    await expect(host.exercise(99999)).rejects.toThrow(/no run 99999/);
  });

  it("runs one sweep point and one answer-key row as the libraries do", async () => {
    const host = new EngineHost("main");
    const req = {
      scenario: presetById("teaching-small")!.scenario,
      param: "balloon",
      value: 8 * 2 ** 20,
      kernel: "x86_64",
    } as const;
    expect(await host.sweepPoint(req)).toEqual(runSweepPoint(req));
    const row = await host.answerKeyRow({ scenario: exercise, seed: 5 });
    expect(JSON.stringify(row)).toBe(JSON.stringify(answerKeyRow(exercise, 5)));
    expect(row.values.map((v) => v.id)).toEqual(["guestRam", "written"]);
  });
});
