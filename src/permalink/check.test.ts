/** The self-check: a link's expectations against a re-simulated run. */
import { beforeAll, describe, expect, it } from "vitest";
import { ENGINE_SEMANTICS_VERSION } from "../engine/version.ts";
import { runScenario } from "../scenario/compile.ts";
import { presetById } from "../scenario/presets/index.ts";
import { checkOf, verifyCheck } from "./check.ts";
import { COUNTER_KEYS } from "./corpus/entry.ts";
import {
  actionHashes,
  endHash,
  endStateOf,
  firstDifferingAction,
  formatEndValues,
  parseEndValues,
} from "./end-state.ts";
import type { LinkCheck } from "./schema.ts";

type Run = Extract<ReturnType<typeof runScenario>, { ok: true }>["run"];
let run: Run;

beforeAll(() => {
  const r = runScenario(presetById("teaching-small")!.scenario, { kernel: "s390-fa41ba0d" });
  if (!r.ok) throw new Error("teaching-small does not run");
  run = r.run;
});

/** Replaces action `i`'s 4-character hash with another one. */
function corruptAction(actions: string, i: number): string {
  const other = actions.slice(i * 4, i * 4 + 4) === "AAAA" ? "BBBB" : "AAAA";
  return actions.slice(0, i * 4) + other + actions.slice(i * 4 + 4);
}

describe("end state", () => {
  it("hashes the outcome and four counters per mm; x round-trips and hashes the same", () => {
    const end = endStateOf(run.trace, COUNTER_KEYS, run.outcome);
    expect(end.values).toHaveLength(run.trace.mmNames.length);
    expect(end.values[0]).toHaveLength(4);
    expect(endHash(end)).toMatch(/^[0-9a-f]{12}$/);
    const x = formatEndValues(end);
    expect(parseEndValues(x)).toEqual(end);
    expect(endHash(parseEndValues(x)!)).toBe(endHash(end));
    expect(endHash({ ...end, outcome: "hung" })).not.toBe(endHash(end));
  });

  it("gives one 4-character hash per trace action", () => {
    expect(actionHashes(run.trace, COUNTER_KEYS)).toHaveLength(4 * run.trace.actions.length);
  });

  it("locates the first differing action, including a list that ends early", () => {
    expect(firstDifferingAction("AAAABBBBCCCC", "AAAABBBBCCCC")).toBeNull();
    expect(firstDifferingAction("AAAABBBBCCCC", "AAAAXBBBCCCC")).toBe(1);
    expect(firstDifferingAction("AAAABBBB", "AAAABBBBCCCC")).toBe(2);
  });
});

describe("verifyCheck", () => {
  let check: LinkCheck;
  beforeAll(() => {
    check = checkOf(run.trace, COUNTER_KEYS, run.outcome);
  });

  it("matches the run it was made from", () => {
    const r = verifyCheck(check, run.trace, COUNTER_KEYS, run.outcome);
    expect(r).toMatchObject({ matches: true, step: null, message: "" });
    expect(r.expected).toEqual(r.current);
  });

  it("says which action differs first, by number and label, and which engine made the link", () => {
    const old: LinkCheck = {
      ...check,
      engine: 0,
      actions: corruptAction(check.actions, 2),
      end: "000000000000",
    };
    const r = verifyCheck(old, run.trace, COUNTER_KEYS, run.outcome);
    expect(r.matches).toBe(false);
    expect(r.step).toBe(3);
    expect(r.message).toBe(
      `This link was made with engine version 0; the result now differs from action 3 (${run.trace.actions[2]!.label}). This app runs engine version ${ENGINE_SEMANTICS_VERSION}.`,
    );
  });

  it("tells an altered hash from a changed model: x= and every action match, only h= does not", () => {
    const r = verifyCheck({ ...check, end: "000000000000" }, run.trace, COUNTER_KEYS, run.outcome);
    expect(r.matches).toBe(true);
    expect(r.message).toBe("");
    expect(r.note).toContain("h=000000000000 was altered");
    expect(r.note).not.toContain("please report");
    // Without x=, the actions alone cannot say; still no "report it", and no "step 4".
    const bare = verifyCheck(
      { engine: check.engine, end: "000000000000", actions: check.actions },
      run.trace,
      COUNTER_KEYS,
      run.outcome,
    );
    expect(bare.matches).toBe(false);
    expect(bare.step).toBeNull();
    expect(bare.message).toContain("the hash was probably altered");
    expect(bare.message).not.toContain("please report");
  });

  it("says 'the end' without action hashes", () => {
    const bare = verifyCheck(
      { engine: check.engine, end: "000000000000", actions: "" },
      run.trace,
      COUNTER_KEYS,
      run.outcome,
    );
    expect(bare.step).toBeNull();
    expect(bare.message).toContain("differs at the end");
    expect(bare.expected).toBeNull();
  });

  it("names an outcome that changed when the counters match at every action", () => {
    const hung = { ...parseEndValues(check.values!)!, outcome: "hung" as const };
    const linked: LinkCheck = { ...check, values: formatEndValues(hung), end: endHash(hung) };
    const r = verifyCheck(linked, run.trace, COUNTER_KEYS, run.outcome);
    expect(r.matches).toBe(false);
    expect(r.message).toContain(`ends "${run.outcome}" where the link expected "hung"`);
  });

  it("says plainly when a substantiated result changed without an engine version bump", () => {
    const r = verifyCheck(
      { ...check, actions: corruptAction(check.actions, 1), end: "000000000000" },
      run.trace,
      COUNTER_KEYS,
      run.outcome,
    );
    expect(r.message).toContain(`also version ${ENGINE_SEMANTICS_VERSION}`);
    expect(r.message).toContain("please report it");
  });
});
