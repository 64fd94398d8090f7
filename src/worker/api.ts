/**
 * The worker's interface: the only way the UI reaches the engine. Types only (no code), so the
 * main thread can import it without pulling in the model.
 *
 * Flow: load(scenario) → RunInfo (the trace's columns, transferred, plus the rule table and the
 * step counts per granularity); view(run, granularity, position, selection) → ViewState (what the
 * views draw at that step, computed from a rebuilt world); history(run, mm, page) → a PTE's life.
 */

import type { CompareSummary, MmDiff } from "../compare/index.ts";
import type {
  ContentClassName,
  Cursor,
  Frame,
  Granularity,
  MmCounters,
  MmSnapshot,
  SelftestReport,
  TableDetail,
  Trace,
  VariantId,
} from "../engine/index.ts";
import type { HostLedger } from "../scenario/ledger.ts";
import type { PatchStory } from "../scenario/presets/types.ts";
import type { ScenarioIssue } from "../scenario/schema.ts";

export type { LedgerLine, LedgerSection } from "../engine/index.ts";
export type {
  ContentClassName,
  Cursor,
  Frame,
  Granularity,
  HostLedger,
  MmCounters,
  MmSnapshot,
  PatchStory,
  ScenarioIssue,
  SelftestReport,
  TableDetail,
  Trace,
  VariantId,
};

export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly path: readonly Frame[];
  readonly explain: string;
  readonly assumption?: string;
}

export interface CounterColumn {
  readonly key: keyof MmCounters;
  readonly label: string;
  readonly unit: "bytes" | "pages" | "count";
  /** A rise is memory spent, saved, or neither (engine/proc/status.ts CounterSense). */
  readonly sense: "cost" | "saving" | "neutral";
}

export interface VariantInfo {
  readonly id: VariantId;
  readonly letter: string;
  readonly title: string;
  readonly arch: "s390x" | "x86_64";
  /** Kernel tag for source links (Elixir), e.g. "v6.10". */
  readonly sourceTag: string;
}

export interface PresetInfo {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly variants: readonly VariantId[];
  readonly scenario: unknown;
  /** The patch the story is about (the before/after panel), or null. */
  readonly patch: PatchStory | null;
}

export interface LoadRequest {
  /** Scenario JSON (the input form, sizes as strings). */
  readonly scenario: unknown;
  /** Run under this variant instead of the scenario's own. */
  readonly kernel?: VariantId;
}

/** One PTE state (engine/pte.ts) as the views need it: how to name it and where it points. */
export interface PteStateInfo {
  /** Short machine name, e.g. "zero_uffd". */
  readonly key: string;
  readonly name: string;
  /** Content class (the table class byte's low bits: 0 none … 4 KSM). */
  readonly contentClass: number;
  /** What the PTE maps: nothing, the shared zeropage, a frame of its own, or a shared KSM page. */
  readonly frame: "none" | "zeropage" | "own" | "ksm";
}

/** QEMU's migration setup for the run (hypervisor/machine.ts QemuConfig) and the scenario's mode. */
export interface MigrationSetup {
  readonly mode: "precopy" | "postcopy" | null;
  readonly multifd: boolean;
  readonly zeroPageDetection: "legacy" | "multifd" | "none";
  readonly postcopyRam: boolean;
}

/** Page-table geometry of the run's architecture (engine/geometry.ts), for legends and costs. */
export interface TableGeometry {
  readonly ptesPerTable: number;
  /** Guest RAM one PTE table maps. */
  readonly tableSpanBytes: number;
  /** Memory one PTE table occupies (4 KiB on s390 with PGSTEs, 4 KiB on x86_64). */
  readonly pteTableMemBytes: number;
  /** What one PTE table adds to VmPTE (2 KiB on s390, 4 KiB on x86_64). */
  readonly pteTableVmPteBytes: number;
  readonly pteTableName: string;
}

export interface RunInfo {
  readonly runId: number;
  readonly kernel: VariantInfo;
  readonly kernelVersion: string;
  readonly qemuVersion: string;
  readonly title: string;
  readonly guestRamBytes: number;
  readonly trace: Trace;
  readonly traceHash: string;
  readonly counts: Readonly<Record<Granularity, number>>;
  readonly rules: readonly RuleInfo[];
  readonly counters: readonly CounterColumn[];
  readonly outcome: "completed" | "hung" | "failed";
  readonly outcomeReason: string;
  /** Where the engine ran: "worker" in the app (tests check it never runs on the main thread). */
  readonly computedIn: "worker" | "main";
  readonly elapsedMs: number;
  /** Indexed by PTE state value. */
  readonly pteStates: readonly PteStateInfo[];
  readonly migration: MigrationSetup;
  readonly geometry: TableGeometry;
  /**
   * The content classes' names in this run, indexed by content class (0 none … 4 KSM): the maps'
   * key and tooltips use them, so a memfd-backed guest's pages read as shmem/memfd pages.
   */
  readonly contentClasses: readonly ContentClassName[];
}

