/**
 * Prints a corpus entry for a link, ready to append to src/permalink/corpus/v<N>.json:
 *
 *   npx tsx bench/permalink-corpus-entry.ts <id> "<why it is in the corpus>" "#v=1&preset=…"
 *
 * Entries are appended, never edited (src/permalink/CHANGELOG.md).
 */
import { corpusEntry } from "../src/permalink/corpus/entry.ts";

const [id, about, link] = process.argv.slice(2);
if (!id || !about || link === undefined) {
  console.error('usage: npx tsx bench/permalink-corpus-entry.ts <id> "<about>" "<link>"');
  process.exit(2);
}
console.log(JSON.stringify(corpusEntry(Number(id), about, link), null, 2));
