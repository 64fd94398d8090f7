/**
 * Output goes through commander's output configuration (configureOutput), so that main.ts decides
 * where stdout and stderr go: the process streams for the bin, buffers for tests. Commands write
 * with these helpers and never touch process.stdout themselves.
 *
 * A reader that goes away early (`zeropage-lab diff … --json | head`) closes the pipe; the next
 * write fails with EPIPE, which Node reports as an 'error' event on process.stdout and, without a
 * listener, as an uncaught exception with a stack trace. Like other Unix filters, the CLI then just
 * stops: exit status 0, nothing on stderr.
 */
import type { Command } from "commander";

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The part of a stream this needs (a fake in tests). */
export interface ErrorSource {
  on(event: "error", listener: (e: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Ends the process quietly (`exit(0)`) when `stream`'s reader has gone; any other stream error is
 * rethrown, as it would have been without a listener.
 */
export function exitQuietlyOnEpipe(stream: ErrorSource, exit: (code: number) => void): void {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") exit(0);
    else throw e;
  });
}

let guarded = false;

export const processIo: CliIo = {
  out: (text) => {
    if (!guarded) {
      guarded = true;
      exitQuietlyOnEpipe(process.stdout, (code) => process.exit(code));
    }
    process.stdout.write(text);
  },
  err: (text) => process.stderr.write(text),
};

export function writeOut(cmd: Command, text: string): void {
  cmd.configureOutput().writeOut?.(text);
}
