/**
 * Reading the initial state from the URL fragment, once, when the store is created. Links of every
 * version are read by src/permalink (decodeLink: upgraded, validated, never throwing); a broken link
 * gives the default scenario here, and link-sync.ts shows why.
 *
 *   #v=1&preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120&sel=0.12
 *   #preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120      (version 0, still read)
 */
import { type DecodeResult, decodeLink, type LinkState, resolveScenario } from "../permalink/index.ts";
import type { InitialState } from "./store.ts";

/** The store's initial state for a decoded link state (its fallback, for a broken link). */
export function initialStateOf(state: LinkState): InitialState {
  const out: { -readonly [K in keyof InitialState]: InitialState[K] } = {};
  const sc = state.scenario;
  if (sc.kind === "preset" && !sc.overrides) out.presetId = sc.id;
  else out.scenario = resolveScenario(sc);
  if (state.kernel) out.kernel = state.kernel;
  out.granularity = state.granularity;
  if (state.step !== null) out.position = state.step;
  if (state.selection) out.selection = { mm: state.selection.mm, table: state.selection.table };
  if (state.seed !== undefined) out.seed = state.seed;
  return out;
}

/** The state to start from for this fragment: the link's, or the default if it is broken. */
export function linkResultState(r: DecodeResult): LinkState {
  return r.ok ? r.state : r.fallback;
}

export function readUrlState(hash: string): InitialState {
  return initialStateOf(linkResultState(decodeLink(hash)));
}
