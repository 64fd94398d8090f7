/**
 * The checks the schema cannot make (checkScenario): they depend on the kernel the scenario runs
 * under and on the order of actions. runScenario reports them as issues with paths; it never throws
 * for bad input.
 */
import { describe, expect, test } from "vitest";
import { MiB } from "../base/units.ts";
import type { VariantId } from "../engine/index.ts";
import { actionLabel, checkScenario, runScenario } from "./compile.ts";
import { parseScenario, type ScenarioInput } from "./schema.ts";

function scenario(actions: unknown[], machine: Record<string, unknown> = {}): ScenarioInput {
  return {
    schemaVersion: 1,
    machine: { kernel: "s390-06201e00", guestRam: "64MiB", ...machine },
    actions,
  } as ScenarioInput;
}

function check(input: ScenarioInput, kernel?: VariantId) {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return checkScenario(r.scenario, kernel ?? r.scenario.machine.kernel);
}

describe("checkScenario", () => {
  test("storage keys on x86_64", () => {
    expect(check(scenario([{ do: "guest-touch", size: "1MiB" }, { do: "guest-skeys" }]), "x86_64")).toEqual([
      { path: "actions[1]", message: "storage keys exist only on s390; x86_64 has none" },
    ]);
  });

  test("PV on 2faee8ff (A had no protected virtualization) and on x86_64", () => {
    const s = scenario([{ do: "guest-pv" }]);
    expect(check(s, "s390-2faee8ff")).toEqual([
      { path: "actions[0]", message: "protected virtualization is not available in s390-2faee8ff" },
    ]);
    expect(check(s, "x86_64")).toHaveLength(1);
    expect(check(s, "s390-fa41ba0d")).toEqual([]);
  });

  test("migrate-switchover without migrate-start", () => {
    expect(check(scenario([{ do: "migrate-switchover" }]))).toEqual([
      { path: "actions[0]", message: "migrate-switchover needs a migration started with migrate-start" },
    ]);
  });

  test("transfer or complete without a running migration; a second migration", () => {
    expect(check(scenario([{ do: "migrate-transfer" }, { do: "migrate-complete" }]))).toEqual([
      { path: "actions[0]", message: "migrate-transfer needs a running migration (migrate-start first)" },
      { path: "actions[1]", message: "migrate-complete needs a running migration" },
    ]);
    expect(check(scenario([{ do: "migrate" }, { do: "migrate" }]))).toEqual([
      { path: "actions[1]", message: "only one migration per scenario" },
    ]);
    expect(check(scenario([{ do: "migrate" }, { do: "migrate-transfer" }]))[0]!.path).toBe("actions[1]");
  });

  test("a step-wise postcopy in order is fine", () => {
    const steps = [
      { do: "migrate-start", mode: "postcopy" },
      { do: "migrate-transfer", size: "8MiB" },
      { do: "migrate-switchover" },
      { do: "migrate-transfer" },
      { do: "migrate-complete" },
    ];
    expect(check(scenario(steps))).toEqual([]);
  });

  test("a region past guest RAM", () => {
    expect(check(scenario([{ do: "guest-read", start: "60MiB", size: "8MiB" }]))).toEqual([
      { path: "actions[0]", message: "the region ends at 68 MiB, past guest RAM (64 MiB)" },
    ]);
    expect(check(scenario([{ do: "guest-write", start: "65MiB" }]))[0]!.path).toBe("actions[0]");
    expect(check(scenario([{ do: "madvise-dontneed", start: "32MiB", size: "32MiB" }]))).toEqual([]);
  });

  test("the destination before any migration", () => {
    expect(check(scenario([{ do: "ksm-merge", on: "destination" }]))).toEqual([
      { path: "actions[0].on", message: "there is no destination before a migration starts" },
    ]);
  });

  test("zero-page-detection before QEMU 9.0", () => {
    const s = scenario([], { qemu: { version: "8.2", zeroPageDetection: "legacy" } });
    expect(check(s)).toEqual([
      {
        path: "machine.qemu.zeroPageDetection",
        message: "zero-page-detection exists from QEMU 9.0 on; this machine has QEMU 8.2",
      },
    ]);
  });

  describe("multifd with postcopy-ram: refused before QEMU 10.1 (migrate_caps_check)", () => {
    test.each<[string, Record<string, unknown>, unknown[]]>([
      ["postcopyRam set", { version: "10.0", multifd: true, postcopyRam: true }, []],
      ["a postcopy migrate", { version: "9.2", multifd: true }, [{ do: "migrate", mode: "postcopy" }]],
      [
        "a postcopy migrate-start",
        { version: "8.2", multifd: true },
        [{ do: "migrate-start", mode: "postcopy" }],
      ],
    ])("%s", (_name, qemu, actions) => {
      const found = check(scenario(actions, { qemu }));
      expect(found).toHaveLength(1);
      expect(found[0]!.path).toBe("machine.qemu.multifd");
      expect(found[0]!.message).toMatch(
        new RegExp(
          `^QEMU ${String(qemu.version).replace(".", "\\.")} refuses multifd together with postcopy-ram .*"Postcopy is not yet compatible with multifd"; QEMU 10\\.1 is the first release that accepts both$`,
        ),
      );
    });

    test("says what turned postcopy-ram on", () => {
      const [set] = check(scenario([], { qemu: { version: "10.0", multifd: true, postcopyRam: true } }));
      expect(set!.message).toContain("(postcopyRam is on)");
      const [byMode] = check(
        scenario([{ do: "migrate", mode: "postcopy" }], { qemu: { version: "10.0", multifd: true } }),
      );
      expect(byMode!.message).toContain("(a postcopy migration turns on postcopy-ram)");
    });

    test("accepted from 10.1 on, and either capability alone on any version", () => {
      const postcopy = [{ do: "migrate", mode: "postcopy" }];
      expect(check(scenario(postcopy, { qemu: { version: "10.1", multifd: true } }))).toEqual([]);
      expect(check(scenario(postcopy, { qemu: { version: "11.0", multifd: true } }))).toEqual([]);
      expect(check(scenario(postcopy, { qemu: { version: "8.2" } }))).toEqual([]);
      expect(check(scenario([{ do: "migrate" }], { qemu: { version: "8.2", multifd: true } }))).toEqual([]);
    });
  });

  describe("migrate options that would do nothing", () => {
    test("precopyBeforeSwitch in a precopy migration", () => {
      expect(check(scenario([{ do: "migrate", precopyBeforeSwitch: "8MiB" }]))).toEqual([
        {
          path: "actions[0].precopyBeforeSwitch",
          message:
            'precopyBeforeSwitch only applies to mode "postcopy" (a precopy migration sends all of RAM before it switches over); remove it or set mode "postcopy"',
        },
      ]);
      expect(check(scenario([{ do: "migrate", mode: "postcopy", precopyBeforeSwitch: "8MiB" }]))).toEqual([]);
    });

    test("dirty in a postcopy migration without precopyBeforeSwitch", () => {
      const [issue, ...more] = check(scenario([{ do: "migrate", mode: "postcopy", dirty: "4MiB" }]));
      expect(more).toEqual([]);
      expect(issue!.path).toBe("actions[0].dirty");
      expect(issue!.message).toMatch(
        /^dirty has no effect in a postcopy migration without precopyBeforeSwitch/,
      );
      const ok = [{ do: "migrate", mode: "postcopy", dirty: "4MiB", precopyBeforeSwitch: "16MiB" }];
      expect(check(scenario(ok))).toEqual([]);
      expect(check(scenario([{ do: "migrate", dirty: "4MiB" }]))).toEqual([]);
    });
  });

  test("sizes larger than guest RAM name the field and the range", () => {
    const found = check(
      scenario([
        { do: "guest-touch", size: "65MiB" },
        { do: "balloon-inflate", size: "128MiB" },
        { do: "balloon-deflate", size: "1GiB" },
        { do: "migrate", mode: "postcopy", precopyBeforeSwitch: "72MiB", dirty: "80MiB" },
      ]),
    );
    expect(found).toEqual([
      {
        path: "actions[0].size",
        message: "expected at most guest RAM (64 MiB) for what the guest allocates, got 65 MiB",
      },
      {
        path: "actions[1].size",
        message: "expected at most guest RAM (64 MiB) for the balloon to take, got 128 MiB",
      },
      {
        path: "actions[2].size",
        message: "expected at most guest RAM (64 MiB) for the balloon to give back, got 1 GiB",
      },
      {
        path: "actions[3].dirty",
        message: "expected at most guest RAM (64 MiB) for the memory the guest dirties, got 80 MiB",
      },
      {
        path: "actions[3].precopyBeforeSwitch",
        message: "expected at most guest RAM (64 MiB) for the precopy before the switch, got 72 MiB",
      },
    ]);
    expect(
      check(
        scenario([
          { do: "guest-touch", size: "64MiB" },
          { do: "balloon-inflate", size: "64MiB" },
        ]),
      ),
    ).toEqual([]);
  });

  test("a kernel override of another architecture than the machine's", () => {
    const s = scenario([], { arch: "s390x" });
    expect(check(s, "x86_64")).toEqual([
      { path: "machine.arch", message: "the machine is s390x, but x86_64 is an x86_64 kernel" },
    ]);
    expect(check(s, "s390-fa41ba0d")).toEqual([]);
  });
});

