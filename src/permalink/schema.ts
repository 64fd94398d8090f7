/**
 * The link format, version 1: what a URL fragment carries and how each parameter is spelled.
 *
 *   v=1                       link format version (integer; no `v` at all means version 0)
 *   preset=commit-06201e00    a shipped scenario by id …
 *   o=<packed JSON>           … optionally with overrides: a JSON merge patch over its scenario
 *   s=<packed JSON>           … or a whole custom scenario (instead of preset)
 *   kernel=s390-fa41ba0d      the kernel variant to run it under
 *   g=action|table|pte        the step granularity
 *   step=120                  the position at that granularity (absent: the end)
 *   sel=0.12 | sel=0.12.3075  the selection: mm, page table, and optionally a page
 *   zoom=4                    the memory maps' zoom factor
 *   at=12288                  the first page table the zoomed maps show
 *   view=balloon              the memory panel's open section: table, balloon or migration
 *                             (additive; absent: the maps, at the top)
 *   balloon=1                 the ballooned tables highlighted on the host maps (additive)
 *   present=1                 presentation mode: large type, the map larger, side panels folded
 *                             (additive; absent: the ordinary layout)
 *   seed=42                   a student's seed: the scenario's exercise draws this student's
 *                             problem from its ranges (additive; absent: the scenario as written)
 *   sweep=balloon~0%~100%~11~s390-fa41ba0d.s390-06201e00
 *                             a parameter sweep over the scenario, open beside it (additive;
 *                             absent: none). Spelled as src/sweep/spec.ts writes it
 *   compare=s390-06201e00     compare against this variant (used by the compare view) …
 *   cpreset=pv-guest          … running this preset on the right (additive; absent: the left's
 *   co=<packed JSON>            scenario), with overrides, …
 *   cs=<packed JSON>          … or this whole custom scenario on the right (instead of cpreset)
 *   cstep=731                 the compare view's shared (aligned) position at `g` (additive;
 *                             absent: where the left side's `step` maps on the aligned timeline)
 *   ch=4f1c…                  the right run's expected end-state hash, under engine `e` (additive)
 *   embed=1 editor=0 autoplay=1   embed mode and its options
 *   origin=https://slides.example.edu,http://localhost:8000
 *                             the host pages that may drive the embed by postMessage (additive;
 *                             absent: none). Origins as a browser spells them (scheme, host,
 *                             port; no path), comma-separated (state/embed-control.ts)
 *   e=1 h=… ha=… x=…          the self-check: engine semantics version, end-state hash,
 *                             per-action hashes, expected end values (end-state.ts)
 *
 * "packed JSON" is base64url(deflate(UTF-8 JSON)) (compress.ts). Every value is validated with
 * valibot here; the scenario inside is validated by the scenario schema (decode.ts). An additive
 * parameter gets a default and no version bump; anything else bumps LINK_VERSION and adds an
 * upgrader (upgrade.ts), a corpus file and a CHANGELOG.md entry.
 */
import * as v from "valibot";
import type { Granularity } from "../engine/cursor.ts";
import { isVariantId, VARIANT_IDS, type VariantId } from "../engine/variants.ts";
import type { ScenarioInput } from "../scenario/schema.ts";
import { parseSpec, type SweepSpec } from "../sweep/spec.ts";

/** The newest link format this app writes and reads. */
export const LINK_VERSION = 1;

/** A fragment longer than this is refused before anything else looks at it. */
export const MAX_FRAGMENT_CHARS = 64 * 1024;

export type ScenarioRef =
  | { readonly kind: "preset"; readonly id: string; readonly overrides?: Readonly<Record<string, unknown>> }
  | { readonly kind: "custom"; readonly scenario: ScenarioInput };

export interface LinkSelection {
  readonly mm: number;
  readonly table: number;
  readonly page?: number;
}

export interface LinkEmbed {
  readonly hideEditor: boolean;
  readonly autoplay: boolean;
  /**
   * The origins whose pages may drive the embed with postMessage (additive `origin`), in the
   * spelling of MessageEvent.origin. Absent when the link names none (then nothing may).
   */
  readonly origins?: readonly string[];
}

