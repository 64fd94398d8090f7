/**
 * The story at a glance: whenever the story names a patch, the same step under the kernel before
 * it and the kernel after it (and a third on request), in the main view. The step's sentence (what
 * differs here and why: the rule that fired on each side, compare/step-difference.ts), the two
 * hosts' key counters side by side with the difference, and the maps in a compact pair. One
 * export gives the step as a single before/after slide (PNG and SVG).
 *
 * Everything shown comes from the slice (state/before-after.ts): views the worker computed and
 * the comparison's explanations. Nothing here decides what a kernel does.
 */
import { useCallback, useMemo, useRef } from "react";
import type { BeforeAfterColumn, BeforeAfterStep } from "../../state/before-after.ts";
import type { MmCounters, VariantId, ViewState } from "../../worker/api.ts";
import { PairMapCanvas } from "../compare/PairMapCanvas.tsx";
import { download } from "../export/download.ts";
import { svgToPng } from "../export/rasterize.ts";
import { formatBytesShort, formatInt } from "../format.ts";
import { codesInWords } from "../narration/bookkeeping.ts";
import { useLinkSync, useLinks } from "../share/context.tsx";
import { useApp, useAppStore } from "../store-context.tsx";
import { countClassesFromHistogram } from "../views/memory-map/aggregate.ts";
import { ClassKey } from "../views/memory-map/ClassKey.tsx";
import { describeClass, slotNames } from "../views/memory-map/classes.ts";
import { useDevicePixelRatio, useElementWidth, usePalette } from "../views/memory-map/hooks.ts";
import { computeLayout } from "../views/memory-map/layout.ts";
import { useBalloonOutlined } from "../views/memory-map/map-view.ts";
import { useBeforeAfter, useBeforeAfterStore } from "./context.tsx";
import { pairCounters } from "./pair-counters.ts";
import { usePresentingRoom } from "./room.ts";
import { beforeAfterSvg } from "./slide-svg.ts";
import "./lecture.css";

function fmt(unit: "bytes" | "count", v: number): string {
  return unit === "bytes" ? formatBytesShort(v) : formatInt(v);
}

function signed(unit: "bytes" | "count", v: number): string {
  if (v === 0) return "±0";
  return `${v > 0 ? "+" : "−"}${fmt(unit, Math.abs(v))}`;
}

function roleName(c: BeforeAfterColumn, commit: string): string {
  return c.role === "before" ? `before ${commit}` : c.role === "after" ? `with ${commit}` : "also";
}

export function BeforeAfter() {
  const store = useBeforeAfterStore();
  const patch = useBeforeAfter((s) => s.patch);
  const shown = useBeforeAfter((s) => s.shown);
  const status = useBeforeAfter((s) => s.status);
  const error = useBeforeAfter((s) => s.error);
  const columns = useBeforeAfter((s) => s.columns);
  const step = useBeforeAfter((s) => s.step);
  const markAppStep = useAppStepAttribute();
  const presenting = useLinks((s) => s.present);
  if (!patch) return null;
  if (!shown)
    return (
      <div className="ba-hidden">
        <button type="button" onClick={() => store.getState().setShown(true)}>
          Show before and after {patch.commit}
        </button>
      </div>
    );
  return (
    <section
      className="ba-panel"
      aria-label={`Before and after ${patch.commit}`}
      data-testid="before-after"
      data-ba-status={status}
      data-ba-position={step ? `${step.granularity}:${step.position}` : ""}
      ref={markAppStep}
    >
      <div className="ba-head">
        <h2 className="ba-title">
          Before and after {patch.commit}
          <span className="ba-subject"> “{patch.subject}”</span>
        </h2>
        {!presenting && <BeforeAfterActions />}
      </div>
      {error && <p className="ba-error">{error}</p>}
      {status === "loading" && !step && <p className="muted">Computing both kernels…</p>}
      {step && columns.length > 0 && (
        <>
          <p className="ba-sentence" data-testid="ba-sentence" data-kind={step.difference.kind}>
            {codesInWords(step.difference.text)}
            {step.difference.why && <span className="ba-why"> Why: {codesInWords(step.difference.why)}</span>}
          </p>
          <BeforeAfterBody columns={columns} step={step} commit={patch.commit} />
          {patch.caveat && !presenting && <p className="ba-caveat muted">{patch.caveat}</p>}
        </>
      )}
    </section>
  );
}

