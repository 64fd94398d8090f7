/**
 * The export menu's sections, one component each: the scenario, the run's data, this view for
 * slides, this comparison, a recorded lecture, a mailing list. Each wires files from
 * export-data.ts, view-svg.ts and captions.ts to its buttons; `act` runs a download and reports it.
 */
import { useState } from "react";
import { formatDeltaTable } from "../../state/compare.ts";
import type { Granularity, RunInfo } from "../../worker/api.ts";
import { type Draft, draftFrom } from "../editor/draft.ts";
import { openHandout } from "../handout/handout-store.ts";
import { type CaptionMeta, narrationCues, toTranscript, toWebVtt } from "./captions.ts";
import { download } from "./download.ts";
import { countersCsv, deltaCsv, scenarioFile, summaryText, traceJson } from "./export-data.ts";
import { ImportScenario } from "./ImportScenario.tsx";
import { svgToPng } from "./rasterize.ts";

export const GRANULARITY_NAMES = { action: "action", table: "page table", pte: "PTE" } as const;

/** Runs an export named `label` and says how it went. */
type Act = (label: string, f: () => void | Promise<void>) => () => Promise<void>;

interface Base {
  readonly act: Act;
  /** The files' name, from the run (export-data.ts fileBaseName). */
  readonly base: string;
}

export function ScenarioExports(
  p: Base & {
    readonly scenario: unknown;
    readonly kernel: string | null;
    readonly onImported?: () => void;
  },
) {
  const file = (): Draft => draftFrom(p.scenario, p.kernel);
  return (
    <section>
      <h3>Scenario</h3>
      <div className="zl-row">
        <button
          type="button"
          onClick={p.act("Scenario", () =>
            download(`${p.base}.scenario.json`, scenarioFile(file()), "application/json"),
          )}
        >
          Scenario (JSON)
        </button>
      </div>
      <ImportScenario onLoaded={p.onImported} />
    </section>
  );
}

export function DataExports({
  act,
  base,
  run,
  link,
}: Base & { readonly run: RunInfo; readonly link: () => string }) {
  return (
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
  );
}

interface ViewProps extends Base {
  readonly position: number;
  /** The maps at this step and zoom (view-svg.ts). */
  readonly current: () => { readonly svg: string; readonly width: number; readonly height: number };
  /** The step's summary card. */
  readonly card: () => string;
}

export function ViewExports({ act, base, position, current, card }: ViewProps) {
  return (
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
  );
}

interface CompareProps extends Base {
  /** The kernel compared with. */
  readonly kernel: string;
  readonly delta: Parameters<typeof deltaCsv>[0];
  readonly link: () => string;
}

export function CompareExports({ act, base, kernel, delta, link }: CompareProps) {
  return (
    <section data-testid="export-compare">
      <h3>This comparison</h3>
      <div className="zl-row">
        <button
          type="button"
          onClick={act("Delta table", () =>
            download(
              `${base}-vs-${kernel}.delta.txt`,
              `${formatDeltaTable(delta)}\n\n${link()}\n`,
              "text/plain",
            ),
          )}
        >
          Delta table (text)
        </button>
        <button
          type="button"
          onClick={act("Delta table", () =>
            download(`${base}-vs-${kernel}.delta.csv`, deltaCsv(delta, link()), "text/csv"),
          )}
        >
          Delta table (CSV)
        </button>
      </div>
    </section>
  );
}

interface LectureProps extends Base {
  readonly run: RunInfo;
  readonly granularity: Granularity;
  readonly speed: number;
  readonly meta: () => CaptionMeta;
  readonly onClose?: () => void;
}

export function LectureExports({ act, base, run, granularity, speed, meta, onClose }: LectureProps) {
  const timing = `by ${GRANULARITY_NAMES[granularity]} at ${speed}×`;
  return (
    <section data-testid="export-lecture">
      <h3>For a recorded lecture</h3>
      <p className="muted">
        The narration, step by step, timed as playback plays it {timing} from the start (change the step size
        or the speed first to time it otherwise); and a handout of the key frames to print.
      </p>
      <div className="zl-row">
        <button
          type="button"
          onClick={act("Captions", () =>
            download(
              `${base}.captions.vtt`,
              toWebVtt(narrationCues(run, granularity, speed), meta()),
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
              toTranscript(narrationCues(run, granularity, speed), meta()),
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
  );
}

interface MailingListProps extends Base {
  readonly run: RunInfo;
  readonly link: () => string;
  readonly onMessage: (message: string) => void;
}

/** A plain-text summary to paste into a mail: shown, saved as .txt, or copied. */
export function MailingListExport({ act, base, run, link, onMessage }: MailingListProps) {
  const [text, setText] = useState<string | null>(null);
  return (
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
                  onMessage("Summary copied.");
                } catch {
                  onMessage("Select the text and copy it (Ctrl+C).");
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
  );
}
