#!/usr/bin/env node
/**
 * Keeps the one-way flow true: imports between rooms of src/ must point down the chain
 *
 *   ui → state → worker → scenario → hypervisor → engine → base
 *
 * with these side rooms: permalink (imports scenario and below, sweep's link spelling and the
 * exercise's draw of a link's seed; imported by state, ui, cli), compare (imports scenario and below; imported by worker, state, ui
 * as types, cli), exercise and sweep (a student's draw, answers from a run, parameter
 * sweeps; import scenario and below, sweep also exercise; imported by worker, state, cli), and cli
 * (imports anything but ui and state). base may be imported from anywhere.
 *
 * ui may import values only from state, ui and base; from the rooms below state it may import
 * types only (`import type`), and only from engine/trace.ts, worker/api.ts and compare's types.
 * Exceptions are listed below with their reason, like Perfetto's "technical debt" section,
 * instead of being hidden.
 *
 * The model's rooms (base, engine, hypervisor, scenario, compare, permalink) run in the worker, the
 * CLI and Node tests alike and must stay deterministic: they may import packages only from
 * PACKAGES below, each with its reason and, where part of a package is not fit, the names allowed
 * or refused. tsconfig.engine.json (no DOM or Node lib) catches DOM globals; this catches what a
 * package brings in, which the compiler cannot see.
 *
 * Tests (*.test.ts) and test-support may import anything. Prints each violation as file:line and
 * exits 1 if there is any, an exception that admits no import any more included (rot). With
 * --dot it also prints the room graph in Graphviz's dot language (`| dot -Tsvg`).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dirname, "..", "src");

/** Which rooms each room may import values from (itself and base are always allowed). */
const ALLOWED = {
  base: [],
  engine: [],
  hypervisor: ["engine"],
  scenario: ["hypervisor", "engine"],
  compare: ["scenario", "hypervisor", "engine"],
  exercise: ["scenario", "hypervisor", "engine"],
  sweep: ["scenario", "hypervisor", "engine", "exercise"],
  permalink: ["scenario", "hypervisor", "engine", "sweep", "exercise"],
  worker: ["scenario", "hypervisor", "engine", "compare", "permalink", "exercise", "sweep"],
  state: ["worker", "permalink", "scenario", "engine", "compare", "exercise", "sweep"],
  cli: ["scenario", "hypervisor", "engine", "compare", "permalink", "worker", "exercise", "sweep"],
  ui: ["state"],
};

/** Type-only imports ui may make from below state. */
const UI_TYPE_IMPORTS = [/^engine\/trace\.ts$/, /^worker\/api\.ts$/, /^compare\/[^/]+\.ts$/];

/** Known exceptions: [importing file, imported file, reason]. Keep this list short. */
const EXCEPTIONS = [
  [
    /^ui\/(editor|export)\//,
    /^scenario\/(schema|exercise-schema|choices|compile)\.ts$/,
    "the editor and the import dialog validate with the very schema and checks the engine uses, and offer its lists",
  ],
  [
    /^ui\/share\//,
    /^permalink\/index\.ts$/,
    "the share UI shows what a link carries (its key counters, embed options), defined by the link format",
  ],
];

/** Rooms whose package imports are limited to PACKAGES. */
const MODEL_ROOMS = new Set([
  "base",
  "engine",
  "hypervisor",
  "scenario",
  "compare",
  "permalink",
  "exercise",
  "sweep",
]);

/**
 * Packages the model's rooms may import: [specifier, reason, {names?, refuse?}]. `names`: only
 * these named imports (no namespace or default import); `refuse`: any import but these names.
 * Checked against what each package really imports (none has dependencies; none touches the
 * DOM outside the parts refused here).
 */
const PACKAGES = [
  [
    /^valibot$/,
    "schema validation: pure functions over plain objects, no dependencies, no globals; the scenario and link schemas must judge input the same in the worker, the CLI and the editor",
    {},
  ],
  [
    /^pure-rand\/(generator|distribution)\/[A-Za-z0-9]+$/,
    "seeded PRNG (generators and distributions only): pure functions of the seed, no dependencies; runs are replayed from their seed, so nothing may use Math.random",
    {},
  ],
  [
    /^@noble\/hashes\/(sha2|utils)\.js$/,
    "SHA-256 and byte helpers in plain TypeScript, no dependencies, for trace and link hashes; randomBytes() reads globalThis.crypto and is not deterministic, so it is refused",
    { refuse: ["randomBytes"] },
  ],
  [
    /^fflate$/,
    "deflate for links, synchronous API only: fflate's callback and Async* functions start Web Workers (its browser build uses Worker, Blob and URL.createObjectURL; its Node build worker_threads)",
    {
      names: [
        "deflateSync",
        "inflateSync",
        "Deflate",
        "Inflate",
        "strToU8",
        "strFromU8",
        "unzlibSync",
        "zlibSync",
      ],
    },
  ],
];

