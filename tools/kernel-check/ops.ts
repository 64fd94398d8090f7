/**
 * The .ops script parser shared by the model runner (model.ts), the checker (check.ts) and the
 * tests. It accepts exactly what probe.c's parse_script() accepts (README.md "Op script format" is
 * the spec) and rejects everything else with an OpsSyntaxError naming the file and line, in the
 * probe's own words, so a script is either valid for both sides or for neither.
 */

/** probe.c MAX_REGION_PAGES: 1 GiB, so the region stays inside one PMD table. */
export const MAX_REGION_PAGES = 262144;
/** probe.c MAX_OPS. */
export const MAX_OPS = 4096;
/** probe.c reads lines with fgets(line, 4096): at most 4094 characters plus the newline. */
export const MAX_LINE_CHARS = 4094;
/** probe.c op->text[512]: the normalised line (tokens joined by single spaces). */
export const MAX_OP_TEXT = 511;
/** probe.c tok[8]. */
const MAX_TOKENS = 8;

export type Content = "zero" | "data";

export type OpBody =
  | { kind: "region"; pages: number }
  | { kind: "thp"; on: boolean }
  | { kind: "read"; first: number; count: number }
  | { kind: "write"; first: number; count: number; content: Content }
  | { kind: "dontneed"; first: number; count: number }
  | { kind: "dontneed-each"; first: number; count: number }
  | { kind: "uffd-register" }
  | { kind: "uffd-zeropage"; first: number; count: number }
  | { kind: "uffd-copy"; first: number; count: number; content: Content }
  /** One UFFDIO_MOVE (mode 0) of `count` pages from page `src` to page `dst`. */
  | { kind: "uffd-move"; src: number; dst: number; count: number }
  | { kind: "ksm-zero-pages"; on: boolean }
  | { kind: "ksm-merge" }
  | { kind: "ksm-unmerge" }
  | { kind: "populate-read"; first: number; count: number }
  | { kind: "remote-read"; first: number; count: number }
  | { kind: "fork" }
  | { kind: "child-exit" }
  /** madvise(MADV_DONTFORK) over the region: VM_DONTCOPY, so a later fork copies none of it. */
  | { kind: "dontfork" }
  | { kind: "barrier" };

export type OpKind = OpBody["kind"];

/** One op: its body plus where it came from. `text` equals the probe record's `op` field. */
export type Op = OpBody & { readonly line: number; readonly text: string };

export interface OpsScript {
  /** File name used in messages (as given to the parser). */
  readonly file: string;
  /** Region size in 4 KiB pages (the `region` op, always ops[0]). */
  readonly pages: number;
  readonly ops: readonly Op[];
}

/** A malformed script. The message reads "<file>:<line>: <what>" like the probe's exit-2 message. */
export class OpsSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = "OpsSyntaxError";
  }
}

/** Arguments after the op name, per op. */
const ARITY: Record<OpKind, number> = {
  region: 1,
  thp: 1,
  read: 2,
  write: 3,
  dontneed: 2,
  "dontneed-each": 2,
  "uffd-register": 0,
  "uffd-zeropage": 2,
  "uffd-copy": 3,
  "uffd-move": 3,
  "ksm-zero-pages": 1,
  "ksm-merge": 0,
  "ksm-unmerge": 0,
  "populate-read": 2,
  "remote-read": 2,
  fork: 0,
  "child-exit": 0,
  dontfork: 0,
  barrier: 0,
};

const RANGE_OPS: ReadonlySet<OpKind> = new Set([
  "read",
  "write",
  "dontneed",
  "dontneed-each",
  "uffd-zeropage",
  "uffd-copy",
  "populate-read",
  "remote-read",
]);

function isOpKind(s: string): s is OpKind {
  return Object.hasOwn(ARITY, s);
}

const ULONG_MAX = 2n ** 64n - 1n;

/**
 * Unsigned decimal, no sign, no 0x, as probe.c parse_ulong() (64-bit unsigned long, rejecting a
 * value that could overflow on the next digit). A bigint, so huge values get the probe's messages.
 */
function parseUnsigned(s: string): bigint | null {
  if (!/^[0-9]+$/.test(s)) return null;
  let v = 0n;
  for (const ch of s) {
    if (v > (ULONG_MAX - 9n) / 10n) return null;
    v = v * 10n + BigInt(ch.charCodeAt(0) - 48);
  }
  return v;
}

/**
 * Parses the text of an .ops script. Throws OpsSyntaxError (file:line: reason) for anything the
 * probe would reject with exit 2.
 */
