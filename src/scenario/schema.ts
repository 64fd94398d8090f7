/**
 * The scenario format (JSON, schemaVersion 1), validated with valibot. The same schema serves the
 * CLI, the worker, the editor's inline validation and permalinks.
 *
 * A scenario is a machine (kernel variant, guest RAM, the two hosts, QEMU's version and migration
 * settings, KSM, THP), a seed for the PRNG that decides which guest pages hold data and which the
 * balloon takes, and an ordered list of actions by the guest, the balloon, QEMU and ksmd.
 *
 * Sizes are strings such as "100GiB" or "64MiB" (binary units) or byte counts, and must be whole
 * 4 KiB pages. Validation errors name the path ("actions[2].size") and what was expected.
 */
import * as v from "valibot";
import { PAGE_SIZE, parseSize } from "../base/units.ts";
import { VARIANT_IDS, VARIANTS } from "../engine/variants.ts";
import { SIDES, ZERO_PAGE_DETECTION_MODES } from "./choices.ts";
import { ExerciseSchema, exerciseIssues } from "./exercise-schema.ts";
import { upgradeScenario } from "./upgrade.ts";

/**
 * 2 added `exercise` (exercise-schema.ts). Older documents are upgraded before validation
 * (upgrade.ts), so a version 1 file, preset or link reads as it always did.
 */
export const SCHEMA_VERSION = 2;

/** A size in bytes; accepts "100GiB", "4 KiB", "256 pages", 4096. */
const Size = v.pipe(
  v.union([v.string(), v.number()], 'expected a size such as "40GiB" or a number of bytes'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const r = parseSize(dataset.value);
    if (!r.ok) {
      addIssue({ message: r.error });
      return NEVER;
    }
    if (r.bytes % PAGE_SIZE !== 0) {
      addIssue({ message: `expected whole 4 KiB pages, got ${r.bytes} bytes` });
      return NEVER;
    }
    return r.bytes;
  }),
);

const Side = v.picklist(SIDES, 'expected "source" or "destination"');

const Host = v.strictObject({
  memLimit: v.optional(
    v.union([v.literal("unlimited"), Size], 'expected "unlimited" or a size'),
    "unlimited",
  ),
});

const Qemu = v.strictObject({
  /** QEMU release, "major.minor". Decides zero-page detection defaults and receiver behaviour (migration/options.c). */
  version: v.optional(
    v.pipe(v.string(), v.regex(/^\d+\.\d+$/, 'expected a QEMU version such as "9.1"')),
    "9.2",
  ),
  /** The multifd migration capability. Off by default, as in QEMU. */
  multifd: v.optional(v.boolean(), false),
  /**
   * zero-page-detection (QEMU >= 9.0). QEMU's default is "multifd", and it only changes anything
   * with multifd on. The default belongs to the machine type, not to the binary: machine types up
   * to 8.2 (e.g. `-M s390-ccw-virtio-8.2`, `pc-q35-8.2`) get "legacy" through hw_compat_8_2. The
   * model has no machine type, so a scenario that runs QEMU >= 9.0 with an old machine type sets
   * "legacy" here itself. Before 9.0 the parameter does not exist and detection is always legacy.
   */
  zeroPageDetection: v.optional(v.picklist(ZERO_PAGE_DETECTION_MODES)),
  /**
   * The postcopy-ram capability (needed for postcopy; a postcopy migration turns it on). QEMU
   * refuses it together with multifd before 10.1 (migrate_caps_check: "Postcopy is not yet
   * compatible with multifd"); from 10.1 on the multifd receiver then writes every zero page.
   */
  postcopyRam: v.optional(v.boolean(), false),
  /** -machine mem-merge (default on): QEMU marks guest RAM MADV_MERGEABLE. */
  memMerge: v.optional(v.boolean(), true),
  /**
   * virtio-balloon free-page-reporting=on (QEMU 5.1): the guest reports free blocks of
   * pageblock_order and QEMU discards each with one call (hypervisor/free-page.ts).
   */
  freePageReporting: v.optional(v.boolean(), false),
  /** virtio-balloon free-page-hint=on (QEMU 4.0): precopy skips the pages the guest hints as free. */
  freePageHinting: v.optional(v.boolean(), false),
  /**
   * Guest RAM's backend: "ram" (memory-backend-ram, anonymous private memory: QEMU's default) or
   * "memfd" (memory-backend-memfd with share=on, as vhost-user needs: a memfd mapped shared, whose
   * pages live in the page cache; the zeropage never applies to it).
   */
  memoryBackend: v.optional(v.picklist(["ram", "memfd"], "memoryBackend: expected ram or memfd"), "ram"),
});