describe("runScenario", () => {
  test("returns schema issues and check issues instead of throwing", () => {
    const bad = runScenario({ schemaVersion: 1 });
    expect(bad.ok).toBe(false);
    const skeys = scenario([{ do: "guest-skeys" }]);
    expect(runScenario(skeys).ok).toBe(true);
    const r = runScenario(skeys, { kernel: "x86_64" });
    expect(r).toEqual({
      ok: false,
      issues: [{ path: "actions[0]", message: "storage keys exist only on s390; x86_64 has none" }],
    });
  });

  test("runs under the scenario's kernel unless told otherwise; one trace action per scenario action, after QEMU starts", () => {
    const s = scenario([
      { do: "guest-touch", size: "8MiB" },
      { do: "balloon-inflate", size: "4MiB" },
    ]);
    const own = runScenario(s);
    const other = runScenario(s, { kernel: "s390-fa41ba0d" });
    if (!own.ok || !other.ok) throw new Error("did not run");
    expect(own.run.kernel).toBe("s390-06201e00");
    expect(other.run.kernel).toBe("s390-fa41ba0d");
    expect(own.run.trace.actions.map((a) => a.label)).toEqual([
      "QEMU starts: guest RAM is mapped and the VM is created",
      "guest allocates 8 MiB and writes data",
      "balloon inflates by 4 MiB",
    ]);
    // No migration: the world has the source mm only.
    expect(own.run.trace.mmNames).toEqual(["source"]);
  });

  test("a migration that does not finish is said to be still running", () => {
    const r = runScenario(scenario([{ do: "migrate-start" }, { do: "migrate-transfer", size: "1MiB" }]));
    if (!r.ok) throw new Error("did not run");
    expect(r.run.outcome).toBe("completed");
    expect(r.run.trace.actions.at(-1)!.label).toBe("the scenario ends with the migration still running");
  });
});

test("actionLabel", () => {
  const ram = 64 * MiB;
  expect(actionLabel({ do: "guest-read", start: 48 * MiB, size: 8 * MiB }, ram)).toBe(
    "guest reads 8 MiB from 48 MiB",
  );
  expect(actionLabel({ do: "guest-read" }, ram)).toBe("guest reads 64 MiB");
  expect(actionLabel({ do: "migrate", mode: "postcopy", pagemapCheck: true }, ram)).toBe(
    "postcopy migration with the pagemap check",
  );
});
