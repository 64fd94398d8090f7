/**
 * JSON in a link: UTF-8, raw DEFLATE (fflate, level 9), then base64url without padding (RFC 4648,
 * section 5), so the value needs no percent-encoding in a URL fragment.
 *
 * Decompression is capped: a 64 KiB link can hold a DEFLATE stream that expands to gigabytes
 * (DEFLATE's best ratio is about 1032:1), so the input is fed to a streaming inflater in small
 * chunks and abandoned as soon as the output passes MAX_JSON_BYTES. Nothing here throws; errors
 * come back as plain-text values.
 */
import { deflateSync, Inflate, inflateSync, strFromU8, strToU8 } from "fflate";

/** The largest JSON a link may expand to: 500 actions of ~100 bytes fit many times over. */
export const MAX_JSON_BYTES = 1024 * 1024;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

export function toBase64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/** Strict base64url: only the URL-safe alphabet, no padding, no length that cannot occur. */
export function fromBase64url(text: string): Decoded<Uint8Array> {
  if (text.length % 4 === 1) return { ok: false, error: "its length cannot occur in base64url (truncated?)" };
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? INDEX[c]! : -1;
    if (d < 0) return { ok: false, error: `character ${i + 1} is not base64url` };
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return { ok: true, value: out.subarray(0, o) };
}

/** JSON value → base64url(deflate(utf8(JSON))). */
export function packJson(value: unknown): string {
  return toBase64url(deflateSync(strToU8(JSON.stringify(value)), { level: 9 }));
}

/** base64url(deflate(utf8(JSON))) → JSON value, with every size capped. Never throws. */
export function unpackJson(text: string): Decoded<unknown> {
  const bytes = fromBase64url(text);
  if (!bytes.ok) return bytes;
  const inflated = inflateCapped(bytes.value);
  if (!inflated.ok) return inflated;
  let json: string;
  try {
    json = strFromU8(inflated.value);
  } catch {
    return { ok: false, error: "it is not UTF-8 text" };
  }
  try {
    return { ok: true, value: JSON.parse(json) as unknown };
  } catch (e) {
    return { ok: false, error: `it is not valid JSON (${errorText(e)})` };
  }
}

/** DEFLATE's largest expansion: 258 bytes from about 2 bits. */
const MAX_RATIO = 1032;

function inflateCapped(input: Uint8Array): Decoded<Uint8Array> {
  const tooBig = { ok: false, error: `it expands to more than ${MAX_JSON_BYTES / 1024} KiB` } as const;
  // Small inputs cannot expand past the cap by much: inflate in one call (much faster).
  if (input.length * MAX_RATIO <= 2 * MAX_JSON_BYTES) {
    try {
      const out = inflateSync(input);
      return out.length > MAX_JSON_BYTES ? tooBig : { ok: true, value: out };
    } catch (e) {
      return { ok: false, error: `it is not valid compressed data (${errorText(e)}; truncated?)` };
    }
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total <= MAX_JSON_BYTES) chunks.push(chunk);
  });
  try {
    const STEP = 256;
    for (let i = 0; i < input.length || i === 0; i += STEP) {
      const end = Math.min(input.length, i + STEP);
      inflater.push(input.subarray(i, end), end === input.length);
      if (total > MAX_JSON_BYTES) return tooBig;
      if (end === input.length) break;
    }
  } catch (e) {
    return { ok: false, error: `it is not valid compressed data (${errorText(e)}; truncated?)` };
  }
  const joined = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.length;
  }
  return { ok: true, value: joined };
}

/** A short, single-line description of something thrown, safe to show as text. */
export function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.replace(/\s+/g, " ").slice(0, 160);
}
