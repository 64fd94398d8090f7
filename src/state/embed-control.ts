/**
 * Driving an embed from its host page (a reveal.js or other HTML slide deck): a small postMessage
 * API. The host sends commands; the embed answers with events. docs/embed-api.md has the reference
 * and docs/embed-example.html a ten-line deck.
 *
 *   host → embed   {type: "zeropage-lab:seek", step, granularity?}   go to a step (pauses first)
 *                  {type: "zeropage-lab:play"}  {type: "zeropage-lab:pause"}
 *                  {type: "zeropage-lab:setKernel", kernel}          run under another variant
 *                  {type: "zeropage-lab:hello"}                      ask for "ready" again
 *   embed → host   {type: "zeropage-lab:ready", api, step, steps, granularity, kernel, playing, title}
 *                  {type: "zeropage-lab:step", step, steps, granularity, kernel, playing, action}
 *                  {type: "zeropage-lab:error", message}             a command that was refused
 *
 * Who may drive it: only pages whose origin the embed link names (`origin=`, permalink/schema.ts),
 * compared with MessageEvent.origin as a string. A message from any other origin, or to a page
 * that is not in embed mode, changes nothing and gets no answer. Messages from a named origin whose
 * type does not start with "zeropage-lab:" (a deck's own traffic) are ignored; ours are validated
 * with valibot (the links' schema library) and a malformed one is answered with an error event.
 *
 * Events go to the parent window (once per named origin: the browser delivers only to the one that
 * matches) and to any other window that sent an accepted command (a deck's speaker view).
 */
import * as v from "valibot";
import { VARIANT_IDS, type VariantId } from "../engine/variants.ts";
import type { Granularity } from "../worker/api.ts";
import type { LinkStatus } from "./link-state.ts";
import type { AppState, AppStore } from "./store.ts";

export const EMBED_MESSAGE_PREFIX = "zeropage-lab:";
/** The version of this message API, sent in "ready". */
export const EMBED_API_VERSION = 1;

const GRANULARITIES = ["action", "table", "pte"] as const satisfies readonly Granularity[];

const wholeStep = v.pipe(
  v.number("step: expected a number"),
  v.integer("step: expected a whole number"),
  v.minValue(0, "step: expected 0 or more"),
  v.maxValue(Number.MAX_SAFE_INTEGER, "step: too large"),
);

/** Every command a host page may send. Unknown keys are ignored (a later API may add some). */
export const EmbedCommandSchema = v.variant(
  "type",
  [
    v.object({
      type: v.literal("zeropage-lab:seek"),
      step: wholeStep,
      granularity: v.optional(v.picklist(GRANULARITIES, `granularity: expected ${GRANULARITIES.join(", ")}`)),
    }),
    v.object({ type: v.literal("zeropage-lab:play") }),
    v.object({ type: v.literal("zeropage-lab:pause") }),
    v.object({
      type: v.literal("zeropage-lab:setKernel"),
      kernel: v.picklist(VARIANT_IDS, `kernel: expected one of ${VARIANT_IDS.join(", ")}`),
    }),
    v.object({ type: v.literal("zeropage-lab:hello") }),
  ],
  "type: expected zeropage-lab:seek, play, pause, setKernel or hello",
);

export type EmbedCommand = v.InferOutput<typeof EmbedCommandSchema>;

export interface EmbedStepEvent {
  readonly step: number;
  readonly steps: number;
  readonly granularity: Granularity;
  readonly kernel: VariantId | null;
  readonly playing: boolean;
}

export type EmbedEvent =
  | ({ readonly type: "zeropage-lab:ready"; readonly api: number; readonly title: string } & EmbedStepEvent)
  | ({ readonly type: "zeropage-lab:step"; readonly action: string | null } & EmbedStepEvent)
  | { readonly type: "zeropage-lab:error"; readonly message: string };

/** Somewhere to post events: a Window, or a test's fake. */
export interface MessageTarget {
  postMessage(message: unknown, targetOrigin: string): void;
}

