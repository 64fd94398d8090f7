/** The editor's bar: auto-run, Run, Discard, the draft's status; and the list of its problems. */
import type { ScenarioIssue } from "../../worker/api.ts";
import { fieldId } from "./fields.tsx";
import { placeOf } from "./labels.ts";

interface EditorBarProps {
  readonly autoRun: boolean;
  readonly onAutoRun: (on: boolean) => void;
  readonly onRun: () => void;
  readonly canRun: boolean;
  readonly onDiscard: () => void;
  /** The draft is what the app shows (nothing to run or discard). */
  readonly upToDate: boolean;
  readonly loading: boolean;
  readonly issues: readonly ScenarioIssue[];
}

/** The draft in a word: its problems, valid (to run), computing, or shown. */
function draftStatus(issues: number, upToDate: boolean, loading: boolean): string {
  if (issues) return `${issues} problem${issues > 1 ? "s" : ""}`;
  if (!upToDate) return "valid";
  return loading ? "computing…" : "shown";
}

export function EditorBar(props: EditorBarProps) {
  const { issues } = props;
  return (
    <>
      <div className="zl-editor-bar">
        <label>
          <input
            type="checkbox"
            checked={props.autoRun}
            onChange={(e) => props.onAutoRun(e.target.checked)}
          />{" "}
          re-run as I type
        </label>
        <button type="button" onClick={props.onRun} disabled={!props.canRun}>
          Run this scenario
        </button>
        <button type="button" onClick={props.onDiscard} disabled={props.upToDate}>
          Discard changes
        </button>
        <output className={issues.length ? "zl-status zl-bad" : "zl-status"} aria-live="polite">
          {draftStatus(issues.length, props.upToDate, props.loading)}
        </output>
      </div>
      {issues.length > 0 && <IssueList issues={issues} />}
    </>
  );
}

/** Every problem, named by its place in the form's words; a click focuses its field. */
function IssueList({ issues }: { readonly issues: readonly ScenarioIssue[] }) {
  return (
    <ul className="zl-issue-list" data-testid="editor-issues">
      {issues.map((i) => (
        <li key={`${i.path}:${i.message}`}>
          <button
            type="button"
            className="zl-linklike"
            onClick={() => document.getElementById(fieldId(i.path))?.focus()}
          >
            {placeOf(i.path)}
          </button>
          {": "}
          {i.message}
        </li>
      ))}
    </ul>
  );
}
