/** policy.ts restates mm_forbids_zeropage() over flag bits: it must agree with the engine's Mm. */
import { expect, test } from "vitest";
import {
  FLAG_ALLOW_COW_SHARING,
  FLAG_HAS_PGSTE,
  FLAG_PV,
  FLAG_USES_SKEYS,
  Mm,
  VARIANT_IDS,
} from "../engine/index.ts";
import { flagNames, forbidsFromFlags } from "./policy.ts";
import { mmConfig } from "./testing.ts";

test.each(VARIANT_IDS)("forbidsFromFlags agrees with Mm.forbidsZeropage() under %s", (v) => {
  for (let flags = 0; flags < 16; flags++) {
    const mm = new Mm(mmConfig(v, 256));
    mm.ctx = {
      hasPgste: (flags & FLAG_HAS_PGSTE) !== 0,
      usesSkeys: (flags & FLAG_USES_SKEYS) !== 0,
      allowCowSharing: (flags & FLAG_ALLOW_COW_SHARING) !== 0,
      pv: (flags & FLAG_PV) !== 0,
    };
    expect(forbidsFromFlags(v, flags)).toBe(mm.forbidsZeropage());
  }
});

test("flag names, with allow_cow_sharing only when both kernels have it", () => {
  const f = FLAG_HAS_PGSTE | FLAG_ALLOW_COW_SHARING;
  expect(flagNames(f, false)).toEqual(["has_pgste"]);
  expect(flagNames(f, true)).toEqual(["has_pgste", "allow_cow_sharing"]);
});
