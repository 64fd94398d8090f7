/**
 * Scenario titles that follow the parameters.
 *
 * A title is either derived or the user's own. The derived title names the parameters a reader
 * compares first, in this order: guest RAM, what the balloon holds, a source-host memory limit,
 * and the migration ("100 GiB guest, 40 GiB ballooned, precopy migration"). The presets whose
 * title describes their parameters use exactly the derived title (title.test.ts checks it); the
 * others have titles of their own ("64 MiB teaching guest", "Protected virtualization").
 *
 * In the editor a title follows the parameters while it is derived: when the scenario is opened
 * in the editor its title is derived if it equals the derived title, and then every change of a
 * parameter rewrites it (a balloon changed to 20 GiB reads "20 GiB ballooned"), also through
 * moments when a size being typed cannot be read. Typing in the title field makes it the user's
 * own, and it is kept as typed; typing the derived title (or clearing the field, which shows the
 * derived title as its placeholder) makes it follow again.
 */
import { formatBytes, parseSize } from "../../base/units.ts";
import type { Draft } from "./draft.ts";

function bytesOf(v: unknown): number | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  const r = parseSize(v);
  return r.ok ? r.bytes : null;
}

/** The title the parameters give, or null while they cannot be read (an invalid size). */
export function derivedTitle(scenario: unknown): string | null {
  const s = scenario as {
    machine?: { guestRam?: unknown; hosts?: { source?: { memLimit?: unknown } } };
    actions?: unknown;
  } | null;
  const ram = bytesOf(s?.machine?.guestRam);
  if (ram === null) return null;
  const parts = [`${formatBytes(ram)} guest`];
  const actions = Array.isArray(s?.actions) ? (s.actions as Record<string, unknown>[]) : [];
  let balloon = 0;
  let migration: string | null = null;
  for (const a of actions) {
    if (a?.do === "balloon-inflate" || a?.do === "balloon-deflate") {
      const b = bytesOf(a.size);
      if (b === null) return null;
      balloon += a.do === "balloon-inflate" ? b : -b;
    }
    if (migration === null && (a?.do === "migrate" || a?.do === "migrate-start"))
      migration = typeof a.mode === "string" ? a.mode : "precopy";
  }
  if (balloon > 0) parts.push(`${formatBytes(balloon)} ballooned`);
  const limit = s?.machine?.hosts?.source?.memLimit;
  if (limit !== undefined) {
    const b = bytesOf(limit);
    if (b === null) return null;
    parts.push(`${formatBytes(b)} source host`);
  }
  if (migration) parts.push(`${migration} migration`);
  return parts.join(", ");
}

/** Whether the draft's title is the one its parameters give (the editor then keeps it following). */
export function titleIsDerived(draft: Draft): boolean {
  const t = derivedTitle(draft);
  return t !== null && draft.title === t;
}

/**
 * `next` with its title following the parameters, while the title is derived (`following`): the
 * title its parameters give, or, while a size is still being typed and cannot be read, the title
 * as it was (the next readable change updates it).
 */
export function followTitle(next: Draft, following: boolean): Draft {
  if (!following) return next;
  const now = derivedTitle(next);
  if (now === null || now === next.title) return next;
  return { ...next, title: now };
}
