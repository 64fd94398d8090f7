/**
 * How the CLI fails. A UsageError is the user's to fix (a bad argument, an unknown preset or
 * variant, a scenario file that cannot be read or is not a valid scenario): its message goes to
 * stderr and the exit code is 2. Anything else is a bug in the tool and exits 1.
 */

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Not an error: a command that has printed its result and wants a particular exit status, as a
 * test runner does (`selftest` exits 1 when a check fails, 4 when it skips). Nothing is printed.
 */
export class ResultExit extends Error {
  override readonly name = "ResultExit";
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
