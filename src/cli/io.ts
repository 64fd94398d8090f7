/**
 * Output goes through commander's output configuration (configureOutput), so that main.ts decides
 * where stdout and stderr go: the process streams for the bin, buffers for tests. Commands write
 * with these helpers and never touch process.stdout themselves.
 */
import type { Command } from "commander";

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function writeOut(cmd: Command, text: string): void {
  cmd.configureOutput().writeOut?.(text);
}