/**
 * A ref that keeps the app's step on the panel (data-app-position, which e2e compares with
 * data-ba-position to know the panel caught up) by following the store, so that a step of the
 * app does not re-render the panel: it renders when its own step arrives.
 */
function useAppStepAttribute(): (el: HTMLElement | null) => (() => void) | undefined {
  const store = useAppStore();
  return useCallback(
    (el: HTMLElement | null) => {
      if (!el) return undefined;
      const write = (s: { readonly granularity: string; readonly position: number }) => {
        const v = `${s.granularity}:${s.position}`;
        if (el.dataset.appPosition !== v) el.dataset.appPosition = v;
      };
      write(store.getState());
      return store.subscribe(write);
    },
    [store],
  );
}

/**
 * The panel's actions: a third kernel on request, the step as a before/after slide, and (outside
 * presentation mode) hiding the panel. Presenting, the lecture strip carries them beside the
 * headline (LectureBar.tsx), so that they stay at hand when the panel gives its title's room to
 * the maps.
 */
export function BeforeAfterActions() {
  const store = useBeforeAfterStore();
  const patch = useBeforeAfter((s) => s.patch);
  const shown = useBeforeAfter((s) => s.shown);
  const columns = useBeforeAfter((s) => s.columns);
  const step = useBeforeAfter((s) => s.step);
  const third = useBeforeAfter((s) => s.third);
  const presenting = useLinks((s) => s.present);
  if (!patch || !shown) return null;
  const offer: VariantId | undefined = patch.also[0];
  return (
    <div className="ba-actions">
      {offer && (
        <label className="ba-toggle">
          <input
            type="checkbox"
            checked={third !== null}
            onChange={(e) => store.getState().setThird(e.target.checked ? offer : null)}
            data-testid="ba-third"
          />
          {offer} too
        </label>
      )}
      {step && columns.length > 0 && <SlideButtons columns={columns} step={step} commit={patch.commit} />}
      {!presenting && (
        <button type="button" className="ba-hide" onClick={() => store.getState().setShown(false)}>
          Hide
        </button>
      )}
    </div>
  );
}

/**
 * The counters (and, beside the maps, their key) on one side, the compact maps on the other. The
 * ballooned range is outlined at the balloon and migration steps, as on the host maps.
 */
function BeforeAfterBody(props: {
  columns: readonly BeforeAfterColumn[];
  step: BeforeAfterStep;
  commit: string;
}) {
  const { columns, step, commit } = props;
  const keyRef = useRef<HTMLDivElement | null>(null);
  const palette = usePalette(keyRef);
  const outlined = useBalloonOutlined(columns[0]?.run ?? null, step.views[0] ?? null);
  const keyColumns = useMemo(
    () =>
      columns.map((c, i) => ({
        key: c.kernel,
        label: c.kernel,
        counts: step.views[i]?.mms.map((m) => countClassesFromHistogram(m.classHistogram)) ?? [],
      })),
    [columns, step.views],
  );
  const names = useMemo(() => slotNames(columns.map((c) => c.run)), [columns]);
  const hosts = step.views[0]?.mms.map((m) => m.name) ?? [];
  return (
    <div className="ba-body">
      <div className="ba-side" ref={keyRef}>
        <PairCounters columns={columns} step={step} commit={commit} />
        <ClassKey
          columns={keyColumns}
          palette={palette}
          tableSpanBytes={columns[0]?.run.geometry.tableSpanBytes ?? 0}
          names={names}
          balloon={outlined}
          caption={`Key: guest RAM per class${hosts.length > 1 ? ` (${hosts.join(" · ")})` : ""}`}
          testId="ba-key"
        />
      </div>
      <PairMapsCompact columns={columns} step={step} commit={commit} outlined={outlined} />
    </div>
  );
}

