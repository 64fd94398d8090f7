/**
 * The editor's Exercises section: the questions asked before steps and the ranges a
 * student's seed draws from (scenario/exercise-schema.ts), edited in the draft like every other
 * field and validated by the same schema. Only a question, what it is about and its tolerance are
 * written here; the answers come from the run. Writing an exercise makes the draft schemaVersion 2.
 *
 * Every field is keyed by its schema path (data-path), as the rest of the form: the coverage test
 * (ExercisesSection.test.ts) walks the exercise schema and finds a field for each leaf.
 */
import { SIDES, ZERO_PAGE_DETECTION_MODES } from "../../scenario/choices.ts";
import { KERNEL_PICKS, MEASURES, QUESTION_COUNTERS, UNITS } from "../../scenario/exercise-schema.ts";
import { useStudy } from "../study/context.tsx";
import { type Draft, getAt, setAt } from "./draft.ts";
import "../exercise/exercise.css";
import { ChoiceField, type FieldProps, fieldId, TextField } from "./fields.tsx";

type Edit = (f: (d: Draft) => Draft) => void;

export interface ExercisesSectionProps {
  readonly draft: Draft;
  readonly issues: ReadonlyMap<string, readonly string[]>;
  readonly edit: Edit;
  readonly kernels: readonly string[];
}

/** Kinds of question, in the form's words. */
export const QUESTION_KINDS = [
  ["number", "a number"],
  ["kernel", "a choice among kernels"],
  ["outcome", "how the run ends"],
  ["pte", "what the step's pages become"],
  ["click", "a click on the map"],
] as const;
type Kind = (typeof QUESTION_KINDS)[number][0];

/** The draft with its exercise changed, as schemaVersion 2 (the version that has exercises). */
export function withExercise(d: Draft, path: string, value: unknown): Draft {
  const next = setAt(d, path, value);
  return { ...next, schemaVersion: 2 };
}

function actionsOf(draft: Draft): { do?: unknown }[] {
  return Array.isArray(draft.actions) ? (draft.actions as { do?: unknown }[]) : [];
}

/** A new question of `kind` about the last action, with a question to start from. */
export function newCheckpoint(kind: Kind, draft: Draft, kernels: readonly string[]): Record<string, unknown> {
  const at = Math.max(0, actionsOf(draft).length - 1);
  const kernel = String((draft.machine as { kernel?: unknown } | undefined)?.kernel ?? kernels[0] ?? "");
  switch (kind) {
    case "number":
      return {
        ask: "number",
        at,
        question: "How many GiB of RssAnon will the source hold after this step?",
        counter: "rssAnonBytes",
        on: "source",
        measure: "after",
        unit: "GiB",
        tolerance: "5%",
      };
    case "kernel":
      return {
        ask: "kernel",
        at,
        question: "Under which kernel does the source hold the least RssAnon after this step?",
        kernels: [kernel, kernels.find((k) => k !== kernel) ?? kernel],
        pick: "least",
        counter: "rssAnonBytes",
        on: "source",
        measure: "after",
      };
    case "outcome":
      return { ask: "outcome", at, question: "How does the run end?" };
    case "pte":
      return { ask: "pte", at, question: "What do the pages this step touches become?" };
    case "click":
      return {
        ask: "click",
        at,
        question: "Click the page table this step changes first.",
        on: "source",
        target: "changed",
        tolerance: 0,
      };
  }
}

/** A list of choices kept as an array at `path` (kernels, modes), as checkboxes. */
function CheckList({
  path,
  label,
  options,
  draft,
  issues,
  onChange,
  mono,
}: {
  path: string;
  label: string;
  options: readonly (string | boolean)[];
  draft: Draft;
  issues: ReadonlyMap<string, readonly string[]>;
  onChange: (value: unknown[]) => void;
  mono?: boolean;
}) {
  const value = getAt(draft, path);
  const list = Array.isArray(value) ? (value as unknown[]) : [];
  const messages = issues.get(path) ?? [];
  const word = (o: string | boolean) =>
    o === true ? "with storage keys" : o === false ? "without" : String(o);
  return (
    <fieldset
      className={messages.length > 0 ? "zl-field zx-checklist zl-invalid" : "zl-field zx-checklist"}
      data-path={path}
      id={fieldId(path)}
    >
      <legend>{label}</legend>
      {options.map((o) => (
        <label key={String(o)} className={mono ? "zx-mono" : undefined}>
          <input
            type="checkbox"
            checked={list.includes(o)}
            onChange={(e) =>
              onChange(
                e.target.checked
                  ? options.filter((x) => x === o || list.includes(x))
                  : list.filter((x) => x !== o),
              )
            }
          />{" "}
          {word(o)}
        </label>
      ))}
      {messages.map((m) => (
        <span key={m} className="zl-issue" role="alert">
          {m}
        </span>
      ))}
    </fieldset>
  );
}

