/** The addresses in a map's gutter: where labelled rows start in guest RAM. Pure. */
import { GiB, MiB } from "../../../base/units.ts";
import { labelRowStride, type MapLayout } from "./layout.ts";

/** A gutter address: whole GiB as such, two decimals above 1 GiB, else whole MiB. */
export function gutterLabel(bytes: number): string {
  if (bytes === 0) return "0";
  if (bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`;
  return `${Math.round(bytes / MiB)} MiB`;
}

/** Labels at least 14 CSS px apart: each row's top in CSS px and the guest address it starts at. */
export function gutterLabels(layout: MapLayout, tableBytes: number): { top: number; text: string }[] {
  const out: { top: number; text: string }[] = [];
  const stride = labelRowStride(layout, 14);
  for (let row = 0; row < layout.rows; row += stride) {
    const table = layout.tableSpaceStart + row * layout.columns * layout.tablesPerCell;
    out.push({
      top: (row * layout.devicePxPitch) / layout.devicePixelRatio,
      text: gutterLabel(table * tableBytes),
    });
  }
  return out;
}
