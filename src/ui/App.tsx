/**
 * The page. Desktop (≥ 1100 px): header; three columns (the scenario's steps and a PTE's history;
 * the memory views; the narration and counters); below them the dock (timeline and counter
 * charts on one trace axis) and the transport bar. Narrower, the columns stack and the page
 * scrolls, with the transport bar kept at the bottom: on a phone one reads and steps.
 *
 * App wires the page-wide behaviour: the playback loop, the keyboard shortcuts (command
 * registry), the one live region, the help overlay, and the data attributes tests wait on.
 */
import {
  type CSSProperties,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
} from "react";
import type { CommandContext } from "./commands.ts";
import { CompareView } from "./compare/CompareView.tsx";
import { useComparing } from "./compare/context.tsx";
import { Header } from "./controls/Header.tsx";
import { stepDurationMs } from "./controls/playback.ts";
import { StepControls } from "./controls/StepControls.tsx";
import { Timeline } from "./controls/Timeline.tsx";
import { usePlayback } from "./controls/usePlayback.ts";
import { useShortcuts } from "./controls/useShortcuts.ts";
import { RunIssues } from "./editor/RunIssues.tsx";
import { ExerciseLayer } from "./exercise/ExerciseLayer.tsx";
import { BeforeAfter } from "./lecture/BeforeAfter.tsx";
import { LectureBar } from "./lecture/LectureBar.tsx";
import { usePresenting } from "./lecture/presenting.ts";
import { useLinkSync, useLinks } from "./share/context.tsx";
import { LinkBanner } from "./share/LinkBanner.tsx";
import { useApp, useAppStore } from "./store-context.tsx";
import { BalloonView } from "./views/BalloonView.tsx";
import { Charts } from "./views/Charts.tsx";
import { CountersTable } from "./views/CountersTable.tsx";
import { HelpOverlay } from "./views/HelpOverlay.tsx";
import { Ledger } from "./views/Ledger.tsx";
import { MemoryMaps } from "./views/MemoryMaps.tsx";
import { MigrationView } from "./views/MigrationView.tsx";
import { Narration, NarrationLive } from "./views/Narration.tsx";
import { PteHistory } from "./views/PteHistory.tsx";
import { SelftestView } from "./views/SelftestView.tsx";
import { StepList } from "./views/StepList.tsx";
import { SECTIONS, sectionElementId, useSectionInLink } from "./views/sections.ts";
import { TableDetail } from "./views/TableDetail.tsx";
import { ViewBoundary } from "./views/ViewBoundary.tsx";

