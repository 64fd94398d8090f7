/**
 * Answers derive from the engine (answers.ts): each answer is checked against the engine by
 * another road (a run of the scenario cut after the question's action, a world rebuilt around
 * the step, separate runs per kernel), follows the scenario when the scenario changes, and never
 * follows what the author wrote around the question.
 */
import { describe, expect, it } from "vitest";
import { GiB, MiB } from "../base/units.ts";
import { COUNTERS, counterAt, type VariantId } from "../engine/index.ts";
import { type RunResult, runScenario } from "../scenario/compile.ts";
import { presetById } from "../scenario/presets/index.ts";
import { parseScenario } from "../scenario/schema.ts";
import { type Answer, type CheckpointAnswer, deriveAnswers, NONE_OF_THEM, type RunUnder } from "./answers.ts";
import { drawScenario } from "./draw.ts";
import { isCorrect } from "./grade.ts";

/** A 64 MiB guest with one question of every kind. */
function lesson(overrides: { balloon?: string } = {}) {
  return {
    schemaVersion: 2,
    title: "lesson",
    seed: 64,
    machine: { kernel: "s390-06201e00", guestRam: "64MiB" },
    actions: [
      { do: "guest-touch", size: "64MiB", content: "data" },
      { do: "balloon-inflate", size: overrides.balloon ?? "16MiB" },
      { do: "migrate", mode: "precopy" },
    ],
    exercise: {
      checkpoints: [
        { ask: "number", at: 1, question: "RssAnon after {balloon}?", counter: "rssAnonBytes", unit: "MiB" },
        {
          ask: "number",
          at: 2,
          question: "Destination VmPTE?",
          counter: "vmPteBytes",
          on: "destination",
          unit: "KiB",
          tolerance: 0,
        },
        {
          ask: "pte",
          at: 2,
          on: "source",
          question: "What does a read of a ballooned page map under {kernel}?",
        },
        { ask: "click", at: 2, on: "source", question: "Where first?" },
        {
          ask: "kernel",
          at: 2,
          question: "Least RssAnon on the destination?",
          kernels: ["s390-fa41ba0d", "s390-06201e00"],
          pick: "least",
          counter: "rssAnonBytes",
          on: "destination",
        },
        { ask: "outcome", at: 2, question: "How does it end?" },
      ],
    },
  };
}

function run(input: unknown, kernel?: VariantId): RunResult {
  const r = runScenario(input, kernel ? { kernel } : {});
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.run;
}

function runnerFor(input: unknown): RunUnder {
  return (kernel) => {
    const r = runScenario(input, { kernel, checkpoints: false });
    return r.ok ? { run: r.run } : { problem: r.issues.map((i) => i.message).join("; ") };
  };
}

function answersOf(input: unknown, kernel?: VariantId) {
  return deriveAnswers(run(input, kernel), runnerFor(input));
}

function answer<K extends Answer["kind"]>(c: CheckpointAnswer, kind: K): Extract<Answer, { kind: K }> {
  expect(c.answer?.kind).toBe(kind);
  return c.answer as Extract<Answer, { kind: K }>;
}

/** The counter at the end of a run of the scenario cut after action `at`. */
function endOfPrefix(
  input: { readonly actions: readonly unknown[] },
  at: number,
  mm: number,
  key: string,
  kernel?: VariantId,
) {
  const cut = { ...input, exercise: undefined, actions: input.actions.slice(0, at + 1) };
  const r = run(cut, kernel);
  const c = COUNTERS.findIndex((x) => x.key === key);
  return counterAt(r.trace, r.trace.events - 1, mm, c);
}