function PairCounters(props: {
  columns: readonly BeforeAfterColumn[];
  step: BeforeAfterStep;
  commit: string;
}) {
  const { columns, step, commit } = props;
  const counters = useMemo(() => pairCounters(columns.map((c) => c.run)), [columns]);
  const names: string[] = [];
  for (const v of step.views) for (const m of v.mms) if (!names.includes(m.name)) names.push(m.name);
  const value = (v: ViewState | undefined, mm: string, key: keyof MmCounters) =>
    v?.mms.find((m) => m.name === mm)?.counters[key] ?? 0;
  return (
    <table className="ba-counters" data-testid="ba-counters">
      <caption className="zl-sr-only">
        Key counters under each kernel at this step, and the difference
      </caption>
      <thead>
        <tr>
          <th scope="col">at this step</th>
          {columns.map((c) => (
            <th scope="col" key={c.kernel} data-kernel={c.kernel}>
              <span className="ba-role">{roleName(c, commit)}</span> {c.kernel}
            </th>
          ))}
          <th scope="col">before − after</th>
        </tr>
      </thead>
      <tbody>
        {names.map((mm) =>
          counters.map((k, i) => {
            const vals = step.views.map((v) => value(v, mm, k.key));
            const d = vals[0]! - vals[1]!;
            return (
              <tr
                key={`${mm}-${k.key}`}
                data-mm={mm}
                data-counter={k.key}
                className={i === 0 ? "ba-mm-first" : ""}
              >
                <th scope="row">
                  {i === 0 && <span className="ba-mm">{mm} </span>}
                  {k.label}
                </th>
                {vals.map((v, c) => (
                  <td key={columns[c]?.kernel ?? c} data-value={v}>
                    {fmt(k.unit, v)}
                  </td>
                ))}
                <td
                  className={d === 0 ? "ba-same" : k.unit !== "bytes" ? "" : d > 0 ? "ba-cost" : "ba-saving"}
                  data-value={d}
                >
                  {d === 0 ? "the same" : signed(k.unit, d)}
                </td>
              </tr>
            );
          }),
        )}
      </tbody>
    </table>
  );
}