export function App() {
  const store = useAppStore();
  const status = useApp((s) => s.status);
  const issues = useApp((s) => s.issues);
  const error = useApp((s) => s.error);
  const computedIn = useApp((s) => s.run?.computedIn ?? "");
  const runId = useApp((s) => s.run?.runId ?? -1);
  const appRef = useRef<HTMLDivElement>(null);
  // A child's layout effect runs before its parent's ref is attached, so StepStatus cannot write
  // the step attributes on the first commit: the ref writes them when the element arrives (the
  // store may already be at its final step when the views mount, and then never moves).
  const attachApp = useCallback(
    (el: HTMLDivElement | null) => {
      appRef.current = el;
      if (el) writeStepAttributes(el, store.getState().position, store.getState().view?.position ?? -1);
    },
    [store],
  );
  const playing = useApp((s) => s.playing);
  const speed = useApp((s) => s.speed);
  const granularity = useApp((s) => s.granularity);
  const reducedMotion = useApp((s) => s.reducedMotion);
  const goToRef = useRef<HTMLInputElement>(null);
  const centerRef = useRef<HTMLElement>(null);
  const sync = useLinkSync();
  const presenting = usePresenting();
  const ctx = useMemo<CommandContext>(
    () => ({
      store,
      focusGoTo: () => {
        goToRef.current?.focus();
        goToRef.current?.select();
      },
      togglePresenting: () => sync?.setPresent(!sync.links.getState().present),
    }),
    [store, sync],
  );
  usePlayback();
  useShortcuts(ctx);
  const comparing = useComparing();

  // Tween only while playing, over one step's duration; never with reduced motion.
  const tween = playing && !reducedMotion ? stepDurationMs(speed, granularity) : 0;
  if (comparing) return <CompareView />;
  return (
    <div
      className={presenting ? "app presenting" : "app"}
      data-presenting={presenting ? "true" : "false"}
      data-status={status}
      data-engine-env={computedIn}
      ref={attachApp}
      data-playing={playing ? "true" : "false"}
      data-reduced-motion={reducedMotion ? "true" : "false"}
      style={{ "--tween-ms": `${tween}ms` } as CSSProperties}
    >
      <Header />
      <LectureBar />
      <LinkBanner />
      <ExerciseLayer />
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      {issues.length > 0 && <RunIssues />}
      <main className="layout" aria-busy={status === "loading"}>
        <div className="column left">
          <section className="panel steps" aria-label="Scenario steps">
            <ViewBoundary name="steps" resetKey={runId}>
              <StepList />
            </ViewBoundary>
          </section>
          <section className="panel history-panel" aria-label="PTE history">
            <ViewBoundary name="PTE history" resetKey={runId}>
              <PteHistory />
            </ViewBoundary>
          </section>
        </div>
        <section className="panel center" aria-label="Memory" ref={centerRef}>
          <ViewBoundary name="before and after" resetKey={runId}>
            <BeforeAfter />
          </ViewBoundary>
          <CenterNav panelRef={centerRef} />
          <div id={sectionElementId(null)} className="center-view">
            <ViewBoundary name="memory map" resetKey={runId}>
              <MemoryMaps />
            </ViewBoundary>
          </div>
          <div id={sectionElementId("table")} className="center-view">
            <ViewBoundary name="page table" resetKey={runId}>
              <TableDetail />
            </ViewBoundary>
          </div>
          <div id={sectionElementId("balloon")} className="center-view">
            <ViewBoundary name="balloon" resetKey={runId}>
              <BalloonView />
            </ViewBoundary>
          </div>
          <div id={sectionElementId("migration")} className="center-view">
            <ViewBoundary name="migration" resetKey={runId}>
              <MigrationView />
            </ViewBoundary>
          </div>
          <div id={sectionElementId("ledger")} className="center-view">
            <ViewBoundary name="ledger" resetKey={runId}>
              <Ledger />
            </ViewBoundary>
            <ViewBoundary name="selftest" resetKey={runId}>
              <SelftestView />
            </ViewBoundary>
          </div>
        </section>
        {/* Focusable so that keyboard users can scroll it when it holds no link (axe: scrollable-region-focusable). */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard. */}
        <section className="panel narration" aria-label="What happened" tabIndex={0}>
          <ViewBoundary name="narration" resetKey={runId}>
            <Narration />
          </ViewBoundary>
          <ViewBoundary name="counters" resetKey={runId}>
            <CountersTable />
          </ViewBoundary>
        </section>
      </main>
      <section className="dock" aria-label="Timeline and counters over the trace">
        <div className="dock-row timeline-row">
          <div className="dock-gutter">
            <span className="dock-title">Timeline</span>
            <span className="muted small">M / Shift+M: markers</span>
          </div>
          <ViewBoundary name="timeline" resetKey={runId}>
            <Timeline />
          </ViewBoundary>
        </div>
        <ViewBoundary name="charts" resetKey={runId}>
          <Charts />
        </ViewBoundary>
      </section>
      <StepControls goToRef={goToRef} />
      <HelpOverlay />
      <NarrationLive />
      <StepStatus appRef={appRef} />
    </div>
  );
}

/**
 * The memory panel's table of contents, pinned at its top: on a laptop screen the maps fill the
 * panel and the page table, balloon and migration sit below them, one click away. Buttons, not
 * links: the URL's fragment is the permalink, which carries the open section (views/sections.ts).
 */
function CenterNav({ panelRef }: { panelRef: RefObject<HTMLElement | null> }) {
  const pick = useSectionInLink(panelRef);
  const open = useLinks((s) => s.section);
  return (
    <nav className="center-nav" aria-label="Memory views">
      {SECTIONS.map(({ id, label }) => (
        <button
          key={label}
          type="button"
          className="center-nav-item"
          aria-current={open === id ? "true" : undefined}
          onClick={() => pick(id)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}

function writeStepAttributes(el: HTMLElement, position: number, viewPosition: number): void {
  el.dataset.position = String(position);
  el.dataset.viewPosition = String(viewPosition);
}

/**
 * Puts the target and the shown step on the page element (data-position, data-view-position) in
 * the same commit as the views, without re-rendering the page on every step; marks the first
 * step on screen as "zeropage-interactive" (the UI benchmark reads it).
 */
function StepStatus({ appRef }: { appRef: RefObject<HTMLDivElement | null> }) {
  const position = useApp((s) => s.position);
  const viewPosition = useApp((s) => s.view?.position ?? -1);
  const ready = useApp((s) => s.status === "ready");
  const marked = useRef(false);
  useLayoutEffect(() => {
    const el = appRef.current;
    if (el) writeStepAttributes(el, position, viewPosition);
  }, [appRef, position, viewPosition]);
  useEffect(() => {
    if (!marked.current && ready && viewPosition >= 0) {
      marked.current = true;
      performance.mark("zeropage-interactive");
    }
  }, [ready, viewPosition]);
  return null;
}
