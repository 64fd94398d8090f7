/**
 * The command registry (after Excalidraw's actions): every command the keyboard, the buttons and
 * the help overlay offer. Each has an id, a verb-phrase label, its keys and a `perform`; the
 * shortcut handler (controls/useShortcuts.ts), the buttons' titles and the `?` overlay all read
 * this list, so a key is added here and nowhere else.
 */
import type { AppState, AppStore } from "../state/store.ts";
import { axisOf, markersOf } from "./views/derived.ts";
import { adjacentMarker, markerPosition } from "./views/markers.ts";

export type CommandId =
  | "toggle-play"
  | "step-back"
  | "step-forward"
  | "jump-start"
  | "jump-end"
  | "coarser"
  | "finer"
  | "slower"
  | "faster"
  | "previous-marker"
  | "next-marker"
  | "go-to-step"
  | "toggle-presentation"
  | "show-help";

export interface KeyBinding {
  /** KeyboardEvent.key, exactly ("ArrowRight", " ", "?", "M"). */
  readonly key: string;
  /** How the help overlay and titles print it. */
  readonly label: string;
}

export interface CommandContext {
  readonly store: AppStore;
  /** Moves focus to the "go to step" box (a DOM concern the registry does not own). */
  readonly focusGoTo: () => void;
  /** Turns presentation mode on or off (the link's present=1; absent where there is no link). */
  readonly togglePresenting?: () => void;
}

export interface Command {
  readonly id: CommandId;
  readonly label: string;
  readonly group: "Playback" | "Stepping" | "Markers" | "View" | "Help";
  readonly keys: readonly KeyBinding[];
  readonly enabled: (s: AppState) => boolean;
  readonly perform: (ctx: CommandContext) => void;
}

const atStart = (s: AppState) => !s.run || s.position <= 0;
const atEnd = (s: AppState) => !s.run || s.position >= s.run.counts[s.granularity];
const hasRun = (s: AppState) => s.run !== null;

function jumpToMarker(ctx: CommandContext, dir: 1 | -1): void {
  const s = ctx.store.getState();
  if (!s.run) return;
  const ax = axisOf(s.run);
  const m = adjacentMarker(s.run.trace, ax, s.granularity, markersOf(s.run), s.position, dir);
  if (m) s.seek(markerPosition(s.run.trace, ax, s.granularity, m));
}

export const COMMANDS: readonly Command[] = [
  {
    id: "toggle-play",
    label: "Play or pause",
    group: "Playback",
    keys: [
      { key: " ", label: "Space" },
      { key: "k", label: "K" },
    ],
    enabled: hasRun,
    perform: ({ store }) => store.getState().togglePlaying(),
  },
  {
    id: "step-back",
    label: "Step back",
    group: "Stepping",
    keys: [{ key: "ArrowLeft", label: "←" }],
    enabled: (s) => !atStart(s),
    perform: ({ store }) => {
      store.getState().setPlaying(false);
      store.getState().stepBy(-1);
    },
  },
  {
    id: "step-forward",
    label: "Step forward",
    group: "Stepping",
    keys: [{ key: "ArrowRight", label: "→" }],
    enabled: (s) => !atEnd(s),
    perform: ({ store }) => {
      store.getState().setPlaying(false);
      store.getState().stepBy(1);
    },
  },
  {
    id: "jump-start",
    label: "Jump to the start",
    group: "Stepping",
    keys: [{ key: "Home", label: "Home" }],
    enabled: (s) => !atStart(s),
    perform: ({ store }) => {
      store.getState().setPlaying(false);
      store.getState().seek(0);
    },
  },
  {
    id: "jump-end",
    label: "Jump to the end",
    group: "Stepping",
    keys: [{ key: "End", label: "End" }],
    enabled: (s) => !atEnd(s),
    perform: ({ store }) => {
      const s = store.getState();
      s.setPlaying(false);
      if (s.run) s.seek(s.run.counts[s.granularity]);
    },
  },
  {
    id: "coarser",
    label: "Step by coarser units",
    group: "Stepping",
    keys: [{ key: "[", label: "[" }],
    enabled: (s) => hasRun(s) && s.wantedGranularity !== "action",
    perform: ({ store }) => void store.getState().stepGranularity(-1),
  },
  {
    id: "finer",
    label: "Step by finer units",
    group: "Stepping",
    keys: [{ key: "]", label: "]" }],
    enabled: (s) => hasRun(s) && s.wantedGranularity !== "pte",
    perform: ({ store }) => void store.getState().stepGranularity(1),
  },
  {
    id: "slower",
    label: "Play slower",
    group: "Playback",
    keys: [{ key: "-", label: "−" }],
    enabled: (s) => s.speed > 0.25,
    perform: ({ store }) => store.getState().stepSpeed(-1),
  },
  {
    id: "faster",
    label: "Play faster",
    group: "Playback",
    keys: [
      { key: "+", label: "+" },
      { key: "=", label: "=" },
    ],
    enabled: (s) => s.speed < 8,
    perform: ({ store }) => store.getState().stepSpeed(1),
  },
  {
    id: "previous-marker",
    label: "Jump to the previous marker",
    group: "Markers",
    keys: [{ key: "M", label: "Shift+M" }],
    enabled: hasRun,
    perform: (ctx) => {
      ctx.store.getState().setPlaying(false);
      jumpToMarker(ctx, -1);
    },
  },
  {
    id: "next-marker",
    label: "Jump to the next marker",
    group: "Markers",
    keys: [{ key: "m", label: "M" }],
    enabled: hasRun,
    perform: (ctx) => {
      ctx.store.getState().setPlaying(false);
      jumpToMarker(ctx, 1);
    },
  },
  {
    id: "go-to-step",
    label: "Go to a step number",
    group: "Stepping",
    keys: [{ key: "g", label: "G" }],
    enabled: hasRun,
    perform: (ctx) => ctx.focusGoTo(),
  },
  {
    id: "toggle-presentation",
    label: "Show or leave presentation mode (large type for a lecture hall)",
    group: "View",
    keys: [{ key: "p", label: "P" }],
    enabled: () => true,
    perform: (ctx) => ctx.togglePresenting?.(),
  },
  {
    id: "show-help",
    label: "Show keyboard shortcuts",
    group: "Help",
    keys: [{ key: "?", label: "?" }],
    enabled: () => true,
    perform: ({ store }) => store.getState().setHelpOpen(true),
  },
];

const byId = new Map(COMMANDS.map((c) => [c.id, c]));
const byKey = new Map<string, Command>();
for (const c of COMMANDS)
  for (const k of c.keys) {
    if (byKey.has(k.key)) throw new Error(`key ${JSON.stringify(k.key)} bound twice`);
    byKey.set(k.key, c);
  }

export function command(id: CommandId): Command {
  return byId.get(id)!;
}

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly altKey?: boolean;
}

/** The command a key press runs, or undefined (chords with Ctrl, Meta or Alt are the browser's). */
export function commandForKey(e: KeyLike): Command | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  return byKey.get(e.key);
}

/** "Step forward (→)": a button's title. */
export function titleOf(id: CommandId): string {
  const c = command(id);
  return `${c.label} (${c.keys.map((k) => k.label).join(" or ")})`;
}

/** "ArrowRight" for aria-keyshortcuts. */
export function ariaKeys(id: CommandId): string {
  return command(id)
    .keys.map((k) => (k.key === " " ? "Space" : k.key === "M" ? "Shift+M" : k.key))
    .join(" ");
}

export const GROUPS: readonly Command["group"][] = ["Playback", "Stepping", "Markers", "View", "Help"];
