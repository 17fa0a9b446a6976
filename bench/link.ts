// A user's network link on loopback, without tc: TCP proxies whose traffic crosses one emulated
// link, which adds a round-trip time (half each way) and caps the bandwidth in each direction,
// shared by every connection through it, as an access link is shared by an app's parallel
// requests. Each proxy also counts the connections it accepts.
//
// What is emulated: the added round trip on every request and answer, one more round trip before a
// new connection can send (its TCP handshake), serialisation at the capped rate with every
// connection queueing on the same link, and flow control (a connection's sender is paused while
// more than WINDOW_BYTES of it wait on the link). What is not: TCP slow start, loss, and TLS
// (the local OSS speaks plain HTTP; in the cloud a new connection costs one or two round trips more).

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LinkSettings {
  /** Added round-trip time in ms (half on the way out, half on the way back). */
  rttMs: number;
  /** Bandwidth cap in each direction in Mbit/s (10^6 bit/s); 0 for none. */
  mbps: number;
}

/** Bytes of one connection's direction that may wait on the link before its sender is paused. */
const WINDOW_BYTES = 1024 * 1024;

/** One direction of the link: chunks are serialised one after another at the capped rate. */
class Pipe {
  private freeAt = 0;
  constructor(private readonly link: Link) {}

  /** When a chunk of `bytes` handed over now (and not before `notBefore`) reaches the other end, in performance.now() ms. */
  arrival(bytes: number, notBefore: number): number {
    const { rttMs, mbps } = this.link.settings;
    const start = Math.max(performance.now(), this.freeAt, notBefore);
    this.freeAt = start + (mbps > 0 ? (bytes * 8) / (mbps * 1000) : 0);
    return this.freeAt + rttMs / 2;
  }
}

export class Link {
  settings: LinkSettings = { rttMs: 0, mbps: 0 };
  readonly up = new Pipe(this);
  readonly down = new Pipe(this);
}

/**
 * Carries one direction of one connection over a pipe, in order: each chunk is written to `to`
 * when the pipe says it arrives; `from` is paused while its queue exceeds the window or `to`
 * pushes back.
 */
function carry(from: Socket, to: Socket, pipe: Pipe, notBefore: number): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let blocked = false;

  const flowControl = () => {
    if (queued > WINDOW_BYTES || blocked) from.pause();
    else from.resume();
  };
  const unblock = () => {
    blocked = false;
    flowControl();
  };
  const write = (chunk: Buffer) => {
    if (!to.destroyed && !to.write(chunk) && !blocked) {
      blocked = true;
      to.once('drain', unblock);
    }
  };
  const deliver = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) {
      const { chunk } = queue.shift()!;
      queued -= chunk.length;
      write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(deliver, queue[0].at - now);
    else if (ended && !to.destroyed) to.end();
    flowControl();
  };
  from.on('data', (chunk: Buffer) => {
    const at = pipe.arrival(chunk.length, notBefore);
    // Due now (no delay, no cap, nothing ahead of it): straight through, without a timer's
    // millisecond, so an unlimited link is a plain proxy.
    if (queue.length === 0 && at <= performance.now()) {
      write(chunk);
      return flowControl();
    }
    queue.push({ at, chunk });
    queued += chunk.length;
    if (!timer) timer = setTimeout(deliver, Math.max(0, queue[0].at - performance.now()));
    flowControl();
  });
  // What is still on the link arrives; then the other side is told.
  const finish = () => {
    ended = true;
    if (queue.length === 0 && !to.destroyed) to.end();
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
