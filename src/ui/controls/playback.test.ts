import { describe, expect, it } from "vitest";
import { advance, MAX_FRAME_MS, STEPS_PER_SECOND, stepDurationMs } from "./playback.ts";

describe("playback pacing", () => {
  it("moves one action per second at 1×, whatever the frame rate", () => {
    let carry = 0;
    let steps = 0;
    for (let i = 0; i < 60; i++) {
      const a = advance(carry, 1000 / 60, 1, "action");
      carry = a.carry;
      steps += a.steps;
    }
    expect(steps).toBe(1);
    carry = 0;
    steps = 0;
    for (let i = 0; i < 144; i++) {
      const a = advance(carry, 1000 / 144, 1, "action");
      carry = a.carry;
      steps += a.steps;
    }
    expect(steps).toBe(1);
  });

  it("scales with speed and granularity", () => {
    expect(advance(0, 200, 8, "pte").steps).toBe(Math.floor(0.2 * 64 * 8));
    expect(advance(0, 100, 8, "pte").steps).toBe(Math.floor(0.1 * STEPS_PER_SECOND.pte * 8));
    expect(advance(0, 100, 0.25, "table").steps).toBe(0);
    expect(advance(0, 100, 0.25, "table").carry).toBeCloseTo(0.1 * 16 * 0.25, 12);
  });

  it("caps a long gap", () => {
    expect(advance(0, 10_000, 1, "pte").steps).toBe(Math.floor((MAX_FRAME_MS / 1000) * 64));
  });

  it("tweens a step over its duration, capped at 400 ms", () => {
    expect(stepDurationMs(1, "action")).toBe(400);
    expect(stepDurationMs(1, "pte")).toBeCloseTo(1000 / 64, 9);
  });
});
