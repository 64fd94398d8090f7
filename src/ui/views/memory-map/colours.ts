/**
 * The maps' colours, light and dark: the one place they are defined. The classes take the hues of
 * Okabe & Ito's palette ("Color Universal Design", 2008: sky blue, blue, yellow, vermillion, bluish
 * green, reddish purple), the balloon in light mode Paul Tol's "wine" (his muted scheme), and two
 * slate greys for "no page table" and "table, PTEs empty"; patterns (draw.ts) add a second cue,
 * so that colour is never the only one.
 *
 * The pairs that carry the commit's story are far apart: a zero-filled anon page (yellow) against
 * a data page (vermillion), the shared zeropage (sky blue) against the huge zero page (blue).
 * colours.test.ts measures every pair of classes (CIEDE2000, light and dark, and under simulated
 * protanopia and deuteranopia, Machado et al. 2009): each pair stays apart by at least
 * MIN_DELTA_E in normal vision and MIN_DELTA_E_CVD under the simulations.
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
  "huge-zero",
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
    absent: "#e6e9ee",
    none: "#a7afba",
    "none-edge": "#5b6470",
    zero: "#56b4e9",
    "huge-zero": "#0072b2",
    "anon-zero": "#f0e442",
    "anon-data": "#d55e00",
    ksm: "#009e73",
    ink: "#000000",
    "ink-light": "#ffffff",
    guest: "#d3d9e0",
    balloon: "#882255",
    active: "#111111",
    "active-halo": "#ffffff",
    select: "#1d4ed8",
    hover: "#3b3f46",
    frame: "#ffffff",
    "table-page": "#6d5bd0",
  },
  dark: {
    absent: "#1f242b",
    none: "#4a525e",
    "none-edge": "#8d96a3",
    zero: "#56b4e9",
    "huge-zero": "#0072b2",
    "anon-zero": "#f0e442",
    "anon-data": "#d55e00",
    ksm: "#009e73",
    ink: "#000000",
    "ink-light": "#ffffff",
    guest: "#3b424d",
    balloon: "#cc79a7",
    active: "#ffffff",
    "active-halo": "#000000",
    select: "#8fb3ff",
    hover: "#d0d4da",
    frame: "#1a1d23",
    "table-page": "#a99cf0",
  },
};

/**
 * The classes a reader must tell apart on a map, and the colour keys that paint them: the seven
 * cell classes and the ballooned range (its outline on the host maps, its fill on the guest's).
 */
export const DISTINCT_CLASSES: readonly { readonly name: string; readonly key: MapColourKey }[] = [
  { name: "no page table", key: "absent" },
  { name: "table, PTEs empty", key: "none" },
  { name: "shared zeropage", key: "zero" },
  { name: "huge zero page", key: "huge-zero" },
  { name: "anon page, zero-filled", key: "anon-zero" },
  { name: "anon page, data", key: "anon-data" },
  { name: "KSM page", key: "ksm" },
  { name: "ballooned", key: "balloon" },
];

/** CIEDE2000 floors for every pair of DISTINCT_CLASSES (colours.test.ts). */
export const MIN_DELTA_E = 14;
export const MIN_DELTA_E_CVD = 12;
/**
 * The story's pair, zero-filled against data pages, is often drawn as thin interleaved stripes (a
 * ballooned range spread over guest RAM), where the eye resolves lightness far better than hue:
 * their CIELAB lightness L* differs by at least this much.
 */
export const MIN_STORY_LIGHTNESS_GAP = 25;

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
