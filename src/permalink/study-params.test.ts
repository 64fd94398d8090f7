/**
 * The additive seed= and sweep=: read, written back the same, absent keys for links
 * without them, and dropped with a note naming them when malformed (the rest of the link stands).
 */
import { describe, expect, it } from "vitest";
import { decodeLink } from "./decode.ts";
import { encodeLink } from "./encode.ts";

describe("seed= and sweep=", () => {
  it("read a student's seed and a sweep, and write them back the same", () => {
    const link =
      "v=1&preset=commit-06201e00-exercise&g=action&step=0&seed=42&sweep=balloon~0%25~100%25~11~s390-fa41ba0d.s390-06201e00";
    const r = decodeLink(`#${link}`);
    if (!r.ok) throw new Error(r.error);
    expect(r.state.seed).toBe(42);
    expect(r.state.sweep).toEqual({
      param: "balloon",
      kind: "range",
      from: { percent: 0 },
      to: { percent: 100 },
      points: 11,
      kernels: ["s390-fa41ba0d", "s390-06201e00"],
    });
    expect(encodeLink(r.state)).toBe(link);
  });

  it("leave no keys on a link without them (older links decode as before)", () => {
    const r = decodeLink("#v=1&preset=commit-06201e00");
    expect(r.ok && "seed" in r.state).toBe(false);
    expect(r.ok && "sweep" in r.state).toBe(false);
  });

  it.each([
    [
      "seed=-3",
      "seed",
      /This link's seed="-3" was replaced \(expected a whole number\): the scenario is shown as written/,
    ],
    ["seed=99999999999", "seed", /at most 2147483647/],
    [
      "sweep=balloon~0~200%25~11~x86_64",
      "sweep",
      /This link's sweep=.* was replaced \(to: expected a share from 0% to 100%, got "200%"\): no sweep is opened/,
    ],
    ["sweep=colour", "sweep", /no sweep is opened/],
  ])("drop a malformed %s with a note, keeping the rest", (param, key, note) => {
    const r = decodeLink(`#v=1&preset=commit-06201e00-exercise&step=2&${param}`);
    if (!r.ok) throw new Error(r.error);
    expect(key in r.state).toBe(false);
    expect(r.state.step).toBe(2);
    expect(r.notes.join("\n")).toMatch(note);
  });
});
