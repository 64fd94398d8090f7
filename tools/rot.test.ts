/**
 * Small rot that nothing else catches, over the repository's tracked sources (src, tools, e2e,
 * bench, scripts):
 *
 * - the sizes are src/base/units.ts's: no file but that one declares its own PAGE, KiB, MiB, GiB
 *   or TiB (a second `const PAGE = 4096` is how two files come to disagree);
 * - comments say what the code does, not which issue asked for it: no "issue N";
 * - a test file that replaces a module (vi.mock) is listed in vite.config.ts's MOCKS_MODULES, so
 *   it runs isolated: the other unit files share one module graph per worker, where a mock would
 *   replace nothing.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const ROOMS = ["src", "tools", "e2e", "bench", "scripts"];
const SOURCE = /\.(ts|tsx|mts|mjs|js|css|c)$/;

/** Tracked files (git ls-files); without git, every file under the rooms but node_modules and build output. */
function sources(): string[] {
  try {
    return execFileSync("git", ["ls-files", "--", ...ROOMS], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter((f) => SOURCE.test(f));
  } catch {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (name === "node_modules" || name === "build" || name.startsWith(".")) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (SOURCE.test(name)) out.push(relative(ROOT, p));
      }
    };
    for (const room of ROOMS) walk(join(ROOT, room));
    return out;
  }
}

function offending(pattern: RegExp, except: (file: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const f of sources()) {
    if (except(f)) continue;
    let text: string;
    try {
      text = readFileSync(join(ROOT, f), "utf8");
    } catch {
      continue; // listed by git but deleted in the working tree
    }
    text.split("\n").forEach((line, i) => {
      if (pattern.test(line)) out.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  return out;
}

test("page and size constants are declared once, in src/base/units.ts", () => {
  expect(
    offending(/^\s*(export\s+)?const\s+(PAGE|KiB|MiB|GiB|TiB)\s*=/, (f) => f === "src/base/units.ts"),
    "import PAGE_SIZE, KiB, MiB, GiB, TiB from src/base/units.ts",
  ).toEqual([]);
});

test('no "issue N" references in the sources', () => {
  expect(
    offending(/\bissues? \d+/i, (f) => f === "tools/rot.test.ts"),
    "say what the code does instead",
  ).toEqual([]);
});

test("every test file that mocks a module runs isolated (vite.config.ts MOCKS_MODULES)", () => {
  const config = readFileSync(join(ROOT, "vite.config.ts"), "utf8");
  const listed = /const MOCKS_MODULES = \[([^\]]*)\]/.exec(config);
  expect(listed, "vite.config.ts declares MOCKS_MODULES").not.toBeNull();
  const isolated = [...listed![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const mocking = [
    ...new Set(offending(/\bvi\.(mock|doMock)\(/).map((hit) => hit.slice(0, hit.indexOf(":")))),
  ].filter((f) => f.endsWith(".test.ts"));
  expect(mocking.length).toBeGreaterThan(0);
  expect(mocking.sort()).toEqual([...isolated].sort());
});
