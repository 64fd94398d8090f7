/**
 * The page. Layout (desktop): header; left column with the scenario's steps; centre with the host
 * memory maps, the selected page table, the balloon and the migration; right column with the
 * narration and the counters; bottom with the counter charts, the timeline and the controls.
 * Below 900 px the columns stack.
 */
import { Header } from "./controls/Header.tsx";
import { StepControls } from "./controls/StepControls.tsx";
import { useApp } from "./store-context.tsx";
import { BalloonView } from "./views/BalloonView.tsx";
import { CountersTable } from "./views/CountersTable.tsx";
import { MemoryMaps } from "./views/MemoryMaps.tsx";
import { MigrationView } from "./views/MigrationView.tsx";
import { Narration } from "./views/Narration.tsx";
import { StepList } from "./views/StepList.tsx";
import { TableDetail } from "./views/TableDetail.tsx";

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
        <section className="panel center" aria-label="Memory">
          <MemoryMaps />
          <TableDetail />
          <BalloonView />
          <MigrationView />
        </section>
        <section className="panel narration" aria-label="What happened">
          <Narration />
          <CountersTable />
        </section>
      </main>
      <StepControls />
    </div>
  );
}
