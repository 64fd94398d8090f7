/**
 * The map palette tells every class apart: each pair of DISTINCT_CLASSES is measured in CIEDE2000
 * (culori's differenceCiede2000), in the light and the dark theme, in normal vision and under
 * protanopia and deuteranopia as Machado, Oliveira & Fernandes (2009) simulate them at full
 * severity (culori's filterDeficiencyProt / filterDeficiencyDeuter).
 */
import {
  type Color,
  converter,
  differenceCiede2000,
  filterDeficiencyDeuter,
  filterDeficiencyProt,
  parse,
} from "culori";
import { describe, expect, it } from "vitest";
import {
  DISTINCT_CLASSES,
  MAP_COLOURS,
  MIN_DELTA_E,
  MIN_DELTA_E_CVD,
  MIN_STORY_LIGHTNESS_GAP,
  mapColourCss,
} from "./colours.ts";

const deltaE = differenceCiede2000();
const VISIONS: readonly { name: string; see: (c: Color) => Color; floor: number }[] = [
  { name: "normal vision", see: (c) => c, floor: MIN_DELTA_E },
  { name: "protanopia", see: filterDeficiencyProt(1), floor: MIN_DELTA_E_CVD },
  { name: "deuteranopia", see: filterDeficiencyDeuter(1), floor: MIN_DELTA_E_CVD },
];

function colour(hex: string): Color {
  const c = parse(hex);
  if (!c) throw new Error(`not a colour: ${hex}`);
  return c;
}

const lab = converter("lab65");

function lightnessGap(a: string, b: string): number {
  return Math.abs(lab(colour(a)).l - lab(colour(b)).l);
}

describe("map palette: every class pair is distinguishable", () => {
  for (const theme of ["light", "dark"] as const) {
    for (const vision of VISIONS) {
      it(`${theme} theme, ${vision.name}: ΔE2000 ≥ ${vision.floor} for all ${(DISTINCT_CLASSES.length * (DISTINCT_CLASSES.length - 1)) / 2} pairs`, () => {
        const seen = DISTINCT_CLASSES.map((k) => vision.see(colour(MAP_COLOURS[theme][k.key])));
        const close: string[] = [];
        for (let i = 0; i < seen.length; i++)
          for (let j = i + 1; j < seen.length; j++) {
            const d = deltaE(seen[i]!, seen[j]!);
            if (d < vision.floor)
              close.push(`${DISTINCT_CLASSES[i]!.name} / ${DISTINCT_CLASSES[j]!.name}: ΔE ${d.toFixed(1)}`);
          }
        expect(close).toEqual([]);
      });
    }
  }

  it(`zero-filled against data pages: L* apart by at least ${MIN_STORY_LIGHTNESS_GAP}, in both themes (thin stripes)`, () => {
    for (const theme of ["light", "dark"] as const)
      expect(
        lightnessGap(MAP_COLOURS[theme]["anon-zero"], MAP_COLOURS[theme]["anon-data"]),
      ).toBeGreaterThanOrEqual(MIN_STORY_LIGHTNESS_GAP);
  });

  it("the measures reject the palette this one replaced (amber against dark orange, one blue for both zero pages)", () => {
    // Dark theme before: zero-filled #e69f00, data #f07b3f ("one orange block"); light: #e69f00, #c75300.
    const deutan = filterDeficiencyDeuter(1);
    expect(deltaE(deutan(colour("#e69f00")), deutan(colour("#f07b3f")))).toBeLessThan(MIN_DELTA_E_CVD);
    expect(lightnessGap("#e69f00", "#f07b3f")).toBeLessThan(MIN_STORY_LIGHTNESS_GAP);
    expect(lightnessGap("#e69f00", "#c75300")).toBeLessThan(MIN_STORY_LIGHTNESS_GAP);
    expect(deltaE(colour("#56b4e9"), colour("#56b4e9"))).toBe(0);
  });

  it("every class colour reaches the page as a CSS custom property, in both themes", () => {
    const css = mapColourCss();
    for (const { key } of DISTINCT_CLASSES) {
      expect(css).toContain(`--map-${key}: ${MAP_COLOURS.light[key]};`);
      expect(css).toContain(`--map-${key}: ${MAP_COLOURS.dark[key]};`);
    }
  });
});
