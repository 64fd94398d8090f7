/**
 * The scenario format (schema.ts): every preset parses; sizes are read as the fact sheet writes
 * them; every error names its path ("actions[2].size") and what was expected; parseScenario never
 * throws.
 */
import { describe, expect, test } from "vitest";
import { GiB, MiB } from "../base/units.ts";
import { VARIANT_IDS } from "../engine/index.ts";
import { PRESETS } from "./presets/index.ts";
import { formatIssues, parseScenario, SCHEMA_VERSION, type ScenarioIssue } from "./schema.ts";

const base = () => ({
  schemaVersion: 1,
  machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
  actions: [] as unknown[],
});

function issues(input: unknown): ScenarioIssue[] {
  const r = parseScenario(input);
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return r.issues;
}

function guestRam(size: unknown): number {
  const r = parseScenario({ ...base(), machine: { kernel: "x86_64", guestRam: size } });
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.scenario.machine.guestRam;
}

test.each(PRESETS.map((p) => [p.id, p] as const))("preset %s parses", (_id, p) => {
  const r = parseScenario(p.scenario);
  expect(r.ok).toBe(true);
});

describe("sizes", () => {
  test.each<[unknown, number]>([
    ["100GiB", 100 * GiB],
    ["100 GiB", 100 * GiB],
    ["64 MiB", 64 * MiB],
    ["64MiB", 64 * MiB],
    ["1.5GiB", 1.5 * GiB],
    ["40G", 40 * GiB],
    ["256 pages", 256 * 4096],
    [4096, 4096],
    ["8192", 8192],
  ])("%j is %i bytes", (input, bytes) => {
    expect(guestRam(input)).toBe(bytes);
  });

  test.each<[unknown, RegExp]>([
    [100, /expected whole 4 KiB pages, got 100 bytes/],
    ["6KiB", /expected whole 4 KiB pages, got 6144 bytes/],
    ["64 parsecs", /unknown size unit "parsecs"/],
    ["lots", /expected a size such as "100GiB"/],
    [-4096, /non-negative whole number of bytes/],
    [4096.5, /non-negative whole number of bytes/],
    [true, /expected a size such as "40GiB" or a number of bytes/],
  ])("%j is rejected at machine.guestRam", (input, message) => {
    const found = issues({ ...base(), machine: { kernel: "x86_64", guestRam: input } });
    expect(found).toEqual([{ path: "machine.guestRam", message: expect.stringMatching(message) }]);
  });

  test("guest RAM is at least one page and at most 16 TiB, reported at machine.guestRam", () => {
    expect(issues({ ...base(), machine: { kernel: "x86_64", guestRam: 0 } })).toEqual([
      { path: "machine.guestRam", message: "expected at least one 4 KiB page" },
    ]);
    expect(issues({ ...base(), machine: { kernel: "x86_64", guestRam: "17TiB" } })).toEqual([
      { path: "machine.guestRam", message: "expected at most 16 TiB (guestRam is capped there)" },
    ]);
    expect(guestRam("16TiB")).toBe(16 * 2 ** 40);
  });
});

