/**
 * The zeropage-lab command line: the same scenarios and engine as the app, for reviewers' scripts
 * and tests. bin/zeropage-lab.mjs loads its compiled form (dist-cli/main.js, npm run build:cli) and
 * calls runCli().
 *
 * Each command lives in commands/<name>.ts and exports register(program). To add a command, write
 * commands/<name>.ts and add it to COMMANDS below; nothing else changes.
 *
 * Exit codes: 0 success; 2 a usage error (bad arguments, unknown preset or variant, a scenario
 * file that cannot be read or is not valid), with the message on stderr and nothing on stdout;
 * 1 an internal error.
 *
 * With --json anywhere before `--`, errors are JSON too, so a script that parses our output never
 * has to parse prose: one object on stderr, `{"error": "…", "usage": "zeropage-lab run [options]
 * <scenario>"}` (usage omitted for an internal error), stdout empty, the same exit codes.
 * Commander's own messages (unknown option, missing argument) are caught from its outputError
 * hook and put in the object instead of being printed.
 */
import { Command, CommanderError } from "commander";
import * as diff from "./commands/diff.ts";
import * as exercise from "./commands/exercise.ts";
import * as presets from "./commands/presets.ts";
import * as run from "./commands/run.ts";
import * as selftest from "./commands/selftest.ts";
import * as sweep from "./commands/sweep.ts";
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, ResultExit, UsageError } from "./errors.ts";
import { type CliIo, processIo } from "./io.ts";

/** The commands, in help order. */
const COMMANDS: readonly { register(program: Command): void }[] = [
  presets,
  run,
  diff,
  selftest,
  sweep,
  exercise,
];

export const PROGRAM_NAME = "zeropage-lab";

/** JSON-mode errors: one object on stderr (see the file comment). */
export interface JsonError {
  readonly error: string;
  readonly usage?: string;
}

/**
 * Builds the program with its output routed to `io`; commands inherit the routing. `onError`,
 * when given, receives commander's error messages instead of stderr (JSON mode).
 */
export function buildProgram(io: CliIo = processIo, onError?: (text: string) => void): Command {
  const program = new Command(PROGRAM_NAME)
    .description("Zeropage Lab: Linux memory management around the s390 shared zeropage, headless")
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => (onError ? onError(text) : write(`${PROGRAM_NAME}: ${text}`)),
    })
    .showHelpAfterError(`(see "${PROGRAM_NAME} --help")`)
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        `  ${PROGRAM_NAME} presets`,
        `  ${PROGRAM_NAME} run commit-06201e00 --kernel s390-fa41ba0d`,
        `  ${PROGRAM_NAME} run commit-06201e00 --kernel s390-06201e00 --json`,
        `  ${PROGRAM_NAME} run my-scenario.json`,
        `  ${PROGRAM_NAME} sweep commit-06201e00 --param balloon --from 0 --to 100% --points 11 --kernel s390-fa41ba0d,s390-06201e00`,
        `  ${PROGRAM_NAME} exercise commit-06201e00-exercise --seeds 1-30`,
        "",
        "Exit codes: 0 ok, 2 bad arguments or scenario (message on stderr), 1 internal error.",
        "With --json, errors are JSON as well: one object on stderr,",
        `  {"error": "<message>", "usage": "${PROGRAM_NAME} <command> [options] <arguments>"}`,
        "  (no usage for an internal error); stdout stays empty and the exit codes are the same.",
        "Output piped into a reader that stops early (| head) ends quietly, exit code 0.",
      ].join("\n"),
    );
  for (const c of COMMANDS) c.register(program);
  return program;
}

/** Whether the command line asks for JSON: --json before any `--` (after it, it is an argument). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** "zeropage-lab run [options] <scenario>": the usage of the command argv names, or the program's. */
function usageOf(program: Command, argv: readonly string[]): string {
  const sub = program.commands.find((c) => c.name() === argv[0]);
  return sub ? `${PROGRAM_NAME} ${sub.name()} ${sub.usage()}` : `${PROGRAM_NAME} ${program.usage()}`;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (wantsJson(argv)) return runJsonMode(argv, io);
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ResultExit) return e.code;
    if (e instanceof UsageError) {
      io.err(`${PROGRAM_NAME}: error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // Commander has printed its own message (or the help) already.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    io.err(`${PROGRAM_NAME}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}

/**
 * runCli with --json: commander's messages and the help it prints after an error are kept from
 * stderr, and every failure becomes one JsonError line there.
 */
async function runJsonMode(argv: readonly string[], io: CliIo): Promise<number> {
  let commanderMessage = "";
  const program = buildProgram({ out: io.out, err: () => {} }, (text) => {
    commanderMessage += text;
  });
  const fail = (code: number, error: string, usage: boolean): number => {
    const doc: JsonError = usage ? { error, usage: usageOf(program, argv) } : { error };
    io.err(`${JSON.stringify(doc)}\n`);
    return code;
  };
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ResultExit) return e.code;
    if (e instanceof UsageError) return fail(EXIT_USAGE, e.message, true);
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT_OK;
      // "error: unknown option '--fast'\n" → "unknown option '--fast'"; a bare help request
      // (no command at all) has no message of its own.
      const text = commanderMessage.trim().replace(/^error: /, "") || "no command given";
      return fail(EXIT_USAGE, text, true);
    }
    return fail(EXIT_INTERNAL, `internal error: ${e instanceof Error ? e.message : String(e)}`, false);
  }
}
