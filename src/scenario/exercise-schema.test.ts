/**
 * The exercise format (exercise-schema.ts): what a question may say, the issues that need the whole
 * scenario, and the counters it names being the engine's.
 */
import { describe, expect, it } from "vitest";
import { COUNTERS } from "../engine/index.ts";
import { BYTE_COUNTERS, QUESTION_COUNTERS } from "./exercise-schema.ts";
import { parseScenario, type ScenarioIssue } from "./schema.ts";

const base = (exercise: unknown) => ({
  schemaVersion: 2,
  machine: { kernel: "s390-06201e00", guestRam: "2GiB" },
  actions: [{ do: "guest-touch", size: "1GiB" }],
  exercise,
});

function issues(input: unknown): ScenarioIssue[] {
  const r = parseScenario(input);
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return r.issues;
}

const num = { ask: "number", at: 0, question: "How much?", counter: "rssAnonBytes" };

describe("the exercise format", () => {
  it("names exactly the engine's counters, bytes where the engine counts bytes", () => {
    expect([...QUESTION_COUNTERS]).toEqual(COUNTERS.map((c) => c.key));
    expect([...BYTE_COUNTERS].sort()).toEqual(
      COUNTERS.filter((c) => c.unit === "bytes")
        .map((c) => c.key)
        .sort(),
    );
  });

  it("fills in what a question leaves out", () => {
    const r = parseScenario(base({ checkpoints: [num, { ask: "click", at: 0, question: "Where?" }] }));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.scenario.exercise?.checkpoints).toEqual([
      { ...num, on: "source", measure: "after", tolerance: "5%" },
      { ask: "click", at: 0, question: "Where?", on: "source", target: "changed", tolerance: 0 },
    ]);
  });

  it("keeps a validated exercise valid input (shares stay text, sizes become bytes)", () => {
    const r = parseScenario(
      base({ vary: { guestRam: { from: "1GiB", to: "2GiB" }, written: { from: "10%", to: "50 %" } } }),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.scenario.exercise?.vary).toEqual({
      guestRam: { from: 2 ** 30, to: 2 ** 31 },
      written: { from: "10%", to: "50%" },
    });
    expect(parseScenario(r.scenario).ok).toBe(true);
  });

  it.each<[string, unknown, { path: string; message: RegExp }]>([
    [
      "an action past the list",
      { checkpoints: [{ ...num, at: 3 }] },
      { path: "exercise.checkpoints[0].at", message: /from 0 to 0 \(the scenario has 1 action\), got 3/ },
    ],
    [
      "the destination before any migration",
      { checkpoints: [{ ...num, on: "destination" }] },
      { path: "exercise.checkpoints[0].on", message: /never migrates/ },
    ],
    [
      "a unit that does not fit the counter",
      { checkpoints: [{ ...num, unit: "count" }] },
      { path: "exercise.checkpoints[0].unit", message: /in bytes/ },
    ],
    [
      "a counted pick without a counter",
      {
        checkpoints: [
          { ask: "kernel", at: 0, question: "Which?", kernels: ["x86_64", "s390-06201e00"], pick: "least" },
        ],
      },
      { path: "exercise.checkpoints[0].counter", message: /compares a counter/ },
    ],
    [
      "one kernel to choose from",
      { checkpoints: [{ ask: "kernel", at: 0, question: "Which?", kernels: ["x86_64"], pick: "hangs" }] },
      { path: "exercise.checkpoints[0].kernels", message: /at least two/ },
    ],
    [
      "an empty question",
      { checkpoints: [{ ...num, question: "  " }] },
      { path: "exercise.checkpoints[0].question", message: /question's text/ },
    ],
    [
      "a balloon range without a balloon",
      { vary: { balloon: { from: "10%", to: "20%" } } },
      { path: "exercise.vary.balloon", message: /balloon-inflate action, and the scenario has none/ },
    ],
    [
      "a range from more to less",
      { vary: { guestRam: { from: "2GiB", to: "1GiB" } } },
      { path: "exercise.vary.guestRam.to", message: /at least from/ },
    ],
    [
      "a range mixing sizes and shares",
      { vary: { written: { from: "1GiB", to: "50%" } } },
      { path: "exercise.vary.written", message: /all as sizes or all as shares/ },
    ],
    [
      "a share above 100%",
      { vary: { written: { from: "10%", to: "120%" } } },
      { path: "exercise.vary.written.to", message: /0% to 100%/ },
    ],
    [
      "a kernel listed twice",
      { vary: { kernel: ["x86_64", "x86_64"] } },
      { path: "exercise.vary.kernel", message: /each kernel once/ },
    ],
  ])("refuses %s", (_what, exercise, expected) => {
    const found = issues(base(exercise));
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(expected.path);
    expect(found[0]!.message).toMatch(expected.message);
  });
});