const Ksm = v.strictObject({
  /** /sys/kernel/mm/ksm/run on both hosts. */
  enabled: v.optional(v.boolean(), false),
  /** /sys/kernel/mm/ksm/use_zero_pages. */
  useZeroPages: v.optional(v.boolean(), false),
});

/**
 * The host kernel's zeropage policy, path by path (x86_64 hosts): true where it maps the shared
 * zeropage, as upstream does on every path. Some hosts' kernels do not (a boot option such as
 * pvm_no_zero_page=1; transparent_hugepage/use_zero_page = 0 for the huge zero page), and
 * `npm run kernel-check` measures the running host's. s390 variants decide with
 * mm_forbids_zeropage() and take no policy here.
 */
const HostZeropage = v.strictObject({
  /** do_anonymous_page(): read faults map the zeropage. */
  readFault: v.optional(v.boolean(), true),
  /** do_huge_pmd_anonymous_page(): THP reads map the huge zero page. */
  hugeZeroPage: v.optional(v.boolean(), true),
  /** mfill_atomic_pte_zeropage(): UFFDIO_ZEROPAGE maps the zeropage. */
  uffdZeropage: v.optional(v.boolean(), true),
  /** try_to_merge_with_zero_page(): ksmd with use_zero_pages maps the zeropage. */
  ksm: v.optional(v.boolean(), true),
});

const Machine = v.pipe(
  v.strictObject({
    arch: v.optional(v.picklist(["s390x", "x86_64"])),
    kernel: v.picklist(VARIANT_IDS, `expected a kernel variant: ${VARIANT_IDS.join(", ")}`),
    /** The host kernel's version; on x86_64 it decides PT reclaim (>= 6.14) and THP details. */
    kernelVersion: v.optional(v.pipe(v.string(), v.regex(/^\d+\.\d+$/, 'expected a version such as "6.18"'))),
    guestRam: v.pipe(
      Size,
      v.check((bytes) => bytes > 0, "expected at least one 4 KiB page"),
      v.check((bytes) => bytes <= 16 * 2 ** 40, "expected at most 16 TiB (guestRam is capped there)"),
    ),
    hosts: v.optional(
      v.strictObject({ source: v.optional(Host, {}), destination: v.optional(Host, {}) }),
      {},
    ),
    /** /sys/kernel/mm/transparent_hugepage/enabled on x86_64 hosts (s390 KVM guests never use THP). */
    thp: v.optional(v.picklist(["always", "madvise", "never"]), "madvise"),
    ksm: v.optional(Ksm, {}),
    qemu: v.optional(Qemu, {}),
    hostZeropage: v.optional(HostZeropage),
  }),
  // A check on two fields reports its issue at machine.arch (v.forward), not at "machine": the
  // editor marks the field, and the message says what the kernel wants.
  v.forward(
    v.partialCheck(
      [["arch"], ["kernel"]],
      (m) => !m.arch || m.arch === VARIANTS[m.kernel].arch,
      (issue) => {
        const m = issue.input as { arch?: string; kernel: keyof typeof VARIANTS };
        return `expected "${VARIANTS[m.kernel].arch}" (the architecture of ${m.kernel}), got "${m.arch}"`;
      },
    ),
    ["arch"],
  ),
  v.forward(
    v.partialCheck(
      [["kernel"], ["hostZeropage"]],
      (m) => !m.hostZeropage || VARIANTS[m.kernel].arch === "x86_64",
      (issue) => {
        const m = issue.input as { kernel: keyof typeof VARIANTS };
        return `a host zeropage policy describes an x86_64 host; ${m.kernel} decides with mm_forbids_zeropage()`;
      },
    ),
    ["hostZeropage"],
  ),
);

