/**
 * The self-check: after a link's scenario has been re-simulated, compare what the link expected
 * (its `e`, `h`, `ha` and `x`) with what the engine produced now, and say so plainly when they
 * differ. The app never swaps in the new result silently: it shows the message, the first step
 * that differs, and both sets of end values when the link has them.
 *
 * Why "step K" is an action: the link cannot carry the old counters of every event, and the app
 * cannot run the old engine, so each action's counters are hashed into 24 bits (`ha`). K is the
 * first action whose hash differs (CHANGELOG.md, version 1).
 */
import { ENGINE_SEMANTICS_VERSION } from "../engine/version.ts";
import {
  actionHashes,
  type EndState,
  endHash,
  endStateOf,
  firstDifferingAction,
  formatEndValues,
  type Outcome,
  parseEndValues,
  type TraceCounters,
} from "./end-state.ts";
import type { LinkCheck } from "./schema.ts";

/** The self-check a link made now would carry. */
export function checkOf(t: TraceCounters, counterKeys: readonly string[], outcome: Outcome): LinkCheck {
  const end = endStateOf(t, counterKeys, outcome);
  return {
    engine: ENGINE_SEMANTICS_VERSION,
    end: endHash(end),
    actions: actionHashes(t, counterKeys),
    values: formatEndValues(end),
  };
}

export interface CheckReport {
  readonly matches: boolean;
  /** The engine version the link was made with, and ours. */
  readonly linkEngine: number;
  readonly engine: number;
  /** 1-based step at action granularity where the results first differ; null if unknown or none. */
  readonly step: number | null;
  /** The link's end values (null if it carried none) and this run's. */
  readonly expected: EndState | null;
  readonly current: EndState;
  /** One plain sentence (or two) for a banner; "" when everything matches. */
  readonly message: string;
}

export function verifyCheck(
  check: LinkCheck,
  t: TraceCounters,
  counterKeys: readonly string[],
  outcome: Outcome,
): CheckReport {
  const now = checkOf(t, counterKeys, outcome);
  const current = endStateOf(t, counterKeys, outcome);
  const expected = check.values ? parseEndValues(check.values) : null;
  const base = { linkEngine: check.engine, engine: ENGINE_SEMANTICS_VERSION, expected, current };
  const actionDiff = check.actions ? firstDifferingAction(check.actions, now.actions) : null;
  if (check.end === now.end && actionDiff === null)
    return { ...base, matches: true, step: null, message: "" };
  // The end differs but every action matched (an outcome that changed, or no action hashes):
  // the last step is the first place we know differs.
  const step = actionDiff !== null ? actionDiff + 1 : check.actions ? t.actions.length : null;
  const where = step !== null ? `differs from step ${step}` : "differs at the end";
  const why =
    check.engine === ENGINE_SEMANTICS_VERSION
      ? ` This app's engine is also version ${check.engine}, so the model or the preset changed without a version bump; please report it.`
      : ` This app runs engine version ${ENGINE_SEMANTICS_VERSION}.`;
  return {
    ...base,
    matches: false,
    step,
    message: `This link was made with engine version ${check.engine}; the result now ${where}.${why}`,
  };
}
