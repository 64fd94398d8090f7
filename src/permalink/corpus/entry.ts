/**
 * Corpus entries: a stored link, what it decodes to, and the end-state hash its scenario produced
 * under each engine semantics version. Node-side only (it runs the engine); the corpus test and
 * bench/permalink-corpus-entry.ts use it.
 */

import { COUNTERS } from "../../engine/proc/status.ts";
import { ENGINE_SEMANTICS_VERSION } from "../../engine/version.ts";
import { drawScenario } from "../../exercise/draw.ts";
import { runScenario } from "../../scenario/compile.ts";
import { decodeLink } from "../decode.ts";
import { endHash, endStateOf } from "../end-state.ts";
import { resolveScenario } from "../scenario-ref.ts";
import type { LinkState } from "../schema.ts";

export interface CorpusEntry {
  /** 1, 2, 3, … in each file, without gaps: entries are only ever appended. */
  readonly id: number;
  /** Why this link is in the corpus. */
  readonly about: string;
  readonly link: string;
  readonly decodesTo: LinkState;
  /** endHash() of the run, by ENGINE_SEMANTICS_VERSION ("1": "3f9c…"). Keys are only ever added. */
  readonly endHashes: Readonly<Record<string, string>>;
}

export interface CorpusFile {
  /** The link format version of every entry. */
  readonly version: number;
  readonly entries: readonly CorpusEntry[];
}

export const COUNTER_KEYS: readonly string[] = COUNTERS.map((c) => c.key);

/**
 * Additive parameters (CHANGELOG.md) and the value a link without them decodes to. An entry
 * stored before one existed has no key for it and means this default; entries are never edited.
 */
export const ADDITIVE_DEFAULTS: Readonly<Partial<LinkState>> = {
  viewStart: null,
  section: null,
  balloonHighlight: false,
  compareScenario: null,
  compareStep: null,
  compareCheck: null,
};

/** What an entry's `decodesTo` means today: the stored state plus the later additive defaults. */
export function decodesToNow(entry: CorpusEntry): LinkState {
  return { ...ADDITIVE_DEFAULTS, ...entry.decodesTo } as LinkState;
}

/**
 * The scenario JSON a decoded link runs: its scenario, drawn for the link's seed when it has one
 * (a student's problem, src/exercise/draw.ts).
 */
export function runnableScenario(state: LinkState): unknown {
  const scenario = resolveScenario(state.scenario);
  if (state.seed === undefined) return scenario;
  const drawn = drawScenario(scenario, state.seed);
  if (!drawn.ok) throw new Error(`the seed draws no problem: ${JSON.stringify(drawn.issues)}`);
  return drawn.scenario;
}

/** Re-simulates a decoded link: its end-state hash under the current engine. */
export function simulatedEndHash(state: LinkState): string {
  const scenario = runnableScenario(state);
  const r = runScenario(scenario, state.kernel ? { kernel: state.kernel } : {});
  if (!r.ok) throw new Error(`the scenario does not run: ${JSON.stringify(r.issues)}`);
  return endHash(endStateOf(r.run.trace, COUNTER_KEYS, r.run.outcome));
}

/** A new entry for `link` (for appending to a corpus file). */
export function corpusEntry(id: number, about: string, link: string): CorpusEntry {
  const r = decodeLink(link);
  if (!r.ok) throw new Error(`the link does not decode: ${r.error}`);
  return {
    id,
    about,
    link,
    decodesTo: r.state,
    endHashes: { [ENGINE_SEMANTICS_VERSION]: simulatedEndHash(r.state) },
  };
}
