/**
 * Theme colours for the canvases, read from the --map-* CSS custom properties (colours.ts defines
 * them, light and dark by prefers-color-scheme). Any CSS colour works: a 1 × 1 canvas resolves it.
 */
import { SLOT_KEYS } from "./classes.ts";
import { type PixelPalette, rgba } from "./draw.ts";

export interface MapPalette {
  readonly pixels: PixelPalette;
  /** Balloon map: a guest page the guest owns, and one in the balloon. */
  readonly guestPixel: number;
  readonly balloonPixel: number;
  /** The panel behind the maps: faded cells blend towards it. */
  readonly backgroundPixel: number;
  /** Overlay strokes and text, as CSS colour strings for the 2D context. */
  readonly active: string;
  readonly activeHalo: string;
  readonly select: string;
  readonly hover: string;
  readonly balloon: string;
  readonly text: string;
}

let probe: CanvasRenderingContext2D | null = null;

function toPixel(css: string): number {
  if (!probe) {
    const c = document.createElement("canvas");
    c.width = 1;
    c.height = 1;
    probe = c.getContext("2d", { willReadFrequently: true });
  }
  if (!probe) return rgba(128, 128, 128);
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = "#808080";
  probe.fillStyle = css;
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  return rgba(d[0]!, d[1]!, d[2]!, 255);
}

export function readPalette(el: Element): MapPalette {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const slot = new Uint32Array(SLOT_KEYS.length);
  SLOT_KEYS.forEach((key, i) => {
    slot[i] = toPixel(v(`--map-${key}`, "#888"));
  });
  return {
    pixels: {
      slot,
      noneEdge: toPixel(v("--map-none-edge", "#777")),
      hugeZero: toPixel(v("--map-huge-zero", "#0072b2")),
      ink: toPixel(v("--map-ink", "#000")),
      inkLight: toPixel(v("--map-ink-light", "#fff")),
    },
    guestPixel: toPixel(v("--map-guest", "#ccc")),
    balloonPixel: toPixel(v("--map-balloon", "#a0a")),
    backgroundPixel: toPixel(v("--panel", "#fff")),
    active: v("--map-active", "#000"),
    activeHalo: v("--map-active-halo", "#fff"),
    select: v("--map-select", "#00f"),
    hover: v("--map-hover", "#000"),
    balloon: v("--map-balloon", "#a0a"),
    text: v("--muted", "#666"),
  };
}

/** Calls `onChange` when the system theme flips; returns the unsubscribe function. */
export function onThemeChange(onChange: () => void): () => void {
  if (typeof window === "undefined" || !window.matchMedia) return () => {};
  const mq = window.matchMedia("(prefers-color-scheme: dark)");
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}
