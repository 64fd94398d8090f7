import type { VariantId } from "../../engine/index.ts";
import type { ScenarioInput } from "../schema.ts";

/**
 * The patch a story is about: the kernel before it and after it. The app shows the same step
 * under both, side by side, whenever the story names one (the before/after panel), and a third
 * column on request.
 */
export interface PatchStory {
  /** Short hash of the commit, e.g. "06201e00". */
  readonly commit: string;
  /** The commit's subject line. */
  readonly subject: string;
  readonly before: VariantId;
  readonly after: VariantId;
  /** Kernels a third column can show on request (the first is offered). */
  readonly also: readonly VariantId[];
  /** What a reader quoting the commit message should know (its own inconsistencies), or "". */
  readonly caveat: string;
}

/** A named scenario shipped with the app. Ids are part of the interface (links, CLI). */
export interface Preset {
  readonly id: string;
  readonly title: string;
  /** A short explanation for the reader: what to watch for. */
  readonly summary: string;
  /** The kernel variants the story is meant to be run under; the first is the default. */
  readonly variants: readonly VariantId[];
  readonly scenario: ScenarioInput;
  /** The patch the story is about, if it is about one. */
  readonly patch?: PatchStory;
}
