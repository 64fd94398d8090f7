/**
 * Records newly appended corpus entries in src/permalink/corpus/manifest.json:
 *
 *   npx tsx bench/permalink-corpus-manifest.ts          # append the new entries' hashes
 *   npx tsx bench/permalink-corpus-manifest.ts --check  # only report; exit 1 if out of date
 *
 * It never rewrites a recorded entry: if one changed or disappeared it says which and exits 1
 * (corpus entries are append-only, src/permalink/CHANGELOG.md).
 */
import { writeFileSync } from "node:fs";
import {
  appendToManifest,
  checkManifest,
  formatManifest,
  MANIFEST_FILE,
  readCorpusFiles,
  readManifest,
} from "../src/permalink/corpus/manifest.ts";

const files = readCorpusFiles();
const manifest = readManifest();
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
  writeFileSync(MANIFEST_FILE, formatManifest(appendToManifest(files, manifest)));
  console.log(c.unrecorded.length > 0 ? `recorded ${c.unrecorded.join(", ")}` : "nothing new to record");
}
