/** Small React hooks for the canvases: element width, device pixel ratio, theme palette. */
import { type RefObject, useEffect, useMemo, useState } from "react";
import { type MapPalette, onThemeChange, readPalette } from "./palette.ts";

/**
 * The element behind `ref`, as state: it may appear after the first render (a view that renders
 * nothing until the run is loaded) or be replaced, and effects that use it must run again then.
 */
function useCurrentElement(ref: RefObject<HTMLElement | null>): HTMLElement | null {
  const [el, setEl] = useState<HTMLElement | null>(null);
  useEffect(() => {
    if (ref.current !== el) setEl(ref.current);
  });
  return el;
}

/**
 * The content width of an element in whole CSS px (at least 120), kept up to date with a
 * ResizeObserver. An element that has left the document (a view that renders nothing while the
 * next run loads) is not measured: its computed padding is "" and its width 0, and the last good
 * width stays until the element is back.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>, fallback = 560): number {
  const [width, setWidth] = useState(fallback);
  const el = useCurrentElement(ref);
  useEffect(() => {
    if (!el) return;
    const measure = () => {
      if (!el.isConnected) return;
      const style = getComputedStyle(el);
      const padding = (parseFloat(style.paddingLeft) || 0) + (parseFloat(style.paddingRight) || 0);
      const inner = Math.floor(el.clientWidth - padding);
      if (Number.isFinite(inner) && inner > 0) setWidth(Math.max(120, inner));
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return width;
}

/** window.devicePixelRatio, updated when it changes (browser zoom, moving to another screen). */
export function useDevicePixelRatio(): number {
  const [dpr, setDpr] = useState(() => (typeof window === "undefined" ? 1 : window.devicePixelRatio || 1));
  useEffect(() => {
    if (typeof window === "undefined" || !window.matchMedia) return;
    const mq = window.matchMedia(`(resolution: ${dpr}dppx)`);
    const update = () => setDpr(window.devicePixelRatio || 1);
    mq.addEventListener("change", update);
    return () => mq.removeEventListener("change", update);
  }, [dpr]);
  return dpr;
}

/** The canvas palette from CSS variables under `ref`, re-read when the system theme flips. */
export function usePalette(ref: RefObject<HTMLElement | null>): MapPalette | null {
  const [palette, setPalette] = useState<MapPalette | null>(null);
  const el = useCurrentElement(ref);
  useEffect(() => {
    if (!el) return;
    const read = () => setPalette(readPalette(el));
    read();
    return onThemeChange(read);
  }, [el]);
  return palette;
}

/**
 * A CSS custom property's value under `ref` (or `fallback` until there is one), read again when
 * `palette` changes: it is read from the same element after the palette, so a theme flip re-reads
 * it too.
 */
export function useCssVariable(
  ref: RefObject<HTMLElement | null>,
  name: string,
  fallback: string,
  palette: MapPalette | null,
): string {
  const [value, setValue] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!palette || !el) return;
    setValue(getComputedStyle(el).getPropertyValue(name).trim() || fallback);
  }, [ref, name, fallback, palette]);
  return value;
}

/** Whether the user asked for reduced motion (prefers-reduced-motion). */
export function useReducedMotion(): boolean {
  const query = "(prefers-reduced-motion: reduce)";
  const [reduced, setReduced] = useState(
    () => typeof window !== "undefined" && !!window.matchMedia && window.matchMedia(query).matches,
  );
  useEffect(() => {
    if (typeof window === "undefined" || !window.matchMedia) return;
    const mq = window.matchMedia(query);
    const update = () => setReduced(mq.matches);
    mq.addEventListener("change", update);
    return () => mq.removeEventListener("change", update);
  }, []);
  return reduced;
}

/**
 * The previous array while the new one has the same content key (the worker's content hash of the
 * bytes). Every view step brings fresh arrays from the worker; most steps change few tables (or
 * none, for bookkeeping steps), and a canvas keyed on a stable array repaints only when its content
 * changed. Comparing a key is free; comparing 102,400 bytes on every render was not.
 */
export function useStableArray<T extends ArrayLike<number> | null>(next: T, key: number | string): T {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for next's content.
  return useMemo(() => next, [key]);
}

/**
 * Snaps canvases to whole device pixels: a canvas laid out at x = 247.09 CSS px would resample
 * its bitmap and blur 1-pixel cells. `refs[0]`'s parent is measured in the next animation frame,
 * when the page's layout is clean anyway, instead of forcing a layout in the middle of React's
 * commit; and only when the layout changes or the window resizes, not on every step: each measure
 * is a layout the browser must do at once. Every canvas gets the same translation.
 */
export function useDevicePixelSnap(
  refs: readonly RefObject<HTMLCanvasElement | null>[],
  layout: { readonly devicePixelRatio: number },
): void {
  const [resizes, setResizes] = useState(0);
  useEffect(() => {
    const onResize = () => setResizes((n) => n + 1);
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the refs are stable; a new layout or a resize measures again.
  useEffect(() => {
    const wrap = refs[0]?.current?.parentElement;
    if (!wrap || resizes < 0) return;
    const id = requestAnimationFrame(() => {
      const r = wrap.getBoundingClientRect();
      const dpr = layout.devicePixelRatio;
      const fx = (((r.left * dpr) % 1) + 1) % 1;
      const fy = (((r.top * dpr) % 1) + 1) % 1;
      const snap =
        fx > 0.001 || fy > 0.001
          ? `translate(${(fx > 0.001 ? 1 - fx : 0) / dpr}px, ${(fy > 0.001 ? 1 - fy : 0) / dpr}px)`
          : "";
      for (const ref of refs) {
        const canvas = ref.current;
        if (canvas && canvas.style.transform !== snap) canvas.style.transform = snap;
      }
    });
    return () => cancelAnimationFrame(id);
  }, [layout, resizes]);
}

/** The window's height in CSS px, kept up to date on resize. */
export function useWindowHeight(): number {
  const [h, setH] = useState(() => (typeof window === "undefined" ? 900 : window.innerHeight));
  useEffect(() => {
    const on = () => setH(window.innerHeight);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  return h;
}
