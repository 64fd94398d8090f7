/**
 * Permalinks: versioned URL fragments that carry a scenario, the view, and what the run should
 * produce. Read CHANGELOG.md for the history of the format and schema.ts for its parameters.
 *
 *   decodeLink(fragment)  → { ok, state } or { ok: false, error, fallback }   (never throws)
 *   encodeLink(state)     → "v=1&preset=…"
 *   scenarioRefFor / resolveScenario   a scenario ↔ its link spelling
 *   checkOf / verifyCheck              the self-check against a re-simulated trace
 */
export { type CheckReport, checkOf, verifyCheck } from "./check.ts";
export { type DecodeErrorKind, type DecodeResult, decodeLink, defaultLinkState } from "./decode.ts";
export { encodeLink } from "./encode.ts";
export {
  type EndState,
  endHash,
  endStateOf,
  KEY_COUNTER_LABELS,
  KEY_COUNTERS,
  type Outcome,
} from "./end-state.ts";
export { jsonEqual, toJson } from "./merge-patch.ts";
export { resolveScenario, scenarioRefFor } from "./scenario-ref.ts";
export {
  isOrigin,
  LINK_VERSION,
  type LinkCheck,
  type LinkEmbed,
  type LinkSection,
  type LinkSelection,
  type LinkState,
  MAX_EMBED_ORIGINS,
  type ScenarioRef,
} from "./schema.ts";
