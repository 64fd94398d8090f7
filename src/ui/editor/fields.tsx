/**
 * Form fields keyed by schema path. Each shows its value from the draft, writes through
 * `onChange(path, value)`, and lists the issues whose path is its own, linked to the input with
 * aria-describedby so a screen reader reads them with the field.
 */
import type { ReactNode } from "react";
import { getAt, optionalText, textOf } from "./draft.ts";
import { fieldLabel } from "./labels.ts";

export type OnChange = (path: string, value: unknown) => void;

export interface FieldProps {
  readonly path: string;
  /** Defaults to the form's label for the path (labels.ts). */
  readonly label?: string;
  readonly draft: unknown;
  readonly onChange: OnChange;
  readonly issues: ReadonlyMap<string, readonly string[]>;
  readonly hint?: string;
}

/** "actions[2].size" → "ed-actions-2-size" */
export function fieldId(path: string): string {
  return `ed-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`;
}

function Frame({
  path,
  label,
  issues,
  hint,
  children,
}: Omit<FieldProps, "draft" | "onChange"> & { children: ReactNode }) {
  const id = fieldId(path);
  const messages = issues.get(path) ?? [];
  return (
    <div className={messages.length > 0 ? "zl-field zl-invalid" : "zl-field"} data-path={path}>
      <label htmlFor={id}>{label ?? fieldLabel(path)}</label>
      {children}
      {hint && (
        <span className="zl-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {messages.map((m) => (
        <span key={m} className="zl-issue" id={`${id}-issue`} role="alert">
          {m}
        </span>
      ))}
    </div>
  );
}

function describedBy(p: FieldProps): string | undefined {
  const id = fieldId(p.path);
  const ids = [p.hint ? `${id}-hint` : "", (p.issues.get(p.path) ?? []).length > 0 ? `${id}-issue` : ""];
  return ids.filter(Boolean).join(" ") || undefined;
}

/** Free text; an empty field removes an optional value (the schema's default applies). */
export function TextField(
  p: FieldProps & {
    placeholder?: string;
    convert?: (text: string) => unknown;
    multiline?: boolean;
    inputMode?: "numeric" | "text";
  },
) {
  const invalid = (p.issues.get(p.path) ?? []).length > 0;
  const common = {
    id: fieldId(p.path),
    value: textOf(getAt(p.draft, p.path)),
    placeholder: p.placeholder,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy(p),
  };
  const convert = p.convert ?? optionalText;
  return (
    <Frame {...p}>
      {p.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => p.onChange(p.path, convert(e.target.value))} />
      ) : (
        <input
          {...common}
          type="text"
          inputMode={p.inputMode}
          spellCheck={false}
          onChange={(e) => p.onChange(p.path, convert(e.target.value))}
        />
      )}
    </Frame>
  );
}

/** One of a fixed list; "" (shown as `emptyLabel`) removes the value. */
export function ChoiceField(p: FieldProps & { options: readonly string[]; emptyLabel?: string }) {
  const value = textOf(getAt(p.draft, p.path));
  const invalid = (p.issues.get(p.path) ?? []).length > 0;
  return (
    <Frame {...p}>
      <select
        id={fieldId(p.path)}
        value={value}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(p)}
        onChange={(e) => p.onChange(p.path, e.target.value === "" ? undefined : e.target.value)}
      >
        {p.emptyLabel !== undefined && <option value="">{p.emptyLabel}</option>}
        {value !== "" && !p.options.includes(value) && <option value={value}>{value}</option>}
        {p.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </Frame>
  );
}

/** A boolean with a default: unchecked and checked write false and true. */
export function FlagField(p: FieldProps & { defaultValue: boolean }) {
  const v = getAt(p.draft, p.path);
  const checked = typeof v === "boolean" ? v : p.defaultValue;
  const id = fieldId(p.path);
  const messages = p.issues.get(p.path) ?? [];
  return (
    <div
      className={messages.length > 0 ? "zl-field zl-flag zl-invalid" : "zl-field zl-flag"}
      data-path={p.path}
    >
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-describedby={describedBy(p)}
          onChange={(e) => p.onChange(p.path, e.target.checked)}
        />{" "}
        {p.label ?? fieldLabel(p.path)}
      </label>
      {p.hint && (
        <span className="zl-hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      )}
      {messages.map((m) => (
        <span key={m} className="zl-issue" id={`${id}-issue`} role="alert">
          {m}
        </span>
      ))}
    </div>
  );
}
