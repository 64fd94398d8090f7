/**
 * A QMP client (QEMU Machine Protocol, docs/interop/qmp-spec.rst): JSON objects over a Unix
 * socket, one per line. After the greeting, `qmp_capabilities` enters command mode; each command
 * carries an `id` that its reply echoes; events arrive in between and are kept for `waitEvent()`.
 */
import net from "node:net";

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    desc: string,
  ) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
  }
}

interface Pending {
  readonly command: string;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

export interface QmpEvent {
  readonly event: string;
  readonly data?: Record<string, unknown>;
}

export class Qmp {
  private buf = "";
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private greeted: (() => void) | null = null;
  private closedWith: Error | null = null;
  readonly events: QmpEvent[] = [];
  private eventWaiters: (() => void)[] = [];

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding("utf8");
    sock.on("data", (chunk: string) => this.onData(chunk));
    sock.on("close", () => this.onClose(new Error("QMP socket closed")));
    sock.on("error", (e) => this.onClose(e));
  }

  /** Connects to a QMP socket, retrying until QEMU has created it or `timeoutMs` passes. */
  static async connect(socketPath: string, timeoutMs: number): Promise<Qmp> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(socketPath);
          s.once("connect", () => resolve(s));
          s.once("error", reject);
        });
        const qmp = new Qmp(sock);
        await new Promise<void>((resolve, reject) => {
          qmp.greeted = resolve;
          setTimeout(() => reject(new Error("no QMP greeting")), Math.max(1000, deadline - Date.now()));
        });
        await qmp.command("qmp_capabilities");
        return qmp;
      } catch (e) {
        if (Date.now() > deadline)
          throw new Error(`cannot connect to QMP at ${socketPath}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    for (let nl = this.buf.indexOf("\n"); nl >= 0; nl = this.buf.indexOf("\n")) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      if ("QMP" in msg) {
        this.greeted?.();
        this.greeted = null;
      } else if ("event" in msg) {
        this.events.push(msg as unknown as QmpEvent);
        for (const w of this.eventWaiters.splice(0)) w();
      } else if ("id" in msg) {
        const p = this.pending.get(msg.id as number);
        if (!p) continue;
        this.pending.delete(msg.id as number);
        if ("error" in msg) {
          const err = msg.error as { class: string; desc: string };
          p.reject(new QmpError(p.command, err.class, err.desc));
        } else p.resolve(msg.return);
      }
    }
  }

  private onClose(e: Error): void {
    if (this.closedWith) return;
    this.closedWith = e;
    for (const p of this.pending.values()) p.reject(new Error(`QMP ${p.command}: ${e.message}`));
    this.pending.clear();
    for (const w of this.eventWaiters.splice(0)) w();
  }

  /** Runs a command; resolves with its `return` value, rejects with QmpError. */
  command<T = unknown>(name: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedWith) return Promise.reject(new Error(`QMP ${name}: ${this.closedWith.message}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command: name, resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify({ execute: name, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /** Resolves with the first event (received so far or later) that `match` accepts. */
  async waitEvent(match: (e: QmpEvent) => boolean, timeoutMs: number, what: string): Promise<QmpEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(match);
      if (hit) return hit;
      if (this.closedWith) throw new Error(`waiting for ${what}: ${this.closedWith.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.eventWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.sock.destroy();
  }
}