export type LoadResult =
  | { readonly ok: true; readonly run: RunInfo }
  | {
      readonly ok: false;
      readonly issues: ScenarioIssue[];
      /**
       * The kernel asked for, when it is the reason: the scenario runs under its own kernel and
       * not under this one (a PV guest under x86_64). null: the scenario itself is not valid.
       */
      readonly refusingKernel: VariantId | null;
    };

export interface Selection {
  readonly mm: number;
  readonly table: number;
}

export interface ViewRequest {
  readonly runId: number;
  readonly granularity: Granularity;
  readonly position: number;
  readonly selection: Selection | null;
}

export interface ViewState {
  readonly runId: number;
  readonly granularity: Granularity;
  readonly position: number;
  readonly cursor: Cursor;
  /** The event this step belongs to (in progress or just finished); -1 at the start. */
  readonly event: number;
  /** 1-based step within that event and the event's step count at this granularity. */
  readonly stepInEvent: number;
  readonly stepsInEvent: number;
  /** The scenario action the event belongs to; -1 at the start. */
  readonly action: number;
  readonly mms: readonly MmSnapshot[];
  /** Pages the last step touched, per mm (flat [first, count] runs), for highlighting. */
  readonly active: readonly { readonly mm: number; readonly runs: readonly number[] }[];
  readonly table: TableDetail | null;
  /**
   * What the last step did to the PTEs it covered, by (from, to, rule), at table and PTE
   * granularity; null at action granularity and for a step without pages.
   */
  readonly changes: readonly StepChange[] | null;
  /** What a real machine would print at this step, per host (scenario/ledger.ts). */
  readonly ledger: readonly HostLedger[];
  readonly elapsedMs: number;
}

export interface StepChange {
  readonly from: number;
  readonly to: number;
  readonly rule: number;
  readonly count: number;
}

export interface HistoryEntry {
  readonly event: number;
  readonly action: number;
  readonly from: number;
  readonly to: number;
  readonly rule: number;
  readonly cause: string;
}

export interface EngineApi {
  presets(): Promise<readonly PresetInfo[]>;
  variants(): Promise<readonly VariantInfo[]>;
  load(req: LoadRequest): Promise<LoadResult>;
  view(req: ViewRequest): Promise<ViewState>;
  /** Converts a position between granularities (the step stays where it is). */
  convert(runId: number, from: Granularity, position: number, to: Granularity): Promise<number>;
  /** The first position at `granularity` at or after the start of event `event`'s last step. */
  positionOfEvent(runId: number, granularity: Granularity, event: number): Promise<number>;
  history(runId: number, mm: number, page: number): Promise<readonly HistoryEntry[]>;
  release(runId: number): Promise<void>;
  /**
   * The s390 KVM selftest shared_zeropage_test.c (engine/selftests) on the model of every kernel
   * variant: its checks, the rules behind each and its TAP.
   */
  selftests(): Promise<readonly SelftestReport[]>;
  /**
   * The scenario's problems (schema and compile-time checks, checkScenario) without running it:
   * the editor's inline validation.
   */
  check(req: LoadRequest): Promise<readonly ScenarioIssue[]>;
  /** Where load() reports progress (a comlink proxy in the app); null stops reporting. */
  setProgressListener(listener: ProgressListener | null): Promise<void>;
  /**
   * Ids of later runs start at `base` or above: a worker started after a cancelled one must not
   * reuse the ids the store still holds from the one before it.
   */
  setRunIdBase(base: number): Promise<void>;
}

/** How far a load() has got: reported before each scenario action and at the end. */
export interface LoadProgress {
  readonly phase: "simulating" | "indexing";
  readonly actionsDone: number;
  readonly actionsTotal: number;
  readonly elapsedMs: number;
}

export type ProgressListener = (progress: LoadProgress) => void;

// -------------------------------------------------------------------------------------------------
// Compare mode: two loaded runs side by side in lockstep (src/compare). The members
// below merge into EngineApi above (declaration merging), so this block stays apart.
//
// Flow: load() both runs, compare({ left, right }) → CompareInfo (alignment summary, divergences,
// policy notes, delta table); viewPair(aligned position) → both sides' ViewStates at their own
// positions, plus the diff map; convertPair() moves the shared cursor between granularities.

