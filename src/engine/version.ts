/**
 * The engine's semantics version: which model of the kernel and QEMU produced a result. Permalinks
 * carry it next to a hash of the end state they expect (src/permalink/CHANGELOG.md), so that a
 * link made with an older model says so instead of silently showing different numbers.
 *
 * Bump it when a change alters what any scenario computes: a counter's value at some step, a
 * rule that fires or no longer fires, the outcome (completed, hung, failed), the number or order
 * of events, or a preset's scenario. Then add the new expected hashes to the entries of
 * src/permalink/corpus/ (the corpus test names the ones that changed) and write one line in
 * src/permalink/CHANGELOG.md saying what changed and why.
 *
 * Do not bump it for changes that leave every trace's counters and outcome as they were:
 * narration text, rule explanations, labels, speed, refactors.
 */
export const ENGINE_SEMANTICS_VERSION = 3;
