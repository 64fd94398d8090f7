/**
 * Measured runs: what `npm run qemu-check -- --json` writes (tools/qemu-check), and what the app
 * imports to draw "measured" beside "model" on its counter charts. One file holds the runs of one
 * check on one host: per run, the scenario the model ran for it and the real QEMUs' memory at each
 * phase, each phase tied to the scenario action it follows, so that the measurement can be placed
 * on the model's trace.
 *
 * Any JSON of this shape works, e.g. one made on a reader's own machine. Validation errors name
 * the path ("runs[1].phases[3].rssAnonKiB") and what was expected, as the scenario schema's do.
 */
import * as v from "valibot";
import { ScenarioDocumentSchema, type ScenarioIssue } from "./schema.ts";

export const MEASURED_FORMAT = "zeropage-lab/measured";
export const MEASURED_VERSION = 1;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Kib = v.pipe(v.number("expected a number of KiB"), v.integer(), v.minValue(0));

/** When a phase was measured; "started" is the destination QEMU before the migration. */
export const MEASURED_PHASES = ["booted", "data", "filled", "ballooned", "started", "migrated"] as const;
export type MeasuredPhase = (typeof MEASURED_PHASES)[number];

const PhaseMemory = v.strictObject({
  phase: v.picklist(MEASURED_PHASES),
  host: v.picklist(["source", "destination"]),
  /**
   * The index in the run's scenario.actions after which this was measured; -1: after QEMU
   * started, before the first action; null: no point of the model's trace matches it.
   */
  action: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(-1))),
  /** Milliseconds since the run started. */
  atMs: Count,
  /** /proc/<pid>/status RssAnon of that QEMU process. */
  rssAnonKiB: Kib,
  /** /proc/<pid>/status VmPTE of that QEMU process. */
  vmPteKiB: Kib,
  /** Rss of the mapping that holds guest RAM, from /proc/<pid>/smaps. */
  guestRamRssKiB: Kib,
});

const Migration = v.strictObject({
  /** query-migrate ram.duplicate: zero pages. */
  duplicate: Count,
  /** query-migrate ram.normal: pages sent in full. */
  normal: Count,
  transferred: Count,
  postcopyRequests: Count,
  precopyBytes: v.nullable(Count),
  postcopyBytes: v.nullable(Count),
  totalTimeMs: Count,
  downtimeMs: v.nullable(Count),
});

const Run = v.strictObject({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  balloon: v.boolean(),
  mode: v.picklist(["precopy", "postcopy"]),
  /** The scenario the model runs for this measurement. */
  scenario: ScenarioDocumentSchema,
  dataPages: Count,
  fillPages: Count,
  /** Guest RAM in the balloon after inflation (query-balloon: RAM − actual). */
  balloonBytes: Count,
  phases: v.pipe(v.array(PhaseMemory), v.minLength(1)),
  migration: Migration,
  /** Milliseconds per stage. */
  timings: v.record(v.string(), Count),
});

const Row = v.strictObject({
  mode: v.picklist(["precopy", "postcopy"]),
  id: v.string(),
  label: v.string(),
  unit: v.picklist(["KiB", "pages"]),
  measured: v.number(),
  model: v.number(),
  tolerance: v.number(),
  ok: v.boolean(),
  rules: v.string(),
});

export const MeasuredSchema = v.strictObject({
  format: v.literal(MEASURED_FORMAT, `expected format "${MEASURED_FORMAT}"`),
  version: v.literal(MEASURED_VERSION, `expected version ${MEASURED_VERSION}`),
  /** ISO 8601 time of the check. */
  date: v.pipe(v.string(), v.isoTimestamp("expected an ISO 8601 timestamp")),
  tool: v.string(),
  host: v.strictObject({
    arch: v.string(),
    /** uname -r */
    kernel: v.string(),
    /** The host's zeropage policy as measured (tools/kernel-check/policy.ts). */
    zeropage: v.strictObject({
      readFault: v.boolean(),
      hugeZeroPage: v.boolean(),
      uffdZeropage: v.boolean(),
      ksm: v.boolean(),
    }),
    zeropageSummary: v.string(),
  }),
  qemu: v.strictObject({
    /** QEMU's full version ("7.2.22"). */
    version: v.string(),
    accel: v.string(),
    guestKernel: v.string(),
  }),
  setup: v.strictObject({
    ramMiB: Count,
    dataMiB: Count,
    leaveMiB: Count,
    balloonLeaveMiB: Count,
  }),
  runs: v.pipe(v.array(Run), v.minLength(1, "expected at least one run")),
  /** What the check concluded when it wrote the file. */
  check: v.optional(
    v.strictObject({
      passed: v.boolean(),
      rows: v.array(Row),
      /** Milliseconds for the whole check. */
      totalMs: Count,
    }),
  ),
});

export type MeasuredInput = v.InferInput<typeof MeasuredSchema>;
export type Measured = v.InferOutput<typeof MeasuredSchema>;
export type MeasuredRun = Measured["runs"][number];
export type MeasuredPhaseMemory = MeasuredRun["phases"][number];

function pathOf(issue: v.BaseIssue<unknown>): string {
  let out = "";
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export type MeasuredParse = { ok: true; measured: Measured } | { ok: false; issues: ScenarioIssue[] };

/** Validates unknown JSON as a measured-runs file; never throws. */
export function parseMeasured(input: unknown): MeasuredParse {
  const r = v.safeParse(MeasuredSchema, input);
  if (r.success) return { ok: true, measured: r.output };
  return { ok: false, issues: r.issues.slice(0, 8).map((i) => ({ path: pathOf(i), message: i.message })) };
}