/** The parts of `window` this module uses (tests pass a fake). */
export interface EmbedWindow {
  /** The embedding page's window; the window itself when the page is not in a frame. */
  readonly parent: MessageTarget | null;
  addEventListener(type: "message", listener: (e: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (e: MessageEvent) => void): void;
}

export interface EmbedControl {
  stop(): void;
}

/** Why a command was refused, in one line: the valibot issues' messages. */
function issuesText(issues: readonly v.BaseIssue<unknown>[]): string {
  return [...new Set(issues.map((i) => i.message))].join("; ");
}

function stepOf(s: AppState): EmbedStepEvent | null {
  if (!s.run || !s.view) return null;
  return {
    step: s.view.position,
    steps: s.run.counts[s.granularity],
    granularity: s.granularity,
    kernel: s.run.kernel.id,
    playing: s.playing,
  };
}

export function connectEmbedControl(
  store: AppStore,
  links: { getState(): Pick<LinkStatus, "embed"> },
  host: EmbedWindow,
): EmbedControl {
  const parent = host.parent && host.parent !== (host as unknown) ? host.parent : null;
  /** Windows that sent an accepted command, with their origin (beside the parent). */
  const senders = new Map<MessageTarget, string>();
  let readySent = false;

  const allowed = (): readonly string[] => {
    const e = links.getState().embed;
    return e?.origins ?? [];
  };

  const post = (event: EmbedEvent) => {
    const origins = allowed();
    if (origins.length === 0) return;
    if (parent) for (const o of origins) parent.postMessage(event, o);
    for (const [target, origin] of senders) if (target !== parent) target.postMessage(event, origin);
  };

  const readyEvent = (s: AppState): EmbedEvent | null => {
    const st = stepOf(s);
    if (!st || !s.run) return null;
    return { type: "zeropage-lab:ready", api: EMBED_API_VERSION, title: s.run.title, ...st };
  };

  const onMessage = (e: MessageEvent) => {
    const origins = allowed();
    // Not in embed mode, or the link names no host page, or not one of them: nothing happens.
    if (origins.length === 0 || !origins.includes(e.origin)) return;
    const data: unknown = e.data;
    const type = (data as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !type.startsWith(EMBED_MESSAGE_PREFIX)) return;
    const source = e.source as MessageTarget | null;
    const reply = (event: EmbedEvent) => source?.postMessage(event, e.origin);
    const parsed = v.safeParse(EmbedCommandSchema, data);
    if (!parsed.success) {
      reply({ type: "zeropage-lab:error", message: `${type}: ${issuesText(parsed.issues)}` });
      return;
    }
    if (source && source !== parent) senders.set(source, e.origin);
    const st = store.getState();
    const cmd = parsed.output;
    if (cmd.type === "zeropage-lab:hello") {
      const ready = readyEvent(st);
      if (ready) reply(ready);
      return;
    }
    if (st.status !== "ready" || !st.run) {
      reply({
        type: "zeropage-lab:error",
        message: `${cmd.type}: the embed is still computing its run; send commands after zeropage-lab:ready`,
      });
      return;
    }
    switch (cmd.type) {
      case "zeropage-lab:seek": {
        st.setPlaying(false);
        const granularity = cmd.granularity;
        if (granularity && granularity !== st.granularity)
          void st.setGranularity(granularity).then(() => store.getState().seek(cmd.step));
        else st.seek(cmd.step);
        return;
      }
      case "zeropage-lab:play":
        if (!st.playing) st.togglePlaying();
        return;
      case "zeropage-lab:pause":
        st.setPlaying(false);
        return;
      case "zeropage-lab:setKernel":
        void st.setKernel(cmd.kernel);
        return;
    }
  };
  host.addEventListener("message", onMessage);

  const unsubscribe = store.subscribe((s, prev) => {
    if (s.status !== "ready" || !s.run || !s.view) return;
    if (!readySent) {
      const ready = readyEvent(s);
      if (ready) {
        readySent = true;
        post(ready);
      }
      return;
    }
    if (
      s.view.position !== prev.view?.position ||
      s.view.runId !== prev.view?.runId ||
      s.playing !== prev.playing ||
      s.granularity !== prev.granularity
    ) {
      const st = stepOf(s);
      if (!st) return;
      const action = s.view.action >= 0 ? (s.run.trace.actions[s.view.action]?.label ?? null) : null;
      post({ type: "zeropage-lab:step", action, ...st });
    }
  });

  return {
    stop() {
      unsubscribe();
      host.removeEventListener("message", onMessage);
    },
  };
}