describe("errors name the path and what was expected", () => {
  test("a size inside an action: actions[2].size", () => {
    const s = base();
    s.actions = [
      { do: "guest-touch", size: "1MiB" },
      { do: "balloon-inflate", size: "1MiB" },
      { do: "balloon-deflate", size: 100 },
    ];
    expect(issues(s)).toEqual([
      { path: "actions[2].size", message: "expected whole 4 KiB pages, got 100 bytes" },
    ]);
  });

  test("an unknown action lists the known ones", () => {
    const s = base();
    s.actions = [{ do: "guest-touch", size: "1MiB" }, { do: "reboot" }];
    const [issue] = issues(s);
    expect(issue!.path).toBe("actions[1].do");
    expect(issue!.message).toMatch(/^expected an action: guest-touch, guest-read, .* or migrate-complete$/);
  });

  test("a missing required field and an unknown field", () => {
    const s = base();
    s.actions = [{ do: "balloon-inflate" }, { do: "guest-skeys", now: true }];
    expect(issues(s)).toEqual([
      { path: "actions[0].size", message: "required field is missing" },
      { path: "actions[1].now", message: 'unknown field "now"' },
    ]);
  });

  test("arch that does not match the kernel variant", () => {
    const found = issues({ ...base(), machine: { kernel: "x86_64", arch: "s390x", guestRam: "1GiB" } });
    expect(found).toEqual([
      { path: "machine.arch", message: 'expected "x86_64" (the architecture of x86_64), got "s390x"' },
    ]);
    const s390 = issues({
      ...base(),
      machine: { kernel: "s390-06201e00", arch: "x86_64", guestRam: "1GiB" },
    });
    expect(s390).toEqual([
      { path: "machine.arch", message: 'expected "s390x" (the architecture of s390-06201e00), got "x86_64"' },
    ]);
  });

  test("machine-wide checks wait for the fields they read: a bad kernel reports only machine.kernel", () => {
    const found = issues({ ...base(), machine: { kernel: "s390-v6.8", arch: "x86_64", guestRam: "1GiB" } });
    expect(found.map((i) => i.path)).toEqual(["machine.kernel"]);
  });

  test("an unknown kernel variant lists the variants", () => {
    const [issue] = issues({ ...base(), machine: { kernel: "s390-v6.8", guestRam: "1GiB" } });
    expect(issue!.path).toBe("machine.kernel");
    for (const id of VARIANT_IDS) expect(issue!.message).toContain(id);
  });

  test("a schema version this build does not know", () => {
    expect(issues({ ...base(), schemaVersion: SCHEMA_VERSION + 1 })).toEqual([
      {
        path: "schemaVersion",
        message: `this scenario is schemaVersion ${SCHEMA_VERSION + 1}, newer than this copy of Zeropage Lab reads (up to ${SCHEMA_VERSION}); reload the page or update the command line`,
      },
    ]);
    for (const bad of [0, "2", null])
      expect(issues({ ...base(), schemaVersion: bad })).toEqual([
        { path: "schemaVersion", message: `expected schemaVersion ${SCHEMA_VERSION}` },
      ]);
  });

  test("a QEMU version that is not major.minor", () => {
    const [issue] = issues({ ...base(), machine: { ...base().machine, qemu: { version: "9" } } });
    expect(issue).toEqual({ path: "machine.qemu.version", message: 'expected a QEMU version such as "9.1"' });
  });

  test("more than 500 actions", () => {
    const s = base();
    s.actions = Array.from({ length: 501 }, () => ({ do: "guest-skeys" }));
    expect(issues(s)).toEqual([{ path: "actions", message: "at most 500 actions" }]);
  });

  test("not an object at all", () => {
    expect(issues([base()])).toEqual([{ path: "", message: "expected a scenario object, got an array" }]);
    expect(issues("scenario")[0]!.message).toBe('expected an object, got "scenario"');
    expect(issues(null)[0]!.path).toBe("");
  });

  test("formatIssues: one line per issue, path first", () => {
    expect(
      formatIssues([
        { path: "actions[2].size", message: "expected whole 4 KiB pages, got 100 bytes" },
        { path: "", message: "expected a scenario object, got an array" },
      ]),
    ).toBe(
      "actions[2].size: expected whole 4 KiB pages, got 100 bytes\nexpected a scenario object, got an array",
    );
  });
});

test("defaults are filled in", () => {
  const s = base();
  s.actions = [{ do: "guest-touch", size: "1MiB" }, { do: "migrate" }, { do: "migrate-start" }];
  const r = parseScenario(s);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  const m = r.scenario.machine;
  expect(r.scenario.seed).toBe(1);
  expect(r.scenario.title).toBe("");
  expect(m.thp).toBe("madvise");
  expect(m.hosts).toEqual({ source: { memLimit: "unlimited" }, destination: { memLimit: "unlimited" } });
  expect(m.ksm).toEqual({ enabled: false, useZeroPages: false });
  expect(m.qemu).toEqual({
    version: "9.2",
    multifd: false,
    postcopyRam: false,
    memMerge: true,
    freePageReporting: false,
    freePageHinting: false,
    memoryBackend: "ram",
  });
  expect(r.scenario.actions).toEqual([
    { do: "guest-touch", size: MiB, content: "data" },
    { do: "migrate", mode: "precopy", pagemapCheck: false },
    { do: "migrate-start", mode: "precopy", pagemapCheck: false },
  ]);
});

test("host memory limits: a size or unlimited", () => {
  const r = parseScenario({
    ...base(),
    machine: { ...base().machine, hosts: { source: { memLimit: "96GiB" }, destination: {} } },
  });
  if (!r.ok) throw new Error(formatIssues(r.issues));
  expect(r.scenario.machine.hosts).toEqual({
    source: { memLimit: 96 * GiB },
    destination: { memLimit: "unlimited" },
  });
});

test("parseScenario never throws, whatever it is given", () => {
  const odd: unknown[] = [
    undefined,
    0,
    Number.NaN,
    {},
    { schemaVersion: 1, machine: [], actions: {} },
    { schemaVersion: 1, machine: { kernel: "x86_64", guestRam: {} }, actions: [null, 1, "x", [], { do: 5 }] },
    JSON.parse('{"__proto__": {"polluted": true}, "schemaVersion": 1}'),
  ];
  for (const input of odd) {
    const r = parseScenario(input);
    expect(r.ok).toBe(false);
    if (!r.ok) for (const i of r.issues) expect(typeof i.message).toBe("string");
  }
  expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
});
