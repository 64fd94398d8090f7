/**
 * The embed's `origin` parameter (additive): which host pages may drive an embed by postMessage.
 * Spelled as MessageEvent.origin spells an origin, so that the embed compares them as strings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLink } from "./decode.ts";
import { encodeLink } from "./encode.ts";
import { isOrigin } from "./schema.ts";
import { originArb } from "./test-support/arbitraries.ts";

describe("origin=", () => {
  it("accepts origins as a browser spells them, and only those", () => {
    for (const ok of [
      "https://slides.example.edu",
      "http://localhost:8000",
      "http://127.0.0.1:4173",
      "https://xn--bcher-kva.example",
      "http://[::1]:3000",
    ])
      expect(isOrigin(ok), ok).toBe(true);
    for (const bad of [
      "null",
      "*",
      "https://slides.example.edu/",
      "https://slides.example.edu/deck",
      "HTTPS://Slides.Example.edu",
      "https://slides.example.edu:443",
      "http://localhost:80",
      "http://localhost:0",
      "http://localhost:65536",
      "http://localhost:08000",
      "file://",
      "javascript:alert(1)",
      "ftp://example.edu",
      "https://-bad.example",
      "",
    ])
      expect(isOrigin(bad), bad).toBe(false);
  });

  it("every generated origin is one the URL parser spells the same way", () => {
    fc.assert(
      fc.property(originArb, (o) => {
        expect(isOrigin(o)).toBe(true);
        expect(new URL(o).origin).toBe(o);
      }),
      { numRuns: 300 },
    );
  });

  it("is read into the embed options, several origins separated by commas, duplicates once", () => {
    const r = decodeLink(
      `#v=1&preset=commit-06201e00&embed=1&origin=${encodeURIComponent("https://slides.example.edu,http://localhost:8000,https://slides.example.edu")}`,
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.state.embed).toEqual({
      hideEditor: false,
      autoplay: false,
      origins: ["https://slides.example.edu", "http://localhost:8000"],
    });
    expect(encodeLink(r.state)).toContain(
      `origin=${encodeURIComponent("https://slides.example.edu,http://localhost:8000")}`,
    );
  });

  it("leaves the embed options as they were when absent (links made before it read the same)", () => {
    const r = decodeLink("#v=1&preset=commit-06201e00&embed=1&autoplay=1");
    expect(r.ok && r.state.embed).toEqual({ hideEditor: false, autoplay: true });
  });

  it("drops a malformed origin with a note naming it, and keeps the rest of the link", () => {
    const r = decodeLink(
      "#v=1&preset=commit-06201e00&kernel=x86_64&embed=1&origin=https://deck.example/slides",
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.state.kernel).toBe("x86_64");
    expect(r.state.embed).toEqual({ hideEditor: false, autoplay: false });
    expect(r.notes.join(" ")).toMatch(
      /origin="https:\/\/deck\.example\/slides" was replaced .*no host page may drive the embed/,
    );
  });

  it("keeps valid origins in the fallback of a refused link, so a deck still drives the small layout", () => {
    const r = decodeLink("#v=1&embed=1&origin=http://localhost:8000&preset=nope");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fallback.embed).toEqual({
      hideEditor: false,
      autoplay: false,
      origins: ["http://localhost:8000"],
    });
  });

  it("means nothing without embed=1", () => {
    const r = decodeLink("#v=1&preset=commit-06201e00&origin=http://localhost:8000");
    expect(r.ok && r.state.embed).toBeNull();
  });
});
