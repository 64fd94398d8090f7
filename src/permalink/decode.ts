/**
 * Reading a link. decodeLink() takes a URL fragment (or a whole URL) of any version and returns
 * either the current-version state or a plain-text error with the default state to fall back on.
 * It never throws, whatever the input (fuzz.test.ts feeds it tens of thousands of broken links).
 *
 * Order: cap the size, split the parameters, read `v`, refuse a version newer than ours with its
 * own message, upgrade older ones one step at a time (upgrade.ts), validate the parameters
 * (schema.ts), unpack and validate the scenario with the scenario schema, read the self-check.
 */
import * as v from "valibot";
import { DEFAULT_PRESET_ID, presetById } from "../scenario/presets/index.ts";
import { formatIssues, parseScenario, type ScenarioInput, type ScenarioIssue } from "../scenario/schema.ts";
import { errorText, unpackJson } from "./compress.ts";
import { parseEndValues } from "./end-state.ts";
import { applyMergePatch, jsonDepth, MAX_JSON_DEPTH } from "./merge-patch.ts";
import {
  EmbedOriginsSchema,
  LINK_VERSION,
  type LinkCheck,
  type LinkEmbed,
  type LinkParams,
  LinkParamsSchema,
  type LinkState,
  MAX_FRAGMENT_CHARS,
  type ScenarioRef,
} from "./schema.ts";
import { type LinkParamMap, upgradeParams } from "./upgrade.ts";

/** Why a link was refused: "newer" gets its own wording (reload the app); the rest are broken links. */
export type DecodeErrorKind = "too-long" | "newer" | "malformed" | "scenario";

export type DecodeResult =
  | {
      readonly ok: true;
      readonly state: LinkState;
      /** The version the link had before upgrading (0 for the unversioned fragment). */
      readonly from: number;
      /** Things ignored along the way, as sentences. */
      readonly notes: readonly string[];
    }
  | {
      readonly ok: false;
      readonly kind: DecodeErrorKind;
      /** Plain text for an error banner (render as text, never as HTML); the app adds that it
       * shows the default scenario instead. */
      readonly error: string;
      readonly fallback: LinkState;
    };

const MAX_PARAMS = 64;

export function defaultLinkState(embed: LinkEmbed | null = null): LinkState {
  return {
    v: LINK_VERSION,
    scenario: { kind: "preset", id: DEFAULT_PRESET_ID },
    kernel: null,
    granularity: "action",
    step: null,
    selection: null,
    zoom: null,
    viewStart: null,
    section: null,
    balloonHighlight: false,
    compare: null,
    compareScenario: null,
    compareStep: null,
    compareCheck: null,
    embed,
    check: null,
  };
}

/** User text quoted in a message: JSON quotes make spaces and odd characters visible; capped. */
function quote(s: string): string {
  const q = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
  return q;
}

class LinkError {
  constructor(
    readonly kind: DecodeErrorKind,
    readonly message: string,
  ) {}
}

function fail(kind: DecodeErrorKind, message: string): never {
  throw new LinkError(kind, message);
}

/** The fragment of `input`: everything after the first "#", or all of it if there is none. */
function fragmentOf(input: string): string {
  const i = input.indexOf("#");
  return (i >= 0 ? input.slice(i + 1) : input).trim();
}

/** application/x-www-form-urlencoded decoding, as URLSearchParams does it ("+" is a space). */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return fail("malformed", `This link has a broken percent-escape in ${quote(s)}.`);
  }
}

/** The fragment's parameters; the first of a repeated name wins (as URLSearchParams.get did). */
function splitParams(fragment: string): { params: LinkParamMap; repeated: string[] } {
  const params: LinkParamMap = new Map();
  const repeated: string[] = [];
  let n = 0;
  for (const pair of fragment.split("&")) {
    if (pair === "") continue;
    if (++n > MAX_PARAMS) fail("malformed", `This link has more than ${MAX_PARAMS} parameters.`);
    const eq = pair.indexOf("=");
    const k = formDecode(eq >= 0 ? pair.slice(0, eq) : pair);
    const value = eq >= 0 ? formDecode(pair.slice(eq + 1)) : "";
    if (params.has(k)) repeated.push(k);
    else params.set(k, value);
  }
  return { params, repeated };
}

function readVersion(params: LinkParamMap): number {
  const raw = params.get("v");
  if (raw === undefined) return 0;
  if (!/^\d{1,9}$/.test(raw)) fail("malformed", `This link's version v=${quote(raw)} is not a whole number.`);
  const n = Number(raw);
  if (n > LINK_VERSION) {
    fail(
      "newer",
      `This link uses link format version ${n}, which is newer than this copy of Zeropage Lab understands (up to version ${LINK_VERSION}). Reload the page to get the newest version; if the message stays, the link was made by a newer deployment than this one.`,
    );
  }
  return n;
}

