import { describe, expect, it } from "vitest";
import type { Trace } from "../../../worker/api.ts";
import { extraAfter, extraAt, stepStartEvent } from "./extra.ts";

// Two extra columns over three events: balloonPages 0 → 100 → 100 → 40.
const trace = {
  extraKeys: ["balloonPages", "hung"],
  events: 3,
  extra: Float64Array.from([100, 0, 100, 0, 40, 1]),
  initialExtra: Float64Array.from([0, 0]),
  actions: [
    { label: "inflate", actor: "balloon", marker: "inflate", firstEvent: 0, endEvent: 2, note: "" },
    { label: "deflate", actor: "balloon", marker: "deflate", firstEvent: 2, endEvent: 3, note: "" },
  ],
} as unknown as Trace;

describe("extra counters", () => {
  it("reads values after an event, and the initial one", () => {
    expect(extraAfter(trace, -1, "balloonPages")).toBe(0);
    expect(extraAfter(trace, 2, "balloonPages")).toBe(40);
    expect(extraAfter(trace, 2, "hung")).toBe(1);
    expect(Number.isNaN(extraAfter(trace, 0, "nope"))).toBe(true);
  });

  it("moves part-way through an event in proportion to its steps", () => {
    expect(extraAt(trace, { event: 0, stepInEvent: 1, stepsInEvent: 4 }, "balloonPages")).toEqual({
      value: 25,
      delta: 25,
    });
    expect(extraAt(trace, { event: 2, stepInEvent: 1, stepsInEvent: 1 }, "balloonPages")).toEqual({
      value: 40,
      delta: -60,
    });
  });

  it("at action granularity, a step's delta spans the whole action", () => {
    const view = { event: 1, stepInEvent: 1, stepsInEvent: 1, granularity: "action", action: 0 };
    expect(stepStartEvent(trace, view)).toBe(-1);
    expect(extraAt(trace, view, "balloonPages", stepStartEvent(trace, view)).delta).toBe(100);
  });
});
