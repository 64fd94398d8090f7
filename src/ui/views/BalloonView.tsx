/**
 * The balloon, as the guest sees its physical memory: which guest pages the virtio-balloon driver
 * has handed back, per page table's worth of guest-physical memory (the worker's per-table
 * balloon byte: none, some, all), and how big the balloon is at this step (the trace's
 * balloonPages). The map shares the host maps' viewport, so it shows the very same page tables
 * (one map's width to itself, where the host maps may stand two side by side): QEMU discards a ballooned page with MADV_DONTNEED on the host, so on the host
 * map that table shows "table, PTEs empty" until something faults the page in again.
 *
 * Linking: hovering a cell rings the same table on the host maps (and back); the checkbox
 * outlines every ballooned table on the host maps.
 */
import { useCallback, useMemo, useRef } from "react";
import { formatBytesShort, formatInt } from "../format.ts";
import { useApp, useAppStore } from "../store-context.tsx";
import { countClassesFromHistogram } from "./memory-map/aggregate.ts";
import { SLOT_KEYS, type SlotNames, slotNames } from "./memory-map/classes.ts";
import { extraAfter, extraAt, stepStartEvent } from "./memory-map/extra.ts";
import { useDevicePixelRatio, useElementWidth, usePalette } from "./memory-map/hooks.ts";
import { appMapLayout, clampViewport, wholeViewport } from "./memory-map/layout.ts";
import { MapCanvas } from "./memory-map/MapCanvas.tsx";
import { Swatch } from "./memory-map/Swatch.tsx";
import { focusPteGrid, zoomMaps } from "./memory-map/zoom.ts";
import "./memory-map/maps.css";
import { PAGE_SIZE } from "../../base/units.ts";

function pagesText(pages: number): string {
  return `${formatInt(pages)} pages (${formatBytesShort(pages * PAGE_SIZE)})`;
}

/**
 * What the host side of the ballooned tables means, worded from the classes they hold now, each
 * quoting the class as the run names it (a memfd guest's pages are shmem/memfd pages).
 */
const HOST_SIDE_NOTES: Readonly<Record<(typeof SLOT_KEYS)[number], string>> = {
  absent: "that host maps nothing there and spends nothing on it.",
  none: "the discard at work: the host got the memory back and only the page table remains. Reading those pages again maps the shared zeropage where that is allowed, and allocates real pages where it is not.",
  zero: "the pages were read after the discard and every PTE points at the one zero frame, so the balloon still costs only page tables.",
  "anon-zero":
    "the ballooned pages hold only zeros but each has a 4 KiB frame of its own, so the memory the balloon gave back is spent again.",
  "anon-data": "the guest has taken these pages back and written to them.",
  ksm: "KSM merged the pages into shared frames.",
};

function hostSideNote(
  hostSide: readonly { name: string; bySlot: ArrayLike<number> }[],
  names: SlotNames,
): string {
  const notes: string[] = [];
  for (let i = 0; i < SLOT_KEYS.length; i++) {
    const key = SLOT_KEYS[i]!;
    const label = names[key].label;
    if (hostSide.some((h) => (h.bySlot[i] ?? 0) > 0))
      notes.push(`"${label.charAt(0).toUpperCase()}${label.slice(1)}": ${HOST_SIDE_NOTES[key]}`);
  }
  return notes.join(" ");
}

