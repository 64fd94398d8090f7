/**
 * Export and import: the scenario as JSON (and import of one), the trace as JSON, the counters as
 * CSV, the current view (memory maps at this step and zoom, view-svg.ts) as SVG or PNG, a summary
 * card of the step, a plain-text summary for a mailing list, and in compare mode the delta table
 * as text or CSV; for a recorded lecture, the narration as WebVTT captions and as a transcript
 * (captions.ts, timed at the current granularity and speed) and the printable handout
 * (handout/Handout.tsx). File contents come from export-data.ts, view-svg.ts and captions.ts; this
 * component gathers what they need and ExportSections.tsx wires them to buttons and downloads.
 */
import { useState } from "react";
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { CompareState } from "../../state/compare.ts";
import { useCompareStoreOrNull } from "../compare/context.tsx";
import { useLinkSync } from "../share/context.tsx";
import { useApp } from "../store-context.tsx";
import { clampViewport, wholeViewport } from "../views/memory-map/layout.ts";
import type { CaptionMeta } from "./captions.ts";
import {
  CompareExports,
  DataExports,
  GRANULARITY_NAMES,
  LectureExports,
  MailingListExport,
  ScenarioExports,
  ViewExports,
} from "./ExportSections.tsx";
import { fileBaseName, summarySvg } from "./export-data.ts";
import { ImportScenario } from "./ImportScenario.tsx";
import { LIGHT_THEME, type ViewSvgTheme, viewSvg } from "./view-svg.ts";
import "./export.css";

const NO_COMPARE = createStore<Pick<CompareState, "rightKernel" | "info">>()(() => ({
  rightKernel: null,
  info: null,
}));

/** The maps' colours as the page shows them (maps.css --map-*), on a white background for slides. */
function pageTheme(): ViewSvgTheme {
  const el = document.querySelector(".zl-maps") ?? document.documentElement;
  const style = getComputedStyle(el);
  const slots = { ...LIGHT_THEME.slots };
  for (const key of Object.keys(slots) as (keyof typeof slots)[]) {
    const v = style.getPropertyValue(`--map-${key}`).trim();
    if (v && !window.matchMedia?.("(prefers-color-scheme: dark)").matches) slots[key] = v;
  }
  return { ...LIGHT_THEME, slots };
}

export function ExportMenu({ onImported, onClose }: { onImported?: () => void; onClose?: () => void }) {
  const sync = useLinkSync();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const scenario = useApp((s) => s.scenario);
  const kernel = useApp((s) => s.kernel);
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
  const speed = useApp((s) => s.speed);
  const viewport = useApp((s) => s.viewport);
  const compareStore = useCompareStoreOrNull() ?? NO_COMPARE;
  const compareKernel = useStore(compareStore, (s) => s.rightKernel);
  const compareInfo = useStore(compareStore, (s) => s.info);
  const [message, setMessage] = useState("");
  const link = () => sync?.linkTo() ?? window.location.href;

  if (!run) {
    return (
      <div className="zl-export">
        <p className="muted">Exports are available once the run is computed.</p>
        <ImportScenario onLoaded={onImported} />
      </div>
    );
  }
  const base = fileBaseName(run);
  const stepLabel = () => {
    const action = view && view.action >= 0 ? run.trace.actions[view.action]?.label : "before any action";
    return `step ${position.toLocaleString("en-US")} of ${run.counts[granularity].toLocaleString("en-US")} by ${GRANULARITY_NAMES[granularity]}${action ? `: ${action}` : ""}`;
  };
  const card = () => summarySvg(run, { link: link(), view, stepLabel: stepLabel() });
  const current = () => {
    if (!view) throw new Error("the view is still computing");
    const tables = view.mms[0]?.tables ?? 0;
    return viewSvg({
      run,
      view,
      viewport: clampViewport(tables, viewport ?? wholeViewport(tables)),
      stepLabel: stepLabel(),
      link: link(),
      theme: pageTheme(),
    });
  };
  const captionMeta = (): CaptionMeta => ({
    title: run.title,
    kernel: `${run.kernel.id} (${run.kernel.title})`,
    granularity,
    speed,
    link: sync?.linkTo({ step: false, embed: null }) ?? window.location.href,
  });
  const act = (label: string, f: () => void | Promise<void>) => async () => {
    try {
      await f();
      setMessage(`${label}: saved.`);
    } catch (e) {
      setMessage(`${label} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
    <div className="zl-export" data-testid="export-menu">
      <ScenarioExports act={act} base={base} scenario={scenario} kernel={kernel} onImported={onImported} />
      <DataExports act={act} base={base} run={run} link={link} />
      <ViewExports act={act} base={base} position={position} current={current} card={card} />
      {compareKernel !== null && compareInfo && (
        <CompareExports act={act} base={base} kernel={compareKernel} delta={compareInfo.delta} link={link} />
      )}
      <LectureExports
        act={act}
        base={base}
        run={run}
        granularity={granularity}
        speed={speed}
        meta={captionMeta}
        onClose={onClose}
      />
      <MailingListExport act={act} base={base} run={run} link={link} onMessage={setMessage} />
      <output className="zl-copied" aria-live="polite">
        {message}
      </output>
    </div>
  );
}
