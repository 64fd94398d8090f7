/**
 * Records newly appended corpus entries in src/permalink/corpus/manifest.json:
 *
 *   npx tsx bench/permalink-corpus-manifest.ts          # append the new entries' hashes
 *   npx tsx bench/permalink-corpus-manifest.ts --check  # only report; exit 1 if out of date
 *
 * It never rewrites a recorded entry: if one changed or disappeared it says which and exits 1
 * (corpus entries are append-only, src/permalink/CHANGELOG.md).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { CorpusFile } from "../src/permalink/corpus/entry.ts";
import {
  appendToManifest,
  checkManifest,
  formatManifest,
  type Manifest,
} from "../src/permalink/corpus/manifest.ts";

const dir = new URL("../src/permalink/corpus/", import.meta.url);
const manifestFile = new URL("manifest.json", dir);
const files: Record<string, CorpusFile> = {};
for (const name of readdirSync(dir).filter((f) => /^v\d+\.json$/.test(f)))
  files[name] = JSON.parse(readFileSync(new URL(name, dir), "utf8")) as CorpusFile;
const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
const c = checkManifest(files, manifest);
if (c.changed.length > 0 || c.missing.length > 0) {
  console.error(
    `corpus entries are append-only; these changed or disappeared: ${[...c.changed, ...c.missing].join(", ")}`,
  );
  process.exit(1);
}
if (process.argv.includes("--check")) {
  if (c.unrecorded.length > 0) {
    console.error(`not recorded yet: ${c.unrecorded.join(", ")}`);
    process.exit(1);
  }
  console.log("the manifest records every corpus entry");
} else {
  writeFileSync(manifestFile, formatManifest(appendToManifest(files, manifest)));
  console.log(c.unrecorded.length > 0 ? `recorded ${c.unrecorded.join(", ")}` : "nothing new to record");
}
