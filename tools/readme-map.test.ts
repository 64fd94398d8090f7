/**
 * README.md's "Where a change goes" table names real paths: every path in it (each `code` span
 * that holds a slash or a file name) exists in the repository, so a room moved or renamed without
 * the table fails here. Every row names at least one path where the change goes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "..");

/** The table's rows as [change, goes in, checked by] cells. */
function tableRows(readme: string): string[][] {
  const start = readme.indexOf("## Where a change goes");
  expect(start, 'README.md has a "Where a change goes" section').toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  return section
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) =>
      l
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
}

/** The paths in a cell: code spans that look like repository paths (`src/…`, `tools/x.ts`). */
function pathsIn(cell: string): string[] {
  return [...cell.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1]!)
    .filter((p) => p.includes("/") && !p.startsWith("npm") && /^[\w.-]+(\/[\w.-]*)*$/.test(p));
}

test("every path in README.md's 'Where a change goes' table exists", () => {
  const rows = tableRows(readFileSync(join(ROOT, "README.md"), "utf8"));
  expect(rows.length).toBeGreaterThanOrEqual(15);
  const missing: string[] = [];
  let paths = 0;
  for (const row of rows) {
    expect(row, `a row of three cells: ${row.join(" | ")}`).toHaveLength(3);
    expect(pathsIn(row[1]!), `the row "${row[0]}" names where the change goes`).not.toHaveLength(0);
    for (const cell of row.slice(1))
      for (const p of pathsIn(cell)) {
        paths++;
        if (!existsSync(join(ROOT, p))) missing.push(`${row[0]}: ${p}`);
      }
  }
  expect(missing).toEqual([]);
  expect(paths).toBeGreaterThanOrEqual(40);
});
