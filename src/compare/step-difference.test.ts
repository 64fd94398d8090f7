/** The before/after panel's sentence, on the commit's story and its postcopy and keys variants. */
import { describe, expect, it } from "vitest";
import { presetById } from "../scenario/presets/index.ts";
import type { CompareInfo, Granularity, VariantId } from "../worker/api.ts";
import { EngineHost } from "../worker/engine-host.ts";
import { nameSides, stepDifference } from "./step-difference.ts";

async function compared(presetId: string, kernels: readonly [VariantId, VariantId]) {
  const host = new EngineHost("main");
  const scenario = presetById(presetId)!.scenario;
  const runs = [];
  for (const kernel of kernels) {
    const r = await host.load({ scenario, kernel });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    runs.push(r.run);
  }
  const info = await host.compare({ left: runs[0]!.runId, right: runs[1]!.runId });
  return { host, info };
}

async function at(host: EngineHost, info: CompareInfo, g: Granularity, position: number) {
  const v = await host.viewPair({
    compareId: info.compareId,
    granularity: g,
    position,
    selection: null,
    diff: false,
  });
  return { granularity: g, position: v.position, pair: v.pair, action: v.action };
}

const NAMES = ["s390-fa41ba0d", "s390-06201e00"] as const;

describe("stepDifference: the commit's story, fa41ba0d against 06201e00", () => {
  it("says per action what differs and why, from the rules that fired on each side", async () => {
    const { host, info } = await compared("commit-06201e00", NAMES);
    const said = [];
    for (let p = 0; p <= info.counts.action; p++)
      said.push(stepDifference(info, await at(host, info, "action", p), NAMES));
    expect(said.map((d) => d.kind)).toEqual(["start", "policy", "same", "same", "differs"]);
    expect(said[0]!.text).toContain("They first differ in action 4 (precopy migration)");
    // QEMU starts: KVM_CREATE_VM turns mm_forbids_zeropage() on under fa41ba0d only.
    expect(said[1]!.text).toMatch(
      /^No difference in memory yet: .*mm_forbids_zeropage\(\) is now true under s390-fa41ba0d and false under s390-06201e00/,
    );
    const m = said[4]!;
    expect(m.text).toMatch(
      /^The source's read fault \(precopy migration\) allocates a zeroed anonymous page \(zeropage forbidden\) under s390-fa41ba0d but maps the shared zeropage under s390-06201e00 \(mm_forbids_zeropage\), and the same on the destination: 20,971,520 pages \(80 GiB\) over \d+ events/,
    );
    expect(m.why).toContain("mm_forbids_zeropage() is true under s390-fa41ba0d");
    expect(m.why).toContain("false under s390-06201e00");
    expect(m.rules).toEqual([["do_anonymous_page.forbidden"], ["do_anonymous_page.zeropage"]]);
    // Every ballooned page read on either host: 40 GiB each.
    expect(m.pages).toBe((2 * 10 * 2 ** 30 * 4) / 4096);
    expect(m.divergences.length).toBe(info.divergences.length);
  });

  it("by page table: a step inside the migration names its own event, the step before it none", async () => {
    const { host, info } = await compared("commit-06201e00", NAMES);
    const d = info.divergences[info.first]!;
    const here = stepDifference(info, await at(host, info, "table", d.positions.table), NAMES);
    expect(here.kind).toBe("differs");
    expect(here.divergences).toEqual([d.index]);
    expect(here.text).not.toContain("over");
    // The end of the pair before: the step before the runs part.
    const before = stepDifference(
      info,
      await at(host, info, "table", info.pairAfter.table[d.pair - 1]!),
      NAMES,
    );
    expect(before.divergences).toEqual([]);
    expect(["same", "policy"]).toContain(before.kind);
    if (before.kind === "same") expect(before.text).toContain("They first differ in action 4");
  });
});

describe("nameSides", () => {
  it("leaves no 'left' or 'right' in any divergence or policy note of the patch stories", async () => {
    for (const [preset, kernels] of [
      ["commit-06201e00", NAMES],
      ["commit-06201e00-postcopy", NAMES],
      ["skeys-after-migration", NAMES],
      ["postcopy-hang-2017", ["s390-2faee8ff", "s390-fa41ba0d"]],
    ] as const) {
      const { info } = await compared(preset, kernels);
      const texts = [
        ...info.divergences.flatMap((d) => [d.text, d.detail]),
        ...info.policy.map((p) => p.text),
      ].map((t) => nameSides(t, ["A", "B"]));
      for (const t of texts) expect(t, preset).not.toMatch(/\b(left|right)\b/i);
    }
  });
});
