/**
 * Embed mode (`embed=1`): a reduced page for an iframe in slides, a blog or a course. The memory
 * maps, the narration and counters, and the step controls; the editor folded away (or hidden with
 * `editor=0`); playback started at once with `autoplay=1`; and an "open in full app" link that
 * keeps the scenario, kernel and step. With `compare=`, the reduced compare page instead
 * (compare/EmbedCompare.tsx).
 */
import { useEffect, useRef } from "react";
import { useComparing } from "../compare/context.tsx";
import { EmbedCompare } from "../compare/EmbedCompare.tsx";
import { StepControls } from "../controls/StepControls.tsx";
import { usePlayback } from "../controls/usePlayback.ts";
import { ScenarioEditor } from "../editor/ScenarioEditor.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import { CountersTable } from "../views/CountersTable.tsx";
import { MemoryMaps } from "../views/MemoryMaps.tsx";
import { Narration } from "../views/Narration.tsx";
import { useLinkSync, useLinks } from "./context.tsx";
import { LinkBanner } from "./LinkBanner.tsx";
import { OpenInFullApp } from "./OpenInFullApp.tsx";
import "./share.css";

export function EmbedApp() {
  const store = useAppStore();
  const sync = useLinkSync();
  const embed = useLinks((s) => s.embed);
  const status = useApp((s) => s.status);
  const run = useApp((s) => s.run);
  const position = useApp((s) => s.position);
  const viewPosition = useApp((s) => s.view?.position ?? -1);
  const playing = useApp((s) => s.playing);
  const goToRef = useRef<HTMLInputElement>(null);
  usePlayback();

  // autoplay=1: start once, when the first run is on screen.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !embed?.autoplay || status !== "ready" || viewPosition < 0) return;
    started.current = true;
    if (!store.getState().playing) store.getState().togglePlaying();
  }, [embed, status, viewPosition, store]);

  const comparing = useComparing();
  if (comparing) return <EmbedCompare />;
  const full = sync ? sync.linkTo({ embed: null }) : window.location.href;
  return (
    <div
      className="app embed"
      data-embed="true"
      data-status={status}
      data-engine-env={run?.computedIn ?? ""}
      data-position={position}
      data-view-position={viewPosition}
      data-playing={playing ? "true" : "false"}
    >
      <header className="zl-embed-head">
        <p className="zl-embed-title">{run?.title || "Zeropage Lab"}</p>
        <span className="muted">{run ? `${run.kernel.letter} · ${run.kernel.id}` : "computing…"}</span>
        <output className={`outcome outcome-${run?.outcome ?? status}`} data-testid="outcome">
          {status === "loading" ? "computing…" : run ? run.outcome : status}
        </output>
        <OpenInFullApp href={full} />
      </header>
      <LinkBanner />
      <main className="zl-embed-main">
        <section className="panel center" aria-label="Memory">
          <MemoryMaps />
        </section>
        <section className="panel narration" aria-label="What happened">
          <Narration />
          <CountersTable />
        </section>
      </main>
      {!embed?.hideEditor && (
        <details className="zl-embed-editor">
          <summary>Edit the scenario</summary>
          <ScenarioEditor />
        </details>
      )}
      <StepControls goToRef={goToRef} />
    </div>
  );
}