/** An optional region of guest RAM: start and size (default: all of it). */
const regionEntries = { start: v.optional(Size), size: v.optional(Size) };

const Action = v.variant(
  "do",
  [
    v.strictObject({
      do: v.literal("guest-touch"),
      size: Size,
      content: v.optional(v.picklist(["data", "zero"]), "data"),
    }),
    v.strictObject({ do: v.literal("guest-read"), ...regionEntries }),
    v.strictObject({
      do: v.literal("guest-write"),
      ...regionEntries,
      content: v.optional(v.picklist(["data", "zero"]), "data"),
    }),
    v.strictObject({ do: v.literal("guest-skeys") }),
    v.strictObject({ do: v.literal("guest-pv") }),
    v.strictObject({ do: v.literal("balloon-inflate"), size: Size }),
    v.strictObject({ do: v.literal("balloon-deflate"), size: Size }),
    /** The guest frees memory it used (with free page reporting on, it then reports free blocks). */
    v.strictObject({ do: v.literal("guest-free"), size: Size }),
    /** s390: the guest's CMM driver releases free pages to the host with DIAGNOSE 0x10 (KVM zaps them). */
    v.strictObject({ do: v.literal("guest-cmm-release"), size: Size }),
    /** s390: the CMM driver gives pages back to the guest (the host is not told). */
    v.strictObject({ do: v.literal("guest-cmm-reclaim"), size: Size }),
    v.strictObject({ do: v.literal("ksm-merge"), on: v.optional(Side) }),
    v.strictObject({ do: v.literal("madvise-dontneed"), on: v.optional(Side), ...regionEntries }),
    /**
     * A host tool reads guest RAM through the kernel rather than with loads: MADV_POPULATE_READ in
     * QEMU, or another process's process_vm_readv() (a debugger, a dump tool).
     */
    v.strictObject({
      do: v.literal("host-read"),
      via: v.optional(
        v.picklist(["populate-read", "process-vm-readv"], 'expected "populate-read" or "process-vm-readv"'),
        "populate-read",
      ),
      on: v.optional(Side),
      ...regionEntries,
    }),
    /**
     * QEMU forks a helper (qemu-bridge-helper when a bridged network device is added). Guest RAM
     * is MADV_DONTFORK, so the child gets none of it.
     */
    v.strictObject({ do: v.literal("host-fork"), on: v.optional(Side) }),
    /**
     * A thread in QEMU's process moves `size` bytes of guest RAM from `start` to `to` with
     * UFFDIO_MOVE (Linux 6.8), registering the destination with its userfaultfd for the call.
     */
    v.strictObject({
      do: v.literal("host-uffd-move"),
      on: v.optional(Side),
      start: v.optional(Size),
      to: Size,
      size: v.pipe(
        Size,
        v.check((bytes) => bytes > 0, "expected at least one 4 KiB page"),
      ),
    }),
    v.strictObject({
      do: v.literal("migrate"),
      mode: v.optional(v.picklist(["precopy", "postcopy"]), "precopy"),
      /** Guest RAM the running guest dirties during the precopy bulk stage (resent afterwards). */
      dirty: v.optional(Size),
      /** The user-space alternative from 06201e00's message: consult pagemap before reading. */
      pagemapCheck: v.optional(v.boolean(), false),
      /** Postcopy: how much RAM precopy sends before the switch (default none). */
      precopyBeforeSwitch: v.optional(Size),
    }),
    v.strictObject({
      do: v.literal("migrate-start"),
      mode: v.optional(v.picklist(["precopy", "postcopy"]), "precopy"),
      pagemapCheck: v.optional(v.boolean(), false),
    }),
    v.strictObject({ do: v.literal("migrate-transfer"), size: v.optional(Size) }),
    v.strictObject({ do: v.literal("migrate-switchover") }),
    v.strictObject({ do: v.literal("migrate-complete") }),
  ],
  "expected an action: guest-touch, guest-read, guest-write, guest-skeys, guest-pv, balloon-inflate, balloon-deflate, guest-free, guest-cmm-release, guest-cmm-reclaim, ksm-merge, madvise-dontneed, host-read, host-fork, host-uffd-move, migrate, migrate-start, migrate-transfer, migrate-switchover or migrate-complete",
);

