/** A legend swatch drawn with the very tile the map uses, so the legend cannot drift from the map. */
import { useLayoutEffect, useRef } from "react";
import { buildBalloonTiles, buildTiles } from "./draw.ts";
import { devicePxOf } from "./layout.ts";
import type { MapPalette } from "./palette.ts";

export interface SwatchProps {
  readonly palette: MapPalette | null;
  /** Host tile index (classes.ts tileOf) or balloon byte (0/1/2) for kind "guest". */
  readonly tile: number;
  readonly kind?: "host" | "guest";
  readonly cssPx?: number;
}

export function Swatch({ palette, tile, kind = "host", cssPx = 14 }: SwatchProps) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  useLayoutEffect(() => {
    const canvas = ref.current;
    if (!canvas || !palette) return;
    const size = devicePxOf(cssPx, window.devicePixelRatio);
    canvas.width = size;
    canvas.height = size;
    const tiles =
      kind === "host"
        ? buildTiles(palette.pixels, size)
        : buildBalloonTiles(palette.guestPixel, palette.balloonPixel, palette.pixels.inkLight, size);
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const img = ctx.createImageData(size, size);
    new Uint32Array(img.data.buffer).set(tiles.data.subarray(tile * size * size, (tile + 1) * size * size));
    ctx.putImageData(img, 0, 0);
  }, [palette, tile, kind, cssPx]);
  return (
    <span className="map-swatch" aria-hidden="true">
      <canvas ref={ref} style={{ display: "block", width: `${cssPx}px`, height: `${cssPx}px` }} />
    </span>
  );
}
