/**
 * Source links for call paths: kernel functions to Elixir at the variant's kernel tag, QEMU
 * functions to Elixir's QEMU tree at the scenario's QEMU version.
 *
 *   https://elixir.bootlin.com/linux/v6.10/A/ident/do_anonymous_page
 *   https://elixir.bootlin.com/qemu/v9.2.0/A/ident/ram_save_iterate
 *
 * Rule frames carry a file ("mm/memory.c", or "qemu:" + a QEMU path); frames without one are
 * conditions or steps ("checksum unchanged since last scan") and get a link only when they start
 * with something that looks like a C identifier of the kernel's (snake_case or a call).
 * Cause strings ("qemu: a → b → c", "guest: ...") are split the same way; only QEMU's get links.
 */
import type { Frame } from "../../worker/api.ts";

export interface SourceVersions {
  /** Kernel tag, e.g. "v6.10". */
  readonly kernelTag: string;
  /** QEMU version, e.g. "9.2". */
  readonly qemuVersion: string;
}

/** A call-path element: the function (linked when we know where it lives) and its decision. */
export interface PathPart {
  readonly ident: string | null;
  /** The element's text after the identifier ("(MADV_DONTNEED), one 4 KiB page per call"). */
  readonly rest: string;
  readonly href: string | null;
  readonly where: "kernel" | "qemu" | "guest" | null;
  readonly note?: string;
}

export function kernelIdentUrl(tag: string, ident: string): string {
  return `https://elixir.bootlin.com/linux/${encodeURIComponent(tag)}/A/ident/${encodeURIComponent(ident)}`;
}

/** "9.2" → "v9.2.0"; "8.2.1" → "v8.2.1". */
export function qemuTag(version: string): string {
  const parts = version.replace(/^v/, "").split(".");
  while (parts.length < 3) parts.push("0");
  return `v${parts.join(".")}`;
}

export function qemuIdentUrl(version: string, ident: string): string {
  return `https://elixir.bootlin.com/qemu/${encodeURIComponent(qemuTag(version))}/A/ident/${encodeURIComponent(ident)}`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
/** libc calls that appear in QEMU paths; linking them to QEMU's tree would mislead. */
const LIBC = new Set(["madvise", "ioctl", "mmap", "munmap", "read", "write", "memset", "memcpy"]);

/** The leading identifier of `text` if it reads as code: snake_case, a macro, or a call. */
export function codeIdent(text: string): string | null {
  const m = IDENT.exec(text);
  if (!m) return null;
  const id = m[0];
  const after = text.slice(id.length);
  if (id.includes("_") || after.startsWith("(")) return id;
  return null;
}

export function framePart(f: Frame, v: SourceVersions): PathPart {
  const qemu = f.file?.startsWith("qemu:") ?? false;
  const m = IDENT.exec(f.fn);
  const ident = f.file ? (m?.[0] ?? null) : codeIdent(f.fn);
  const rest = ident ? f.fn.slice(ident.length) : f.fn;
  const href = ident
    ? qemu
      ? qemuIdentUrl(v.qemuVersion, ident)
      : kernelIdentUrl(f.tag ?? v.kernelTag, ident)
    : null;
  return {
    ident,
    rest,
    href,
    where: ident ? (qemu ? "qemu" : "kernel") : null,
    ...(f.note ? { note: f.note } : {}),
  };
}

export function frameParts(path: readonly Frame[], v: SourceVersions): PathPart[] {
  return path.map((f) => framePart(f, v));
}

export interface CausePath {
  /** Who issued the event: "qemu", "qemu (destination)", "guest", or "" when unsaid. */
  readonly who: string;
  readonly parts: readonly PathPart[];
}

/** "qemu: ram_save_iterate → save_zero_page" → who "qemu", two linked parts. */
export function causeParts(cause: string, v: SourceVersions): CausePath {
  const m = /^([a-z][a-z0-9 ()-]*?):\s+(.*)$/s.exec(cause);
  const who = m ? m[1]! : "";
  const body = m ? m[2]! : cause;
  const qemu = who.startsWith("qemu");
  const parts = body
    .split(" → ")
    .filter((s) => s.length > 0)
    .map((seg): PathPart => {
      const ident = qemu ? codeIdent(seg) : null;
      if (!ident || LIBC.has(ident))
        return { ident: null, rest: seg, href: null, where: qemu ? "qemu" : who ? "guest" : null };
      return {
        ident,
        rest: seg.slice(ident.length),
        href: qemuIdentUrl(v.qemuVersion, ident),
        where: "qemu",
      };
    });
  return { who, parts };
}

/** Plain text of a path: "a → b = true → c". */
export function pathText(parts: readonly PathPart[]): string {
  return parts.map((p) => `${p.ident ?? ""}${p.rest}${p.note ? ` ${p.note}` : ""}`).join(" → ");
}
