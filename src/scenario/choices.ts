/**
 * Fixed lists of the scenario format that its two schemas (schema.ts, exercise-schema.ts) and the
 * editor's fields share: a value the schema accepts is a value the editor offers. No imports, so
 * the page's editor can take them without the engine.
 */

/** The two hosts of a migration: an action's or a question's `on`. */
export const SIDES = ["source", "destination"] as const;

/**
 * QEMU's zero-page-detection migration parameter (9.0 on): machine.qemu.zeroPageDetection, and a
 * range an exercise may draw from.
 */
export const ZERO_PAGE_DETECTION_MODES = ["legacy", "multifd", "none"] as const;
