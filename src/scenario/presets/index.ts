/** The preset gallery. Order is display order; `commit-06201e00` is the app's default scenario. */

import { balloonDeflate } from "./balloon-deflate.ts";
import { cmmDuringPostcopy } from "./cmm-during-postcopy.ts";
import { commit06201e00 } from "./commit-06201e00.ts";
import { commit06201e00Exercise } from "./commit-06201e00-exercise.ts";
import { commit06201e00Memfd } from "./commit-06201e00-memfd.ts";
import { commit06201e00Oom } from "./commit-06201e00-oom.ts";
import { commit06201e00Postcopy } from "./commit-06201e00-postcopy.ts";
import { freePageReporting } from "./free-page-reporting.ts";
import { ksmZeroPages } from "./ksm-zero-pages.ts";
import { ksmZeroPagesExercise } from "./ksm-zero-pages-exercise.ts";
import { pagemapOptimization } from "./pagemap-optimization.ts";
import { postcopyHang2017 } from "./postcopy-hang-2017.ts";
import { postcopyHang2017Exercise } from "./postcopy-hang-2017-exercise.ts";
import { pvGuest } from "./pv-guest.ts";
import { skeysAfterMigration } from "./skeys-after-migration.ts";
import { teachingSmall } from "./teaching-small.ts";
import type { Preset } from "./types.ts";

export type { Preset } from "./types.ts";

export const PRESETS: readonly Preset[] = [
  commit06201e00,
  commit06201e00Postcopy,
  commit06201e00Memfd,
  skeysAfterMigration,
  pvGuest,
  ksmZeroPages,
  pagemapOptimization,
  freePageReporting,
  balloonDeflate,
  postcopyHang2017,
  cmmDuringPostcopy,
  teachingSmall,
  commit06201e00Oom,
  // Exercises: the stories above with questions asked before their steps.
  commit06201e00Exercise,
  postcopyHang2017Exercise,
  ksmZeroPagesExercise,
];

export const DEFAULT_PRESET_ID = "commit-06201e00";

/**
 * Ids a preset had before: links and scripts written with them still open the preset. New links
 * are written with the current id.
 */
export const PRESET_ALIASES: Readonly<Record<string, string>> = {
  // Renamed when fa41ba0d's hang was dated to 2017 (it was written in August 2017).
  "postcopy-hang-2018": "postcopy-hang-2017",
};

export function presetById(id: string): Preset | undefined {
  const current = PRESET_ALIASES[id] ?? id;
  return PRESETS.find((p) => p.id === current);
}
