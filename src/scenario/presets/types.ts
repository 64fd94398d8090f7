import type { VariantId } from "../../engine/index.ts";
import type { ScenarioInput } from "../schema.ts";

/** A named scenario shipped with the app. Ids are part of the interface (links, CLI). */
export interface Preset {
  readonly id: string;
  readonly title: string;
  /** A short explanation for the reader: what to watch for. */
  readonly summary: string;
  /** The kernel variants the story is meant to be run under; the first is the default. */
  readonly variants: readonly VariantId[];
  readonly scenario: ScenarioInput;
}
