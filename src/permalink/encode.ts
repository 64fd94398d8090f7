/**
 * Writing a link: LinkState → URL fragment (without the "#"), always in the current version and
 * with parameters in a fixed order, so equal states give equal links:
 *
 *   v=1&preset=commit-06201e00&kernel=s390-fa41ba0d&g=table&step=120&e=1&h=…&ha=…&x=…
 *   v=1&s=<packed custom scenario>&kernel=x86_64&g=action&step=2&sel=0.17
 *   v=1&preset=pv-guest&kernel=s390-fa41ba0d&g=table&step=40&compare=s390-06201e00&cpreset=teaching-small&cstep=52
 *
 * decodeLink(encodeLink(state)) returns `state` for every valid state (roundtrip.test.ts).
 */

import { formatSpec } from "../sweep/spec.ts";
import { packJson } from "./compress.ts";
import { LINK_VERSION, type LinkState, type ScenarioRef } from "./schema.ts";

/** A zoom factor as the link spells it (at most 6 decimals, never an exponent); null if out of range. */
export function formatZoom(zoom: number): string | null {
  if (!Number.isFinite(zoom) || zoom < 0.001 || zoom > 65536) return null;
  const text = zoom.toFixed(6).replace(/\.?0+$/, "");
  return text;
}

/** A scenario reference as `preset` (+ `o`) or `s`, under the given parameter names. */
function pushScenario(
  out: [string, string][],
  sc: ScenarioRef,
  names: { preset: string; o: string; s: string },
): void {
  if (sc.kind === "preset") {
    out.push([names.preset, sc.id]);
    if (sc.overrides && Object.keys(sc.overrides).length > 0) out.push([names.o, packJson(sc.overrides)]);
  } else {
    out.push([names.s, packJson(sc.scenario)]);
  }
}

export function encodeLink(state: LinkState): string {
  const out: [string, string][] = [["v", String(LINK_VERSION)]];
  pushScenario(out, state.scenario, { preset: "preset", o: "o", s: "s" });
  if (state.kernel) out.push(["kernel", state.kernel]);
  out.push(["g", state.granularity]);
  if (state.step !== null) out.push(["step", String(Math.max(0, Math.round(state.step)))]);
  const sel = state.selection;
  if (sel) out.push(["sel", [sel.mm, sel.table, ...(sel.page !== undefined ? [sel.page] : [])].join(".")]);
  if (state.zoom !== null) {
    const z = formatZoom(state.zoom);
    if (z !== null) out.push(["zoom", z]);
  }
  if (state.viewStart !== null) out.push(["at", String(Math.max(0, Math.round(state.viewStart)))]);
  if (state.section !== null) out.push(["view", state.section]);
  if (state.balloonHighlight) out.push(["balloon", "1"]);
  if (state.present) out.push(["present", "1"]);
  if (state.seed !== undefined) out.push(["seed", String(state.seed)]);
  if (state.sweep !== undefined) out.push(["sweep", formatSpec(state.sweep)]);
  if (state.compare) out.push(["compare", state.compare]);
  if (state.compareScenario)
    pushScenario(out, state.compareScenario, { preset: "cpreset", o: "co", s: "cs" });
  if (state.compareStep !== null) out.push(["cstep", String(Math.max(0, Math.round(state.compareStep)))]);
  if (state.embed) {
    out.push(["embed", "1"]);
    if (state.embed.hideEditor) out.push(["editor", "0"]);
    if (state.embed.autoplay) out.push(["autoplay", "1"]);
    if (state.embed.origins && state.embed.origins.length > 0)
      out.push(["origin", state.embed.origins.join(",")]);
  }
  const c = state.check;
  if (c) {
    out.push(["e", String(c.engine)], ["h", c.end]);
    if (c.actions) out.push(["ha", c.actions]);
    if (c.values) out.push(["x", c.values]);
    // The right run's hash means something only with the engine version `e` beside it.
    if (state.compareCheck) out.push(["ch", state.compareCheck]);
  }
  return out.map(([k, value]) => `${k}=${encodeURIComponent(value)}`).join("&");
}
