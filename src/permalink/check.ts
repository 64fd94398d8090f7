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
  /** 1-based action where the results first differ (a step at action granularity); null if unknown or none. */
  readonly step: number | null;
  /** The link's end values (null if it carried none, or values its own hash disowns) and this run's. */
  readonly expected: EndState | null;
  readonly current: EndState;
  /** One plain sentence (or two) for a banner; "" when everything matches. */
  readonly message: string;
  /**
   * When the result matches but the link's check was damaged (its hash altered): what was wrong
   * and what was ignored, for a note; "" otherwise.
   */
  readonly note: string;
}

/**
 * Compares a link's expectations with a run. What each part can tell:
 *
 *   h   the end state (outcome, four counters per mm), hashed
 *   x   the same end values in clear; a link made by the app has endHash(x) = h
 *   ha  a hash of the counters after each action
 *
 * An action hash that differs says where the results part ("from action K"). When every action
 * matches but h does not, either the outcome changed (x says so, if it agrees with h) or h itself
 * was altered: x and the action hashes matching the run while h matches neither is a damaged link,
 * not a changed model, and the run is taken as matching with a note. Only a difference the link
 * substantiates (an action hash, or self-consistent end values) is called a model change, and, under
 * the same engine version, a bug to report.
 */
export function verifyCheck(
  check: LinkCheck,
  t: TraceCounters,
  counterKeys: readonly string[],
  outcome: Outcome,
): CheckReport {
  const now = checkOf(t, counterKeys, outcome);
  const current = endStateOf(t, counterKeys, outcome);
  const values = check.values ? parseEndValues(check.values) : null;
  // x and h made together agree; an edited link may break that.
  const consistent = values ? endHash(values) === check.end : null;
  const base = {
    linkEngine: check.engine,
    engine: ENGINE_SEMANTICS_VERSION,
    expected: consistent === false ? null : values,
    current,
    note: "",
  };
  const actionDiff = check.actions ? firstDifferingAction(check.actions, now.actions) : null;
  const actionsMatch = check.actions !== "" && actionDiff === null;
  if (check.end === now.end && actionDiff === null)
    return { ...base, matches: true, step: null, message: "" };
  if (values && consistent === false && endHash(values) === now.end && (actionsMatch || !check.actions)) {
    return {
      ...base,
      expected: values,
      matches: true,
      step: null,
      message: "",
      note: `This link's end-state hash h=${check.end} was altered: it does not match the end values the link carries (x=)${actionsMatch ? " or its action hashes (ha=)" : ""}, which match this run. The hash was ignored.`,
    };
  }
  let where: string;
  let step: number | null = null;
  let substantiated = true;
  if (actionDiff !== null) {
    step = actionDiff + 1;
    const label = t.actions[actionDiff]?.label;
    where = `the result now differs from action ${step}${label ? ` (${label})` : ""}`;
  } else if (actionsMatch) {
    if (base.expected && base.expected.outcome !== outcome) {
      step = t.actions.length;
      where = `the counters match at every action, but the run now ends "${outcome}" where the link expected "${base.expected.outcome}"`;
    } else {
      substantiated = false;
      where = `every action's counters match the link (ha=), but its end-state hash h=${check.end} matches nothing: the hash was probably altered (edited or cut short)`;
    }
  } else {
    substantiated = consistent !== false;
    where =
      consistent === false
        ? `the result differs at the end, and the link's end values (x=) do not match its own hash (h=): the link was altered`
        : "the result now differs at the end";
  }
  const why =
    check.engine === ENGINE_SEMANTICS_VERSION
      ? substantiated
        ? ` This app's engine is also version ${check.engine}, so the model or the preset changed without a version bump; please report it.`
        : ""
      : ` This app runs engine version ${ENGINE_SEMANTICS_VERSION}.`;
  return {
    ...base,
    matches: false,
    step,
    message: `This link was made with engine version ${check.engine}; ${where}.${why}`,
  };
}