/** A free list of texts kept as an array ("2.10, 9.2"). */
function TextList({
  path,
  label,
  draft,
  issues,
  onChange,
}: {
  path: string;
  label: string;
  draft: Draft;
  issues: ReadonlyMap<string, readonly string[]>;
  onChange: (value: string[] | undefined) => void;
}) {
  const value = getAt(draft, path);
  const text = Array.isArray(value) ? value.join(", ") : "";
  const messages = [
    ...(issues.get(path) ?? []),
    ...[...issues].filter(([p]) => p.startsWith(`${path}[`)).flatMap(([, m]) => m),
  ];
  return (
    <div className={messages.length > 0 ? "zl-field zl-invalid" : "zl-field"} data-path={path}>
      <label htmlFor={fieldId(path)}>{label}</label>
      <input
        id={fieldId(path)}
        type="text"
        defaultValue={text}
        key={text}
        placeholder="2.10, 9.2"
        onBlur={(e) => {
          const list = e.target.value
            .split(/[,\s]+/)
            .map((s) => s.trim())
            .filter(Boolean);
          onChange(list.length > 0 ? list : undefined);
        }}
      />
      {messages.map((m) => (
        <span key={m} className="zl-issue" role="alert">
          {m}
        </span>
      ))}
    </div>
  );
}

