/**
 * The model side of the QEMU check: each measured run as a scenario, run through the engine.
 *
 * The scenario describes the same machine and the same guest as the real run:
 * - x86_64 at the host kernel's version, with the host's zeropage policy as measured
 *   (tools/kernel-check/policy.ts), THP "never" (QEMU runs under thp-off, which disables THP for
 *   its process), no KSM (QEMU runs with mem-merge=off), QEMU 7.2 (legacy zero-page detection, no
 *   multifd: what the real QEMU runs with);
 * - guest RAM as the real guest's;
 * - three guest writes: what the guest kernel touched while booting (the guest-RAM mapping's Rss
 *   after boot, measured), the data memfill keeps (its own page count), and the rest of guest RAM
 *   (the fill); then, in balloon runs, the balloon as large as query-balloon says it got; then the
 *   migration, precopy or postcopy (switching before precopy sends anything, as the real run does:
 *   migrate-start-postcopy right after migrate).
 *
 * ASSUMPTION (modelling choice, README "What the model is told"): the model's guest has no free();
 * the fill, which the real guest writes and frees, is memory the model's guest keeps using, and
 * the balloon takes it back from there. On the host both are pages holding data that the balloon
 * discards: the real balloon driver is handed the most recently freed pages, the fill's (README:
 * the balloon run frees nearly all of its balloon on the host). The memory the fill leaves untouched
 * (qc_leave, ~48 MiB) is left out: it is the same in the balloon run and the control run, and the
 * check compares their difference.
 */
import { KiB, MiB, PAGE_SIZE } from "../../src/base/units.ts";
import {
  COUNTERS,
  counterAt,
  effectsOf,
  extraAt,
  type HostZeropagePolicy,
  ruleAt,
  type Trace,
} from "../../src/engine/index.ts";
import { runScenario } from "../../src/scenario/compile.ts";
import type { ScenarioInput } from "../../src/scenario/schema.ts";

export type Mode = "precopy" | "postcopy";
export type HostName = "source" | "destination";
/** What the model needs to know about one real run. */
export interface RunFacts {
  readonly id: string;
  readonly balloon: boolean;
  readonly mode: Mode;
  readonly ramMiB: number;
  /** The guest-RAM mapping's Rss after the guest booted (KiB). */
  readonly bootKiB: number;
  /** Pages memfill wrote and keeps. */
  readonly dataPages: number;
  /** Guest RAM the balloon holds after inflation (bytes; 0 without a balloon). */
  readonly balloonBytes: number;
}

/** The host the runs were made on. */
export interface HostFacts {
  /** The host kernel's major.minor ("6.18"). */
  readonly kernelVersion: string;
  readonly zeropage: HostZeropagePolicy;
  /** QEMU's major.minor ("7.2"). */
  readonly qemuVersion: string;
}

/** Which action of the model scenario each measured phase follows (-1: QEMU has started). */
export type PhaseAction = Partial<Record<"booted" | "data" | "filled" | "ballooned" | "migrated", number>>;

export function modelScenario(
  r: RunFacts,
  host: HostFacts,
): { scenario: ScenarioInput; phaseAction: PhaseAction } {
  const ram = r.ramMiB * MiB;
  const boot = Math.min(ram, Math.floor((r.bootKiB * KiB) / PAGE_SIZE) * PAGE_SIZE);
  const data = Math.min(ram - boot, r.dataPages * PAGE_SIZE);
  const fill = ram - boot - data;
  const actions: ScenarioInput["actions"] = [
    { do: "guest-touch", size: boot, content: "data" },
    { do: "guest-touch", size: data, content: "data" },
    { do: "guest-touch", size: fill, content: "data" },
  ];
  const phaseAction: PhaseAction = { booted: 0, data: 1, filled: 2, ballooned: 2 };
  if (r.balloon) {
    actions.push({ do: "balloon-inflate", size: Math.floor(r.balloonBytes / PAGE_SIZE) * PAGE_SIZE });
    phaseAction.ballooned = 3;
  }
  actions.push({ do: "migrate", mode: r.mode });
  phaseAction.migrated = actions.length - 1;
  const scenario: ScenarioInput = {
    schemaVersion: 1,
    title: `QEMU check: ${r.id} (${r.ramMiB} MiB guest${r.balloon ? `, ${Math.round(r.balloonBytes / MiB)} MiB ballooned` : ", no balloon"}, ${r.mode})`,
    description:
      "A run of tools/qemu-check as the model sees it: the guest kernel boots, memfill writes its data, then writes the rest of guest RAM (the fill, which the real guest frees again), the balloon inflates, and QEMU migrates the guest to a second QEMU on the same host.",
    seed: 1,
    machine: {
      kernel: "x86_64",
      kernelVersion: host.kernelVersion,
      guestRam: ram,
      thp: "never",
      ksm: { enabled: false },
      qemu: { version: host.qemuVersion, multifd: false, memMerge: false },
      hostZeropage: host.zeropage,
    },
    actions,
  };
  return { scenario, phaseAction };
}

