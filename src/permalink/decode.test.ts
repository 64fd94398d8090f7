/** Bad links: each kind of damage gets a plain-text error and the default state, never a throw. */
import { deflateSync, strToU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { packJson, toBase64url } from "./compress.ts";
import { decodeLink, defaultLinkState } from "./decode.ts";
import { encodeLink } from "./encode.ts";
import { MAX_FRAGMENT_CHARS } from "./schema.ts";

function refused(link: string) {
  const r = decodeLink(link);
  if (r.ok) throw new Error(`expected an error for ${link.slice(0, 80)}`);
  expect(r.error.length).toBeGreaterThan(10);
  expect(r.fallback.scenario).toEqual(defaultLinkState().scenario);
  return r;
}

describe("decodeLink", () => {
  it("reads an empty fragment, a bare #, and a whole URL", () => {
    for (const link of ["", "#", "https://example.org/"]) {
      const r = decodeLink(link);
      expect(r.ok && r.state).toEqual(defaultLinkState());
    }
    const r = decodeLink("https://example.org/app/#v=1&preset=teaching-small&g=pte&step=9");
    expect(r.ok && r.state).toMatchObject({
      scenario: { id: "teaching-small" },
      granularity: "pte",
      step: 9,
    });
  });

  it("refuses an oversized fragment before reading it", () => {
    const r = refused(`#v=1&preset=teaching-small&pad=${"a".repeat(MAX_FRAGMENT_CHARS)}`);
    expect(r.kind).toBe("too-long");
    expect(r.error).toMatch(/too long .* the limit is 64 KiB/);
  });

  it("names the bad scenario parameter and refuses the link", () => {
    expect(refused("#v=one").error).toContain("is not a whole number");
    expect(refused("#v=1&preset=nope").error).toContain('preset that does not exist: "nope"');
    expect(refused("#v=1&step=1&step=2").error).toContain('repeats the parameter "step"');
    expect(refused("#v=1&preset=teaching-small&s=abc").error).toContain("both a preset");
    expect(refused("#v=1&o=abc").error).toContain("no preset");
    expect(refused("#v=1&preset=%E0%A4%A").error).toContain("broken percent-escape");
  });

  it("keeps what is valid: a malformed view parameter is replaced, named with its value in a note", () => {
    const kept = (link: string, param: string) => {
      const r = decodeLink(link);
      if (!r.ok) throw new Error(`${link} was refused: ${r.error}`);
      expect(r.state.scenario).toEqual({ kind: "preset", id: "teaching-small" });
      expect(r.state.step).toBe(param === "step" ? null : 3);
      const note = r.notes.find((n) => n.includes(`${param}=`));
      expect(note, `a note naming ${param}= in ${JSON.stringify(r.notes)}`).toBeDefined();
      return { state: r.state, note: note! };
    };
    const base = "#v=1&preset=teaching-small&step=3";
    const k = kept(`${base}&kernel=s390-zzz`, "kernel");
    expect(k.state.kernel).toBeNull();
    expect(k.note).toContain('kernel="s390-zzz"');
    expect(k.note).toContain("not a kernel variant this app knows (");
    expect(k.note).toContain("the scenario's own kernel runs instead");
    expect(kept(`${base}&g=page`, "g").note).toContain("expected action, table, pte");
    expect(kept("#v=1&preset=teaching-small&step=-1", "step").note).toContain("the end of the run is shown");
    expect(kept(`${base}&sel=1`, "sel").state.selection).toBeNull();
    expect(kept(`${base}&zoom=0`, "zoom").state.zoom).toBeNull();
    expect(kept(`${base}&view=attic`, "view").state.section).toBeNull();
    expect(kept(`${base}&cstep=x`, "cstep").state.compareStep).toBeNull();
    const c = kept(`${base}&e=1&h=0123456789ab&ch=xyz`, "ch");
    expect(c.state.check?.end).toBe("0123456789ab");
    expect(c.state.compareCheck).toBeNull();
    const h = kept(`${base}&e=1&h=zz&ha=AAAA`, "h");
    expect(h.state.check).toBeNull();
    expect(h.note).toContain("the run is shown unchecked");
  });

  it("reads a self-check with missing parts as no self-check, with a note", () => {
    for (const link of ["#v=1&h=0123456789ab", "#v=1&e=1&ha=AAAA", "#v=1&ch=0123456789ab"]) {
      const r = decodeLink(link);
      expect(r.ok && r.state.check).toBeNull();
      expect(r.ok && r.notes.join(" ")).toContain("unchecked");
    }
  });

  it("refuses truncated, corrupt, non-JSON and non-object scenario payloads", () => {
    const good = packJson({ schemaVersion: 1, machine: { kernel: "x86_64", guestRam: "1GiB" }, actions: [] });
    expect(decodeLink(`#v=1&s=${good}`).ok).toBe(true);
    expect(refused(`#v=1&s=${good.slice(0, good.length - 6)}`).error).toMatch(/could not be read/);
    expect(refused(`#v=1&s=${good.slice(0, 5)}`).error).toMatch(/could not be read/);
    expect(refused("#v=1&s=AAAA").error).toMatch(/could not be read/);
    const notJson = toBase64url(deflateSync(strToU8("{not json")));
    expect(refused(`#v=1&s=${notJson}`).error).toContain("not valid JSON");
    expect(refused(`#v=1&s=${packJson([1, 2])}`).error).toContain("not a JSON object");
    expect(refused(`#v=1&s=${packJson("x")}`).error).toContain("not a JSON object");
  });

  it("lists scenario problems with their paths", () => {
    const bad = packJson({
      schemaVersion: 1,
      machine: { kernel: "x86_64", guestRam: "1000 bytes" },
      actions: [{ do: "guest-touch", size: "12345" }, { do: "fly" }],
    });
    const r = refused(`#v=1&s=${bad}`);
    expect(r.kind).toBe("scenario");
    expect(r.error).toContain("machine.guestRam:");
    expect(r.error).toContain("actions[0].size: expected whole 4 KiB pages");
    expect(r.error).toContain("actions[1].do:");
    const override = refused(`#v=1&preset=teaching-small&o=${packJson({ seed: -1 })}`);
    expect(override.error).toContain("seed:");
  });

  it("refuses a decompression bomb and absurd nesting without running out of memory or stack", () => {
    const bomb = toBase64url(deflateSync(new Uint8Array(8 * 1024 * 1024), { level: 9 }));
    expect(bomb.length).toBeLessThan(MAX_FRAGMENT_CHARS);
    expect(refused(`#v=1&s=${bomb}`).error).toContain("expands to more than 1024 KiB");
    const deep = toBase64url(deflateSync(strToU8(`{"a":${"[".repeat(200_000)}${"]".repeat(200_000)}}`)));
    expect(refused(`#v=1&s=${deep}`).error).toContain("nested more than");
  });

  it("keeps hostile text as data: a __proto__ key changes no prototype and is reported", () => {
    const hostile = packJson(JSON.parse('{"__proto__":{"polluted":1},"schemaVersion":1}'));
    const r = refused(`#v=1&s=${hostile}`);
    expect(r.error).toContain("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const o = refused(`#v=1&preset=teaching-small&o=${hostile}`);
    expect(o.kind).toBe("scenario");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps embed mode in the fallback, so a broken embedded link still shows the small layout", () => {
    const r = refused("#v=1&embed=1&editor=0&preset=nope");
    expect(r.fallback.embed).toEqual({ hideEditor: true, autoplay: false });
  });

  it("ignores parameters it does not know (an additive parameter from a later app)", () => {
    const r = decodeLink("#v=1&preset=teaching-small&theme=dark");
    expect(r.ok && encodeLink(r.state)).toBe("v=1&preset=teaching-small&g=action");
  });

  it("reads a compare link's right-hand scenario, shared position and right-hand hash", () => {
    const r = decodeLink(
      "#v=1&preset=pv-guest&kernel=s390-fa41ba0d&g=table&step=3&compare=s390-06201e00&cpreset=teaching-small&cstep=7&e=1&h=0123456789ab&ch=abcdef012345",
    );
    expect(r.ok && r.state).toMatchObject({
      compare: "s390-06201e00",
      compareScenario: { kind: "preset", id: "teaching-small" },
      compareStep: 7,
      compareCheck: "abcdef012345",
    });
    const custom = packJson({
      schemaVersion: 1,
      machine: { kernel: "x86_64", guestRam: "1GiB" },
      actions: [],
    });
    const c = decodeLink(`#v=1&compare=x86_64&cs=${custom}`);
    expect(c.ok && c.state.compareScenario).toMatchObject({ kind: "custom", scenario: { schemaVersion: 1 } });
    // A link from before these parameters reads them as absent: the left's scenario, no position.
    const old = decodeLink("#v=1&preset=teaching-small&compare=x86_64");
    expect(old.ok && old.state).toMatchObject({
      compareScenario: null,
      compareStep: null,
      compareCheck: null,
    });
  });

  it("names the bad right-hand parameters", () => {
    expect(refused("#v=1&cpreset=nope").error).toContain('right-hand preset that does not exist: "nope"');
    expect(refused("#v=1&cpreset=teaching-small&cs=abc").error).toContain(
      "both a right-hand preset (cpreset=)",
    );
    expect(refused("#v=1&co=abc").error).toContain("right-hand overrides (co=) but no preset (cpreset=)");
    expect(refused(`#v=1&cpreset=teaching-small&co=${packJson({ seed: -1 })}`).error).toContain("seed:");
  });

  it("keeps expected end values (x=) that disagree with the hash: the self-check tells which was altered", () => {
    const r = decodeLink("#v=1&e=1&h=0123456789ab&x=c_1.2.3.4");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state.check).toEqual({ engine: 1, end: "0123456789ab", actions: "", values: "c_1.2.3.4" });
  });
});
