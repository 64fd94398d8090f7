/**
 * Replays recorded probe output (fixtures/<host>/, written by `npm run kernel-check -- --record
 * <dir>`) in place of the probe: check.ts main() then measures that host's policy and compares its
 * scripts exactly as it does on the running kernel. Tests use it to check the model under hosts
 * this machine is not.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ProbeRecord } from "./run-probe.mjs";

/** A runProbe() that answers from `dir`/policy/<name>.jsonl and `dir`/scripts/<name>.jsonl. */
export function replayProbe(
  dir: string,
): (script: string) => Promise<{ skip: string } | { records: ProbeRecord[] }> {
  return async (script) => {
    const sub = path.basename(path.dirname(script)) === "policy" ? "policy" : "scripts";
    const file = path.join(dir, sub, path.basename(script).replace(/\.ops$/, ".jsonl"));
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      throw new Error(`no recording of ${path.basename(script)} in ${dir}`);
    }
    const lines = text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as ProbeRecord | { skip: string });
    const first = lines[0];
    if (first && "skip" in first) return { skip: first.skip };
    return { records: lines as ProbeRecord[] };
  };
}

/** The script names a recording holds (scripts/*.jsonl → "<name>.ops"). */
export async function recordedScripts(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, "scripts")))
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => f.replace(/\.jsonl$/, ".ops"));
}
