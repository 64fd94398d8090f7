/**
 * Scenario parameters (parameters.ts): each one rewrites the scenario as its comment says, the
 * result still validates, the input is never changed, and a scenario without the action a
 * parameter sets gets an issue naming it.
 */
import { describe, expect, it } from "vitest";
import { GiB } from "../base/units.ts";
import {
  type ApplyResult,
  applyParameter,
  formatParameterValue,
  PARAMETER_IDS,
  PARAMETERS,
  parameterValueOf,
  shareBytes,
} from "./parameters.ts";
import { commit06201e00 } from "./presets/commit-06201e00.ts";
import { commit06201e00Oom } from "./presets/commit-06201e00-oom.ts";
import { postcopyHang2017 } from "./presets/postcopy-hang-2017.ts";
import { parseScenario } from "./schema.ts";

const story = () => JSON.parse(JSON.stringify(commit06201e00.scenario));

function ok(r: ApplyResult) {
  if (!r.ok) throw new Error(`${r.issue.path}: ${r.issue.message}`);
  const parsed = parseScenario(r.scenario);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { json: r.scenario as Record<string, never>, parsed: parsed.scenario, map: r.actionMap };
}

describe("scenario parameters", () => {
  it("lists every parameter with a label", () => {
    expect(Object.keys(PARAMETERS).sort()).toEqual([...PARAMETER_IDS].sort());
    for (const id of PARAMETER_IDS) expect(PARAMETERS[id].label.length).toBeGreaterThan(3);
  });

  it("guest RAM scales every size in the actions, and the story's proportions stay", () => {
    const { parsed } = ok(applyParameter(story(), "guestRam", 64 * GiB));
    expect(parsed.machine.guestRam).toBe(64 * GiB);
    expect(parsed.actions.map((a) => ("size" in a ? a.size : null))).toEqual([
      64 * GiB,
      25.6 * GiB - ((25.6 * GiB) % 4096),
      null,
    ]);
  });

  it("guest RAM scales a host's memory limit too", () => {
    const before = parseScenario(commit06201e00Oom.scenario);
    if (!before.ok) throw new Error("preset");
    const ram = before.scenario.machine.guestRam;
    const { parsed } = ok(applyParameter(commit06201e00Oom.scenario, "guestRam", ram / 2));
    const limit = (s: typeof parsed) => s.machine.hosts.source.memLimit as number;
    expect(limit(parsed)).toBe(limit(before.scenario) / 2);
  });

  it("balloon and written set the first balloon-inflate and the first data guest-touch", () => {
    const b = ok(applyParameter(story(), "balloon", 10 * GiB));
    expect(b.parsed.actions[1]).toEqual({ do: "balloon-inflate", size: 10 * GiB });
    const w = ok(applyParameter(story(), "written", 70 * GiB));
    expect(w.parsed.actions[0]).toEqual({ do: "guest-touch", size: 70 * GiB, content: "data" });
    expect(parameterValueOf(w.json, "written")).toBe(70 * GiB);
  });

  it("kernel sets the variant and drops an architecture that would contradict it", () => {
    const s = story();
    s.machine.arch = "s390x";
    const { parsed, json } = ok(applyParameter(s, "kernel", "x86_64"));
    expect(parsed.machine.kernel).toBe("x86_64");
    expect((json.machine as unknown as { arch?: string }).arch).toBeUndefined();
  });

  it("storage keys off leaves out the guest-skeys actions and says where the others went", () => {
    const { parsed, map } = ok(applyParameter(postcopyHang2017.scenario, "skeys", "off"));
    expect(parsed.actions.some((a) => a.do === "guest-skeys")).toBe(false);
    expect(map).toEqual([0, 1, 2, 3, -1, 4, 5]);
    expect(ok(applyParameter(postcopyHang2017.scenario, "skeys", "on")).map).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("QEMU's version, zero-page detection and the migration mode", () => {
    expect(ok(applyParameter(story(), "qemuVersion", "10.1")).parsed.machine.qemu.version).toBe("10.1");
    expect(
      ok(applyParameter(story(), "zeroPageDetection", "none")).parsed.machine.qemu.zeroPageDetection,
    ).toBe("none");
    const post = ok(applyParameter(story(), "migration", "postcopy")).parsed;
    expect(post.actions[2]).toMatchObject({ do: "migrate", mode: "postcopy" });
  });

  it("never changes its input", () => {
    const s = story();
    const before = JSON.stringify(s);
    for (const [id, value] of [
      ["guestRam", 8 * GiB],
      ["balloon", GiB],
      ["kernel", "x86_64"],
      ["migration", "postcopy"],
    ] as const)
      applyParameter(s, id, value);
    expect(JSON.stringify(s)).toBe(before);
  });

  it("names what is missing instead of guessing", () => {
    const noBalloon = { ...story(), actions: [{ do: "guest-touch", size: "1GiB" }] };
    expect(applyParameter(noBalloon, "balloon", GiB)).toEqual({
      ok: false,
      issue: {
        path: "actions",
        message: "the scenario has no balloon-inflate action for the balloon size to set",
      },
    });
    expect(applyParameter(noBalloon, "migration", "postcopy")).toMatchObject({
      ok: false,
      issue: { message: "the scenario does not migrate" },
    });
    expect(applyParameter(story(), "skeys", "off")).toMatchObject({ ok: false });
    expect(applyParameter(story(), "guestRam", 1000)).toMatchObject({ ok: false });
    expect(applyParameter(story(), "kernel", "s390-v6.8")).toMatchObject({ ok: false });
  });

  it("rounds shares to whole MiB (whole pages below 1 GiB) and prints values for people", () => {
    expect(shareBytes(96 * GiB, 40)).toBe(39321 * 2 ** 20);
    expect(shareBytes(64 * 2 ** 20, 33)).toBe(Math.floor((16384 * 33) / 100) * 4096);
    expect(formatParameterValue("balloon", 39321 * 2 ** 20)).toBe("38.40 GiB");
    expect(formatParameterValue("guestRam", 64 * GiB)).toBe("64 GiB");
    expect(formatParameterValue("skeys", "on")).toBe("on");
  });
});
