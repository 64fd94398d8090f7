#!/usr/bin/env node
/**
 * The largest functions, measured with the TypeScript compiler: every function declaration,
 * method, accessor, constructor, function expression and arrow function, from its first line to
 * its last (a function's lines include the functions written inside it). Test files are left out.
 *
 *   node tools/function-sizes.mjs [dir or file ...] [--top N] [--json]
 *
 * Without paths it measures src/. Prints the N largest (10 unless told) as `lines  file:line  name`;
 * with --json it prints every function as JSON instead, largest first (tools/function-sizes.test.ts
 * reads that to hold src/state's limit).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts)$/;
const TEST = /\.test\.tsx?$|\.d\.ts$/;

function files(path) {
  if (statSync(path).isFile()) return SOURCE.test(path) && !TEST.test(path) ? [path] : [];
  const out = [];
  for (const name of readdirSync(path).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    out.push(...files(join(path, name)));
  }
  return out;
}

/** The name a reader would look for: the declaration's own, or the variable, property or call it is given to. */
function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(sf);
  }
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText(sf);
    return `(${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee} callback)`;
  }
  return "(anonymous)";
}

function isFunction(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** Every function of one file: { file, line, name, lines }. */
export function measure(path) {
  const text = readFileSync(path, "utf8");
  const kind = path.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const out = [];
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({
        file: relative(ROOT, path).split("\\").join("/"),
        line: first + 1,
        name: nameOf(node, sf),
        lines: last - first + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function main(argv) {
  const json = argv.includes("--json");
  const topAt = argv.indexOf("--top");
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 10;
  const paths = argv.filter((a, i) => !a.startsWith("--") && !(topAt >= 0 && i === topAt + 1));
  const all = (paths.length > 0 ? paths : ["src"])
    .flatMap((p) => files(resolve(ROOT, p)))
    .flatMap(measure)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
  if (json) {
    process.stdout.write(`${JSON.stringify(all)}\n`);
    return;
  }
  for (const f of all.slice(0, top)) {
    process.stdout.write(`${String(f.lines).padStart(5)}  ${`${f.file}:${f.line}`.padEnd(48)}  ${f.name}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