export function parseOps(text: string, file = "<script>"): OpsScript {
  const lines = text.split("\n");
  // A trailing newline does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const ops: Op[] = [];
  let pages = 0;
  let haveUffd = false;
  let haveChild = false;
  const fail = (line: number, reason: string): never => {
    throw new OpsSyntaxError(file, line, reason);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!;
    if (raw.length > MAX_LINE_CHARS) fail(line, "line too long");
    const hash = raw.indexOf("#");
    const code = hash >= 0 ? raw.slice(0, hash) : raw;
    const tok = code.split(/[ \t\r]+/).filter((t) => t !== "");
    if (tok.length === 0) continue;
    if (tok.length > MAX_TOKENS) fail(line, "too many tokens");
    if (ops.length === MAX_OPS) fail(line, `too many ops (max ${MAX_OPS})`);
    const opText = tok.join(" ");
    if (opText.length > MAX_OP_TEXT) fail(line, "line too long");
    const cmd = tok[0]!;
    if (ops.length === 0 && cmd !== "region") fail(line, "the first op must be 'region <pages>'");
    if (!isOpKind(cmd)) return fail(line, `unknown op '${cmd}'`);
    if (cmd === "region" && ops.length !== 0) fail(line, "'region' may appear only once, as the first op");
    const want = ARITY[cmd];
    if (tok.length - 1 !== want) fail(line, `'${cmd}' takes ${want} argument(s), got ${tok.length - 1}`);

    const onOff = (): boolean => {
      if (tok[1] === "on") return true;
      if (tok[1] === "off") return false;
      return fail(line, `'${cmd}' expects 'on' or 'off'`);
    };
    let first = 0;
    let count = 0;
    if (RANGE_OPS.has(cmd)) {
      const f = parseUnsigned(tok[1]!);
      const c = parseUnsigned(tok[2]!);
      if (f === null || c === null)
        return fail(line, `'${cmd}' expects <first> <count> as decimal page numbers`);
      if (c === 0n) fail(line, "count must be at least 1");
      if (f >= BigInt(pages) || c > BigInt(pages) - f) {
        fail(line, `range ${f}+${c} exceeds the region (${pages} pages)`);
      }
      first = Number(f);
      count = Number(c);
    }
    const content = (): Content => {
      if (tok[3] === "data") return "data";
      if (tok[3] === "zero") return "zero";
      return fail(line, `'${cmd}' expects 'zero' or 'data' as third argument`);
    };

    let body: OpBody;
    switch (cmd) {
      case "region": {
        const n = parseUnsigned(tok[1]!);
        if (n === null || n === 0n || n > BigInt(MAX_REGION_PAGES)) {
          fail(line, `region size must be 1..${MAX_REGION_PAGES} pages`);
        }
        pages = Number(n);
        body = { kind: "region", pages };
        break;
      }
      case "thp":
        body = { kind: "thp", on: onOff() };
        break;
      case "ksm-zero-pages":
        body = { kind: "ksm-zero-pages", on: onOff() };
        break;
      case "read":
      case "dontneed":
      case "dontneed-each":
      case "populate-read":
      case "remote-read":
        body = { kind: cmd, first, count };
        break;
      case "fork":
        if (haveChild) fail(line, "'fork' while the child of an earlier 'fork' lives: 'child-exit' first");
        haveChild = true;
        body = { kind: "fork" };
        break;
      case "child-exit":
        if (!haveChild) fail(line, "'child-exit' needs a live child of an earlier 'fork'");
        haveChild = false;
        body = { kind: "child-exit" };
        break;
      case "write":
        body = { kind: "write", first, count, content: content() };
        break;
      case "uffd-copy":
        body = { kind: "uffd-copy", first, count, content: content() };
        if (!haveUffd) fail(line, "'uffd-copy' needs an earlier 'uffd-register'");
        break;
      case "uffd-zeropage":
        if (!haveUffd) fail(line, "'uffd-zeropage' needs an earlier 'uffd-register'");
        body = { kind: "uffd-zeropage", first, count };
        break;
      case "uffd-move": {
        const src = parseUnsigned(tok[1]!);
        const dst = parseUnsigned(tok[2]!);
        const n = parseUnsigned(tok[3]!);
        if (src === null || dst === null || n === null)
          return fail(line, `'${cmd}' expects <src> <dst> <count> as decimal page numbers`);
        if (n === 0n) fail(line, "count must be at least 1");
        const size = BigInt(pages);
        if (src >= size || n > size - src)
          fail(line, `source range ${src}+${n} exceeds the region (${pages} pages)`);
        if (dst >= size || n > size - dst) {
          fail(line, `destination range ${dst}+${n} exceeds the region (${pages} pages)`);
        }
        if (!haveUffd) fail(line, "'uffd-move' needs an earlier 'uffd-register'");
        body = { kind: "uffd-move", src: Number(src), dst: Number(dst), count: Number(n) };
        break;
      }
      case "uffd-register":
        if (haveUffd) fail(line, "'uffd-register' may appear only once");
        haveUffd = true;
        body = { kind: "uffd-register" };
        break;
      case "ksm-merge":
      case "ksm-unmerge":
      case "dontfork":
      case "barrier":
        body = { kind: cmd };
        break;
    }
    ops.push({ ...body, line, text: opText });
  }
  if (ops.length === 0) fail(lines.length || 1, "empty script: the first op must be 'region <pages>'");
  return { file, pages, ops };
}

/** Whether the script uses an op of this kind (the probe checks facilities this way). */
export function scriptUses(script: OpsScript, kind: OpKind): boolean {
  return script.ops.some((o) => o.kind === kind);
}
