// A user's network link on loopback, without tc: TCP proxies whose traffic crosses one emulated
// link, which adds a round-trip time (half each way) and caps the bandwidth in each direction,
// shared by every connection through it, as an access link is shared by an app's parallel
// requests. Each proxy also counts the connections it accepts.
//
// What is emulated: the added round trip on every request and answer; one more round trip before
// a new connection can send (its TCP handshake); serialisation at the capped rate, the connections
// with data waiting taking turns chunk by chunk (TCP flows sharing a bottleneck get roughly equal
// shares; one queue in arrival order would hold a new request's first bytes behind megabytes of
// other uploads); and flow control (a connection's sender is paused while more than WINDOW_BYTES of
// it are on the link, which is more than the largest bandwidth × delay here). What is not: TCP slow
// start, loss, and TLS (the local OSS speaks plain HTTP; in the cloud a new connection costs one or
// two round trips more).

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LinkSettings {
  /** Added round-trip time in ms (half on the way out, half on the way back). */
  rttMs: number;
  /** Bandwidth cap in each direction in Mbit/s (10^6 bit/s); 0 for none. */
  mbps: number;
}

/** Bytes of one connection's direction that may be on the link (waiting or travelling) before its sender is paused. */
const WINDOW_BYTES = 1024 * 1024;
/** How far ahead of now departures are decided, in ms: less than this and timers' granularity would waste the link. */
const LOOKAHEAD_MS = 2;

/** One connection's direction: chunks wait here for their turn on the pipe, then travel, then arrive in order. */
class Flow {
  readonly waiting: Buffer[] = [];
  /** Bytes waiting or travelling. */
  onLink = 0;
  private readonly travelling: { at: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Performance.now() ms before which nothing of this flow departs (its handshake). */
    readonly notBefore: number,
    private readonly arrive: (chunk: Buffer) => void,
  ) {}

  /** The chunk left the pipe's queue and reaches the other end at `at`. */
  depart(chunk: Buffer, at: number): void {
    // Due now with nothing ahead (no delay, no cap): straight through, without a timer's millisecond.
    if (this.travelling.length === 0 && at <= performance.now()) {
      this.onLink -= chunk.length;
      return this.arrive(chunk);
    }
    this.travelling.push({ at, chunk });
    if (!this.timer) this.timer = setTimeout(this.deliver, Math.max(0, at - performance.now()));
  }

  private readonly deliver = () => {
    this.timer = undefined;
    const now = performance.now();
    while (this.travelling.length > 0 && this.travelling[0].at <= now) {
      const { chunk } = this.travelling.shift()!;
      this.onLink -= chunk.length;
      this.arrive(chunk);
    }
    if (this.travelling.length > 0) this.timer = setTimeout(this.deliver, this.travelling[0].at - now);
  };

  get idle(): boolean {
    return this.onLink === 0;
  }
}

/** One direction of the link: flows with data waiting take turns, one chunk each, at the capped rate. */
class Pipe {
  private readonly flows: Flow[] = [];
  private next = 0;
  /** When the pipe has finished serialising what it has sent so far (performance.now() ms). */
  private busyUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly link: Link) {}

  send(flow: Flow, chunk: Buffer): void {
    flow.waiting.push(chunk);
    flow.onLink += chunk.length;
    if (!this.flows.includes(flow)) this.flows.push(flow);
    this.pump();
  }

  private readonly pump = () => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { rttMs, mbps } = this.link.settings;
    const now = performance.now();
    this.busyUntil = Math.max(this.busyUntil, now);
    while (this.flows.length > 0 && this.busyUntil <= now + LOOKAHEAD_MS) {
      const picked = this.nextEligible();
      if (picked < 0) break;
      const flow = this.flows[picked];
      const chunk = flow.waiting.shift()!;
      this.busyUntil += mbps > 0 ? (chunk.length * 8) / (mbps * 1000) : 0;
      flow.depart(chunk, this.busyUntil + rttMs / 2);
      if (flow.waiting.length === 0) this.flows.splice(picked, 1);
      else this.next = picked + 1;
      this.next = this.flows.length > 0 ? this.next % this.flows.length : 0;
    }
    if (this.flows.length === 0) return;
    // Wake when the pipe is nearly free, or when the first waiting flow may send.
    const eligibleAt = Math.max(this.busyUntil, Math.min(...this.flows.map((f) => f.notBefore)));
    this.timer = setTimeout(this.pump, Math.max(0, eligibleAt - LOOKAHEAD_MS - now));
  };

  /** Index of the next flow in turn that may send when the pipe is free, or -1. */
  private nextEligible(): number {
    for (let k = 0; k < this.flows.length; k++) {
      const i = (this.next + k) % this.flows.length;
      if (this.flows[i].notBefore <= this.busyUntil) return i;
    }
    return -1;
  }
}

export class Link {
  settings: LinkSettings = { rttMs: 0, mbps: 0 };
  readonly up = new Pipe(this);
  readonly down = new Pipe(this);
}

/**
 * Carries one direction of one connection over a pipe, in order. `from` is paused while more than
 * the window of it is on the link or `to` pushes back; its end reaches `to` after its last byte.
 */
function carry(from: Socket, to: Socket, pipe: Pipe, notBefore: number): void {
  let ended = false;
  let blocked = false;
  const flowControl = () => {
    if (flow.onLink > WINDOW_BYTES || blocked) from.pause();
    else from.resume();
  };
  const unblock = () => {
    blocked = false;
    flowControl();
  };
  const flow = new Flow(notBefore, (chunk) => {
    if (!to.destroyed && !to.write(chunk) && !blocked) {
      blocked = true;
      to.once('drain', unblock);
    }
    if (ended && flow.idle && !to.destroyed) to.end();
    flowControl();
  });
  from.on('data', (chunk: Buffer) => {
    pipe.send(flow, chunk);
    flowControl();
  });
  const finish = () => {
    ended = true;
    if (flow.idle && !to.destroyed) to.end();
  };
  from.on('end', finish);
  from.on('close', finish);
}

export interface LinkProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** A TCP proxy to `127.0.0.1:upstreamPort` across `link` (client → upstream is `link.up`). */
export async function startLinkProxy(link: Link, upstreamPort: number): Promise<LinkProxy> {
  const sockets = new Set<Socket>();
  const proxy: LinkProxy = { url: '', connections: 0, close: async () => {} };
  const server: Server = createServer((client) => {
    proxy.connections++;
    // The client's first bytes leave one round trip after it connected: its TCP handshake.
    const handshakeDone = performance.now() + link.settings.rttMs;
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    carry(client, upstream, link.up, handshakeDone);
    carry(upstream, client, link.down, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