/** A range of sizes: from, to, step (or shares of guest RAM), behind a "vary" switch. */
function Range({
  name,
  label,
  share,
  draft,
  issues,
  edit,
}: {
  name: "guestRam" | "balloon" | "written";
  label: string;
  share: boolean;
  draft: Draft;
  issues: ReadonlyMap<string, readonly string[]>;
  edit: Edit;
}) {
  const path = `exercise.vary.${name}`;
  const on = getAt(draft, path) !== undefined;
  const ram = String((draft.machine as { guestRam?: unknown } | undefined)?.guestRam ?? "");
  const start =
    name === "guestRam"
      ? { from: ram || "1GiB", to: ram || "2GiB" }
      : { from: "20%", to: "60%", step: "10%" };
  const onChange = (p: string, value: unknown) => edit((d) => withExercise(d, p, value));
  const common = { draft, issues, onChange };
  return (
    <div className="zx-range" data-range={name}>
      <label className="zx-range-switch">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => edit((d) => withExercise(d, path, e.target.checked ? start : undefined))}
        />{" "}
        Vary {label}
      </label>
      {on && (
        <div className="zx-range-fields">
          <TextField {...common} path={`${path}.from`} label="from" placeholder={share ? "20%" : "16GiB"} />
          <TextField {...common} path={`${path}.to`} label="to" placeholder={share ? "60%" : "64GiB"} />
          <TextField {...common} path={`${path}.step`} label="step" placeholder={share ? "10%" : "1GiB"} />
          {(issues.get(path) ?? []).map((m) => (
            <span key={m} className="zl-issue" role="alert">
              {m}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

function Question({
  index,
  q,
  draft,
  issues,
  edit,
  kernels,
  count,
}: {
  index: number;
  q: Record<string, unknown>;
  draft: Draft;
  issues: ReadonlyMap<string, readonly string[]>;
  edit: Edit;
  kernels: readonly string[];
  count: number;
}) {
  const at = `exercise.checkpoints[${index}]`;
  const onChange = (p: string, value: unknown) => edit((d) => withExercise(d, p, value));
  const common = { draft, issues, onChange };
  const kind = String(q.ask) as Kind;
  const actions = actionsOf(draft);
  const list = () => {
    const v = getAt(draft, "exercise.checkpoints");
    return Array.isArray(v) ? v.slice() : [];
  };
  const move = (delta: number) =>
    edit((d) => {
      const l = list();
      const to = Math.max(0, Math.min(l.length - 1, index + delta));
      const [x] = l.splice(index, 1);
      l.splice(to, 0, x);
      return withExercise(d, "exercise.checkpoints", l);
    });
  const atMessages = issues.get(`${at}.at`) ?? [];
  return (
    <li className="zl-action zx-question" data-testid="editor-question">
      <div className="zl-action-head">
        <ChoiceField
          {...common}
          path={`${at}.ask`}
          label={`Question ${index + 1}`}
          options={QUESTION_KINDS.map(([k]) => k)}
          onChange={(_p, v) => {
            const next = newCheckpoint((v as Kind) ?? "number", draft, kernels);
            edit((d) => withExercise(d, at, { ...next, at: q.at, question: q.question }));
          }}
        />
        <div className="zl-action-buttons">
          <button
            type="button"
            onClick={() => move(-1)}
            disabled={index === 0}
            aria-label={`Move question ${index + 1} up`}
          >
            ↑
          </button>
          <button
            type="button"
            onClick={() => move(1)}
            disabled={index === count - 1}
            aria-label={`Move question ${index + 1} down`}
          >
            ↓
          </button>
          <button
            type="button"
            onClick={() =>
              edit((d) => {
                const l = list();
                l.splice(index, 1);
                return withExercise(d, "exercise.checkpoints", l);
              })
            }
            aria-label={`Remove question ${index + 1}`}
          >
            ✕
          </button>
        </div>
      </div>
      <div className={atMessages.length > 0 ? "zl-field zl-invalid" : "zl-field"} data-path={`${at}.at`}>
        <label htmlFor={fieldId(`${at}.at`)}>asked before</label>
        <select
          id={fieldId(`${at}.at`)}
          value={String(q.at ?? "")}
          onChange={(e) => onChange(`${at}.at`, Number(e.target.value))}
        >
          {typeof q.at === "number" && q.at >= actions.length && (
            <option value={String(q.at)}>action {q.at + 1}</option>
          )}
          {actions.map((a, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: an action has no identity but its place
            <option key={i} value={String(i)}>
              Action {i + 1} · {String(a?.do ?? "")}
            </option>
          ))}
        </select>
        {atMessages.map((m) => (
          <span key={m} className="zl-issue" role="alert">
            {m}
          </span>
        ))}
      </div>
      <TextField {...common} path={`${at}.question`} label="question" multiline />
      <QuestionFields kind={kind} at={at} common={common} kernels={kernels} />
    </li>
  );
}

type Common = Pick<FieldProps, "issues" | "onChange"> & { readonly draft: Draft };

interface QuestionFieldsProps {
  readonly kind: Kind;
  /** The question's path in the draft. */
  readonly at: string;
  readonly common: Common;
  readonly kernels: readonly string[];
}

/** The fields a question of its kind has beyond its place and its text. */
function QuestionFields({ kind, at, common, kernels }: QuestionFieldsProps) {
  switch (kind) {
    // a number: which counter, on which side, read when, in what unit, within what tolerance
    case "number":
      return (
        <>
          <ChoiceField
            key="counter"
            {...common}
            path={`${at}.counter`}
            label="counter"
            options={QUESTION_COUNTERS}
          />
          <ChoiceField
            key="on"
            {...common}
            path={`${at}.on`}
            label="on"
            options={SIDES}
            emptyLabel="source"
          />
          <ChoiceField
            key="measure"
            {...common}
            path={`${at}.measure`}
            label="read"
            options={MEASURES}
            emptyLabel="after"
          />
          <ChoiceField
            key="unit"
            {...common}
            path={`${at}.unit`}
            label="unit"
            options={UNITS}
            emptyLabel="its own"
          />
          <TextField
            key="tolerance"
            {...common}
            path={`${at}.tolerance`}
            label="tolerance"
            placeholder="5%"
            convert={(t) => (t.trim() === "" ? undefined : /^\d+(\.\d+)?$/.test(t.trim()) ? Number(t) : t)}
            hint='"5%" of the answer, or an amount in the unit'
          />
        </>
      );
    // a choice among kernels: which kernels, and the counter that decides
    case "kernel":
      return (
        <>
          <CheckList
            key="kernels"
            path={`${at}.kernels`}
            label="kernels to choose from"
            options={kernels}
            draft={common.draft}
            issues={common.issues}
            mono
            onChange={(v) => common.onChange(`${at}.kernels`, v)}
          />
          <ChoiceField
            key="pick"
            {...common}
            path={`${at}.pick`}
            label="the answer is the kernel that…"
            options={KERNEL_PICKS}
          />
          <ChoiceField
            key="counter"
            {...common}
            path={`${at}.counter`}
            label="counter"
            options={QUESTION_COUNTERS}
            emptyLabel="none (hangs, completes)"
          />
          <ChoiceField
            key="on"
            {...common}
            path={`${at}.on`}
            label="on"
            options={SIDES}
            emptyLabel="source"
          />
          <ChoiceField
            key="measure"
            {...common}
            path={`${at}.measure`}
            label="read"
            options={MEASURES}
            emptyLabel="after"
          />
        </>
      );
    // what the step's pages become: on which side
    case "pte":
      return (
        <ChoiceField
          key="on"
          {...common}
          path={`${at}.on`}
          label="on"
          options={SIDES}
          emptyLabel="either side"
        />
      );
    // a click on the map: on which side, which table, how near counts
    case "click":
      return (
        <>
          <ChoiceField
            key="on"
            {...common}
            path={`${at}.on`}
            label="on"
            options={SIDES}
            emptyLabel="source"
          />
          <ChoiceField
            key="target"
            {...common}
            path={`${at}.target`}
            label="the table the step"
            options={["changed", "touched"]}
            emptyLabel="changed"
          />
          <TextField
            key="tolerance"
            {...common}
            path={`${at}.tolerance`}
            label="tables either side that count"
            inputMode="numeric"
            convert={(t) => (t.trim() === "" ? undefined : /^\d+$/.test(t.trim()) ? Number(t) : t)}
          />
        </>
      );
    default:
      return null;
  }
}

export function ExercisesSection({ draft, issues, edit, kernels }: ExercisesSectionProps) {
  const study = useStudy();
  const checkpoints = getAt(draft, "exercise.checkpoints");
  const list = Array.isArray(checkpoints) ? (checkpoints as Record<string, unknown>[]) : [];
  const onChange = (p: string, value: unknown) => edit((d) => withExercise(d, p, value));
  const common = { draft, issues, onChange };
  const add = (kind: Kind) =>
    edit((d) => withExercise(d, "exercise.checkpoints", [...list, newCheckpoint(kind, d, kernels)]));
  const vary = (key: string) => `exercise.vary.${key}`;
  return (
    <fieldset className="zx-editor" data-testid="editor-exercises">
      <legend>Exercises</legend>
      <p className="zl-hint">
        Questions asked before a step: playback stops there until the student answers or skips, then shows the
        step with the rule and the counter that decide it. Write the question and what it is about; the answer
        comes from the run. Placeholders: {"{guestRam}"}, {"{balloon}"}, {"{written}"}, {"{kernel}"},{" "}
        {"{qemuVersion}"}.
      </p>
      <ol className="zl-actions">
        {list.map((q, i) => (
          <Question
            // biome-ignore lint/suspicious/noArrayIndexKey: a question has no identity but its place
            key={i}
            index={i}
            q={q}
            draft={draft}
            issues={issues}
            edit={edit}
            kernels={kernels}
            count={list.length}
          />
        ))}
      </ol>
      <div className="zl-row zx-add">
        {QUESTION_KINDS.map(([k, words]) => (
          <button key={k} type="button" onClick={() => add(k)}>
            Ask {words}
          </button>
        ))}
      </div>

      <fieldset className="zx-vary">
        <legend>Each student's problem (a link with seed=)</legend>
        <p className="zl-hint">
          A student who opens the link with <code>&amp;seed=</code> and a number (a student number) gets
          values drawn from these ranges; the same number always gives the same problem.
        </p>
        <Range name="guestRam" label="guest RAM" share={false} {...common} edit={edit} />
        <Range name="balloon" label="the balloon's size" share {...common} edit={edit} />
        <Range name="written" label="the data written" share {...common} edit={edit} />
        <CheckList
          path={vary("kernel")}
          label="kernel (one of)"
          options={kernels}
          draft={draft}
          issues={issues}
          mono
          onChange={(v) => onChange(vary("kernel"), v.length > 0 ? v : undefined)}
        />
        <CheckList
          path={vary("skeys")}
          label="storage keys (one of)"
          options={[true, false]}
          draft={draft}
          issues={issues}
          onChange={(v) => onChange(vary("skeys"), v.length > 0 ? v : undefined)}
        />
        <TextList
          path={vary("qemuVersion")}
          label="QEMU version (one of)"
          draft={draft}
          issues={issues}
          onChange={(v) => onChange(vary("qemuVersion"), v)}
        />
        <CheckList
          path={vary("zeroPageDetection")}
          label="zero-page detection (one of)"
          options={ZERO_PAGE_DETECTION_MODES}
          draft={draft}
          issues={issues}
          onChange={(v) => onChange(vary("zeroPageDetection"), v.length > 0 ? v : undefined)}
        />
      </fieldset>
      {study && list.length > 0 && (
        <div className="zl-row">
          <button type="button" onClick={() => study.answerKey.getState().openKey()} aria-haspopup="dialog">
            Answer key for the shown run
          </button>
        </div>
      )}
    </fieldset>
  );
}
