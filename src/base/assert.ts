/** Invariant checks that name what broke. Thrown errors here are bugs in the model, never user errors. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`zeropage-lab invariant: ${message}`);
}
