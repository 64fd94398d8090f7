/**
 * The zeropage-lab command line: the same scenarios and engine as the app, for reviewers' scripts
 * and tests. bin/zeropage-lab.mjs registers tsx and calls runCli().
 *
 * Each command lives in commands/<name>.ts and exports register(program). To add a command, write
 * commands/<name>.ts and add it to COMMANDS below; nothing else changes.
 *
 * Exit codes: 0 success; 2 a usage error (bad arguments, unknown preset or variant, a scenario
 * file that cannot be read or is not valid), with the message on stderr and nothing on stdout;
 * 1 an internal error.
 */
import { Command, CommanderError } from "commander";
import * as diff from "./commands/diff.ts";
import * as presets from "./commands/presets.ts";
import * as run from "./commands/run.ts";
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.ts";
import { type CliIo, processIo } from "./io.ts";

/** The commands, in help order. */
const COMMANDS: readonly { register(program: Command): void }[] = [presets, run, diff];

export const PROGRAM_NAME = "zeropage-lab";

/** Builds the program with its output routed to `io`; commands inherit the routing. */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command(PROGRAM_NAME)
    .description("Zeropage Lab: Linux memory management around the s390 shared zeropage, headless")
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => write(`${PROGRAM_NAME}: ${text}`),
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
        "",
        "Exit codes: 0 ok, 2 bad arguments or scenario (message on stderr), 1 internal error.",
      ].join("\n"),
    );
  for (const c of COMMANDS) c.register(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (e) {
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