export function BalloonView() {
  const store = useAppStore();
  const run = useApp((s) => s.run);
  const view = useApp((s) => s.view);
  const selection = useApp((s) => s.selection);
  const hoverTable = useApp((s) => s.hoverTable);
  const setHover = useApp((s) => s.setHover);
  const showBalloon = useApp((s) => s.showBalloon);
  const setShowBalloon = useApp((s) => s.setShowBalloon);
  const linkViewport = useApp((s) => s.viewport);
  const rootRef = useRef<HTMLElement | null>(null);
  const width = useElementWidth(rootRef);
  const dpr = useDevicePixelRatio();
  const palette = usePalette(rootRef);

  const guest = view?.mms[0] ?? null;
  const tableCount = guest?.tables ?? 0;
  const viewport = clampViewport(tableCount, linkViewport ?? wholeViewport(tableCount));
  const mmCount = view?.mms.length ?? 1;
  const layout = useMemo(
    () =>
      appMapLayout(
        tableCount,
        { tableSpaceStart: viewport.tableSpaceStart, tableSpaceLength: viewport.tableSpaceLength },
        width,
        dpr,
        mmCount,
      ),
    [tableCount, viewport.tableSpaceStart, viewport.tableSpaceLength, width, dpr, mmCount],
  );
  const parts: readonly [number, number, number] = guest ? guest.balloonParts : [0, 0, 0];

  // Host side: what the tables holding only ballooned pages look like on each host now.
  const hostSide = useMemo(() => {
    if (!view || !guest) return [];
    return view.mms.map((m) => ({
      name: m.name,
      bySlot: countClassesFromHistogram(m.balloonClassHistogram).bySlot,
    }));
  }, [view, guest]);

  const guestOn = run && view ? extraAfter(run.trace, view.event, "guestOn") : 0;
  const names = useMemo(() => slotNames([run]), [run]);
  const describeCells = useCallback(
    (first: number, end: number) => {
      if (!guest || !run) return "";
      const b = guest.balloon[first];
      const what =
        b === 2
          ? "every page in the balloon"
          : b === 1
            ? "some pages in the balloon"
            : "the guest's own pages";
      const span = run.geometry.tableSpanBytes;
      return `guest-physical ${formatBytesShort(first * span)} – ${formatBytesShort(end * span)}: ${end - first === 1 ? what : "see the table detail"}`;
    },
    [guest, run],
  );
  const onSelect = useCallback(
    (table: number) =>
      store.getState().select({ mm: Math.max(0, Math.min(guestOn || 0, mmCount - 1)), table }),
    [store, guestOn, mmCount],
  );
  const onZoom = useCallback(
    (direction: "in" | "out", focus: number) => {
      if (direction === "in") onSelect(focus);
      if (zoomMaps(store.getState(), direction, focus, tableCount, layout) === "deepest") focusPteGrid();
    },
    [store, onSelect, tableCount, layout],
  );

  if (!run || !view || !guest) return null;
  const point = { event: view.event, stepInEvent: view.stepInEvent, stepsInEvent: view.stepsInEvent };
  const size = extraAt(run.trace, point, "balloonPages", stepStartEvent(run.trace, view));
  const guestPages = run.trace.mmPages[0] ?? 0;
  const fraction = guestPages > 0 ? size.value / guestPages : 0;
  const hasBalloon = size.value > 0 || parts[1] + parts[2] > 0;
  const span = run.geometry.tableSpanBytes;

  return (
    <section
      className="zl-balloon"
      ref={rootRef}
      aria-labelledby="zl-balloon-h"
      data-testid="balloon"
      data-balloon-pages={size.value}
    >
      <h2 className="zl-h2" id="zl-balloon-h">
        Balloon: the guest's view of its physical memory
      </h2>
      <p className="zl-balloon-size">
        <strong>{pagesText(size.value)}</strong> of {pagesText(guestPages)} are in the balloon (
        {(fraction * 100).toFixed(fraction > 0 && fraction < 0.01 ? 2 : 0)} %)
        {size.delta > 0 && (
          <span className="zl-delta zl-up"> · inflated by {pagesText(size.delta)} this step</span>
        )}
        {size.delta < 0 && (
          <span className="zl-delta zl-down"> · deflated by {pagesText(-size.delta)} this step</span>
        )}
      </p>
      <div className="zl-gauge" aria-hidden="true">
        <div className="zl-gauge-fill" style={{ width: `${Math.min(100, fraction * 100)}%` }} />
      </div>
      {!hasBalloon ? (
        <p className="muted">
          The balloon is empty: the guest owns all its memory. When it inflates, the guest driver hands pages
          back and QEMU discards each one on the host (madvise(MADV_DONTNEED), one 4 KiB page per call).
        </p>
      ) : (
        <>
          <MapCanvas
            label="guest physical memory: pages in the balloon"
            kind="guest"
            layout={layout}
            perTable={guest.balloon}
            perTableKey={guest.balloonHash}
            ptesPerTable={guest.ptesPerTable}
            pageOffset={guest.pageOffset}
            tableBytes={span}
            activeRuns={null}
            balloonOutline={null}
            balloonOutlineKey={-1}
            selectedTable={selection ? selection.table : null}
            hoverTable={hoverTable}
            palette={palette}
            describeCells={describeCells}
            onSelect={onSelect}
            onHover={setHover}
            onZoom={onZoom}
            description="Each cell is the guest-physical memory of one host page table. Arrow keys move the selected table on the host maps too."
          />
          <ul className="zl-legend-classes zl-balloon-legend">
            <li>
              <Swatch palette={palette} tile={0} kind="guest" /> the guest's own ({formatInt(parts[0])}{" "}
              tables)
            </li>
            <li>
              <Swatch palette={palette} tile={1} kind="guest" /> partly in the balloon ({formatInt(parts[1])})
            </li>
            <li>
              <Swatch palette={palette} tile={2} kind="guest" /> all in the balloon ({formatInt(parts[2])},{" "}
              {formatBytesShort(parts[2] * span)})
            </li>
          </ul>
          <label className="zl-check">
            <input type="checkbox" checked={showBalloon} onChange={(e) => setShowBalloon(e.target.checked)} />
            Highlight the ballooned tables on the host maps
          </label>
          {parts[2] > 0 && (
            <div className="zl-host-side" data-testid="balloon-host-side">
              <p>
                On the host, the {formatInt(parts[2])} tables whose guest pages are all in the balloon now
                hold:
              </p>
              <ul>
                {hostSide.map((h) => (
                  <li key={h.name}>
                    <strong>{h.name}</strong>:{" "}
                    {SLOT_KEYS.map((k, i) => ({ k, n: h.bySlot[i]! }))
                      .filter((x) => x.n > 0)
                      .map((x) => `${formatInt(x.n)} × ${names[x.k].label}`)
                      .join(", ") || "nothing"}
                  </li>
                ))}
              </ul>
              <p className="muted" data-testid="balloon-host-note">
                {hostSideNote(hostSide, names)}
              </p>
            </div>
          )}
        </>
      )}
    </section>
  );
}
