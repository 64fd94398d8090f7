/**
 * Export and import: the scenario as JSON (and import of one), the trace as JSON, the counters as
 * CSV, the current view (memory maps at this step and zoom, view-svg.ts) as SVG or PNG, a summary
 * card of the step, a plain-text summary for a mailing list, and in compare mode the delta table
 * as text or CSV; for a recorded lecture, the narration as WebVTT captions and as a transcript
 * (captions.ts, timed at the current granularity and speed) and the printable handout
 * (handout/Handout.tsx). File contents come from export-data.ts, view-svg.ts and captions.ts; this
 * component only wires them to buttons and downloads.
 */
import { useState } from "react";
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { CompareState } from "../../state/compare.ts";
import { formatDeltaTable } from "../../state/compare.ts";
import { useCompareStoreOrNull } from "../compare/context.tsx";
import { draftFrom } from "../editor/draft.ts";
import { openHandout } from "../handout/handout-store.ts";
import { useLinkSync } from "../share/context.tsx";
import { useApp } from "../store-context.tsx";
import { clampViewport, wholeViewport } from "../views/memory-map/layout.ts";
import { useMapLink } from "../views/memory-map/link.ts";
import { type CaptionMeta, narrationCues, toTranscript, toWebVtt } from "./captions.ts";
import { download } from "./download.ts";
import {
  countersCsv,
  deltaCsv,
  fileBaseName,
  scenarioFile,
  summarySvg,
  summaryText,
  traceJson,
} from "./export-data.ts";
import { ImportScenario } from "./ImportScenario.tsx";
import { svgToPng } from "./rasterize.ts";
import { LIGHT_THEME, type ViewSvgTheme, viewSvg } from "./view-svg.ts";
import "./export.css";

const GRANULARITY_NAMES = { action: "action", table: "page table", pte: "PTE" } as const;

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
  const viewport = useMapLink((s) => s.viewport);
  const compareStore = useCompareStoreOrNull() ?? NO_COMPARE;
  const compareKernel = useStore(compareStore, (s) => s.rightKernel);
  const compareInfo = useStore(compareStore, (s) => s.info);
  const [text, setText] = useState<string | null>(null);
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
  const timing = `by ${GRANULARITY_NAMES[granularity]} at ${speed}×`;
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
      <section>
        <h3>Scenario</h3>
        <div className="zl-row">
          <button
            type="button"
            onClick={act("Scenario", () =>
              download(
                `${base}.scenario.json`,
                scenarioFile(draftFrom(scenario, kernel)),
                "application/json",
              ),
            )}
          >
            Scenario (JSON)
          </button>
        </div>
        <ImportScenario onLoaded={onImported} />
      </section>
      <section>
        <h3>Data</h3>
        <div className="zl-row">
          <button
            type="button"
            onClick={act("Trace", () =>
              download(`${base}.trace.json`, traceJson(run, link()), "application/json"),
            )}
          >
            Trace (JSON)
          </button>
          <button
            type="button"
            onClick={act("Counters", () => download(`${base}.counters.csv`, countersCsv(run), "text/csv"))}
          >
            Counters (CSV)
          </button>
        </div>
      </section>
      <section>
        <h3>This view, for slides and papers</h3>
        <p className="muted">The host memory maps at this step and zoom, with their legend and counters.</p>
        <div className="zl-row">
          <button
            type="button"
            onClick={act("SVG", () =>
              download(`${base}-view-step-${position}.svg`, current().svg, "image/svg+xml"),
            )}
          >
            Current view (SVG)
          </button>
          <button
            type="button"
            onClick={act("PNG", async () => {
              const v = current();
              download(
                `${base}-view-step-${position}.png`,
                await svgToPng(v.svg, v.width, v.height),
                "image/png",
              );
            })}
          >
            Current view (PNG)
          </button>
        </div>
        <div className="zl-row">
          <button
            type="button"
            onClick={act("SVG", () => download(`${base}-step-${position}.svg`, card(), "image/svg+xml"))}
          >
            Summary card (SVG)
          </button>
          <button
            type="button"
            onClick={act("PNG", async () =>
              download(`${base}-step-${position}.png`, await svgToPng(card(), 1280, 720), "image/png"),
            )}
          >
            Summary card (PNG)
          </button>
        </div>
      </section>
      {compareKernel !== null && compareInfo && (
        <section data-testid="export-compare">
          <h3>This comparison</h3>
          <div className="zl-row">
            <button
              type="button"
              onClick={act("Delta table", () =>
                download(
                  `${base}-vs-${compareKernel}.delta.txt`,
                  `${formatDeltaTable(compareInfo.delta)}\n\n${link()}\n`,
                  "text/plain",
                ),
              )}
            >
              Delta table (text)
            </button>
            <button
              type="button"
              onClick={act("Delta table", () =>
                download(
                  `${base}-vs-${compareKernel}.delta.csv`,
                  deltaCsv(compareInfo.delta, link()),
                  "text/csv",
                ),
              )}
            >
              Delta table (CSV)
            </button>
          </div>
        </section>
      )}
      <section data-testid="export-lecture">
        <h3>For a recorded lecture</h3>
        <p className="muted">
          The narration, step by step, timed as playback plays it {timing} from the start (change the step
          size or the speed first to time it otherwise); and a handout of the key frames to print.
        </p>
        <div className="zl-row">
          <button
            type="button"
            onClick={act("Captions", () =>
              download(
                `${base}.captions.vtt`,
                toWebVtt(narrationCues(run, granularity, speed), captionMeta()),
                "text/vtt",
              ),
            )}
          >
            Captions (WebVTT)
          </button>
          <button
            type="button"
            onClick={act("Transcript", () =>
              download(
                `${base}.transcript.txt`,
                toTranscript(narrationCues(run, granularity, speed), captionMeta()),
                "text/plain",
              ),
            )}
          >
            Transcript (text)
          </button>
          <button
            type="button"
            onClick={() => {
              onClose?.();
              openHandout();
            }}
          >
            Handout (print)
          </button>
        </div>
      </section>
      <section>
        <h3>For a mailing list</h3>
        <div className="zl-row">
          <button type="button" onClick={() => setText(summaryText(run, link()))}>
            Plain-text summary
          </button>
          {text !== null && (
            <>
              <button
                type="button"
                onClick={act("Summary", () => download(`${base}.summary.txt`, text, "text/plain"))}
              >
                Save as .txt
              </button>
              <button
                type="button"
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(text);
                    setMessage("Summary copied.");
                  } catch {
                    setMessage("Select the text and copy it (Ctrl+C).");
                  }
                }}
              >
                Copy
              </button>
            </>
          )}
        </div>
        {text !== null && (
          <textarea
            className="zl-summary"
            readOnly
            value={text}
            rows={18}
            aria-label="Plain-text summary"
            data-testid="summary-text"
          />
        )}
      </section>
      <output className="zl-copied" aria-live="polite">
        {message}
      </output>
    </div>
  );
}
