/**
 * Why the last load did not run, in the editor's words ("Action 3: …", not "actions[2]"): a
 * scenario that is not valid, or one that runs under its own kernel but not under the chosen one
 * (a PV guest under x86_64, as the worker found: AppState.refusingKernel), which the heading
 * names so that choosing another kernel is the obvious way out.
 */
import { useApp } from "../store-context.tsx";
import { placeOf } from "./labels.ts";

export function RunIssues() {
  const issues = useApp((s) => s.issues);
  const kernel = useApp((s) => s.refusingKernel);
  return (
    <div className="banner banner-error" role="alert" data-testid="run-issues">
      <strong>{kernel ? `This scenario cannot run under ${kernel}:` : "This scenario is not valid:"}</strong>
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
