/**
 * The corpus: links of every version we have shipped (corpus/v<N>.json), never edited, only
 * appended to. Each one must still decode to what it decoded to when it was stored, and its
 * scenario, re-simulated now, must still end in the state whose hash was stored for this engine
 * version. A link that silently changes meaning fails here, loudly.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENGINE_SEMANTICS_VERSION } from "../engine/version.ts";
import { runScenario } from "../scenario/compile.ts";
import { verifyCheck } from "./check.ts";
import { COUNTER_KEYS, type CorpusFile, decodesToNow, runnableScenario } from "./corpus/entry.ts";
import { decodeLink } from "./decode.ts";
import { encodeLink } from "./encode.ts";
import { endHash, endStateOf } from "./end-state.ts";
import { toJson } from "./merge-patch.ts";
import { LINK_VERSION, type LinkState } from "./schema.ts";

/** Each entry's run, simulated once for both tests that need it. */
const runs = new Map<string, Extract<ReturnType<typeof runScenario>, { ok: true }>["run"]>();
function runOf(state: LinkState) {
  const key = JSON.stringify(state);
  let run = runs.get(key);
  if (!run) {
    const r = runScenario(runnableScenario(state), state.kernel ? { kernel: state.kernel } : {});
    if (!r.ok) throw new Error(`the scenario does not run: ${JSON.stringify(r.issues)}`);
    run = r.run;
    runs.set(key, run);
  }
  return run;
}

const dir = new URL("./corpus/", import.meta.url);
const files = readdirSync(dir)
  .filter((f) => /^v\d+\.json$/.test(f))
  .map((f) => ({ name: f, corpus: JSON.parse(readFileSync(new URL(f, dir), "utf8")) as CorpusFile }));

it("has a corpus file with links for every version from 0 to LINK_VERSION", () => {
  const versions = files.map((f) => f.corpus.version).sort((a, b) => a - b);
  expect(versions).toEqual(Array.from({ length: LINK_VERSION + 1 }, (_, i) => i));
  for (const f of files) {
    expect(f.name).toBe(`v${f.corpus.version}.json`);
    expect(f.corpus.entries.length).toBeGreaterThan(0);
  }
});

for (const { name, corpus } of files) {
  describe(`corpus ${name}`, () => {
    it("numbers its entries 1, 2, 3, … (entries are appended, never removed)", () => {
      expect(corpus.entries.map((e) => e.id)).toEqual(corpus.entries.map((_, i) => i + 1));
    });

    for (const entry of corpus.entries) {
      describe(`#${entry.id}: ${entry.about}`, () => {
        it("decodes to what it decoded to when it was stored", () => {
          const r = decodeLink(entry.link);
          if (!r.ok) throw new Error(r.error);
          expect(r.from).toBe(corpus.version);
          expect(toJson(r.state)).toEqual(toJson(decodesToNow(entry)));
          // And the current app writes it back as a current link meaning the same.
          const again = decodeLink(encodeLink(r.state));
          expect(again.ok && toJson(again.state)).toEqual(toJson(decodesToNow(entry)));
        });

        it(`re-simulates to the end state stored for engine version ${ENGINE_SEMANTICS_VERSION}`, () => {
          const expected = entry.endHashes[String(ENGINE_SEMANTICS_VERSION)];
          expect(
            expected,
            `no end-state hash for engine version ${ENGINE_SEMANTICS_VERSION}: add one (see src/engine/version.ts)`,
          ).toBeDefined();
          const run = runOf(entry.decodesTo);
          expect(endHash(endStateOf(run.trace, COUNTER_KEYS, run.outcome))).toBe(expected);
        });

        const check = entry.decodesTo.check;
        const thenHash = check ? entry.endHashes[String(check.engine)] : undefined;
        const nowHash = entry.endHashes[String(ENGINE_SEMANTICS_VERSION)];
        if (check && check.engine < ENGINE_SEMANTICS_VERSION && thenHash && nowHash && thenHash !== nowHash) {
          it("made with an older engine whose result has changed since: reopens with a notice naming both versions", () => {
            const run = runOf(entry.decodesTo);
            const report = verifyCheck(check, run.trace, COUNTER_KEYS, run.outcome);
            expect(report.matches).toBe(false);
            expect(report.message).toContain(`made with engine version ${check.engine}`);
            expect(report.message).toContain(`This app runs engine version ${ENGINE_SEMANTICS_VERSION}`);
            expect(report.step).not.toBeNull();
          });
        }
        if (check && check.engine === ENGINE_SEMANTICS_VERSION) {
          it("passes its own self-check (end hash and every action hash)", () => {
            const run = runOf(entry.decodesTo);
            const report = verifyCheck(check, run.trace, COUNTER_KEYS, run.outcome);
            expect(report.message).toBe("");
            expect(report.matches).toBe(true);
          });
        }
      });
    }
  });
}
