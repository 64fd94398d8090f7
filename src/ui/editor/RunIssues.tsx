/**
 * Why the last load did not run, in the editor's words ("Action 3: …", not "actions[2]"): a
 * scenario that is not valid, or a valid one that the chosen kernel cannot run (a PV guest under
 * x86_64), which the heading names so that choosing another kernel is the obvious way out.
 */
import { useMemo } from "react";
import { parseScenario } from "../../scenario/schema.ts";
import { chosenKernel } from "../../state/store.ts";
import { useApp } from "../store-context.tsx";
import { placeOf } from "./labels.ts";

export function RunIssues() {
  const issues = useApp((s) => s.issues);
  const scenario = useApp((s) => s.scenario);
  const kernel = useApp(chosenKernel);
  const valid = useMemo(() => parseScenario(scenario).ok, [scenario]);
  return (
    <div className="banner banner-error" role="alert" data-testid="run-issues">
      <strong>
        {valid && kernel ? `This scenario cannot run under ${kernel}:` : "This scenario is not valid:"}
      </strong>
      <ul>
        {issues.map((i) => (
          <li key={`${i.path}:${i.message}`}>
            <strong>{placeOf(i.path)}</strong>: {i.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
