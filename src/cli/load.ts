/**
 * Turning the command line's <preset-id | scenario.json> into scenario JSON: a preset id names a
 * shipped preset (scenario/presets); anything that looks like a path (has a slash or ends in
 * .json), or is not a preset id but exists as a file, is read as a scenario file. Validation
 * against the schema happens when the scenario runs (scenario/compile.ts), so that one place
 * reports every problem with its path.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { PRESETS, type Preset, presetById } from "../scenario/presets/index.ts";
import { UsageError } from "./errors.ts";
import { jsonErrorOffset, lineColumn } from "./json-error.ts";

export interface LoadedScenario {
  /** The preset id, or the scenario file's name (for the report). */
  readonly name: string;
  /** Unvalidated scenario JSON. */
  readonly input: unknown;
  /** Set when `name` is a preset. */
  readonly preset: Preset | null;
}

function looksLikePath(arg: string): boolean {
  return arg.includes("/") || arg.includes("\\") || arg.toLowerCase().endsWith(".json");
}

/** Loads a preset or a scenario file; throws UsageError with a message for a person. */
export function loadScenarioArg(arg: string): LoadedScenario {
  const preset = presetById(arg);
  if (preset && !looksLikePath(arg)) return { name: preset.id, input: preset.scenario, preset };
  if (!looksLikePath(arg) && !existsSync(arg)) {
    throw new UsageError(
      `unknown preset "${arg}"; known presets: ${PRESETS.map((p) => p.id).join(", ")} (or give a scenario .json file)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(arg, "utf8");
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UsageError(`cannot read scenario file "${arg}": ${why}`);
  }
  return { name: basename(arg), input: parseJsonText(text, arg), preset: null };
}

/** JSON.parse; a syntax error becomes a UsageError that says where ("line 4, column 50"). */
export function parseJsonText(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const where = at >= 0 ? ` at ${lineColumn(text, at)}` : "";
    const found = at >= text.length ? "the text ends too early" : `unexpected ${JSON.stringify(text[at])}`;
    const why = at >= 0 ? found : e instanceof Error ? e.message.replace(/\s+/g, " ") : String(e);
    throw new UsageError(`scenario file "${fileName}" is not valid JSON${where}: ${why}`);
  }
}
