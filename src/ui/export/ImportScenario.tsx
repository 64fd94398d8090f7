/**
 * Importing a scenario file: read as text (at most 1 MiB), parsed as JSON, validated with the
 * scenario schema; problems are listed with their paths ("actions[2].size: …"), and a valid file
 * is loaded (a new history entry). The file's text is only ever shown as text.
 */
import { useId, useState } from "react";
import { parseScenario, type ScenarioIssue } from "../../scenario/schema.ts";
import { useAppStore } from "../store-context.tsx";

const MAX_BYTES = 1024 * 1024;

type Result = { ok: true; title: string } | { ok: false; error: string; issues: readonly ScenarioIssue[] };

export async function readScenarioFile(
  file: Blob,
): Promise<{ scenario: unknown } | { error: string; issues: readonly ScenarioIssue[] }> {
  if (file.size > MAX_BYTES)
    return { error: `The file is ${Math.ceil(file.size / 1024)} KiB; the limit is 1024 KiB.`, issues: [] };
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch (e) {
    return { error: `The file is not JSON: ${e instanceof Error ? e.message : String(e)}`, issues: [] };
  }
  const r = parseScenario(json);
  if (!r.ok) return { error: "The file is not a valid scenario:", issues: r.issues };
  return { scenario: json };
}

export function ImportScenario({ onLoaded }: { onLoaded?: () => void }) {
  const store = useAppStore();
  const id = useId();
  const [result, setResult] = useState<Result | null>(null);
  return (
    <div className="zl-import">
      <label htmlFor={id}>Import a scenario file (JSON)</label>
      <input
        id={id}
        type="file"
        accept=".json,application/json"
        data-testid="import-file"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (!file) return;
          const r = await readScenarioFile(file);
          if ("error" in r) {
            setResult({ ok: false, error: r.error, issues: r.issues });
            return;
          }
          const title = (r.scenario as { title?: unknown }).title;
          setResult({ ok: true, title: typeof title === "string" && title ? title : file.name });
          await store.getState().loadScenario(r.scenario);
          onLoaded?.();
        }}
      />
      {result?.ok && (
        <p role="status" className="zl-import-ok">
          Loaded “{result.title}”.
        </p>
      )}
      {result && !result.ok && (
        <div role="alert" className="zl-import-error" data-testid="import-error">
          <p>{result.error}</p>
          {result.issues.length > 0 && (
            <ul>
              {result.issues.map((i) => (
                <li key={`${i.path}:${i.message}`}>
                  <code>{i.path || "(scenario)"}</code> {i.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
