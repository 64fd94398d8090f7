/**
 * Broken links for the fuzz test (fuzz.test.ts, 10k in CI) and `npm run fuzz`
 * (bench/permalink-fuzz.ts, 100k+): valid links then damaged (truncated, cut, spliced with
 * hostile text, parameters repeated or swapped), random text, random parameters, and packed
 * payloads of random JSON or random bytes. `problemWith()` says what is wrong with a result.
 */
import fc from "fast-check";
import { deflateSync } from "fflate";
import { parseScenario } from "../../scenario/schema.ts";
import { packJson, toBase64url } from "../compress.ts";
import { type DecodeResult, decodeLink, defaultLinkState } from "../decode.ts";
import { encodeLink } from "../encode.ts";
import { jsonEqual, toJson } from "../merge-patch.ts";
import { resolveScenario } from "../scenario-ref.ts";
import { HOSTILE_TEXTS, linkStateArb, scenarioArb } from "./arbitraries.ts";

const KEYS = [
  "v",
  "preset",
  "o",
  "s",
  "kernel",
  "g",
  "step",
  "sel",
  "zoom",
  "at",
  "compare",
  "embed",
  "editor",
  "autoplay",
  "e",
  "h",
  "ha",
  "x",
];
const NASTY = [
  ...HOSTILE_TEXTS,
  "%",
  "%E0%A4%A",
  "%00",
  "&",
  "=",
  "#",
  "+",
  "&&==&&",
  "v=999",
  "v=0",
  "v=-1",
  "v=1.5",
  "__proto__=1",
  "constructor=x",
  "\u0000",
  "\ud800",
  "%F0%9F%98",
  "e=1&h=",
  "s=",
  "o=",
];

const validLink = linkStateArb().map((s) => `#${encodeLink(s)}`);

/** A valid link, then one to three kinds of damage. */
const damagedLink = fc
  .tuple(
    validLink,
    fc.array(
      fc.tuple(
        fc.constantFrom("truncate", "cut", "insert", "repeat", "flip", "swap-v", "drop-amp"),
        fc.nat(),
        fc.nat(),
        fc.oneof(
          fc.constantFrom(...NASTY),
          fc.string({ maxLength: 12 }),
          fc.string({ unit: "binary", maxLength: 6 }),
        ),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([link, edits]) => {
    let s = link;
    for (const [kind, a, b, text] of edits) {
      const i = s.length === 0 ? 0 : a % s.length;
      const j = s.length === 0 ? 0 : b % s.length;
      switch (kind) {
        case "truncate":
          s = s.slice(0, i);
          break;
        case "cut":
          s = s.slice(0, Math.min(i, j)) + s.slice(Math.max(i, j));
          break;
        case "insert":
          s = s.slice(0, i) + text + s.slice(i);
          break;
        case "repeat":
          s = `${s}&${s.slice(1, 1 + (b % 40))}`;
          break;
        case "flip": {
          const c = s.charCodeAt(i);
          s = s.slice(0, i) + String.fromCharCode(c ^ (1 + (b % 63))) + s.slice(i + 1);
          break;
        }
        case "swap-v":
          s = s.replace(/v=\d+/, `v=${b % 4}`);
          break;
        case "drop-amp":
          s = s.replace("&", "");
          break;
      }
    }
    return s;
  });

const randomParams = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })),
      fc.oneof(
        fc.constantFrom(...NASTY),
        fc.string({ maxLength: 20 }),
        fc.integer().map(String),
        fc.double().map(String),
      ),
    ),
    { maxLength: 12 },
  )
  .map((pairs) => `#${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`);

const packedJunk = fc
  .tuple(
    fc.constantFrom("s", "o"),
    fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((j) => packJson(j)),
      scenarioArb(6).map((s) => packJson({ ...s, extra: 1 })),
      scenarioArb(6).chain((s) =>
        fc
          .constantFrom("machine", "actions", "schemaVersion", "seed")
          .map((k) => packJson({ ...s, [k]: "oops" })),
      ),
      fc.uint8Array({ maxLength: 200 }).map((b) => toBase64url(b)),
      fc.uint8Array({ maxLength: 200 }).map((b) => toBase64url(deflateSync(b))),
    ),
  )
  .map(([k, packed]) => `#v=1&${k === "o" ? "preset=teaching-small&" : ""}${k}=${packed}`);

const randomText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 100 }),
  fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => `#v=1&${s}`),
);

/** Every kind of broken or odd link, in proportions that favour near-valid ones. */
export function fuzzLinkArb(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: damagedLink },
    { weight: 2, arbitrary: randomParams },
    { weight: 2, arbitrary: packedJunk },
    { weight: 1, arbitrary: randomText },
    { weight: 1, arbitrary: validLink },
  );
}

/** What is wrong with decodeLink's answer for `link`; null when it is a clean answer. */
export function problemWith(link: string, r: DecodeResult): string | null {
  if (r.ok) {
    const scenario = resolveScenario(r.state.scenario);
    if (scenario === undefined) return "ok, but the preset does not exist";
    if (!parseScenario(scenario).ok) return "ok, but the scenario does not validate";
    const again = decodeLink(encodeLink(r.state));
    if (!again.ok || !jsonEqual(toJson(again.state), toJson(r.state)))
      return "ok, but does not re-encode to itself";
    return null;
  }
  if (typeof r.error !== "string" || r.error.trim().length < 10)
    return `an error without a clear message: ${JSON.stringify(r.error)}`;
  if (r.error.length > 4000) return "an error message over 4000 characters";
  if (!jsonEqual(toJson(r.fallback), toJson(defaultLinkState(r.fallback.embed))))
    return "a fallback that is not the default state";
  if (link.length === 0) return "an error for the empty link";
  return null;
}

/** decodeLink plus problemWith, catching anything thrown (which is itself the worst problem). */
export function fuzzOne(link: string): { result: DecodeResult | null; problem: string | null } {
  try {
    const result = decodeLink(link);
    return { result, problem: problemWith(link, result) };
  } catch (e) {
    return { result: null, problem: `threw: ${String(e)}` };
  }
}
