/** Bookkeeping codes in words: every flag value the hypervisor sets has its sentence, and no run shows a bare code. */
import { describe, expect, it } from "vitest";
import { GUEST_BALLOON, GUEST_CMM, GUEST_FREE, GUEST_SET, GUEST_USED } from "../../hypervisor/guest.ts";
import { DIRTY_SET, RECEIVED_SET, UNTOUCHED_ZERO_SET } from "../../hypervisor/migration/state.ts";
import { PRESETS } from "../../scenario/presets/index.ts";
import { EngineHost } from "../../worker/engine-host.ts";
import { BOOKKEEPING_WORDS, codesInWords, labelInWords } from "./bookkeeping.ts";
import { eventLabel, isBookkeeping } from "./summarize.ts";

describe("bookkeeping in words", () => {
  it("names every guest state and migration flag the hypervisor uses", () => {
    expect(BOOKKEEPING_WORDS[GUEST_SET]?.[GUEST_BALLOON]).toMatch(/balloon/);
    expect(BOOKKEEPING_WORDS[GUEST_SET]?.[GUEST_USED]).toMatch(/in use/);
    expect(BOOKKEEPING_WORDS[GUEST_SET]?.[GUEST_FREE]).toMatch(/frees/);
    expect(BOOKKEEPING_WORDS[GUEST_SET]?.[GUEST_CMM]).toMatch(/CMM/);
    for (const set of [DIRTY_SET, RECEIVED_SET, UNTOUCHED_ZERO_SET])
      for (const v of [0, 1]) expect(BOOKKEEPING_WORDS[set]?.[v], `${set} = ${v}`).toBeTruthy();
  });

  it("turns a code into its sentence, leaves other labels alone, and never shows an unknown code bare", () => {
    expect(labelInWords("guest = 2")).toBe("the guest puts the pages in its balloon");
    expect(labelInWords("mig.dirty = 1")).toBe("QEMU marks the pages dirty: still to send");
    expect(labelInWords("read fault")).toBe("read fault");
    expect(labelInWords("the guest resumes on the destination")).toBe("the guest resumes on the destination");
    expect(labelInWords("mig.something = 7")).not.toMatch(/=/);
    expect(codesInWords("mig.received = 1 on the destination (precopy migration)")).toBe(
      "the destination's QEMU marks the pages received on the destination (precopy migration)",
    );
  });

  it("no preset's trace shows a bookkeeping code as 'name = value'", async () => {
    const host = new EngineHost("main");
    const seen = new Set<string>();
    for (const p of PRESETS) {
      const r = await host.load({ scenario: p.scenario, kernel: p.variants[0] });
      if (!r.ok) continue;
      for (let e = 0; e < r.run.trace.events; e++)
        if (isBookkeeping(r.run, e)) seen.add(eventLabel(r.run, e));
    }
    expect(seen.size).toBeGreaterThan(3);
    for (const label of seen) expect(label, label).not.toMatch(/^[\w.-]+ = -?\d+$/);
  }, 120_000);
});
