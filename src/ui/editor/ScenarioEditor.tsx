/**
 * The scenario editor: a form for every field of the scenario schema and for the list of actions
 * (add, remove, reorder, edit), validated as you type by the schema itself (parseScenario) and,
 * once that passes, by the worker's compile-time checks (checkScenario, through EngineApi.check).
 * A valid draft re-simulates in the worker (store.loadScenario, which also adds a history entry);
 * the progress bar shows how far a large one has got and can cancel it.
 *
 * Fields are labelled from labels.ts, and the problem list names each place in the same words
 * ("Action 2 · size"). A title derived from the parameters follows them as they change; a title
 * typed by hand is kept (title.ts).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { parseScenario } from "../../scenario/schema.ts";
import type { ScenarioIssue } from "../../worker/api.ts";
import { useEngineHandle } from "../share/context.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import { ActionList } from "./ActionList.tsx";
import { type Draft, draftFrom, issuesByPath, setAt } from "./draft.ts";
import { EditorBar } from "./EditorBar.tsx";
import { ExercisesSection } from "./ExercisesSection.tsx";
import { LoadProgressBar } from "./LoadProgressBar.tsx";
import { ScenarioFieldsets } from "./ScenarioFieldsets.tsx";
import { followTitle, titleIsDerived } from "./title.ts";
import "./editor.css";

const CHECK_DELAY_MS = 200;
const RUN_DELAY_MS = 600;

const NO_ISSUES: readonly ScenarioIssue[] = [];

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function ScenarioEditor() {
  const store = useAppStore();
  const engine = useEngineHandle();
  const storeScenario = useApp((s) => s.scenario);
  const storeKernel = useApp((s) => s.kernel);
  const status = useApp((s) => s.status);
  const storeIssues = useApp((s) => s.issues);
  const variants = useApp((s) => s.variants);
  const [draft, setDraft] = useState<Draft>(() => draftFrom(storeScenario, storeKernel));
  /** The title follows the parameters (title.ts): decided when a scenario is opened, and by typing. */
  const following = useRef(titleIsDerived(draft));
  /** Every edit of the parameters goes through here, so that a derived title follows it. */
  const edit = (f: (d: Draft) => Draft) => setDraft((d) => followTitle(f(d), following.current));
  const reset = useCallback((d: Draft) => {
    following.current = titleIsDerived(d);
    setDraft(d);
  }, []);
  const [autoRun, setAutoRun] = useState(true);
  /** The scenario object this editor last handed to the store. */
  const submitted = useRef<unknown>(null);

  // Someone else loaded a scenario (a preset, Back, an import): edit that one from now on.
  useEffect(() => {
    if (storeScenario === submitted.current) return;
    submitted.current = null;
    reset(draftFrom(storeScenario, storeKernel));
  }, [storeScenario, storeKernel, reset]);

  // A cancelled computation pauses auto-run, or the same draft would start again at once.
  useEffect(() => {
    if (!engine) return;
    return engine.progress.subscribe((s, p) => {
      if (s.cancelled && !p.cancelled) setAutoRun(false);
    });
  }, [engine]);

  const parsed = useMemo(() => parseScenario(draft), [draft]);
  const upToDate = sameJson(draft, submitted.current ?? draftFrom(storeScenario, storeKernel));

  // Compile-time checks in the worker (the store's checkDraft), once the schema is satisfied.
  const draftCheck = useApp((s) => s.draftCheck);
  const checkIssues = parsed.ok && draftCheck?.scenario === draft ? draftCheck.issues : NO_ISSUES;
  useEffect(() => {
    if (!parsed.ok) return;
    const t = setTimeout(() => store.getState().checkDraft(draft), CHECK_DELAY_MS);
    return () => clearTimeout(t);
  }, [draft, parsed.ok, store]);

  const run = () => {
    const copy = JSON.parse(JSON.stringify(draft)) as Draft;
    submitted.current = copy;
    void store.getState().loadScenario(copy, null);
  };

  // Auto-run: a valid, checked draft that differs from what is shown re-simulates after a pause.
  const checked = parsed.ok && checkIssues.length === 0;
  useEffect(() => {
    if (!autoRun || !checked || upToDate) return;
    const t = setTimeout(run, RUN_DELAY_MS + CHECK_DELAY_MS);
    return () => clearTimeout(t);
  });

  const ownRunIssues = status === "error" && storeScenario === submitted.current ? storeIssues : [];
  const allIssues = [...(parsed.ok ? [] : parsed.issues), ...checkIssues, ...ownRunIssues].filter(
    (x, n, list) => list.findIndex((y) => y.path === x.path && y.message === x.message) === n,
  );
  const issues = issuesByPath(allIssues);
  const change = (path: string, value: unknown) => {
    if (path !== "title") {
      edit((d) => setAt(d, path, value));
      return;
    }
    // Typing the title makes it the user's own, unless what they typed is the derived title.
    setDraft((d) => {
      const next = setAt(d, path, value);
      following.current = titleIsDerived(next);
      return next;
    });
  };
  const common = { draft, onChange: change, issues };
  const kernels = variants.map((v) => v.id);

  return (
    <form className="zl-editor" aria-label="Scenario editor" onSubmit={(e) => e.preventDefault()}>
      <LoadProgressBar />
      <EditorBar
        autoRun={autoRun}
        onAutoRun={setAutoRun}
        onRun={run}
        canRun={checked && status !== "loading"}
        onDiscard={() => {
          submitted.current = null;
          reset(draftFrom(store.getState().scenario, store.getState().kernel));
        }}
        upToDate={upToDate}
        loading={status === "loading"}
        issues={allIssues}
      />

      <ScenarioFieldsets common={common} following={following.current} kernels={kernels} />
      <ActionList common={common} edit={edit} />

      <ExercisesSection draft={draft} issues={issues} edit={edit} kernels={kernels} />
    </form>
  );
}