export const ScenarioSchema = v.strictObject({
  schemaVersion: v.literal(SCHEMA_VERSION, `expected schemaVersion ${SCHEMA_VERSION}`),
  /** Questions asked before steps, and the ranges a student's seed draws from (exercise-schema.ts). */
  exercise: v.optional(ExerciseSchema),
  title: v.optional(v.pipe(v.string(), v.maxLength(200)), ""),
  description: v.optional(v.pipe(v.string(), v.maxLength(4000)), ""),
  seed: v.optional(
    v.pipe(v.number(), v.integer("expected a whole-number seed"), v.minValue(0), v.maxValue(2 ** 31 - 1)),
    1,
  ),
  machine: Machine,
  actions: v.pipe(v.array(Action, "expected a list of actions"), v.maxLength(500, "at most 500 actions")),
});

/**
 * A scenario inside another document (the recorded QEMU check, measured.ts): any schemaVersion
 * this build reads, upgraded (upgrade.ts), then validated as the current version.
 */
export const ScenarioDocumentSchema = v.pipe(v.unknown(), v.transform(upgradeScenario), ScenarioSchema);

/** What a scenario file holds (sizes as written), of any schemaVersion this build reads. */
export type ScenarioInput = Omit<v.InferInput<typeof ScenarioSchema>, "schemaVersion"> & {
  readonly schemaVersion: 1 | typeof SCHEMA_VERSION;
};
/** A validated scenario (sizes in bytes, defaults filled in). */
export type Scenario = v.InferOutput<typeof ScenarioSchema>;
export type Action = Scenario["actions"][number];
export type ActionKind = Action["do"];

export interface ScenarioIssue {
  /** "machine.guestRam", "actions[2].size", or "" for the whole document. */
  readonly path: string;
  readonly message: string;
}

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

function pathOf(issue: v.BaseIssue<unknown>): string {
  if (!issue.path) return "";
  let out = "";
  for (const item of issue.path) {
    const key = (item as { key: unknown }).key;
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * valibot's own wording for object shape problems ("Invalid key: Expected never but received
 * "foo"") says what was expected in its terms; this says it in the file's.
 */
function messageOf(issue: v.BaseIssue<unknown>): string {
  if (issue.type === "strict_object" || issue.type === "object") {
    if (issue.expected === "never") return `unknown field ${issue.received}`;
    if (issue.received === "undefined" && issue.expected?.startsWith('"')) return "required field is missing";
    if (issue.expected === "Object") return `expected an object, got ${issue.received}`;
  }
  return issue.message;
}

/** A document's schemaVersion problem in the file's words, or null when it is one we read. */
function versionIssue(input: unknown): ScenarioIssue | null {
  if (typeof input !== "object" || input === null) return null;
  const doc = input as Record<string, unknown>;
  const version = doc.schemaVersion;
  if (typeof version === "number" && Number.isInteger(version) && version > SCHEMA_VERSION)
    return {
      path: "schemaVersion",
      message: `this scenario is schemaVersion ${version}, newer than this copy of Zeropage Lab reads (up to ${SCHEMA_VERSION}); reload the page or update the command line`,
    };
  if (version === 1 && "exercise" in doc)
    return { path: "exercise", message: "exercises need schemaVersion 2 (set schemaVersion to 2)" };
  return null;
}

/** Validates unknown JSON (any schemaVersion up to SCHEMA_VERSION, upgraded first); never throws. */
export function parseScenario(input: unknown): ParseResult {
  if (Array.isArray(input)) {
    return { ok: false, issues: [{ path: "", message: "expected a scenario object, got an array" }] };
  }
  const version = versionIssue(input);
  if (version) return { ok: false, issues: [version] };
  const r = v.safeParse(ScenarioSchema, upgradeScenario(input));
  if (!r.success)
    return { ok: false, issues: r.issues.map((i) => ({ path: pathOf(i), message: messageOf(i) })) };
  const ex = r.output.exercise;
  const issues = ex ? exerciseIssues(ex, r.output) : [];
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, scenario: r.output };
}

/** "actions[2].size: expected whole 4 KiB pages, got 100 bytes" */
export function formatIssues(issues: readonly ScenarioIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n");
}
