/**
 * Reading the initial state from the URL fragment: #preset=commit-06201e00&kernel=s390-06201e00&g=table&step=120.
 * Unknown or malformed values are ignored (the app falls back to the default scenario).
 */
import { isVariantId } from "../engine/variants.ts";
import type { InitialState } from "./store.ts";

const GRANULARITIES = ["action", "table", "pte"] as const;

export function readUrlState(hash: string): InitialState {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const out: { -readonly [K in keyof InitialState]: InitialState[K] } = {};
  const preset = params.get("preset");
  if (preset && /^[a-z0-9-]{1,64}$/.test(preset)) out.presetId = preset;
  const kernel = params.get("kernel");
  if (kernel && isVariantId(kernel)) out.kernel = kernel;
  const g = params.get("g");
  if (g && (GRANULARITIES as readonly string[]).includes(g))
    out.granularity = g as InitialState["granularity"];
  const step = params.get("step");
  if (step && /^\d{1,12}$/.test(step)) out.position = Number(step);
  return out;
}