function PairMapsCompact(props: {
  columns: readonly BeforeAfterColumn[];
  step: BeforeAfterStep;
  commit: string;
  /** Outline the ballooned tables (the rest faded). */
  outlined: boolean;
}) {
  const { columns, step, commit } = props;
  const rootRef = useRef<HTMLDivElement | null>(null);
  const width = useElementWidth(rootRef, 480);
  const dpr = useDevicePixelRatio();
  const palette = usePalette(rootRef);
  const presenting = useLinks((s) => s.present);
  const mms = step.views[0]?.mms.map((m) => m.name) ?? [];
  // The maps share the width they are given (three kernels in a narrow window make them small,
  // never wider than their column: they must not run into each other).
  const perMap = Math.max(48, Math.floor((width - 12 * (columns.length - 1)) / columns.length));
  // Presenting, the maps take the height left above the transport bar (everything on one screen):
  // the room from the maps' top to the bar, less what the titles and captions take (measured).
  const { room, chrome } = usePresentingRoom(rootRef, presenting, 34 + mms.length * 26);
  const maxHeight = presenting
    ? Math.max(40, Math.min(480, Math.floor((room - chrome) / Math.max(1, mms.length))))
    : 110;
  const layouts = useMemo(
    () =>
      step.views.map((v) => {
        const tables = v.mms[0]?.tables ?? 0;
        return computeLayout({
          tableCount: tables,
          tableSpaceStart: 0,
          tableSpaceLength: tables,
          cssPxWidth: perMap,
          cssPxMaxHeight: maxHeight,
          // No address labels on the compact maps: the gutter's width goes to the cells.
          cssPxGutter: 0,
          cssPxMaxPitch: 8,
          devicePixelRatio: dpr,
        });
      }),
    [step.views, perMap, maxHeight, dpr],
  );
  return (
    <div
      className="ba-maps"
      ref={rootRef}
      data-testid="ba-maps"
      data-balloon={props.outlined ? "outlined" : "off"}
    >
      {columns.map((c, ci) => {
        const v = step.views[ci];
        if (!v) return null;
        return (
          <div key={c.kernel} className="ba-map-col" data-kernel={c.kernel}>
            <div className="ba-map-title">
              <span className="ba-role">{roleName(c, commit)}</span> {c.kernel}
            </div>
            {mms.map((mm) => {
              const mi = v.mms.findIndex((m) => m.name === mm);
              const snap = v.mms[mi];
              if (!snap) return null;
              const g = c.run.geometry;
              return (
                <figure key={mm} className="ba-map" data-testid={`ba-map-${c.role}-${mm}`}>
                  <figcaption>{mm} host</figcaption>
                  <PairMapCanvas
                    label={`${mm} host memory map under ${c.kernel}`}
                    layout={layouts[ci]!}
                    tableClass={snap.tableClass}
                    ptesPerTable={snap.ptesPerTable}
                    pageOffset={snap.pageOffset}
                    activeRuns={v.active.find((a) => a.mm === mi)?.runs ?? null}
                    diff={null}
                    balloon={props.outlined ? snap.balloon : null}
                    selectedTable={null}
                    palette={palette}
                    diffColour="#000"
                    describeCells={(first, end) =>
                      end - first === 1
                        ? `${c.kernel} · ${mm} · table ${formatInt(first)} · ${formatBytesShort(first * g.tableSpanBytes)} · ${describeClass(snap.tableClass[first]!, slotNames([c.run]))}`
                        : `${c.kernel} · ${mm} · tables ${formatInt(first)}–${formatInt(end - 1)}`
                    }
                    onSelect={() => {}}
                  />
                </figure>
              );
            })}
          </div>
        );
      })}
    </div>
  );
}

function SlideButtons(props: {
  columns: readonly BeforeAfterColumn[];
  step: BeforeAfterStep;
  commit: string;
}) {
  const sync = useLinkSync();
  const run = useApp((s) => s.run);
  const make = () =>
    beforeAfterSvg({
      commit: props.commit,
      title: run?.title ?? "",
      columns: props.columns.map((c, i) => ({
        kernel: c.kernel,
        role: roleName(c, props.commit),
        geometry: c.run.geometry,
        view: props.step.views[i]!,
      })),
      sentence: codesInWords(props.step.difference.text),
      why: props.step.difference.why && codesInWords(props.step.difference.why),
      stepLabel: `step ${formatInt(props.step.position)} by ${props.step.granularity === "action" ? "action" : props.step.granularity === "table" ? "page table" : "PTE"}`,
      link: sync?.linkTo() ?? "",
      counters: pairCounters(props.columns.map((c) => c.run)),
      names: slotNames(props.columns.map((c) => c.run)),
    });
  const name = `zeropage-lab-before-after-${props.commit}-step-${props.step.position}`;
  return (
    <span className="ba-slide" data-testid="ba-slide">
      <button
        type="button"
        onClick={() => {
          const s = make();
          void svgToPng(s.svg, s.width, s.height, 2).then((b) => download(`${name}.png`, b, "image/png"));
        }}
      >
        Slide (PNG)
      </button>
      <button type="button" onClick={() => download(`${name}.svg`, make().svg, "image/svg+xml")}>
        Slide (SVG)
      </button>
    </span>
  );
}