function unpackObject(what: string, packed: string): Record<string, unknown> {
  const r = unpackJson(packed);
  if (!r.ok) fail("malformed", `This link's ${what} could not be read: ${r.error}.`);
  const value = r.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("scenario", `This link's ${what} is not a JSON object.`);
  if (jsonDepth(value) > MAX_JSON_DEPTH)
    fail("scenario", `This link's ${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  return value as Record<string, unknown>;
}

function scenarioIssues(what: string, issues: readonly ScenarioIssue[]): never {
  const shown = issues.slice(0, 8);
  const more = issues.length > shown.length ? `\n(and ${issues.length - shown.length} more)` : "";
  return fail("scenario", `This link's ${what} is not valid:\n${formatIssues(shown)}${more}`);
}

interface ScenarioParams {
  readonly preset?: string | undefined;
  readonly o?: string | undefined;
  readonly s?: string | undefined;
}

/** The names of a scenario's three parameters: the left's (the link's own) or the right's. */
const LEFT_NAMES = { preset: "preset", o: "o", s: "s", side: "" } as const;
const RIGHT_NAMES = { preset: "cpreset", o: "co", s: "cs", side: "right-hand " } as const;

function readScenario(p: ScenarioParams, n: typeof LEFT_NAMES | typeof RIGHT_NAMES): ScenarioRef {
  if (p.s !== undefined && p.preset !== undefined)
    fail(
      "malformed",
      `This link names both a ${n.side}preset (${n.preset}=) and a ${n.side}custom scenario (${n.s}=); it needs one.`,
    );
  if (p.o !== undefined && p.preset === undefined)
    fail(
      "malformed",
      `This link has ${n.side}overrides (${n.o}=) but no preset (${n.preset}=) to apply them to.`,
    );
  if (p.s !== undefined) {
    const what = `${n.side}custom scenario (${n.s}=)`;
    const scenario = unpackObject(what, p.s);
    const parsed = parseScenario(scenario);
    if (!parsed.ok) scenarioIssues(what, parsed.issues);
    return { kind: "custom", scenario: scenario as ScenarioInput };
  }
  const id = p.preset ?? DEFAULT_PRESET_ID;
  const preset = presetById(id);
  if (!preset) fail("scenario", `This link names a ${n.side}preset that does not exist: ${quote(id)}.`);
  if (p.o === undefined) return { kind: "preset", id };
  const overrides = unpackObject(`${n.side}overrides (${n.o}=)`, p.o);
  if (Object.keys(overrides).length === 0) return { kind: "preset", id };
  const parsed = parseScenario(applyMergePatch(preset.scenario, overrides));
  if (!parsed.ok) scenarioIssues(`${n.side}scenario (preset ${quote(id)} with its overrides)`, parsed.issues);
  return { kind: "preset", id, overrides };
}

/** The right-hand scenario of a compare link, or null when the link has none (the left's). */
function readCompareScenario(p: LinkParams): ScenarioRef | null {
  if (p.cpreset === undefined && p.co === undefined && p.cs === undefined) return null;
  return readScenario({ preset: p.cpreset, o: p.co, s: p.cs }, RIGHT_NAMES);
}

function readCheck(p: LinkParams, notes: string[]): LinkCheck | null {
  if (p.h === undefined) {
    if (p.e !== undefined || p.ha !== undefined || p.x !== undefined || p.ch !== undefined)
      notes.push(
        `This link has parts of a self-check (e=, ha=, x= or ch=) but no end-state hash (h=); the run is shown unchecked.`,
      );
    return null;
  }
  if (p.e === undefined) {
    notes.push(
      `This link has an end-state hash h=${quote(p.h)} but no engine version (e=); the run is shown unchecked.`,
    );
    return null;
  }
  const check: { -readonly [K in keyof LinkCheck]: LinkCheck[K] } = {
    engine: p.e,
    end: p.h,
    actions: p.ha ?? "",
  };
  if (p.x !== undefined) {
    // Kept even when they disagree with h: verifyCheck tells an altered hash from altered values.
    if (parseEndValues(p.x)) check.values = p.x;
    else notes.push(`The link's expected end values x=${quote(p.x)} could not be read; they were ignored.`);
  }
  return check;
}

const SELF_CHECK = "the run is shown unchecked";

/**
 * What is shown instead when a parameter about the view or the check is malformed. Such a
 * parameter is dropped with a note naming it, its value and this replacement, and the rest of the
 * link stands: a link with a mistyped kernel still opens its scenario at its step. The scenario's
 * parameters (preset, o, s and the right-hand cpreset, co, cs) and v stay errors: without them
 * there is nothing to show.
 */
const REPLACED: Readonly<Record<string, string>> = {
  kernel: "the scenario's own kernel runs instead",
  g: "steps are by scenario action",
  step: "the end of the run is shown",
  sel: "nothing is selected",
  zoom: "the maps show all guest RAM",
  at: "the zoomed maps are placed around the selection",
  view: "the memory panel opens at the maps",
  balloon: "the ballooned tables are not highlighted",
  present: "the ordinary layout is shown, not presentation mode",
  seed: "the scenario is shown as written, not a student's draw",
  sweep: "no sweep is opened",
  compare: "compare mode is off",
  cstep: "the compare view starts where the step maps",
  ch: "the right-hand run is not checked",
  embed: "the full app is shown",
  editor: "the editor is offered",
  autoplay: "playback waits for you",
  origin: "no host page may drive the embed",
  e: SELF_CHECK,
  h: SELF_CHECK,
  ha: SELF_CHECK,
  x: "its end values are not shown",
};

/** The self-check's parameters: a malformed one of these drops the whole check. */
const CHECK_PARAMS = ["e", "h", "ha"];

/** The parameters, validated; malformed ones that REPLACED names are dropped with a note. */
function readParams(params: LinkParamMap, notes: string[]): LinkParams {
  for (;;) {
    const parsed = v.safeParse(LinkParamsSchema, Object.fromEntries(params));
    if (parsed.success) return parsed.output;
    const keys = parsed.issues.map((i) => {
      const k = i.path?.[0]?.key;
      return typeof k === "string" ? k : "";
    });
    const fatal = parsed.issues.filter((_, n) => !(keys[n]! in REPLACED) || !params.has(keys[n]!));
    if (fatal.length > 0)
      fail(
        "malformed",
        `This link is not valid: ${fatal
          .slice(0, 4)
          .map((i) => i.message)
          .join("; ")}.`,
      );
    parsed.issues.forEach((issue, n) => {
      const k = keys[n]!;
      if (!params.has(k)) return;
      const what = issue.message.startsWith(`${k}: `) ? issue.message.slice(k.length + 2) : issue.message;
      notes.push(`This link's ${k}=${quote(params.get(k)!)} was replaced (${what}): ${REPLACED[k]}.`);
      if (CHECK_PARAMS.includes(k)) for (const c of [...CHECK_PARAMS, "x", "ch"]) params.delete(c);
      else params.delete(k);
    });
  }
}

function readEmbed(get: (k: string) => unknown): LinkEmbed | null {
  if (get("embed") !== true && get("embed") !== "1") return null;
  const embed = {
    hideEditor: get("editor") === false || get("editor") === "0",
    autoplay: get("autoplay") === true || get("autoplay") === "1",
  };
  // Validated values (an array) or, for the fallback of a refused link, the raw text; an absent or
  // malformed origin leaves the key out, so links without one decode as before it existed.
  const raw = get("origin");
  let origins: readonly string[] = [];
  if (Array.isArray(raw)) origins = raw as string[];
  else if (typeof raw === "string") {
    const r = v.safeParse(EmbedOriginsSchema, raw);
    if (r.success) origins = r.output;
  }
  return origins.length > 0 ? { ...embed, origins } : embed;
}

function decodeOrThrow(input: string, embedOut: { embed: LinkEmbed | null }): DecodeResult {
  if (input.length > MAX_FRAGMENT_CHARS + 4096 || fragmentOf(input).length > MAX_FRAGMENT_CHARS) {
    fail(
      "too-long",
      `This link is too long (${Math.ceil(input.length / 1024)} KiB; the limit is ${MAX_FRAGMENT_CHARS / 1024} KiB), so it was not read.`,
    );
  }
  const fragment = fragmentOf(input);
  if (fragment === "") return { ok: true, state: defaultLinkState(), from: LINK_VERSION, notes: [] };
  const { params, repeated } = splitParams(fragment);
  embedOut.embed = readEmbed((k) => params.get(k));
  const from = readVersion(params);
  if (from >= 1 && repeated.length > 0)
    fail("malformed", `This link repeats the parameter ${quote(repeated[0]!)}.`);
  upgradeParams(params, from);
  const notes: string[] = [];
  const p = readParams(params, notes);
  const check = readCheck(p, notes);
  const state: LinkState = {
    v: LINK_VERSION,
    scenario: readScenario(p, LEFT_NAMES),
    kernel: p.kernel ?? null,
    granularity: p.g ?? "action",
    step: p.step ?? null,
    selection: p.sel ?? null,
    zoom: p.zoom ?? null,
    viewStart: p.at ?? null,
    section: p.view ?? null,
    balloonHighlight: p.balloon ?? false,
    ...(p.present ? { present: true } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    ...(p.sweep !== undefined ? { sweep: p.sweep } : {}),
    compare: p.compare ?? null,
    compareScenario: readCompareScenario(p),
    compareStep: p.cstep ?? null,
    compareCheck: check ? (p.ch ?? null) : null,
    embed: readEmbed((k) => p[k as keyof LinkParams]),
    check,
  };
  return { ok: true, state, from, notes };
}

/** Reads a link of any version. Never throws. */
export function decodeLink(input: string): DecodeResult {
  const embedOut: { embed: LinkEmbed | null } = { embed: null };
  try {
    if (typeof input !== "string") fail("malformed", "This link is not text.");
    return decodeOrThrow(input, embedOut);
  } catch (e) {
    const fallback = defaultLinkState(embedOut.embed);
    if (e instanceof LinkError) return { ok: false, kind: e.kind, error: e.message, fallback };
    return {
      ok: false,
      kind: "malformed",
      error: `This link could not be read (${errorText(e)}).`,
      fallback,
    };
  }
}
