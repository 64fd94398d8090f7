#!/usr/bin/env node
/**
 * Keeps the one-way flow true: imports between rooms of src/ must point down the chain
 *
 *   ui → state → worker → scenario → hypervisor → engine → base
 *
 * with these side rooms: permalink (imports scenario and below; imported by state, ui, cli),
 * compare (imports scenario and below; imported by worker, state, ui as types, cli), and cli
 * (imports anything but ui and state). base may be imported from anywhere.
 *
 * ui may import values only from state, ui and base; from the rooms below state it may import
 * types only (`import type`), and only from engine/trace.ts, worker/api.ts and compare's types.
 * Exceptions are listed below with their reason, like Perfetto's "technical debt" section,
 * instead of being hidden.
 *
 * Tests (*.test.ts) and test-support may import anything. Prints each violation as file:line and
 * exits 1 if there is any.
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
  permalink: ["scenario", "hypervisor", "engine"],
  worker: ["scenario", "hypervisor", "engine", "compare", "permalink"],
  state: ["worker", "permalink", "scenario", "engine", "compare"],
  cli: ["scenario", "hypervisor", "engine", "compare", "permalink", "worker"],
  ui: ["state"],
};

/** Type-only imports ui may make from below state. */
const UI_TYPE_IMPORTS = [/^engine\/trace\.ts$/, /^worker\/api\.ts$/, /^compare\/[^/]+\.ts$/];

/** Known exceptions: [importing file, imported file, reason]. Keep this list short. */
const EXCEPTIONS = [
  [
    /^ui\/(editor|export)\//,
    /^scenario\/(schema|compile)\.ts$/,
    "the editor and the import dialog validate with the very schema and checks the engine uses (issue 6)",
  ],
  [
    /^ui\/share\//,
    /^permalink\/index\.ts$/,
    "the share UI shows what a link carries (its key counters, embed options), defined by the link format",
  ],
  [/^ui\//, /^scenario\/presets\//, "the gallery lists preset metadata; presets are data, not behaviour"],
  [
    /^ui\/main\.tsx$/,
    /^worker\/client\.ts$/,
    "the entry point wires the worker into the store (composition root)",
  ],
];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*["']([^"']+)["']/gm;

const violations = [];
for (const file of walk(SRC)) {
  const rel = relative(SRC, file).split("\\").join("/");
  if (/\.test\.tsx?$/.test(rel) || rel.includes("/test-support/")) continue;
  const room = rel.split("/")[0];
  const allowed = ALLOWED[room];
  if (!allowed) continue;
  const text = readFileSync(file, "utf8");
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
    const line = text.slice(0, m.index).split("\n").length;
    if (EXCEPTIONS.some(([from, to]) => from.test(rel) && to.test(target))) continue;
    if (room === "ui") {
      if (allowed.includes(targetRoom)) continue;
      if (typeOnly && UI_TYPE_IMPORTS.some((re) => re.test(target))) continue;
      const what = typeOnly ? "types from" : "values from";
      violations.push(
        `src/${rel}:${line}: ui imports ${what} ${target}; ui may only import types from engine/trace.ts, worker/api.ts or compare/, and values from state/`,
      );
      continue;
    }
    if (!allowed.includes(targetRoom)) {
      violations.push(
        `src/${rel}:${line}: ${room}/ must not import ${targetRoom}/ (${target}); imports point down: ui → state → worker → scenario → hypervisor → engine → base`,
      );
    }
  }
}

if (violations.length > 0) {
  console.error(violations.join("\n"));
  console.error(`check-imports: ${violations.length} layering violation(s)`);
  process.exit(1);
}
console.log("check-imports: the imports follow the one-way flow");
