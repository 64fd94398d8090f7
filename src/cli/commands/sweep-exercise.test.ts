/**
 * `zeropage-lab sweep` and `zeropage-lab exercise`, in process: the issue's sweep prints each
 * point's numbers (the same as the library's), --json and --csv are clean documents, and the
 * answer key per seed is the rows the app shows. Usage errors exit 2 with the reason.
 */
import { describe, expect, test } from "vitest";
import { answerKeyRow } from "../../exercise/key.ts";
import { PARAMETERS } from "../../scenario/parameters.ts";
import { presetById } from "../../scenario/presets/index.ts";
import { sweepCsv } from "../../sweep/csv.ts";
import { runSweep, type SweepPoint } from "../../sweep/run.ts";
import { parseSpec } from "../../sweep/spec.ts";
import { runCli } from "../main.ts";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

const ISSUE_SWEEP = [
  "sweep",
  "teaching-small",
  "--param",
  "balloon",
  "--from",
  "0",
  "--to",
  "100%",
  "--points",
  "11",
  "--kernel",
  "s390-fa41ba0d,s390-06201e00",
];

describe("zeropage-lab sweep", () => {
  test("--json: the sweep's spelling and every point, as the library runs them", async () => {
    const r = await cli(...ISSUE_SWEEP, "--json");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { sweep: string; points: SweepPoint[] };
    expect(doc.sweep).toBe("balloon~0%~100%~11~s390-fa41ba0d.s390-06201e00");
    const spec = parseSpec(doc.sweep);
    if (!spec.ok) throw new Error(spec.error);
    const expected = [...runSweep(spec.spec, presetById("teaching-small")!.scenario)];
    expect(doc.points).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(doc.points).toHaveLength(22);
  });

  test("a table by default, CSV with --csv", async () => {
    const t = await cli(...ISSUE_SWEEP);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^teaching-small: balloon size 0 % to 100 % of guest RAM, 11 points/);
    expect(t.out.split("\n").filter((l) => /s390-06201e00\s+completed/.test(l))).toHaveLength(11);
    const c = await cli(...ISSUE_SWEEP, "--csv");
    const spec = parseSpec("balloon~0%~100%~11~s390-fa41ba0d.s390-06201e00");
    if (!spec.ok) throw new Error(spec.error);
    expect(c.out).toBe(sweepCsv([...runSweep(spec.spec, presetById("teaching-small")!.scenario)]));
  });

  test("a choice parameter takes all its values by default; the kernels default to the preset's first two", async () => {
    const r = await cli("sweep", "teaching-small", "--param", "migration", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { sweep: string };
    expect(doc.sweep).toBe("migration~precopy_postcopy~s390-06201e00.s390-fa41ba0d");
  });

  test.each([
    [["--param", "colour"], /unknown parameter "colour"/],
    [["--param", "balloon", "--from", "0", "--to", "200%", "--points", "3"], /0% to 100%/],
    [["--param", "balloon", "--from", "0", "--to", "1GiB"], /expected from, to and a number of points/],
    [["--param", "balloon", "--from", "0", "--to", "1GiB", "--points", "x"], /expected 2 to 51 points/],
    [["--param", "migration", "--kernel", "s390-v6"], /unknown kernel "s390-v6"/],
  ])("refuses %j with exit 2", async (args, message) => {
    const r = await cli("sweep", "teaching-small", ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
  });
});

describe("zeropage-lab exercise", () => {
  const id = "ksm-zero-pages-exercise";
  const scenario = presetById(id)!.scenario;

  test("--seed prints that student's problem and answers", async () => {
    const r = await cli("exercise", id, "--seed", "42");
    expect(r.code).toBe(0);
    const row = answerKeyRow(scenario, 42);
    const drawn = row.values.map((v) => `${PARAMETERS[v.id].label} ${v.text}`).join(", ");
    expect(r.out.split("\n")[0]).toBe(`${id}, seed 42: ${drawn} (s390-06201e00, completed)`);
    expect(r.out).toMatch(
      /1\. before action 2 \(ksmd merges pages\): .*\n {5}answer: the shared zeropage · rule try_to_merge_with_zero_page/,
    );
  });

  test("--seeds 1-3 --json: the rows the app's answer key shows", async () => {
    const r = await cli("exercise", id, "--seeds", "1-3", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { rows: unknown[] };
    expect(doc.rows).toEqual(JSON.parse(JSON.stringify([1, 2, 3].map((s) => answerKeyRow(scenario, s)))));
  });

  test("refuses a scenario without questions, and seeds that are not seeds", async () => {
    expect((await cli("exercise", "teaching-small")).err).toMatch(/asks no questions/);
    const r = await cli("exercise", id, "--seeds", "5-1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/runs backwards/);
  });
});
