/**
 * The corpus manifest (corpus/manifest.json): for every stored entry of every corpus file, a
 * SHA-256 of what the entry means — its id, about, link and decodesTo, as canonical JSON (keys
 * sorted, no whitespace). `endHashes` is left out on purpose: it gains a key at each engine
 * semantics bump (CHANGELOG.md), which is the one edit an entry may receive.
 *
 * corpus-append-only.test.ts fails when a recorded entry changed or disappeared, and when an
 * entry is not recorded yet; `npx tsx bench/permalink-corpus-manifest.ts` records the new ones,
 * and refuses to touch a recorded entry. Pure functions: the test and the script read the files.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { CorpusEntry, CorpusFile } from "./entry.ts";

export interface ManifestEntry {
  readonly id: number;
  readonly sha256: string;
}

/** Corpus file name ("v1.json") → its recorded entries, in id order. */
export type Manifest = Record<string, readonly ManifestEntry[]>;

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The hash the manifest records for an entry (endHashes excluded: see the file comment). */
export function entryDigest(entry: Pick<CorpusEntry, "id" | "about" | "link" | "decodesTo">): string {
  const { id, about, link, decodesTo } = entry;
  return bytesToHex(sha256(utf8ToBytes(canonicalJson({ id, about, link, decodesTo }))));
}

export interface ManifestCheck {
  /** Recorded entries whose content changed, or that are gone (with their file). */
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  /** Entries not recorded yet: appended since the manifest was last updated. */
  readonly unrecorded: readonly string[];
}

/** Compares the corpus with the manifest. */
export function checkManifest(files: Record<string, CorpusFile>, manifest: Manifest): ManifestCheck {
  const changed: string[] = [];
  const missing: string[] = [];
  const unrecorded: string[] = [];
  for (const [name, recorded] of Object.entries(manifest)) {
    const entries = files[name]?.entries ?? [];
    for (const r of recorded) {
      const e = entries.find((x) => x.id === r.id);
      if (!e) missing.push(`${name} #${r.id}`);
      else if (entryDigest(e) !== r.sha256) changed.push(`${name} #${r.id}`);
    }
  }
  for (const [name, file] of Object.entries(files)) {
    const recorded = new Set((manifest[name] ?? []).map((r) => r.id));
    for (const e of file.entries) if (!recorded.has(e.id)) unrecorded.push(`${name} #${e.id}`);
  }
  return { changed, missing, unrecorded };
}

/**
 * The manifest with the unrecorded entries appended. Throws when a recorded entry changed or
 * disappeared: that is a broken promise, not something to record.
 */
export function appendToManifest(files: Record<string, CorpusFile>, manifest: Manifest): Manifest {
  const c = checkManifest(files, manifest);
  if (c.changed.length > 0 || c.missing.length > 0)
    throw new Error(
      `corpus entries are append-only; these changed or disappeared: ${[...c.changed, ...c.missing].join(", ")}`,
    );
  const out: Record<string, ManifestEntry[]> = {};
  for (const [name, recorded] of Object.entries(manifest)) out[name] = [...recorded];
  for (const [name, file] of Object.entries(files)) {
    const list = out[name] ?? [];
    const have = new Set(list.map((r) => r.id));
    for (const e of file.entries) if (!have.has(e.id)) list.push({ id: e.id, sha256: entryDigest(e) });
    out[name] = list;
  }
  return out;
}

/** The manifest file's text, as biome formats it: one entry per line, so a diff shows appended lines. */
export function formatManifest(m: Manifest): string {
  const files = Object.keys(m).sort();
  const body = files.map((name) => {
    const lines = (m[name] ?? []).map((r) => `    { "id": ${r.id}, "sha256": ${JSON.stringify(r.sha256)} }`);
    return `  ${JSON.stringify(name)}: [\n${lines.join(",\n")}\n  ]`;
  });
  return `{\n${body.join(",\n")}\n}\n`;
}
