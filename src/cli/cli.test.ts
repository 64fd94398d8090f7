/**
 * The CLI in-process (runCli with captured output) and once through bin/zeropage-lab.mjs as a
 * child process, the way `npx zeropage-lab` runs it: the bin loads the compiled CLI, so the file
 * builds it first (npm run build:cli) from the sources under test. Usage errors exit 2 with a
 * message on stderr and nothing on stdout.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { GiB } from "../base/units.ts";
import { COUNTERS, traceHash, VARIANT_IDS } from "../engine/index.ts";
import { runScenario } from "../scenario/compile.ts";
import { PRESETS, presetById } from "../scenario/presets/index.ts";
import { type ErrorSource, exitQuietlyOnEpipe } from "./io.ts";
import { type JsonError, runCli, wantsJson } from "./main.ts";
import type { RunSummary } from "./summary.ts";

// The bin runs dist-cli/main.js: build it from the sources under test (vite.cli.config.ts).
beforeAll(() => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const vite = join(root, "node_modules", "vite", "bin", "vite.js");
  const r = spawnSync(process.execPath, [vite, "build", "--config", "vite.cli.config.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`building the CLI failed:\n${r.stdout}${r.stderr}`);
}, 120_000);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

async function runJson(...argv: string[]): Promise<RunSummary> {
  const r = await cli("run", ...argv, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as RunSummary;
}

const scratch = mkdtempSync(join(tmpdir(), "zeropage-lab-cli-"));
function scenarioFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const SMALL = {
  schemaVersion: 1,
  machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
  actions: [{ do: "guest-write", size: "16MiB" }, { do: "migrate" }],
};

describe("presets", () => {
  test("lists every preset id with its title and the variants it names", async () => {
    const r = await cli("presets");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    for (const p of PRESETS) {
      expect(r.out).toContain(p.id);
      expect(r.out).toContain(p.title);
      expect(r.out).toContain(`variants: ${p.variants.join(", ")}`);
    }
  });

  test("--json gives the same list as data", async () => {
    const r = await cli("presets", "--json");
    expect(JSON.parse(r.out)).toEqual(
      PRESETS.map((p) => ({ id: p.id, title: p.title, variants: p.variants })),
    );
  });
});

describe("run --json", () => {
  test("commit-06201e00: fa41ba0d has 40 GiB more RssAnon than 06201e00 on both hosts", async () => {
    const b = await runJson("commit-06201e00", "--kernel", "s390-fa41ba0d");
    const c = await runJson("commit-06201e00", "--kernel", "s390-06201e00");
    expect(b.kernel).toBe("s390-fa41ba0d");
    expect(c.kernel).toBe("s390-06201e00");
    expect(b.final.source.rssAnonBytes - c.final.source.rssAnonBytes).toBe(40 * GiB);
    expect(b.final.destination!.rssAnonBytes - c.final.destination!.rssAnonBytes).toBe(40 * GiB);
    expect(b.traceHash).not.toBe(c.traceHash);
  });

  test("prints exactly one object with every field, counters as integers", async () => {
    const r = await cli("run", "commit-06201e00", "--json");
    const s = JSON.parse(r.out) as RunSummary;
    expect(Object.keys(s)).toEqual([
      "scenario",
      "kernel",
      "steps",
      "traceHash",
      "final",
      "peak",
      "outcome",
      "outcomeReason",
      "hostZeropage",
      "kernelVersion",
      "absent",
    ]);
    expect(s.hostZeropage).toBeNull();
    expect(s.kernelVersion).toBe("6.9");
    expect(s.absent).toEqual([]);
    expect(s.scenario).toBe("commit-06201e00");
    expect(s.kernel).toBe("s390-fa41ba0d"); // the preset's default variant
    expect(Number.isInteger(s.steps) && s.steps > 0).toBe(true);
    expect(s.traceHash).toMatch(/^[0-9a-f]+$/);
    expect(s.outcome).toBe("completed");
    expect(s.outcomeReason).toBe("");
    for (const mm of [s.final.source, s.final.destination!, s.peak.source, s.peak.destination!]) {
      expect(Object.keys(mm)).toEqual(COUNTERS.map((c) => c.key));
      for (const v of Object.values(mm)) expect(Number.isInteger(v)).toBe(true);
    }
  });

  test("peak is the largest value over the run: the source held 100 GiB before the balloon", async () => {
    // Under 06201e00 the guest writes all 100 GiB, the balloon gives 40 GiB back, and the
    // migration's reads map zeropages: the source ends at 60 GiB after a 100 GiB peak.
    const s = await runJson("commit-06201e00", "--kernel", "s390-06201e00");
    expect(s.final.source.rssAnonBytes).toBe(60 * GiB);
    expect(s.peak.source.rssAnonBytes).toBe(100 * GiB);
    expect(s.peak.destination!.rssAnonBytes).toBe(60 * GiB);
    for (const c of COUNTERS) expect(s.peak.source[c.key]).toBeGreaterThanOrEqual(s.final.source[c.key]);
  });

  test("same input, same trace hash", async () => {
    const a = await runJson("teaching-small", "--kernel", "x86_64");
    const b = await runJson("teaching-small", "--kernel", "x86_64");
    expect(a.traceHash).toBe(b.traceHash);
  });

  test("the trace hash (node:crypto's SHA-256) is the engine's own (the app's, in the browser)", async () => {
    for (const [id, kernel] of [
      ["teaching-small", "x86_64"],
      ["commit-06201e00", "s390-fa41ba0d"],
    ] as const) {
      const s = await runJson(id, "--kernel", kernel);
      const attempt = runScenario(presetById(id)!.scenario, { kernel });
      if (!attempt.ok) throw new Error(`${id} did not run`);
      expect(s.traceHash).toBe(traceHash(attempt.run.trace));
    }
  });

  test("a run without a migration (PV refuses it) has a null destination and says why it failed", async () => {
    const s = await runJson("pv-guest");
    expect(s.final.destination).toBeNull();
    expect(s.peak.destination).toBeNull();
    expect(s.outcome).toBe("failed");
    expect(s.outcomeReason).toMatch(/not migratable/);
  });

  test("a hung guest is an outcome, not an error: exit 0", async () => {
    const s = await runJson("postcopy-hang-2017", "--kernel", "s390-2faee8ff");
    expect(s.outcome).toBe("hung");
    expect(s.outcomeReason).toMatch(/zapped/);
    // Variant A is a v4.12 kernel: no ksm_zero_pages counter yet (v6.6).
    expect(s.kernelVersion).toBe("4.12");
    expect(s.absent).toEqual(["ksmZeroPages"]);
  });

  test("a host zeropage policy is reported, and runs: the migration's reads of untouched memory allocate", async () => {
    const onPvm = {
      ...SMALL,
      machine: {
        ...SMALL.machine,
        kernel: "x86_64",
        hostZeropage: { readFault: false, hugeZeroPage: false },
      },
    };
    const s = await runJson(scenarioFile("pvm.json", JSON.stringify(onPvm)));
    expect(s.hostZeropage).toBe(
      "read faults allocate (no zeropage), huge zero page off, UFFDIO_ZEROPAGE maps the zeropage, KSM maps the zeropage",
    );
    const upstream = await runJson(
      scenarioFile(
        "x86.json",
        JSON.stringify({ ...onPvm, machine: { ...onPvm.machine, hostZeropage: undefined } }),
      ),
    );
    expect(upstream.hostZeropage).toBeNull();
    expect(s.final.source.zeropagePtes).toBe(0);
    expect(s.final.source.rssAnonBytes).toBeGreaterThan(upstream.final.source.rssAnonBytes);
  });

  test("a scenario file is reported by its file name", async () => {
    const s = await runJson(scenarioFile("small.json", JSON.stringify(SMALL)));
    expect(s.scenario).toBe("small.json");
    expect(s.kernel).toBe("s390-06201e00");
    expect(s.final.destination!.rssAnonBytes).toBe(16 * 2 ** 20);
  });
});

test("run without --json prints a table of final and peak values per mm and the outcome", async () => {
  const r = await cli("run", "teaching-small", "--kernel", "s390-fa41ba0d");
  expect(r.code).toBe(0);
  expect(r.err).toBe("");
  const lines = r.out.split("\n");
  expect(lines[0]).toBe("teaching-small under s390-fa41ba0d");
  const header = lines.find((l) => l.startsWith("counter"))!;
  expect(header.split(/\s{2,}/)).toEqual([
    "counter",
    "source final",
    "source peak",
    "destination final",
    "destination peak",
  ]);
  // 64 MiB on both hosts under fa41ba0d (teaching-small.test.ts).
  expect(lines.find((l) => l.startsWith("RssAnon"))!.split(/\s{2,}/)).toEqual([
    "RssAnon",
    "64 MiB",
    "64 MiB",
    "64 MiB",
    "64 MiB",
  ]);
  // Fixed width: every table row is as wide as the header's rule.
  const rule = lines[lines.indexOf(header) + 1]!;
  for (const c of COUNTERS) expect(lines.find((l) => l.startsWith(c.label))!.length).toBe(rule.length);
  expect(r.out).toContain("outcome: completed");
});

describe("run --ledger: what a real machine would print at the end", () => {
  test("each command, then its lines: fa41ba0d's source maps no zeropage, 06201e00's maps the 40 GiB read back", async () => {
    const b = await cli("run", "commit-06201e00", "--kernel", "s390-fa41ba0d", "--ledger");
    expect(b.code).toBe(0);
    const lines = b.out.split("\n");
    const at = (cmd: string, host = 0) => {
      const hostStart = lines.indexOf(host === 0 ? "## source host" : "## destination host");
      return lines.indexOf(lines.slice(hostStart).find((l) => l.startsWith(`$ ${cmd}`))!, hostStart);
    };
    const i = at("page-types");
    expect(lines[i + 1]).toBe("zero_page: 0 pages (0 MB)");
    // 100 GiB of RssAnon in /proc/<pid>/status's own format.
    expect(lines[at("grep -E '^(RssAnon|RssShmem|VmPTE):'") + 1]).toBe(`RssAnon:\t${100 * 2 ** 20} kB`);
    const c = await cli("run", "commit-06201e00", "--kernel", "s390-06201e00", "--ledger");
    const cl = c.out.split("\n");
    const j = cl.indexOf(cl.find((l) => l.startsWith("$ page-types"))!);
    expect(cl[j + 1]).toBe(`zero_page: ${40 * 2 ** 18} pages (${40 * 1024} MB)`);
    expect(c.out).toContain(
      "$ virsh qemu-monitor-command <domain> --hmp 'info balloon'\nballoon: actual=61440",
    );
  });

  test("--json --ledger adds the ledger's sections per host, with the values the text prints", async () => {
    const r = await cli("run", "commit-06201e00", "--kernel", "s390-06201e00", "--json", "--ledger");
    const o = JSON.parse(r.out) as {
      ledger: { host: string; sections: { source: string; lines: { name: string; value: number }[] }[] }[];
    };
    expect(o.ledger.map((h) => h.host)).toEqual(["source", "destination"]);
    const value = (host: number, name: string) =>
      o.ledger[host]!.sections.flatMap((s) => s.lines).find((l) => l.name === name)!.value;
    // Under 06201e00 the 40 GiB that went through the balloon costs neither host any RssAnon: both
    // hold only the 60 GiB of data.
    expect(value(0, "RssAnon")).toBe(60 * 2 ** 20);
    expect(value(1, "RssAnon")).toBe(60 * 2 ** 20);
    expect(value(0, "PageTables")).toBeGreaterThan(value(0, "VmPTE"));
  });
});

describe("usage errors: exit 2, a message on stderr, nothing on stdout", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "unknown preset",
      ["run", "no-such-preset"],
      /unknown preset "no-such-preset"; known presets: commit-06201e00/,
    ],
    ["unknown variant", ["run", "commit-06201e00", "--kernel", "s390-v9"], /argument 's390-v9' is invalid/],
    ["missing scenario", ["run"], /missing required argument 'scenario'/],
    ["unknown option", ["run", "teaching-small", "--fast"], /unknown option '--fast'/],
    ["unknown command", ["bogus"], /unknown command .bogus./],
    ["extra argument", ["run", "teaching-small", "pv-guest"], /too many arguments/],
    ["no command", [], /Usage: zeropage-lab/],
    [
      "unreadable file",
      ["run", join(scratch, "missing.json")],
      /cannot read scenario file .*missing\.json.*ENOENT/,
    ],
  ];
  test.each(cases)("%s", async (_name, argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
  });

  test("a JSON syntax error names the line and column", async () => {
    const path = scenarioFile("syntax.json", '{\n  "schemaVersion": 1,\n  "actions": [1, ]\n}\n');
    const r = await cli("run", path, "--json");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    // --json: the message is the error field of one JSON object.
    expect((JSON.parse(r.err) as JsonError).error).toMatch(
      /syntax\.json" is not valid JSON at line 3, column 18: unexpected "\]"/,
    );
  });

  test("schema issues are listed one per line, each with its path", async () => {
    const bad = {
      ...SMALL,
      machine: { kernel: "s390-06201e00", guestRam: "64 parsecs", colour: "blue" },
      actions: [{ do: "guest-write", size: 100 }, { do: "teleport" }],
    };
    const r = await cli("run", scenarioFile("schema.json", JSON.stringify(bad)));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    const lines = r.err.trim().split("\n");
    expect(lines[0]).toBe("zeropage-lab: error: schema.json is not a valid scenario:");
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}machine\.guestRam: unknown size unit "parsecs"/),
      '  machine.colour: unknown field "colour"',
      "  actions[0].size: expected whole 4 KiB pages, got 100 bytes",
      expect.stringMatching(/^ {2}actions\[1\]\.do: expected an action: guest-touch, /),
    ]);
  });

  test("a scenario that cannot run under the chosen kernel lists why", async () => {
    const path = scenarioFile("skeys.json", JSON.stringify({ ...SMALL, actions: [{ do: "guest-skeys" }] }));
    const r = await cli("run", path, "--kernel", "x86_64");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(
      "skeys.json cannot run under x86_64:\n  actions[0]: storage keys exist only on s390",
    );
  });

  test("--help is not an error", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("run [options] <scenario>");
    for (const v of VARIANT_IDS) expect((await cli("run", "--help")).out).toContain(v);
  });
});

describe("usage errors with --json: one JSON object on stderr, exit 2", () => {
  test.each([
    ["unknown preset", ["run", "no-such-preset"], /^unknown preset "no-such-preset"; known presets: /],
    ["missing scenario", ["run"], /^missing required argument 'scenario'$/],
    ["unknown option", ["run", "teaching-small", "--fast"], /^unknown option '--fast'$/],
    ["unknown variant", ["run", "teaching-small", "--kernel", "s390-v9"], /argument 's390-v9' is invalid/],
    ["too many arguments", ["run", "teaching-small", "pv-guest"], /too many arguments/],
  ])("%s", async (_name, argv, message) => {
    const r = await cli(...argv, "--json");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.endsWith("\n")).toBe(true);
    expect(r.err.trimEnd()).not.toContain("\n");
    const doc = JSON.parse(r.err) as JsonError;
    expect(Object.keys(doc).sort()).toEqual(["error", "usage"]);
    expect(doc.error).toMatch(message);
    expect(doc.usage).toBe("zeropage-lab run [options] <scenario>");
  });

  test("schema issues keep their paths, one per line, inside the message", async () => {
    const path = scenarioFile(
      "bad-json-mode.json",
      JSON.stringify({ ...SMALL, actions: [{ do: "teleport" }] }),
    );
    const r = await cli("run", path, "--json");
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.err) as JsonError;
    expect(doc.error).toMatch(/^bad-json-mode\.json is not a valid scenario:\n {2}actions\[0\]\.do: /);
  });

  test("--json after -- is an argument, not the switch", () => {
    expect(wantsJson(["run", "x", "--json"])).toBe(true);
    expect(wantsJson(["run", "--", "--json"])).toBe(false);
    expect(wantsJson(["run", "x"])).toBe(false);
  });

  test("the help says so", async () => {
    const r = await cli("--help");
    expect(r.out).toContain(
      'With --json, errors are JSON as well: one object on stderr,\n  {"error": "<message>"',
    );
  });
});

describe("a reader that goes away (| head)", () => {
  class FakeStream implements ErrorSource {
    listener: ((e: NodeJS.ErrnoException) => void) | null = null;
    on(_event: "error", l: (e: NodeJS.ErrnoException) => void) {
      this.listener = l;
      return this;
    }
  }
  const errno = (code: string) => Object.assign(new Error(code), { code });

  test("EPIPE ends the process with status 0; other stream errors still throw", () => {
    const stream = new FakeStream();
    const exits: number[] = [];
    exitQuietlyOnEpipe(stream, (c) => exits.push(c));
    stream.listener!(errno("EPIPE"));
    expect(exits).toEqual([0]);
    expect(() => stream.listener!(errno("EIO"))).toThrow("EIO");
  });

  test("the bin, its stdout closed before it writes: exit 0, nothing on stderr", async () => {
    const bin = fileURLToPath(new URL("../../bin/zeropage-lab.mjs", import.meta.url));
    const child = spawn(process.execPath, [bin, "presets", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(err).toBe("");
    expect(code).toBe(0);
  });
});

describe("bin/zeropage-lab.mjs, as npx runs it", () => {
  test("without the compiled CLI: a message saying how to build it, exit 1 (JSON with --json)", () => {
    const dir = mkdtempSync(join(tmpdir(), "zeropage-lab-bin-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync(
      fileURLToPath(new URL("../../bin/zeropage-lab.mjs", import.meta.url)),
      join(dir, "bin", "cli.mjs"),
    );
    const lone = (...argv: string[]) =>
      spawnSync(process.execPath, [join(dir, "bin", "cli.mjs"), ...argv], { encoding: "utf8" });
    const plain = lone("presets");
    expect(plain.status).toBe(1);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toMatch(/not built: dist-cli\/main\.js is missing.*npm run build:cli/);
    const json = lone("run", "teaching-small", "--json");
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stderr).error).toMatch(/npm run build:cli/);
  });

  const bin = fileURLToPath(new URL("../../bin/zeropage-lab.mjs", import.meta.url));
  const node = (...argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8" });

  test("run --json: one JSON object on stdout, exit 0", () => {
    const r = node("run", "teaching-small", "--json");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect((JSON.parse(r.stdout) as RunSummary).scenario).toBe("teaching-small");
  });

  test("a usage error: exit 2, stderr only", () => {
    const r = node("run", "no-such-preset");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/unknown preset/);
  });
});

describe("selftest: shared_zeropage_test on the model", () => {
  test("one kernel: its TAP, and its kselftest exit status (v2 fails check 3: exit 1)", async () => {
    const v2 = await cli("selftest", "--kernel", "s390-06201e00-v2");
    expect(v2.code).toBe(1);
    expect(v2.out).toContain("not ok 3 Shared zeropages should be disabled");
    const c = await cli("selftest", "--kernel", "s390-06201e00");
    expect(c.code).toBe(0);
    expect(c.out).toContain("# Totals: pass:3 fail:0");
    const a = await cli("selftest", "--kernel", "s390-2faee8ff");
    expect(a.code).toBe(4);
    expect(a.err).toBe("");
  });

  test("every kernel by default, each after a '# kernel:' line; --json gives the reports", async () => {
    const all = await cli("selftest");
    expect(all.code).toBe(0);
    expect(all.out.match(/^# kernel: /gm)).toHaveLength(VARIANT_IDS.length);
    const json = await cli("selftest", "--kernel", "s390-fa41ba0d", "--json");
    const [r] = JSON.parse(json.out) as { checks: { ok: boolean; rules: string[] }[]; exitCode: number }[];
    expect(r!.checks.map((x) => x.ok)).toEqual([false, true, true]);
    expect(r!.checks[0]!.rules).toEqual(["do_anonymous_page.forbidden"]);
    expect(json.code).toBe(1);
  });
});
