/**
 * `zeropage-lab diff`: the first divergence and the delta table, as text and as JSON; usage errors
 * exit 2 with the message on stderr and nothing on stdout.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { GiB } from "../../base/units.ts";
import { allRules } from "../../engine/index.ts";
import { runCli } from "../main.ts";
import { assumptionsOf, type DiffReport, formatReport } from "./diff.ts";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

describe("the commit's story, fa41ba0d against 06201e00", () => {
  test("--json: the first divergence is the migration's read on the source; -40 GiB RssAnon on both hosts", async () => {
    const r = await cli(
      "diff",
      "commit-06201e00",
      "--kernel",
      "s390-fa41ba0d",
      "--kernel",
      "s390-06201e00",
      "--json",
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as DiffReport;
    expect(report.left.kernel).toBe("s390-fa41ba0d");
    expect(report.right.kernel).toBe("s390-06201e00");
    const d = report.firstDivergence!;
    expect(d.mm).toBe("source");
    expect(d.decision).toBe("mm_forbids_zeropage");
    expect(d.text).toMatch(
      /^the source's read fault \(precopy migration\) allocates a zeroed anonymous page/,
    );
    for (const mm of ["source", "destination"]) {
      const row = report.delta.find((x) => x.mm === mm && x.counter === "rssAnonBytes")!;
      expect(row.final).toEqual([100 * GiB, 60 * GiB]);
      expect(row.finalDiffBytes).toBe(-40 * GiB);
    }
  });
});

describe("text output", () => {
  test("names both sides, the first divergence with its step, and the delta table", async () => {
    const r = await cli("diff", "teaching-small", "--kernel", "s390-fa41ba0d", "--kernel", "s390-06201e00");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^left: {2}s390-fa41ba0d, teaching-small — B: /);
    expect(r.out).toMatch(/\nright: s390-06201e00, teaching-small — C: /);
    expect(r.out).toMatch(/\nfirst divergence at step [\d,]+: /);
    expect(r.out).toContain("mm / counter");
    expect(r.out).toMatch(/\nsource RssAnon +[\d.]+ \w+ +[\d.]+ \w+ +-/);
  });

  test("the same kernel twice: the runs never differ", async () => {
    const r = await cli("diff", "teaching-small", "--kernel", "x86_64", "--kernel", "x86_64");
    expect(r.code).toBe(0);
    expect(r.out).toContain("The two runs never differ in memory.");
  });

  test("two scenario files, each under its own kernel", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zeropage-lab-diff-"));
    const scenario = (size: string) => ({
      schemaVersion: 1,
      machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
      actions: [{ do: "guest-read", size }],
    });
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeFileSync(a, JSON.stringify(scenario("16MiB")));
    writeFileSync(b, JSON.stringify(scenario("32MiB")));
    const r = await cli("diff", a, b, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as DiffReport;
    expect([report.left.scenario, report.right.scenario]).toEqual(["a.json", "b.json"]);
    expect(report.firstDivergence).not.toBeNull();
  });
});

describe("modelling choices: the assumption behind a rule that rests on one", () => {
  const assumed = allRules().find((r) => r.assumption !== undefined);
  const confirmed = allRules().find((r) => r.assumption === undefined && r.id !== "unchanged");

  test("assumptionsOf lists the rules with an assumption, once each, and skips the others", () => {
    if (!assumed || !confirmed) throw new Error("the rule registry has no assumption to test with");
    expect(assumptionsOf([confirmed.id, assumed.id, assumed.id, "no-such-rule"])).toEqual({
      [assumed.id]: assumed.assumption,
    });
  });

  test("--json lists the assumptions of the rules its divergences name; the text prints the first one's", async () => {
    const r = await cli(
      "diff",
      "teaching-small",
      "--kernel",
      "x86_64",
      "--kernel",
      "s390-fa41ba0d",
      "--json",
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as DiffReport;
    const named = report.divergences.flatMap((d) => [...d.rules[0], ...d.rules[1]]);
    expect(report.assumptions).toEqual(assumptionsOf(named));
    for (const id of Object.keys(report.assumptions)) expect(named).toContain(id);

    const d = report.firstDivergence!;
    const text = formatReport(report);
    expect(text).toContain(`  rules: ${d.rules[0].join(", ")} | ${d.rules[1].join(", ")}`);
    for (const [id, a] of Object.entries(assumptionsOf([...d.rules[0], ...d.rules[1]])))
      expect(text).toContain(`  modelling choice behind ${id}: ${a}`);
  });

  test("a first divergence whose rule rests on an assumption prints it under the rules", async () => {
    if (!assumed) throw new Error("the rule registry has no assumption to test with");
    const r = await cli(
      "diff",
      "teaching-small",
      "--kernel",
      "x86_64",
      "--kernel",
      "s390-fa41ba0d",
      "--json",
    );
    const report = JSON.parse(r.out) as DiffReport;
    const d = report.firstDivergence!;
    const withAssumption = {
      ...report,
      firstDivergence: { ...d, rules: [[assumed.id], d.rules[1]] as const },
    };
    expect(formatReport(withAssumption)).toContain(
      `\n  modelling choice behind ${assumed.id}: ${assumed.assumption}\n`,
    );
  });
});

describe("usage errors exit 2 with a message on stderr", () => {
  test.each([
    [["diff", "commit-06201e00", "--kernel", "s390-fa41ba0d"], "give two kernels"],
    [["diff", "commit-06201e00"], "give two kernels"],
    [["diff", "commit-06201e00", "--kernel", "s390-fa41ba0d", "--kernel", "nope"], "Allowed choices are"],
    [
      ["diff", "no-such-preset", "--kernel", "x86_64", "--kernel", "x86_64"],
      'unknown preset "no-such-preset"',
    ],
    [
      ["diff", "commit-06201e00", "--kernel", "x86_64", "--kernel", "x86_64", "--kernel", "x86_64"],
      "at most two --kernel",
    ],
    [["diff", "pv-guest", "--kernel", "x86_64", "--kernel", "s390-06201e00"], "cannot run under x86_64"],
  ])("%j", async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(message);
    // With --json the same error is one JSON object on stderr, with diff's usage.
    const j = await cli(...argv, "--json");
    expect(j.code).toBe(2);
    expect(j.out).toBe("");
    const doc = JSON.parse(j.err) as { error: string; usage: string };
    expect(doc.error).toContain(message);
    expect(doc.usage).toBe("zeropage-lab diff [options] <scenario> [other]");
  });
});
