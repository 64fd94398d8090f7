/**
 * Link upgrading: one describe per version, each upgrader's own before/after examples, a link one
 * version newer than ours, and (last) a check that every upgrader ran at least once here, so an
 * upgrader added without a test fails (after tldraw's migrations.test.ts).
 */
import { describe, expect, it, type MockInstance, vi } from "vitest";
import { decodeLink } from "./decode.ts";
import { encodeLink } from "./encode.ts";
import { LINK_VERSION } from "./schema.ts";
import { _upgraders, type LinkParamMap, upgradeParams } from "./upgrade.ts";

const spies = new Map<number, MockInstance>();
for (const key of Object.keys(_upgraders)) {
  const n = Number(key);
  spies.set(n, vi.spyOn(_upgraders[n]!, "up"));
}

function paramsOf(fragment: string): LinkParamMap {
  return new Map(new URLSearchParams(fragment));
}

function textOf(params: LinkParamMap): string {
  return [...params].map(([k, v]) => `${k}=${v}`).join("&");
}

describe("url upgrading", () => {
  it("has one named upgrader per version, 1 … LINK_VERSION", () => {
    const versions = Object.keys(_upgraders).map(Number);
    expect(versions).toEqual(Array.from({ length: LINK_VERSION }, (_, i) => i + 1));
    for (const u of Object.values(_upgraders)) {
      expect(u.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(u.examples.length).toBeGreaterThan(0);
    }
  });

  for (const [key, u] of Object.entries(_upgraders)) {
    const n = Number(key);
    describe(`version ${n - 1} → ${n} (${u.name})`, () => {
      for (const ex of u.examples) {
        it(`${ex.before} → ${ex.after}`, () => {
          const p = paramsOf(ex.before);
          u.up(p);
          expect(textOf(p)).toBe(ex.after);
        });
      }
    });
  }

  describe("version 0: the unversioned fragment of src/state/url.ts", () => {
    it("keeps the readable parameters and reads as the same view", () => {
      const r = decodeLink("#preset=commit-06201e00&kernel=s390-fa41ba0d&g=table&step=120");
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.from).toBe(0);
      expect(r.state).toMatchObject({
        scenario: { kind: "preset", id: "commit-06201e00" },
        kernel: "s390-fa41ba0d",
        granularity: "table",
        step: 120,
        check: null,
      });
      expect(encodeLink(r.state)).toBe("v=1&preset=commit-06201e00&kernel=s390-fa41ba0d&g=table&step=120");
    });

    it("ignores malformed values as version 0 did, instead of refusing the link", () => {
      const r = decodeLink("#preset=commit-06201e00&kernel=s390-zzz&g=page&step=12x&s=abc");
      expect(r.ok && r.state).toMatchObject({ kernel: null, granularity: "action", step: null });
    });

    it("reads the first of a repeated parameter, as URLSearchParams.get did", () => {
      const r = decodeLink("#preset=teaching-small&preset=pv-guest");
      expect(r.ok && r.state.scenario).toEqual({ kind: "preset", id: "teaching-small" });
    });

    it("runs nothing for a current link", () => {
      const before = spies.get(1)!.mock.calls.length;
      const p = paramsOf("v=1&preset=teaching-small");
      upgradeParams(p, LINK_VERSION);
      expect(spies.get(1)!.mock.calls.length).toBe(before);
      expect(textOf(p)).toBe("v=1&preset=teaching-small");
    });
  });

  describe(`version ${LINK_VERSION + 1} (newer than this app)`, () => {
    it("is refused with its own message and the default state", () => {
      const r = decodeLink(`#v=${LINK_VERSION + 1}&preset=teaching-small&step=3`);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.kind).toBe("newer");
      expect(r.error).toContain(`version ${LINK_VERSION + 1}`);
      expect(r.error).toContain("Reload");
      expect(r.fallback.scenario).toEqual({ kind: "preset", id: "commit-06201e00" });
    });
  });
});

// The meta-test, last in the file (vitest runs a file's tests in order): an upgrader that no test
// above ran fails here.
it("every upgrader ran in a test above", () => {
  const never = [...spies].filter(([, s]) => s.mock.calls.length === 0).map(([n]) => n);
  expect(never, `upgraders never run by a test: ${never.join(", ")}`).toEqual([]);
});
