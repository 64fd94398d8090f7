/** The page: header, the current step's story, and the controls to move through it. */

import { Header } from "./controls/Header.tsx";
import { StepControls } from "./controls/StepControls.tsx";
import { useApp } from "./store-context.tsx";
import { CountersTable } from "./views/CountersTable.tsx";
import { Narration } from "./views/Narration.tsx";
import { StepList } from "./views/StepList.tsx";

export function App() {
  const status = useApp((s) => s.status);
  const issues = useApp((s) => s.issues);
  const error = useApp((s) => s.error);
  const computedIn = useApp((s) => s.run?.computedIn ?? "");
  return (
    <div className="app" data-status={status} data-engine-env={computedIn}>
      <Header />
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {issues.length > 0 && (
        <div className="banner banner-error" role="alert">
          <strong>This scenario is not valid:</strong>
          <ul>
            {issues.map((i) => (
              <li key={`${i.path}:${i.message}`}>
                <code>{i.path || "(scenario)"}</code> {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <main className="layout">
        <section className="panel steps" aria-label="Steps">
          <StepList />
        </section>
        <section className="panel center" aria-label="Counters">
          <CountersTable />
        </section>
        <section className="panel narration" aria-label="What happened">
          <Narration />
        </section>
      </main>
      <StepControls />
    </div>
  );
}