export type {
  AlignedAction,
  CompareSummary,
  DeltaRow,
  DeltaTable,
  Divergence,
  MmDiff,
  PolicyNote,
} from "../compare/index.ts";

export interface CompareRequest {
  /** runId of the left run and of the right run (both loaded). */
  readonly left: number;
  readonly right: number;
}

export interface CompareInfo extends CompareSummary {
  readonly compareId: number;
  readonly runs: readonly [number, number];
  readonly elapsedMs: number;
}

export interface PairViewRequest {
  readonly compareId: number;
  readonly granularity: Granularity;
  /** Aligned position (compare/align.ts). */
  readonly position: number;
  /** The same selection on both sides (mm index and table). */
  readonly selection: Selection | null;
  /** Compute the diff map (which tables differ between the sides). */
  readonly diff: boolean;
}

export interface PairViewState {
  readonly compareId: number;
  readonly granularity: Granularity;
  readonly position: number;
  /** Each side's own position at this granularity, and its view there. */
  readonly sidePositions: readonly [number, number];
  readonly sides: readonly [ViewState, ViewState];
  /** The event pair this step belongs to (-1 at the start), its aligned action, step in the pair. */
  readonly pair: number;
  readonly action: number;
  readonly stepInPair: number;
  readonly stepsInPair: number;
  /** Index of the last divergence at or before this position, or -1. */
  readonly divergence: number;
  readonly diff: readonly MmDiff[] | null;
  readonly elapsedMs: number;
}

export interface PairDiff {
  readonly granularity: Granularity;
  readonly position: number;
  readonly diff: readonly MmDiff[];
  readonly elapsedMs: number;
}

export interface EngineApi {
  /** Aligns two loaded runs and finds their divergences (both computed here, in the worker). */
  compare(req: CompareRequest): Promise<CompareInfo>;
  viewPair(req: PairViewRequest): Promise<PairViewState>;
  /**
   * The diff map alone, at an aligned position: the store asks for it after the views are on
   * screen, so that stepping shows both sides first and the highlight follows.
   */
  diffPair(compareId: number, granularity: Granularity, position: number): Promise<PairDiff>;
  /** Converts an aligned position between granularities. */
  convertPair(compareId: number, from: Granularity, position: number, to: Granularity): Promise<number>;
  /**
   * Each side's own position at an aligned position (cheap: no world is built). The store asks it
   * before following the app's cursor, so that a shared position the app's left step already
   * shows is kept rather than moved to the first aligned position of that left step.
   */
  sidesOfPair(compareId: number, granularity: Granularity, position: number): Promise<[number, number]>;
  /** An aligned position at which side `side` (0 left, 1 right) is at its own `position`. */
  alignedOf(compareId: number, side: 0 | 1, granularity: Granularity, position: number): Promise<number>;
  releaseCompare(compareId: number): Promise<void>;
}

// -------------------------------------------------------------------------------------------------
// Exercises and sweeps: answers derived from a held run (src/exercise), and the one-run
// calls a sweep or an answer key is made of (src/sweep, src/exercise/key.ts). The app asks the
// latter of a second worker, so that its own runs stay responsive while a sweep computes.

import type { ExerciseAnswers } from "../exercise/answers.ts";
import type { AnswerKeyRow } from "../exercise/key.ts";
import type { SweepPoint, SweepPointRequest } from "../sweep/run.ts";

export type { Answer, CheckpointAnswer, ExerciseAnswers } from "../exercise/answers.ts";
export type { AnswerKeyRow } from "../exercise/key.ts";
export type { SweepPoint, SweepPointRequest } from "../sweep/run.ts";

export interface AnswerKeyRequest {
  /** The scenario as the author wrote it (with its ranges). */
  readonly scenario: unknown;
  /** The student's seed; null: the scenario as written. */
  readonly seed: number | null;
  readonly kernel?: VariantId;
}

export interface EngineApi {
  /** The questions of a loaded run's scenario, answered from that run (null: it asks none). */
  exercise(runId: number): Promise<ExerciseAnswers | null>;
  /** Runs one sweep point (the scenario with one parameter set, under one kernel). */
  sweepPoint(req: SweepPointRequest): Promise<SweepPoint>;
  /** One seed's row of the answer key: its problem and the answers its run gives. */
  answerKeyRow(req: AnswerKeyRequest): Promise<AnswerKeyRow>;
}
