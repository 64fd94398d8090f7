/** The before/after panel's counters: RssShmem joins them where the guest's RAM is a memfd. */
import { describe, expect, it } from "vitest";
import { presetById } from "../../scenario/presets/index.ts";
import type { RunInfo } from "../../worker/api.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { PAIR_COUNTERS, pairCounters } from "./pair-counters.ts";

const host = new EngineHost("main");

async function load(id: string): Promise<RunInfo> {
  const r = await host.load({ scenario: presetById(id)!.scenario });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

describe("the before/after counters", () => {
  it("are RssAnon, host memory and zeropage PTEs for anonymous guest RAM", async () => {
    expect(pairCounters([await load("commit-06201e00")])).toBe(PAIR_COUNTERS);
  });

  it("show RssShmem for a memfd-backed guest, whose pages RssAnon never counts", async () => {
    const memfd = await load("commit-06201e00-memfd");
    expect(pairCounters([memfd]).map((c) => c.label)).toEqual(["RssShmem", "host memory", "zeropage PTEs"]);
    // Beside an anonymous run (compare's pairs can mix them), both.
    expect(pairCounters([await load("commit-06201e00"), memfd]).map((c) => c.label)).toEqual([
      "RssAnon",
      "RssShmem",
      "host memory",
      "zeropage PTEs",
    ]);
  });
});
