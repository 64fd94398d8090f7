/**
 * The check's measured-runs document (src/scenario/measured.ts is its schema): built from the
 * measurements and the model scenarios after a run, and read back by `--from` and the unit test.
 */

import type { HostZeropagePolicy } from "../../src/engine/index.ts";
import {
  MEASURED_FORMAT,
  MEASURED_VERSION,
  type Measured,
  type MeasuredInput,
  parseMeasured,
} from "../../src/scenario/measured.ts";
import type { Row } from "./compare.ts";
import type { ScenarioMeasurement, Setup } from "./measure.ts";
import { type HostFacts, type ModelRun, type PhaseAction, runModelScenario } from "./model.ts";

export interface DocumentHost extends HostFacts {
  readonly arch: string;
  /** uname -r */
  readonly kernel: string;
  readonly zeropageSummary: string;
}

export interface DocumentQemu {
  readonly version: string;
  readonly accel: string;
  readonly guestKernel: string;
}

export function buildDocument(o: {
  date: Date;
  host: DocumentHost;
  qemu: DocumentQemu;
  setup: Setup;
  measured: readonly ScenarioMeasurement[];
  models: readonly ModelRun[];
  rows: readonly Row[] | null;
  totalMs: number;
}): MeasuredInput {
  const doc: MeasuredInput = {
    format: MEASURED_FORMAT,
    version: MEASURED_VERSION,
    date: o.date.toISOString(),
    tool: "tools/qemu-check",
    host: {
      arch: o.host.arch,
      kernel: o.host.kernel,
      zeropage: o.host.zeropage,
      zeropageSummary: o.host.zeropageSummary,
    },
    qemu: { ...o.qemu },
    setup: { ...o.setup },
    runs: o.measured.map((m) => {
      const model = o.models.find((x) => x.id === m.id);
      if (!model) throw new Error(`no model run for ${m.id}`);
      return {
        id: m.id,
        balloon: m.balloon,
        mode: m.mode,
        scenario: model.scenario,
        dataPages: m.dataPages,
        fillPages: m.fillPages,
        balloonBytes: m.balloonBytes,
        phases: m.phases.map((p) => ({
          phase: p.phase,
          host: p.host,
          action: actionOf(model.phaseAction, p.phase, p.host),
          atMs: p.atMs,
          rssAnonKiB: p.rssAnonKiB,
          vmPteKiB: p.vmPteKiB,
          guestRamRssKiB: p.guestRamRssKiB,
        })),
        migration: { ...m.migration },
        timings: { ...m.timings },
      };
    }),
    ...(o.rows
      ? {
          check: {
            passed: o.rows.every((r) => r.ok),
            rows: o.rows.map((r) => ({ ...r })),
            totalMs: o.totalMs,
          },
        }
      : {}),
  };
  const check = parseMeasured(doc);
  if (!check.ok)
    throw new Error(
      `the check built a document its own schema refuses: ${check.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  return doc;
}

/** The scenario action a phase follows (null: none; the destination exists only once migrating). */
function actionOf(pa: PhaseAction, phase: string, host: "source" | "destination"): number | null {
  if (host === "destination") return phase === "migrated" ? (pa.migrated ?? null) : null;
  return pa[phase as keyof PhaseAction] ?? null;
}

/** The phase → action map of a recorded run, from its source phases and the destination's "migrated". */
export function phaseActionOf(run: Measured["runs"][number]): PhaseAction {
  const out: PhaseAction = {};
  for (const p of run.phases) {
    if (p.action === null) continue;
    if (p.host === "destination" && p.phase !== "migrated") continue;
    if (p.phase === "started") continue;
    out[p.phase] = p.action;
  }
  return out;
}

/**
 * The model's runs for a recorded document: each run's own scenario through the current engine,
 * under the host policy the scenario records, or under `policy` instead (a deliberately wrong
 * model, to see a failure).
 */
export function modelsForDocument(doc: Measured, policy?: Partial<HostZeropagePolicy>): ModelRun[] {
  return doc.runs.map((run) => {
    const scenario = policy
      ? {
          ...run.scenario,
          machine: {
            ...run.scenario.machine,
            hostZeropage: { ...run.scenario.machine.hostZeropage, ...policy },
          },
        }
      : run.scenario;
    return runModelScenario(run.id, scenario, phaseActionOf(run));
  });
}

export function readDocument(json: unknown, name: string): Measured {
  const r = parseMeasured(json);
  if (!r.ok)
    throw new Error(
      `${name} is not a measured-runs file:\n${r.issues.map((i) => `  ${i.path || "(file)"}: ${i.message}`).join("\n")}`,
    );
  return r.measured;
}
