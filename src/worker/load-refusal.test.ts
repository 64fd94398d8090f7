/**
 * A load that does not run says whether the kernel asked for is the reason (the scenario runs under
 * its own kernel and not under this one) or the scenario itself is not valid, so the page can say
 * "cannot run under x86_64" only when that is true.
 */
import { describe, expect, it } from "vitest";
import { presetById } from "../scenario/presets/index.ts";
import type { LoadRequest, LoadResult } from "./api.ts";
import { EngineHost } from "./engine-host.ts";

async function refused(req: LoadRequest): Promise<Extract<LoadResult, { ok: false }>> {
  const r = await new EngineHost("main").load(req);
  if (r.ok) throw new Error("the load ran");
  return r;
}

const small = (machine: Record<string, unknown>, actions: unknown[]) => ({
  schemaVersion: 1,
  machine: { kernel: "s390-06201e00", guestRam: "64MiB", ...machine },
  actions,
});

describe("a load that does not run", () => {
  it("names the kernel when the scenario runs under its own: the PV guest under x86_64", async () => {
    const r = await refused({ scenario: presetById("pv-guest")!.scenario, kernel: "x86_64" });
    expect(r.refusingKernel).toBe("x86_64");
    expect(r.issues.map((i) => i.message).join(" ")).toMatch(/protected virtualization/);
  });

  it("names no kernel when the scenario fails under its own kernel too (a QEMU too old for an option)", async () => {
    const scenario = small({ qemu: { version: "8.2", zeroPageDetection: "legacy" } }, [
      { do: "guest-touch", size: "8MiB" },
    ]);
    const own = await refused({ scenario });
    expect(own.refusingKernel).toBeNull();
    const other = await refused({ scenario, kernel: "s390-fa41ba0d" });
    expect(other.issues).toEqual(own.issues);
    expect(other.refusingKernel).toBeNull();
  });

  it("names no kernel for a scenario that is not valid at all, or when no kernel was asked for", async () => {
    expect((await refused({ scenario: { schemaVersion: 1 }, kernel: "x86_64" })).refusingKernel).toBeNull();
    const pvUnderOwnX86 = small({ kernel: "x86_64" }, [{ do: "guest-skeys" }]);
    expect((await refused({ scenario: pvUnderOwnX86 })).refusingKernel).toBeNull();
    expect((await refused({ scenario: pvUnderOwnX86, kernel: "x86_64" })).refusingKernel).toBeNull();
  });
});
