/** base/: hashing, the seeded PRNG and size parsing/formatting. */
import { describe, expect, test } from "vitest";
import { assert } from "./assert.ts";
import { Hasher } from "./hash.ts";
import { Prng } from "./prng.ts";
import { formatBytes, formatCount, GiB, parseSize, TiB } from "./units.ts";

describe("Hasher", () => {
  test("SHA-256 of nothing is the well-known digest; the same input gives the same hex", () => {
    expect(new Hasher().hex()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const a = new Hasher()
      .text("zeropage")
      .number(1.5)
      .bytes(new Uint16Array([1, 2]))
      .hex(16);
    const b = new Hasher()
      .text("zeropage")
      .number(1.5)
      .bytes(new Uint16Array([1, 2]))
      .hex(16);
    expect(a).toBe(b);
    expect(a).toHaveLength(16);
    expect(new Hasher().text("zeropagf").hex()).not.toBe(new Hasher().text("zeropage").hex());
  });

  test("text() hashes length too: adjacent strings do not run together", () => {
    expect(new Hasher().text("ab").text("c").hex()).not.toBe(new Hasher().text("a").text("bc").hex());
  });
});

describe("Prng", () => {
  test("the same seed gives the same sequence; int() stays within bounds", () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 50 }, () => a.int(3, 9));
    expect(Array.from({ length: 50 }, () => b.int(3, 9))).toEqual(xs);
    expect(xs.every((x) => x >= 3 && x <= 9)).toBe(true);
    expect(new Prng(1).chance(0)).toBe(false);
    expect(new Prng(1).chance(1)).toBe(true);
  });
});

describe("units", () => {
  test("parseSize: binary units, pages, plain bytes; errors as values", () => {
    expect(parseSize("100GiB")).toEqual({ ok: true, bytes: 100 * GiB });
    expect(parseSize("40 GB")).toEqual({ ok: true, bytes: 40 * GiB });
    expect(parseSize("1T")).toEqual({ ok: true, bytes: TiB });
    expect(parseSize("256 pages")).toEqual({ ok: true, bytes: 256 * 4096 });
    expect(parseSize(4096)).toEqual({ ok: true, bytes: 4096 });
    expect(parseSize("1.5 KiB")).toEqual({ ok: true, bytes: 1536 });
    for (const bad of ["", "ten", "5 parsecs", "0.3 B", -1, 1.5]) expect(parseSize(bad).ok).toBe(false);
  });

  test("formatBytes and formatCount", () => {
    expect(formatBytes(40 * GiB)).toBe("40 GiB");
    expect(formatBytes(160 * 1024 * 1024)).toBe("160 MiB");
    expect(formatBytes(6144)).toBe("6 KiB");
    expect(formatBytes(1536 * 1024 + 1)).toBe("1.50 MiB");
    expect(formatBytes(-4096)).toBe("-4 KiB");
    expect(formatCount(10485760)).toBe("10,485,760");
  });

  test("assert throws a named invariant error", () => {
    expect(() => assert(false, "boom")).toThrow("zeropage-lab invariant: boom");
  });
});
