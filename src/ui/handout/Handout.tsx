/**
 * The handout: the run's key frames (key-frames.ts) on paper, one group per printed page, each
 * frame with its host memory maps, the counters and the narration's headline and sentence, in
 * print-safe colours (black on white, the maps' light palette). Opened from Export ("Handout"),
 * shown over the app as a preview with Print and Close, and printed with the browser's own print
 * dialog: the print style sheet (handout.css) prints only the handout, page by page.
 *
 * The maps come from the worker like every view's (EngineApi.view at page-table granularity, at the
 * end of each frame's event); nothing here changes the app's position.
 */
import { useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useStore } from "zustand";
import type { RunInfo, ViewState } from "../../worker/api.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { useEngineHandle, useLinkSync } from "../share/context.tsx";
import { useApp } from "../store-context.tsx";
import { SLOT_KEYS, type SlotNames, slotNames } from "../views/memory-map/classes.ts";
import { traceAxis } from "../views/trace-axis.ts";
import { frameMapSvg, PRINT_SLOTS, svgDataUrl } from "./frame-map.ts";
import { closeHandout, handout } from "./handout-store.ts";
import { frameTag, groupFrames, type KeyFrame, keyFrames } from "./key-frames.ts";
import "./handout.css";

const COUNTERS = ["rssAnonBytes", "vmPteBytes", "zeropagePtes", "hostMemBytes"] as const;

/** Renders the handout into <body> while it is open. */
export function HandoutHost() {
  const open = useStore(handout, (s) => s.open);
  if (!open) return null;
  return createPortal(<Handout />, document.body);
}

interface Loaded {
  readonly runId: number;
  readonly views: readonly (ViewState | null)[];
  readonly error: string | null;
}

function Handout() {
  const run = useApp((s) => s.run);
  const engine = useEngineHandle();
  const sync = useLinkSync();
  const ref = useRef<HTMLDialogElement>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const frames = run ? keyFrames(run) : [];
  const groups = groupFrames(frames);

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>("button")?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closeHandout();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    if (!run || !engine) return;
    let live = true;
    const ax = traceAxis(run.trace);
    const fs = keyFrames(run);
    void (async () => {
      const views: (ViewState | null)[] = [];
      let error: string | null = null;
      for (const f of fs) {
        try {
          views.push(
            await engine.api.view({
              runId: run.runId,
              granularity: "table",
              position: ax.cumTable[f.event + 1]!,
              selection: null,
            }),
          );
        } catch (e) {
          views.push(null);
          error = `a frame could not be computed: ${e instanceof Error ? e.message : String(e)}`;
        }
        if (!live) return;
        setLoaded({ runId: run.runId, views: [...views], error });
      }
      if (fs.length === 0) setLoaded({ runId: run.runId, views: [], error: null });
    })();
    return () => {
      live = false;
    };
  }, [run, engine]);

  const current = loaded && run && loaded.runId === run.runId ? loaded : null;
  const done = current !== null && current.views.length === frames.length;
  const link = sync?.linkTo({ step: false, embed: null }) ?? window.location.href;
  let index = 0;

  return (
    <dialog
      ref={ref}
      open
      tabIndex={-1}
      className="zl-handout"
      aria-label="Handout"
      data-testid="handout"
      data-ready={done ? "true" : "false"}
      data-pages={groups.length}
    >
      <div className="zl-handout-bar">
        <button type="button" onClick={() => window.print()} disabled={!done}>
          Print…
        </button>
        <button type="button" onClick={closeHandout}>
          Close
        </button>
        <span className="zl-handout-status" role="status">
          {!run
            ? "No run to print yet."
            : done
              ? `${frames.length} key frame${frames.length === 1 ? "" : "s"} on ${groups.length} page${groups.length === 1 ? "" : "s"}. Print with the button or Ctrl+P (⌘P); choose "Save as PDF" for a file.`
              : `Computing the key frames… ${current?.views.length ?? 0} of ${frames.length}`}
          {current?.error ? ` (${current.error})` : ""}
        </span>
      </div>
      {run &&
        groups.map((g, p) => (
          <section className="zl-handout-page" key={g.frames[0]!.event} data-testid="handout-page">
            <header className="zl-handout-head">
              <strong>Zeropage Lab</strong> · {run.title} · kernel {run.kernel.letter} · {run.kernel.id} ·
              page {p + 1} of {groups.length}
            </header>
            {g.frames.map((f) => {
              const i = index++;
              return (
                <Frame
                  key={`${f.kind}-${f.event}`}
                  run={run}
                  frame={f}
                  view={current?.views[i] ?? null}
                  n={i + 1}
                />
              );
            })}
            <footer className="zl-handout-foot">
              <Legend names={slotNames([run])} />
              <p className="zl-handout-link">{link}</p>
            </footer>
          </section>
        ))}
    </dialog>
  );
}

function Frame({
  run,
  frame,
  view,
  n,
}: {
  run: RunInfo;
  frame: KeyFrame;
  view: ViewState | null;
  n: number;
}) {
  const counters = COUNTERS.map((k) => run.counters.find((c) => c.key === k)).filter((c) => c !== undefined);
  return (
    <article className="zl-handout-frame" data-kind={frame.kind} aria-label={frame.title}>
      <p className="zl-handout-tag">
        {n} · {frameTag(frame, run)} · after event {formatInt(frame.event + 1)} of{" "}
        {formatInt(run.trace.events)}
        {view ? ` · step ${formatInt(view.position)} by page table` : ""}
      </p>
      <h2>{frame.title}</h2>
      <p className="zl-handout-headline">{frame.headline}</p>
      {view ? (
        <div className="zl-handout-maps">
          {view.mms.map((m) => {
            const map = frameMapSvg(m);
            return (
              <figure key={m.name}>
                <img
                  src={svgDataUrl(map.svg)}
                  alt={`${m.name} host memory map: ${formatInt(m.tables)} page tables`}
                  style={{ aspectRatio: `${map.columns} / ${map.rows}` }}
                />
                <figcaption>
                  {m.name} host · {formatInt(m.tables)} page tables
                  {map.tablesPerCell > 1 ? ` (${formatInt(map.tablesPerCell)} a cell)` : ""}
                </figcaption>
              </figure>
            );
          })}
        </div>
      ) : (
        <p className="zl-handout-wait">Computing this frame…</p>
      )}
      {view && (
        <table className="zl-handout-counters">
          <thead>
            <tr>
              <th scope="col">counter</th>
              {view.mms.map((m) => (
                <th scope="col" key={m.name}>
                  {m.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {counters.map((c) => (
              <tr key={c.key} data-counter={c.key}>
                <th scope="row">{c.label}</th>
                {view.mms.map((m) => {
                  const v = m.counters[c.key];
                  return <td key={m.name}>{c.unit === "bytes" ? formatBytesShort(v) : formatInt(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="zl-handout-sentence">{frame.sentence}</p>
    </article>
  );
}

function Legend({ names }: { names: SlotNames }) {
  return (
    <ul className="zl-handout-legend" aria-label="Map colours">
      {SLOT_KEYS.map((k) => (
        <li key={k}>
          <span className="zl-handout-swatch" style={{ background: PRINT_SLOTS[k] }} />
          {names[k].label}
        </li>
      ))}
    </ul>
  );
}
