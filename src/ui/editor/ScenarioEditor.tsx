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
import { ZERO_PAGE_DETECTION_MODES } from "../../scenario/choices.ts";
import { parseScenario } from "../../scenario/schema.ts";
import type { ScenarioIssue } from "../../worker/api.ts";
import { useEngineHandle } from "../share/context.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import {
  ACTION_FIELDS,
  ACTION_KINDS,
  type ActionKindName,
  addAction,
  changeKind,
  type Draft,
  draftFrom,
  issuesByPath,
  moveAction,
  numberOrText,
  removeAction,
  setAt,
} from "./draft.ts";
import { ExercisesSection } from "./ExercisesSection.tsx";
import { ChoiceField, FlagField, fieldId, TextField } from "./fields.tsx";
import { LoadProgressBar } from "./LoadProgressBar.tsx";
import { placeOf } from "./labels.ts";
import { derivedTitle, followTitle, titleIsDerived } from "./title.ts";
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
  const [addKind, setAddKind] = useState<ActionKindName>("guest-read");
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
  const actions = Array.isArray(draft.actions) ? (draft.actions as Record<string, unknown>[]) : [];
  const kernels = variants.map((v) => v.id);

  return (
    <form className="zl-editor" aria-label="Scenario editor" onSubmit={(e) => e.preventDefault()}>
      <LoadProgressBar />
      <div className="zl-editor-bar">
        <label>
          <input type="checkbox" checked={autoRun} onChange={(e) => setAutoRun(e.target.checked)} /> re-run as
          I type
        </label>
        <button type="button" onClick={run} disabled={!checked || status === "loading"}>
          Run this scenario
        </button>
        <button
          type="button"
          onClick={() => {
            submitted.current = null;
            reset(draftFrom(store.getState().scenario, store.getState().kernel));
          }}
          disabled={upToDate}
        >
          Discard changes
        </button>
        <output className={allIssues.length ? "zl-status zl-bad" : "zl-status"} aria-live="polite">
          {allIssues.length
            ? `${allIssues.length} problem${allIssues.length > 1 ? "s" : ""}`
            : !upToDate
              ? "valid"
              : status === "loading"
                ? "computing…"
                : "shown"}
        </output>
      </div>
      {allIssues.length > 0 && (
        <ul className="zl-issue-list" data-testid="editor-issues">
          {allIssues.map((i) => (
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
      )}

      <fieldset>
        <legend>Scenario</legend>
        <TextField
          {...common}
          path="title"
          placeholder={derivedTitle(draft) ?? undefined}
          hint={
            following.current
              ? "Follows the parameters (guest RAM, balloon, source host limit, migration) until you type your own."
              : "Your own title: kept as typed. Type the suggested title to have it follow the parameters again."
          }
        />
        <TextField {...common} path="description" multiline />
        <TextField
          {...common}
          path="seed"
          inputMode="numeric"
          convert={numberOrText}
          hint="Decides which pages hold data and which the balloon takes."
        />
      </fieldset>

      <fieldset>
        <legend>Machine</legend>
        <ChoiceField {...common} path="machine.kernel" options={kernels} />
        <TextField {...common} path="machine.kernelVersion" placeholder="from the variant" />
        <ChoiceField
          {...common}
          path="machine.arch"
          options={["s390x", "x86_64"]}
          emptyLabel="the kernel's"
        />
        <TextField {...common} path="machine.guestRam" placeholder="100GiB" />
        <TextField {...common} path="machine.hosts.source.memLimit" placeholder="unlimited" />
        <TextField {...common} path="machine.hosts.destination.memLimit" placeholder="unlimited" />
        <ChoiceField
          {...common}
          path="machine.thp"
          options={["always", "madvise", "never"]}
          emptyLabel="default (madvise)"
        />
        <FlagField {...common} path="machine.ksm.enabled" defaultValue={false} />
        <FlagField {...common} path="machine.ksm.useZeroPages" defaultValue={false} />
      </fieldset>

      <fieldset>
        <legend>Host kernel's zeropage policy (x86_64)</legend>
        <p className="zl-hint">
          Upstream kernels map the shared zeropage on every path. Some hosts do not (for example with the boot
          option pvm_no_zero_page=1); <code>npm run kernel-check</code> measures yours.
        </p>
        <FlagField {...common} path="machine.hostZeropage.readFault" defaultValue={true} />
        <FlagField {...common} path="machine.hostZeropage.hugeZeroPage" defaultValue={true} />
        <FlagField {...common} path="machine.hostZeropage.uffdZeropage" defaultValue={true} />
        <FlagField {...common} path="machine.hostZeropage.ksm" defaultValue={true} />
      </fieldset>

      <fieldset>
        <legend>QEMU</legend>
        <TextField {...common} path="machine.qemu.version" placeholder="9.2" />
        <FlagField {...common} path="machine.qemu.multifd" defaultValue={false} />
        <ChoiceField
          {...common}
          path="machine.qemu.zeroPageDetection"
          options={ZERO_PAGE_DETECTION_MODES}
          emptyLabel="QEMU's default"
        />
        <FlagField {...common} path="machine.qemu.postcopyRam" defaultValue={false} />
        <FlagField {...common} path="machine.qemu.memMerge" defaultValue={true} />
        <FlagField {...common} path="machine.qemu.freePageReporting" defaultValue={false} />
        <FlagField {...common} path="machine.qemu.freePageHinting" defaultValue={false} />
        <ChoiceField
          {...common}
          path="machine.qemu.memoryBackend"
          options={["ram", "memfd"]}
          emptyLabel="ram (QEMU's default)"
        />
      </fieldset>

      <fieldset>
        <legend>Actions</legend>
        <ol className="zl-actions">
          {actions.map((a, i) => {
            const kind = (ACTION_KINDS as readonly string[]).includes(String(a?.do))
              ? (a.do as ActionKindName)
              : null;
            const at = `actions[${i}]`;
            return (
              <li
                // biome-ignore lint/suspicious/noArrayIndexKey: an action has no identity but its place
                key={i}
                className="zl-action"
                data-testid="editor-action"
              >
                <div className="zl-action-head">
                  <ChoiceField
                    {...common}
                    path={`${at}.do`}
                    options={ACTION_KINDS}
                    onChange={(_p, v) =>
                      edit((d) => setAt(d, at, changeKind(a, (v as ActionKindName) ?? "guest-read")))
                    }
                  />
                  <div className="zl-action-buttons">
                    <button
                      type="button"
                      onClick={() => edit((d) => moveAction(d, i, -1))}
                      disabled={i === 0}
                      aria-label={`Move action ${i + 1} up`}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      onClick={() => edit((d) => moveAction(d, i, 1))}
                      disabled={i === actions.length - 1}
                      aria-label={`Move action ${i + 1} down`}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      onClick={() => edit((d) => removeAction(d, i))}
                      aria-label={`Remove action ${i + 1}`}
                    >
                      ✕
                    </button>
                  </div>
                </div>
                {issues.get(at)?.map((m) => (
                  <span key={m} className="zl-issue" role="alert">
                    {m}
                  </span>
                ))}
                {kind &&
                  Object.entries(ACTION_FIELDS[kind]).map(([name, f]) => {
                    const path = `${at}.${name}`;
                    if (f.type === "size")
                      return (
                        <TextField
                          key={name}
                          {...common}
                          path={path}
                          placeholder={f.required ? "1GiB" : "all"}
                        />
                      );
                    if (f.type === "choice")
                      return (
                        <ChoiceField
                          key={name}
                          {...common}
                          path={path}
                          options={f.options}
                          emptyLabel="default"
                        />
                      );
                    return <FlagField key={name} {...common} path={path} defaultValue={false} />;
                  })}
              </li>
            );
          })}
        </ol>
        <div className="zl-row">
          <label>
            <span className="visually-hidden">Kind of action to add</span>
            <select
              value={addKind}
              onChange={(e) => setAddKind(e.target.value as ActionKindName)}
              aria-label="Kind of action to add"
            >
              {ACTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => edit((d) => addAction(d, addKind))}>
            Add action
          </button>
        </div>
      </fieldset>

      <ExercisesSection draft={draft} issues={issues} edit={edit} kernels={kernels} />
    </form>
  );
}
