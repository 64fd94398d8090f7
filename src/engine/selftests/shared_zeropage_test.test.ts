/**
 * shared_zeropage_test.c on the model of every variant: the TAP each kernel of the series would
 * print. The patch mail of bc54d7c6050e shows the old kernel's output (check 1 fails, 2 and 3 pass)
 * and the fixed kernel's (all pass); the v2 posting of 06201e00 fails check 3, which is the bug
 * review caught.
 */
import { describe, expect, test } from "vitest";
import { sharedZeropageTest } from "./shared_zeropage_test.ts";

describe("shared_zeropage_test on the model", () => {
  test("06201e00 (C): ok 1, ok 2, ok 3", () => {
    const r = sharedZeropageTest("s390-06201e00");
    expect(r.tap).toBe(
      [
        "TAP version 13",
        "1..3",
        "ok 1 Shared zeropages should be enabled",
        "ok 2 Shared zeropage should be gone",
        "ok 3 Shared zeropages should be disabled",
        "# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:0 error:0",
        "",
      ].join("\n"),
    );
    expect(r.exitCode).toBe(0);
    expect(r.checks[1]!.rules).toContain("__s390_unshare_zeropages");
  });

  test.each(["s390-fa41ba0d", "s390-fa41ba0d-90a7592d"] as const)(
    "%s (B): not ok 1 Shared zeropages should be enabled, as in the patch mail",
    (kernel) => {
      const r = sharedZeropageTest(kernel);
      expect(r.tap.split("\n").slice(2, 6)).toEqual([
        "not ok 1 Shared zeropages should be enabled",
        "ok 2 Shared zeropage should be gone",
        "ok 3 Shared zeropages should be disabled",
        "# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:0 error:0",
      ]);
      expect(r.exitCode).toBe(1);
      expect(r.checks[0]).toMatchObject({
        found: "a page of its own",
        rules: ["do_anonymous_page.forbidden"],
      });
    },
  );

  test("06201e00 as posted in v2: ok 1, ok 2, not ok 3 (the missing #define)", () => {
    const r = sharedZeropageTest("s390-06201e00-v2");
    expect(r.checks.map((c) => c.ok)).toEqual([true, true, false]);
    expect(r.tap).toContain("not ok 3 Shared zeropages should be disabled");
    expect(r.checks[2]!.rules).toEqual(["do_anonymous_page.zeropage_shadowed"]);
    expect(r.exitCode).toBe(1);
  });

  test("2faee8ff (A, v4.12): no PAGEMAP_SCAN, so TEST_REQUIRE skips", () => {
    const r = sharedZeropageTest("s390-2faee8ff");
    expect(r.exitCode).toBe(4);
    expect(r.tap).toContain("ok 1 # SKIP - maps_shared_zeropage(pagemap_fd, page0) == 1");
    expect(r.skip).toMatch(/Linux 6\.7/);
  });

  test("x86_64: an s390x test, not built", () => {
    const r = sharedZeropageTest("x86_64");
    expect(r.exitCode).toBe(4);
    expect(r.skip).toMatch(/s390x/);
  });
});
