/**
 * The state layer and the views stay readable in pieces: no function in src/state is longer than
 * LIMIT lines and no view component longer than COMPONENT_LIMIT, measured by
 * tools/function-sizes.mjs with the TypeScript compiler (a store's factory counts every closure
 * written inside it: split it into slices or a class's methods instead).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const LIMIT = 120;

interface Measured {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly lines: number;
}

function measured(dir: string): Measured[] {
  const out = execFileSync(process.execPath, [join(ROOT, "tools", "function-sizes.mjs"), dir, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out) as Measured[];
}

test("the tool measures each function from its first line to its last, by the name it is given", () => {
  const dir = mkdtempSync(join(tmpdir(), "function-sizes-"));
  try {
    const body = Array.from({ length: 7 }, (_, i) => `  const a${i} = ${i};`).join("\n");
    writeFileSync(
      join(dir, "sample.ts"),
      [
        "export function seven(): void {", // line 1
        body.split("\n").slice(0, 5).join("\n"),
        "}", // line 7
        "export const arrow = (x: number) => {", // line 8
        "  return x;",
        "};", // line 10
        "class C {",
        "  method() {", // line 12
        "    return 1;",
        "  }",
        "}",
      ].join("\n"),
    );
    writeFileSync(join(dir, "sample.test.ts"), "export function left(): void {}\n");
    const found = measured(dir).map((f) => [f.name, f.line, f.lines]);
    expect(found).toEqual([
      ["seven", 1, 7],
      ["arrow", 8, 3],
      ["method", 12, 3],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`no function in src/state is longer than ${LIMIT} lines`, () => {
  const found = measured("src/state");
  expect(found.length).toBeGreaterThan(50);
  const over = found.filter((f) => f.lines > LIMIT).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines})`);
  expect(over, "functions over the limit").toEqual([]);
});

/** A view component: a function in a .tsx file under src/ui whose name is capitalized. */
const COMPONENT_LIMIT = 200;

test(`no view component in src/ui is longer than ${COMPONENT_LIMIT} lines`, () => {
  const components = measured("src/ui").filter((f) => f.file.endsWith(".tsx") && /^[A-Z]/.test(f.name));
  expect(components.length).toBeGreaterThan(100);
  const over = components
    .filter((f) => f.lines > COMPONENT_LIMIT)
    .map((f) => `${f.file}:${f.line} ${f.name} (${f.lines})`);
  expect(over, "components over the limit").toEqual([]);
});