describe("answers derive from the engine", () => {
  const input = lesson();
  const a = answersOf(input);

  it("a number is the counter the engine reaches, as a run cut after that step also reaches it", () => {
    const rss = answer(a.checkpoints[0]!, "number");
    expect(rss.raw).toBe(endOfPrefix(input, 1, 0, "rssAnonBytes"));
    expect(rss.value).toBe(rss.raw / MiB);
    // The guest wrote all 64 MiB; the balloon took 16 MiB of it back.
    expect(rss.value).toBe(48);
    const vmpte = answer(a.checkpoints[1]!, "number");
    expect(vmpte.raw).toBe(endOfPrefix(input, 2, 1, "vmPteBytes"));
    expect(vmpte.tolerance).toEqual({ absolute: 0 });
    expect(a.checkpoints[0]!.question).toBe("RssAnon after 16 MiB?");
  });

  it("follows the scenario: a bigger balloon leaves less RssAnon, and the grade moves with it", () => {
    const bigger = answersOf(lesson({ balloon: "24MiB" }));
    const b = answer(bigger.checkpoints[0]!, "number");
    expect(b.raw).toBe(endOfPrefix(lesson({ balloon: "24MiB" }), 1, 0, "rssAnonBytes"));
    expect(b.value).toBe(40);
    expect(isCorrect(b, { kind: "number", value: 40 })).toBe(true);
    expect(isCorrect(answer(a.checkpoints[0]!, "number"), { kind: "number", value: 40 })).toBe(false);
  });

  it("ignores what the author writes around a question, and refuses an answer written into it", () => {
    const reworded = lesson();
    const first = reworded.exercise.checkpoints[0] as Record<string, unknown>;
    first.question = "Anything at all?";
    first.tolerance = "50%";
    expect(answer(answersOf(reworded).checkpoints[0]!, "number").raw).toBe(
      answer(a.checkpoints[0]!, "number").raw,
    );
    first.answer = 16;
    const r = parseScenario(reworded);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toEqual({
        path: "exercise.checkpoints[0].answer",
        message: 'unknown field "answer"',
      });
  });

  it("what the pages become follows the kernel: the zeropage under 06201e00, a page of their own under fa41ba0d", () => {
    expect(answer(a.checkpoints[2]!, "pte").outcome).toBe("zeropage");
    expect(a.checkpoints[2]!.reveal.rule).toBe("do_anonymous_page.zeropage");
    const before = answersOf(input, "s390-fa41ba0d");
    expect(answer(before.checkpoints[2]!, "pte").outcome).toBe("own");
    expect(before.checkpoints[2]!.reveal.rule).toBe("do_anonymous_page.forbidden");
    expect(before.checkpoints[2]!.question).toBe(
      "What does a read of a ballooned page map under s390-fa41ba0d?",
    );
  });

  it("a click is the page table of the first page the step changes, as a rebuilt world shows", () => {
    const r = run(input);
    const click = answer(a.checkpoints[3]!, "click");
    const t = r.trace;
    const act = t.actions[3]!;
    const changes = (x: number) => {
      for (let i = 0; i < t.effCount[x]!; i++) {
        const o = (t.effStart[x]! + i) * 4;
        if (t.effects[o] !== t.effects[o + 1]) return true;
      }
      return false;
    };
    const e = Array.from({ length: act.endEvent - act.firstEvent }, (_, i) => act.firstEvent + i).find(
      (x) => t.mm[x] === 0 && changes(x),
    )!;
    const before = r.simulation.worldAt({ event: e, done: 0 });
    const after = r.simulation.worldAt({ event: e + 1, done: 0 });
    const state = (w: typeof before, p: number) => w.mms[0]!.pt.ptes.get(p);
    expect(state(before, click.page)).not.toBe(state(after, click.page));
    // Every page visited before it, in the order the step visits them, is left as it was.
    const fp = Array.from(t.runs.subarray(t.runStart[e]! * 2, (t.runStart[e]! + t.runCount[e]!) * 2));
    let checked = 0;
    for (let i = 0; i < fp.length; i += 2)
      for (let p = fp[i]!; p < fp[i]! + fp[i + 1]! && p !== click.page; p++, checked++)
        expect(state(before, p)).toBe(state(after, p));
    expect(checked).toBeGreaterThan(0);
    expect(click.table).toBe(before.mms[0]!.pt.tableOf(click.page));
    expect(isCorrect(click, { kind: "click", mm: 0, table: click.table })).toBe(true);
    expect(isCorrect(click, { kind: "click", mm: 0, table: click.table + 1 })).toBe(false);
    expect(isCorrect(click, { kind: "click", mm: 1, table: click.table })).toBe(false);
  });

  it("a choice among kernels compares separate runs under each kernel", () => {
    const k = answer(a.checkpoints[4]!, "kernel");
    const values = (["s390-fa41ba0d", "s390-06201e00"] as const).map((kernel) =>
      endOfPrefix(input, 2, 1, "rssAnonBytes", kernel),
    );
    expect(k.values.map((v) => v.value)).toEqual(values);
    expect(values[1]).toBeLessThan(values[0]!);
    expect(k.correct).toEqual(["s390-06201e00"]);
    expect(a.checkpoints[4]!.options).toEqual(["s390-fa41ba0d", "s390-06201e00"]);
  });

  it("the outcome is the run's", () => {
    expect(answer(a.checkpoints[5]!, "outcome").outcome).toBe("completed");
  });
});

