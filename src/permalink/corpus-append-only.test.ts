/**
 * The corpus only grows: every entry recorded in corpus/manifest.json must still be there with the
 * same id, about, link and decodesTo (corpus/manifest.ts hashes them), and every entry must be
 * recorded. corpus.test.ts checks that entries still decode and re-simulate as stored; this one
 * checks that nobody "fixed" an entry to make that pass. Appending an entry: add it to
 * corpus/v<N>.json, then `npx tsx bench/permalink-corpus-manifest.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CorpusFile } from "./corpus/entry.ts";
import {
  appendToManifest,
  canonicalJson,
  checkManifest,
  entryDigest,
  formatManifest,
  type Manifest,
} from "./corpus/manifest.ts";

const dir = new URL("./corpus/", import.meta.url);
const files: Record<string, CorpusFile> = {};
for (const name of readdirSync(dir).filter((f) => /^v\d+\.json$/.test(f)))
  files[name] = JSON.parse(readFileSync(new URL(name, dir), "utf8")) as CorpusFile;
const manifest = JSON.parse(readFileSync(new URL("manifest.json", dir), "utf8")) as Manifest;

describe("corpus manifest", () => {
  it("records a file for every corpus file, and the corpus still has every recorded file", () => {
    expect(Object.keys(manifest).sort()).toEqual(Object.keys(files).sort());
  });

  it("no recorded entry changed or disappeared", () => {
    const c = checkManifest(files, manifest);
    expect(c.changed, "corpus entries are never edited: append a new one instead").toEqual([]);
    expect(c.missing, "corpus entries are never removed").toEqual([]);
  });

  it("every entry is recorded (run `npx tsx bench/permalink-corpus-manifest.ts` after appending)", () => {
    expect(checkManifest(files, manifest).unrecorded).toEqual([]);
  });

  it("is written as the script writes it (one entry per line, ids in order)", () => {
    for (const [name, list] of Object.entries(manifest))
      expect(
        list.map((r) => r.id),
        name,
      ).toEqual(list.map((_, i) => i + 1));
    expect(formatManifest(manifest)).toBe(formatManifest(appendToManifest(files, manifest)));
  });
});

describe("the manifest's checks (on a copy of the corpus)", () => {
  const [name, file] = Object.entries(files).find(([, f]) => f.entries.length >= 2)!;
  const copy = (f: (entries: CorpusFile["entries"][number][]) => void): Record<string, CorpusFile> => {
    const entries = structuredClone(file.entries) as CorpusFile["entries"][number][];
    f(entries);
    return { ...files, [name]: { ...file, entries } };
  };

  it("canonical JSON does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it("an edited about, link or decoded state is a change; a new endHashes key is not", () => {
    const e = file.entries[0]!;
    expect(entryDigest({ ...e, about: `${e.about}.` })).not.toBe(entryDigest(e));
    expect(entryDigest({ ...e, link: `${e.link}&` })).not.toBe(entryDigest(e));
    expect(entryDigest({ ...e, decodesTo: { ...e.decodesTo, step: 99_999 } })).not.toBe(entryDigest(e));
    const bumped = copy((es) => {
      es[0] = { ...es[0]!, endHashes: { ...es[0]!.endHashes, "999": "000000000000" } };
    });
    expect(checkManifest(bumped, manifest).changed).toEqual([]);
  });

  it("flags an edited entry and a removed one, and the script refuses to record either", () => {
    const edited = copy((es) => {
      es[1] = { ...es[1]!, about: "rewritten" };
    });
    expect(checkManifest(edited, manifest).changed).toEqual([`${name} #2`]);
    expect(() => appendToManifest(edited, manifest)).toThrow(/append-only/);
    const removed = copy((es) => {
      es.pop();
    });
    expect(checkManifest(removed, manifest).missing).toEqual([`${name} #${file.entries.length}`]);
    expect(() => appendToManifest(removed, manifest)).toThrow(/append-only/);
  });

  it("lists an appended entry as unrecorded until the script records it", () => {
    const appended = copy((es) => {
      es.push({ ...es[0]!, id: es.length + 1, about: "appended" });
    });
    const id = file.entries.length + 1;
    expect(checkManifest(appended, manifest).unrecorded).toEqual([`${name} #${id}`]);
    const next = appendToManifest(appended, manifest);
    expect(next[name]?.at(-1)?.id).toBe(id);
    expect(next[name]?.slice(0, -1)).toEqual(manifest[name]);
    expect(checkManifest(appended, next)).toEqual({ changed: [], missing: [], unrecorded: [] });
  });
});
