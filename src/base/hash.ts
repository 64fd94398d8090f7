/**
 * Content hashes for traces and end states. SHA-256 from @noble/hashes, so Node and Chromium
 * give the same digest for the same bytes (the determinism check compares them). A caller that
 * has a native SHA-256 (the CLI: node:crypto) may hand it in: same bytes in, same digest out.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** An incremental SHA-256: what Hasher feeds bytes to. */
export interface Sha256 {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

/** Incremental hasher over typed arrays and numbers. */
export class Hasher {
  private readonly h: Sha256;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  /** `sha256` makes the digest (default: @noble/hashes, the same everywhere). */
  constructor(create: () => Sha256 = () => sha256.create()) {
    this.h = create();
  }

  /** Feeds the raw bytes of a typed array (platform endianness is little-endian on every target). */
  bytes(view: ArrayBufferView): this {
    this.h.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    return this;
  }

  number(n: number): this {
    this.scratch.setFloat64(0, n, true);
    this.h.update(new Uint8Array(this.scratch.buffer));
    return this;
  }

  /** Feeds a string as UTF-16 code units (no TextEncoder: the engine has no DOM or Node APIs). */
  text(s: string): this {
    const units = new Uint16Array(s.length);
    for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
    this.bytes(units);
    return this.number(s.length);
  }

  hex(length = 64): string {
    return bytesToHex(this.h.digest()).slice(0, length);
  }
}