describe("a memfd-backed guest", () => {
  // The lesson with guest RAM in a memfd (QEMU's memory-backend-memfd): a page the guest writes is
  // a shmem page, a page of the guest's own all the same, counted in RssShmem and not in RssAnon.
  const memfd = lesson();
  const withMemfd = {
    ...memfd,
    machine: { ...memfd.machine, qemu: { memoryBackend: "memfd" } },
    actions: [{ do: "guest-touch", size: "32MiB", content: "data" }, ...memfd.actions.slice(1)],
    exercise: {
      checkpoints: [{ ask: "pte", at: 0, on: "source", question: "What does a written page map?" }],
    },
  };

  it("a written page is a page of its own, shown by RssShmem", () => {
    const c = answersOf(withMemfd).checkpoints[0]!;
    const pte = answer(c, "pte");
    expect(pte.outcome).toBe("own");
    expect(pte.counts.own).toBe((32 * MiB) / (4 * 1024));
    expect(pte.counts.none).toBe(0);
    expect(c.reveal.counter?.key).toBe("rssShmemBytes");
    expect(c.reveal.counter?.after).toBe(endOfPrefix(withMemfd, 0, 0, "rssShmemBytes"));
    expect(c.reveal.counter!.after - c.reveal.counter!.before).toBe(32 * MiB);
  });

  it("the same question on anonymous memory is shown by RssAnon", () => {
    const anon = { ...withMemfd, machine: memfd.machine };
    const c = answersOf(anon).checkpoints[0]!;
    expect(answer(c, "pte").outcome).toBe("own");
    expect(c.reveal.counter?.key).toBe("rssAnonBytes");
  });
});

describe("a run that stops early", () => {
  const hang = presetById("postcopy-hang-2017")!.scenario;
  const withQuestions = {
    ...hang,
    schemaVersion: 2 as const,
    exercise: {
      checkpoints: [
        { ask: "outcome", at: 6, question: "How does it end?" },
        { ask: "number", at: 6, question: "RssAnon?", counter: "rssAnonBytes" },
        {
          ask: "kernel",
          at: 5,
          question: "Which completes?",
          kernels: ["s390-2faee8ff", "s390-06201e00"],
          pick: "completes",
        },
        {
          ask: "kernel",
          at: 5,
          question: "Which fails?",
          kernels: ["s390-2faee8ff", "s390-06201e00"],
          pick: "hangs",
        },
      ],
    },
  };
  const a = answersOf(withQuestions);

  it("answers how it ends, and says the later steps are never reached", () => {
    expect(answer(a.checkpoints[0]!, "outcome").outcome).toBe("hung");
    expect(a.checkpoints[0]!.reveal.note).toMatch(/waits forever/);
    expect(a.checkpoints[1]!.reached).toBe(false);
    expect(a.checkpoints[1]!.answer).toBeNull();
    expect(a.checkpoints[1]!.reveal.note).toMatch(/^The run hangs before this step/);
  });

  it("picks kernels by their runs' outcomes, offering 'none of them' where none may fit", () => {
    expect(answer(a.checkpoints[2]!, "kernel").correct).toEqual(["s390-06201e00"]);
    expect(answer(a.checkpoints[3]!, "kernel").correct).toEqual(["s390-2faee8ff"]);
    expect(a.checkpoints[2]!.options).toContain(NONE_OF_THEM);
  });
});

describe("the exercise presets", () => {
  it("the commit's story: the source keeps guest RAM minus the balloon, for every student", () => {
    const preset = presetById("commit-06201e00-exercise")!;
    for (const seed of [1, 2, 3]) {
      const d = drawScenario(preset.scenario, seed);
      if (!d.ok) throw new Error("draw");
      const r = run(d.scenario);
      const first = answer(deriveAnswers(r, runnerFor(d.scenario)).checkpoints[0]!, "number");
      const ram = d.values.find((v) => v.id === "guestRam")!.value as number;
      const balloon = d.values.find((v) => v.id === "balloon")!.value as number;
      expect(first.raw).toBe(ram - balloon);
      expect(first.value).toBe((ram - balloon) / GiB);
    }
  });
});