/** At most this many origins in one link. */
export const MAX_EMBED_ORIGINS = 8;

/**
 * An origin as MessageEvent.origin spells it: http or https, a lower-case host name, IPv4 or
 * bracketed IPv6 address, and a port only when it is not the scheme's default. "null" (the origin
 * of file: pages and sandboxed frames) is refused: any such page would share it.
 */
const ORIGIN =
  /^(https?):\/\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])(?::(\d{1,5}))?$/;

export function isOrigin(s: string): boolean {
  const m = ORIGIN.exec(s);
  if (!m) return false;
  const port = m[3];
  if (port === undefined) return true;
  const n = Number(port);
  if (n < 1 || n > 65535 || String(n) !== port) return false;
  return !((m[1] === "http" && n === 80) || (m[1] === "https" && n === 443));
}

/** The `origin` parameter: comma-separated origins, each as isOrigin() accepts it. */
export const EmbedOriginsSchema = v.pipe(
  v.string(),
  v.maxLength(2000, "origin: too long"),
  v.transform((s) => s.split(",")),
  v.check((list) => list.length <= MAX_EMBED_ORIGINS, `origin: at most ${MAX_EMBED_ORIGINS} origins`),
  v.check(
    (list) => list.every(isOrigin),
    "origin: expected origins such as https://slides.example.edu (scheme, lower-case host and a port other than the default; no path, no trailing slash), separated by commas",
  ),
  v.transform((list) => [...new Set(list)]),
);

/** What a link expects the run to produce (end-state.ts). */
export interface LinkCheck {
  /** ENGINE_SEMANTICS_VERSION of the app that made the link. */
  readonly engine: number;
  /** endHash() of the run. */
  readonly end: string;
  /** actionHashes() of the run ("" if the link has none). */
  readonly actions: string;
  /** formatEndValues() of the run, if the link has them. */
  readonly values?: string;
}

/** The memory panel's sections a link can open (absent: the maps, at the top of the panel). */
export const LINK_SECTIONS = ["table", "balloon", "migration", "ledger"] as const;
export type LinkSection = (typeof LINK_SECTIONS)[number];

export interface LinkState {
  readonly v: typeof LINK_VERSION;
  readonly scenario: ScenarioRef;
  /** Run under this variant; null: the scenario's own kernel. */
  readonly kernel: VariantId | null;
  readonly granularity: Granularity;
  /** Position at `granularity`; null: the end of the run. */
  readonly step: number | null;
  readonly selection: LinkSelection | null;
  readonly zoom: number | null;
  /** The first page table the zoomed maps show; null: the maps centre the selection. */
  readonly viewStart: number | null;
  /** The memory panel's open section (additive `view`); null: the maps. */
  readonly section: LinkSection | null;
  /** The ballooned tables are highlighted on the host maps (additive `balloon`). */
  readonly balloonHighlight: boolean;
  /** Presentation mode (additive `present`); absent: the ordinary layout. */
  readonly present?: boolean;
  /** A student's seed (additive `seed`): the exercise's draw; absent: the scenario as written. */
  readonly seed?: number;
  /** A parameter sweep shown beside the run (additive `sweep`); absent: none. */
  readonly sweep?: SweepSpec;
  /** The compare view's right-hand kernel; null: compare mode is off. */
  readonly compare: VariantId | null;
  /** The right-hand scenario (additive `cpreset`/`co`/`cs`); null: the same scenario as the left. */
  readonly compareScenario: ScenarioRef | null;
  /**
   * The compare view's aligned position at `granularity` (additive `cstep`). Several aligned
   * positions can share one left position (the right runs steps the left has not), so `step`
   * alone cannot say where the shared cursor was; null: where `step` maps.
   */
  readonly compareStep: number | null;
  /** endHash() of the right run (additive `ch`), under the engine version of `check`. */
  readonly compareCheck: string | null;
  /** Embed mode and its options; null: the full app. */
  readonly embed: LinkEmbed | null;
  readonly check: LinkCheck | null;
}

export const GRANULARITY_IDS = ["action", "table", "pte"] as const satisfies readonly Granularity[];

export const PRESET_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PACKED = /^[A-Za-z0-9_-]+$/;

