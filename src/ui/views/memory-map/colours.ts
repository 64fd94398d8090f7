/**
 * The maps' colours, light and dark: the one place they are defined. Okabe–Ito (safe for the
 * common colour-vision deficiencies), with lightness steps and patterns so that colour is never the
 * only cue.
 *
 * Everything reads them from here: installMapColours() writes them as the --map-* CSS custom
 * properties (maps.css, the table detail's SVG, the legend's swatches and the canvases' palette
 * read those), and the SVG export takes MAP_COLOURS.light directly (a slide is white whatever the
 * theme).
 *
 * A class's colour is the colour of its cell at every size: the body of a tile. Patterns (draw.ts)
 * are small marks drawn over the body, so a cell of one device pixel and the legend's 14-pixel
 * swatch read as the same colour. An empty table ("table, PTEs empty") is a light slate body with a
 * darker edge where a cell is big enough to carry one; before, its body was the edge colour when
 * small and near-white when big, so the map showed dark slate where the legend showed a white box.
 */

export const MAP_COLOUR_KEYS = [
  "absent",
  "none",
  "none-edge",
  "zero",
  "anon-zero",
  "anon-data",
  "ksm",
  "ink",
  "ink-light",
  "guest",
  "balloon",
  "active",
  "active-halo",
  "select",
  "hover",
  "frame",
  "table-page",
] as const;
export type MapColourKey = (typeof MAP_COLOUR_KEYS)[number];

export const MAP_COLOURS: Readonly<Record<"light" | "dark", Readonly<Record<MapColourKey, string>>>> = {
  light: {
    absent: "#e8eaed",
    none: "#bcc4ce",
    "none-edge": "#6f7885",
    zero: "#56b4e9",
    "anon-zero": "#e69f00",
    "anon-data": "#c75300",
    ksm: "#009e73",
    ink: "#000000",
    "ink-light": "#ffffff",
    guest: "#d3d9e0",
    balloon: "#b4559a",
    active: "#111111",
    "active-halo": "#ffffff",
    select: "#1d4ed8",
    hover: "#3b3f46",
    frame: "#ffffff",
    "table-page": "#6d5bd0",
  },
  dark: {
    absent: "#262a31",
    none: "#4f5865",
    "none-edge": "#8d96a3",
    zero: "#56b4e9",
    "anon-zero": "#e69f00",
    "anon-data": "#f07b3f",
    ksm: "#1fb58a",
    ink: "#000000",
    "ink-light": "#ffffff",
    guest: "#3b424d",
    balloon: "#e08cc6",
    active: "#ffffff",
    "active-halo": "#000000",
    select: "#8fb3ff",
    hover: "#d0d4da",
    frame: "#1a1d23",
    "table-page": "#a99cf0",
  },
};

/** The CSS that defines the --map-* properties: light at :root, dark under the media query. */
export function mapColourCss(): string {
  const block = (theme: "light" | "dark") =>
    MAP_COLOUR_KEYS.map((k) => `--map-${k}: ${MAP_COLOURS[theme][k]};`).join(" ");
  return `:root { ${block("light")} }\n@media (prefers-color-scheme: dark) { :root { ${block("dark")} } }\n`;
}

/** Adds the --map-* properties to the document once (before the first view renders). */
export function installMapColours(doc: Document = document): void {
  const id = "zl-map-colours";
  if (doc.getElementById(id)) return;
  const style = doc.createElement("style");
  style.id = id;
  style.textContent = mapColourCss();
  doc.head.prepend(style);
}
