/**
 * Counter semantics the views need beside the run's counter columns: how a change reads (memory
 * spent, saved, or neither). Defined once with the counters themselves (engine/proc/status.ts);
 * the views reach the engine only through state/.
 */
export { type CounterSense, changeTone } from "../engine/proc/status.ts";