const variantId = (what: string) =>
  v.pipe(
    v.string(),
    v.check(
      (s) => isVariantId(s),
      `${what}: not a kernel variant this app knows (${VARIANT_IDS.join(", ")})`,
    ),
    v.transform((s) => s as VariantId),
  );

const wholeNumber = (what: string, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,16}$/, `${what}: expected a whole number`),
    v.transform(Number),
    v.maxValue(max, `${what}: at most ${max}`),
  );

const flag = (what: string) =>
  v.pipe(
    v.string(),
    v.picklist(["0", "1"], `${what}: expected 0 or 1`),
    v.transform((s) => s === "1"),
  );

/**
 * The parameters of a version-1 fragment, as strings in and typed values out. Unknown parameters
 * are ignored (v.object), so that an additive parameter from a later app does not break a link.
 */
export const LinkParamsSchema = v.object({
  v: v.literal("1", "v: expected 1"),
  preset: v.optional(v.pipe(v.string(), v.regex(PRESET_ID, "preset: not a preset id"))),
  o: v.optional(v.pipe(v.string(), v.regex(PACKED, "o: expected packed JSON (base64url)"))),
  s: v.optional(v.pipe(v.string(), v.regex(PACKED, "s: expected packed JSON (base64url)"))),
  kernel: v.optional(variantId("kernel")),
  g: v.optional(v.picklist(GRANULARITY_IDS, `g: expected ${GRANULARITY_IDS.join(", ")}`)),
  step: v.optional(wholeNumber("step", Number.MAX_SAFE_INTEGER)),
  sel: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}\.\d{1,12}(\.\d{1,16})?$/, "sel: expected mm.table or mm.table.page"),
      v.transform((s): LinkSelection => {
        const [mm, table, page] = s.split(".").map(Number) as [number, number, number | undefined];
        return page === undefined ? { mm, table } : { mm, table, page };
      }),
      v.check(
        (s) => s.page === undefined || Number.isSafeInteger(s.page),
        "sel: the page number is too large",
      ),
    ),
  ),
  zoom: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}(\.\d{1,6})?$/, "zoom: expected a number such as 4 or 1.5"),
      v.transform(Number),
      v.minValue(0.001, "zoom: must be above 0"),
      v.maxValue(65536, "zoom: at most 65536"),
    ),
  ),
  at: v.optional(wholeNumber("at", 2 ** 40)),
  view: v.optional(v.picklist(LINK_SECTIONS, `view: expected ${LINK_SECTIONS.join(", ")}`)),
  balloon: v.optional(flag("balloon")),
  present: v.optional(flag("present")),
  seed: v.optional(wholeNumber("seed", 2 ** 31 - 1)),
  sweep: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(300, "sweep: too long"),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const r = parseSpec(dataset.value);
        if (r.ok) return r.spec;
        addIssue({ message: `sweep: ${r.error}` });
        return NEVER;
      }),
    ),
  ),
  compare: v.optional(variantId("compare")),
  cpreset: v.optional(v.pipe(v.string(), v.regex(PRESET_ID, "cpreset: not a preset id"))),
  co: v.optional(v.pipe(v.string(), v.regex(PACKED, "co: expected packed JSON (base64url)"))),
  cs: v.optional(v.pipe(v.string(), v.regex(PACKED, "cs: expected packed JSON (base64url)"))),
  cstep: v.optional(wholeNumber("cstep", Number.MAX_SAFE_INTEGER)),
  ch: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/, "ch: expected 12 hex digits"))),
  embed: v.optional(flag("embed")),
  editor: v.optional(flag("editor")),
  autoplay: v.optional(flag("autoplay")),
  origin: v.optional(EmbedOriginsSchema),
  e: v.optional(wholeNumber("e", 1_000_000)),
  h: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/, "h: expected 12 hex digits"))),
  ha: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^([A-Za-z0-9_-]{4}){1,4096}$/, "ha: expected groups of 4 base64url characters"),
    ),
  ),
  x: v.optional(v.pipe(v.string(), v.maxLength(2000, "x: too long"))),
});

export type LinkParams = v.InferOutput<typeof LinkParamsSchema>;
