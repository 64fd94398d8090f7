/**
 * Export and import: the scenario as JSON (and import of one), the trace as JSON, the counters as
 * CSV, the current step as an SVG summary card or a PNG of it (for slides), and a plain-text
 * summary for a mailing list. File contents come from export-data.ts; this component only wires
 * them to buttons and downloads.
 */
import { useState } from "react";
import { draftFrom } from "../editor/draft.ts";
import { useUrlSync } from "../share/context.tsx";
import { useApp } from "../store-context.tsx";
import { download } from "./download.ts";
import {
  countersCsv,
  fileBaseName,
  scenarioFile,
  summarySvg,
  summaryText,
  traceJson,
} from "./export-data.ts";
import { ImportScenario } from "./ImportScenario.tsx";
import { svgToPng } from "./rasterize.ts";
import "./export.css";

const GRANULARITY_NAMES = { action: "action", table: "page table", pte: "PTE" } as const;

export function ExportMenu({ onImported }: { onImported?: () => void }) {
  const sync = useUrlSync();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const scenario = useApp((s) => s.scenario);
  const kernel = useApp((s) => s.kernel);
  const position = useApp((s) => s.position);
  const granularity = useApp((s) => s.granularity);
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
        <h3>This step, for slides</h3>
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