/** Imported names of an import clause: null for a namespace or default import (all names). */
function importedNames(clause) {
  const c = clause.replace(/^type\s+/, "").trim();
  const braces = /^\{([^}]*)\}$/.exec(c);
  if (!braces) return null;
  return braces[1]
    .split(",")
    .map((n) =>
      n
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)[0]
        .trim(),
    )
    .filter(Boolean);
}

/** Why a package import from a model room is refused, or null if the allowlist admits it. */
function packageViolation(spec, clause) {
  const entry = PACKAGES.find(([re]) => re.test(spec));
  if (!entry) return "not on the model's package allowlist (PACKAGES in tools/check-imports.mjs)";
  const [, , { names, refuse }] = entry;
  const got = clause === null ? null : importedNames(clause);
  if (names) {
    if (got === null)
      return `a namespace, default or dynamic import; only named imports of ${names.join(", ")}`;
    const bad = got.filter((n) => !names.includes(n));
    if (bad.length > 0) return `${bad.join(", ")} not allowed; only ${names.join(", ")}`;
  }
  if (refuse) {
    if (got === null)
      return `a namespace, default or dynamic import; import by name (${refuse.join(", ")} refused)`;
    const bad = got.filter((n) => refuse.includes(n));
    if (bad.length > 0) return `${bad.join(", ")} refused`;
  }
  return null;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*["']([^"']+)["']/gm;
/** Imports without a clause: `import "x"` (side effects) and `import("x")` (dynamic). */
const BARE_IMPORT_RE = /^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

const violations = [];
/** How many imports each exception admitted (an unused one is rot: reported). */
const exceptionUses = EXCEPTIONS.map(() => 0);
/** Imports between rooms, "from→to" → count (for --dot). */
const edges = new Map();
for (const file of walk(SRC)) {
  const rel = relative(SRC, file).split("\\").join("/");
  if (/\.test\.tsx?$/.test(rel) || rel.includes("/test-support/")) continue;
  const room = rel.split("/")[0];
  const allowed = ALLOWED[room];
  if (!allowed) continue;
  const text = readFileSync(file, "utf8");
  const lineOf = (index) => text.slice(0, index).split("\n").length;
  if (MODEL_ROOMS.has(room)) {
    const packageImports = [
      ...[...text.matchAll(IMPORT_RE)].map((m) => [m[4], m[3], m.index]),
      ...[...text.matchAll(BARE_IMPORT_RE)].map((m) => [m[1] ?? m[2], null, m.index]),
    ];
    for (const [spec, clause, index] of packageImports) {
      if (spec.startsWith(".")) continue;
      const why = packageViolation(spec, clause);
      if (why) violations.push(`src/${rel}:${lineOf(index)}: ${room}/ imports '${spec}': ${why}`);
    }
  }
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[4];
    if (!spec.startsWith(".")) continue;
    const target = relative(SRC, resolve(dirname(file), spec))
      .split("\\")
      .join("/");
    if (target.startsWith("..")) continue;
    const targetRoom = target.split("/")[0];
    if (targetRoom === room || targetRoom === "base") continue;
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+[^,}]+\s*,?\s*)+\}$/.test(m[3].trim());
    const line = lineOf(m.index);
    edges.set(`${room}→${targetRoom}`, (edges.get(`${room}→${targetRoom}`) ?? 0) + 1);
    let why = null;
    if (room === "ui") {
      if (!allowed.includes(targetRoom) && !(typeOnly && UI_TYPE_IMPORTS.some((re) => re.test(target)))) {
        const what = typeOnly ? "types from" : "values from";
        why = `ui imports ${what} ${target}; ui may only import types from engine/trace.ts, worker/api.ts or compare/, and values from state/`;
      }
    } else if (!allowed.includes(targetRoom)) {
      why = `${room}/ must not import ${targetRoom}/ (${target}); imports point down: ui → state → worker → scenario → hypervisor → engine → base`;
    }
    if (why === null) continue;
    // An exception counts as used only where it admits an import the rules would refuse.
    const exception = EXCEPTIONS.findIndex(([from, to]) => from.test(rel) && to.test(target));
    if (exception >= 0) {
      exceptionUses[exception]++;
      continue;
    }
    violations.push(`src/${rel}:${line}: ${why}`);
  }
}

EXCEPTIONS.forEach(([from, to, reason], i) => {
  if (exceptionUses[i] === 0)
    violations.push(
      `tools/check-imports.mjs: the exception ${from} → ${to} ("${reason}") admits no import any more: remove it`,
    );
});

if (process.argv.includes("--dot")) {
  // The room graph as Graphviz: one edge per importing room and imported room, with the count.
  const lines = ["digraph rooms {", "  rankdir=TB;"];
  for (const [edge, n] of [...edges].sort()) {
    const [a, b] = edge.split("→");
    lines.push(`  "${a}" -> "${b}" [label="${n}"];`);
  }
  lines.push("}");
  console.log(lines.join("\n"));
}

if (violations.length > 0) {
  console.error(violations.join("\n"));
  console.error(`check-imports: ${violations.length} layering violation(s) or unused exception(s)`);
  process.exit(1);
}
console.log("check-imports: the imports follow the one-way flow");
