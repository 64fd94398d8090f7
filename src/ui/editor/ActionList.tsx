/**
 * The scenario's actions in the editor: each with its kind, its fields (ACTION_FIELDS: sizes,
 * choices, flags), and buttons to move it or remove it; and a row to add one of a chosen kind.
 */
import { useState } from "react";
import {
  ACTION_FIELDS,
  ACTION_KINDS,
  type ActionKindName,
  addAction,
  changeKind,
  type Draft,
  moveAction,
  removeAction,
  setAt,
} from "./draft.ts";
import { ChoiceField, FlagField, TextField } from "./fields.tsx";
import type { CommonFieldProps } from "./ScenarioFieldsets.tsx";

interface Props {
  readonly common: CommonFieldProps & { readonly draft: Draft };
  /** Applies an edit of the draft (a derived title follows it). */
  readonly edit: (f: (d: Draft) => Draft) => void;
}

export function ActionList({ common, edit }: Props) {
  const [addKind, setAddKind] = useState<ActionKindName>("guest-read");
  const draft = common.draft;
  const actions = Array.isArray(draft.actions) ? (draft.actions as Record<string, unknown>[]) : [];
  return (
    <fieldset>
      <legend>Actions</legend>
      <ol className="zl-actions">
        {actions.map((a, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an action has no identity but its place
          <ActionItem key={i} common={common} edit={edit} action={a} index={i} count={actions.length} />
        ))}
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
  );
}

interface ItemProps extends Props {
  readonly action: Record<string, unknown>;
  readonly index: number;
  readonly count: number;
}

/** One action: its kind, Up, Down and Remove, its own issues, and the fields of its kind. */
function ActionItem({ common, edit, action: a, index: i, count }: ItemProps) {
  const kind = (ACTION_KINDS as readonly string[]).includes(String(a?.do)) ? (a.do as ActionKindName) : null;
  const at = `actions[${i}]`;
  return (
    <li className="zl-action" data-testid="editor-action">
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
            disabled={i === count - 1}
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
      {common.issues.get(at)?.map((m) => (
        <span key={m} className="zl-issue" role="alert">
          {m}
        </span>
      ))}
      {kind &&
        Object.entries(ACTION_FIELDS[kind]).map(([name, f]) => {
          const path = `${at}.${name}`;
          if (f.type === "size")
            return <TextField key={name} {...common} path={path} placeholder={f.required ? "1GiB" : "all"} />;
          if (f.type === "choice")
            return (
              <ChoiceField key={name} {...common} path={path} options={f.options} emptyLabel="default" />
            );
          return <FlagField key={name} {...common} path={path} defaultValue={false} />;
        })}
    </li>
  );
}