/** Counters of one host after an action, as the real run reports them. */
export interface ModelMemory {
  readonly rssAnonKiB: number;
  readonly vmPteKiB: number;
}

/** Pages each rule changed in a set of events: rule id → pages. */
export type RuleCounts = Record<string, number>;

export interface ModelRun {
  readonly id: string;
  readonly scenario: ScenarioInput;
  readonly phaseAction: PhaseAction;
  /** After each scenario action (index as in scenario.actions), per host. */
  readonly afterAction: readonly { source: ModelMemory; destination: ModelMemory | null }[];
  readonly migration: { duplicate: number; normal: number; postcopyRequests: number };
  /** Rules behind the balloon's discards, and behind each host's changes during the migration. */
  readonly rules: { balloon: RuleCounts; migrationSource: RuleCounts; migrationDestination: RuleCounts };
  /** QEMU's call paths ("causes") behind the source's reads during the migration, by pages. */
  readonly sourceReadCauses: Record<string, number>;
  readonly outcome: string;
}

function memoryAt(t: Trace, event: number, mm: number): ModelMemory {
  const col = (key: string) => COUNTERS.findIndex((c) => c.key === key);
  return {
    rssAnonKiB: counterAt(t, event, mm, col("rssAnonBytes")) / KiB,
    vmPteKiB: counterAt(t, event, mm, col("vmPteBytes")) / KiB,
  };
}

function rulesIn(t: Trace, first: number, end: number, mm: number): RuleCounts {
  const out: RuleCounts = {};
  for (let e = first; e < end; e++) {
    if (t.mm[e] !== mm) continue;
    for (const eff of effectsOf(t, e)) {
      if (eff.from === eff.to) continue;
      const id = ruleAt(eff.rule).id;
      out[id] = (out[id] ?? 0) + eff.count;
    }
  }
  return out;
}

export function runModelScenario(id: string, scenario: ScenarioInput, phaseAction: PhaseAction): ModelRun {
  const attempt = runScenario(scenario);
  if (!attempt.ok)
    throw new Error(
      `the model refuses scenario ${id}: ${attempt.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  const t = attempt.run.trace;
  const hasDst = t.mmNames.length > 1;
  // Trace action 0 is "QEMU starts"; scenario action i is trace action i + 1.
  const afterAction = scenario.actions.map((_, i) => {
    const e = t.actions[i + 1]!.endEvent - 1;
    return { source: memoryAt(t, e, 0), destination: hasDst ? memoryAt(t, e, 1) : null };
  });
  const k = (key: string) => t.extraKeys.indexOf(key);
  const last = t.events - 1;
  const balloonIdx = scenario.actions.findIndex((a) => a.do === "balloon-inflate");
  const migIdx = scenario.actions.findIndex((a) => a.do === "migrate");
  const span = (i: number) => (i < 0 ? [0, 0] : [t.actions[i + 1]!.firstEvent, t.actions[i + 1]!.endEvent]);
  const [bFirst, bEnd] = span(balloonIdx) as [number, number];
  const [mFirst, mEnd] = span(migIdx) as [number, number];
  const causes: Record<string, number> = {};
  for (let e = mFirst; e < mEnd; e++) {
    if (t.mm[e] !== 0 || t.strings[t.label[e]!] !== "read fault") continue;
    const cause = t.strings[t.cause[e]!] ?? "";
    let pages = 0;
    for (const eff of effectsOf(t, e)) pages += eff.count;
    causes[cause] = (causes[cause] ?? 0) + pages;
  }
  return {
    id,
    scenario,
    phaseAction,
    afterAction,
    migration: {
      duplicate: extraAt(t, last, k("migDuplicate")),
      normal: extraAt(t, last, k("migNormal")),
      postcopyRequests: extraAt(t, last, k("migRequests")),
    },
    rules: {
      balloon: rulesIn(t, bFirst, bEnd, 0),
      migrationSource: rulesIn(t, mFirst, mEnd, 0),
      migrationDestination: hasDst ? rulesIn(t, mFirst, mEnd, 1) : {},
    },
    sourceReadCauses: causes,
    outcome: attempt.run.outcome,
  };
}

export function runModel(r: RunFacts, host: HostFacts): ModelRun {
  const { scenario, phaseAction } = modelScenario(r, host);
  return runModelScenario(r.id, scenario, phaseAction);
}
