// The bench's emulated link (bench/link.ts): the round trip it adds, the handshake a new connection
// pays, a bandwidth cap shared by every connection across it, and the turns they take.

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Link, type LinkProxy, startLinkProxy } from '../../bench/link';

let echo: Server;
let proxy: LinkProxy;
const link = new Link();
const clients: Socket[] = [];

beforeAll(async () => {
  // Answers each chunk with its length once `n` bytes have arrived (n is the first line).
  echo = createServer((s) => {
    let expected = -1;
    let got = 0;
    s.on('data', (chunk: Buffer) => {
      if (expected < 0) {
        const nl = chunk.indexOf(10);
        expected = Number(chunk.subarray(0, nl).toString());
        chunk = chunk.subarray(nl + 1);
      }
      got += chunk.length;
      if (got >= expected) {
        s.write('ok\n');
        expected = -1;
        got = 0;
      }
    });
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  proxy = await startLinkProxy(link, (echo.address() as AddressInfo).port);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await proxy.close();
  await new Promise<void>((r) => echo.close(() => r()));
});

async function open(): Promise<Socket> {
  const s = connect(Number(new URL(proxy.url).port), '127.0.0.1');
  clients.push(s);
  await new Promise((r) => s.once('connect', r));
  return s;
}

/** ms from sending `bytes` to the answer. */
async function exchange(s: Socket, bytes: number): Promise<number> {
  const started = performance.now();
  const answered = new Promise((r) => s.once('data', r));
  s.write(`${bytes}\n`);
  if (bytes > 0) s.write(Buffer.alloc(bytes));
  await answered;
  return performance.now() - started;
}

test('a new connection pays the handshake and the exchange; a reused one the exchange alone', async () => {
  link.settings = { rttMs: 100, mbps: 0 };
  const s = await open();
  const first = await exchange(s, 0);
  const second = await exchange(s, 0);
  // Lower bounds are the link's; upper bounds leave room for a loaded machine.
  expect(first).toBeGreaterThanOrEqual(195);
  expect(first).toBeLessThan(600);
  expect(second).toBeGreaterThanOrEqual(98);
  expect(second).toBeLessThan(195);
  expect(proxy.connections).toBeGreaterThanOrEqual(1);
});

test('the bandwidth cap holds for one connection and is shared by two', async () => {
  link.settings = { rttMs: 0, mbps: 40 };
  const bytes = 1_000_000;
  const expectedMs = (bytes * 8) / (40 * 1000);
  const one = await exchange(await open(), bytes);
  const [a, b] = [await open(), await open()];
  const started = performance.now();
  await Promise.all([exchange(a, bytes / 2), exchange(b, bytes / 2)]);
  const two = performance.now() - started;
  for (const ms of [one, two]) {
    expect(ms).toBeGreaterThanOrEqual(expectedMs * 0.95);
    expect(ms).toBeLessThan(expectedMs * 3);
  }
});

test('connections take turns on the link: a short exchange is not held behind another connection\'s upload', async () => {
  link.settings = { rttMs: 0, mbps: 10 };
  const bulk = await open();
  const short = await open();
  const uploading = exchange(bulk, 1_000_000); // 0.8 s at 10 Mbit/s
  await new Promise((r) => setTimeout(r, 100));
  const ms = await exchange(short, 100);
  await uploading;
  // A turn or two of the other connection (a 64 KB chunk is 52 ms at 10 Mbit/s), not the megabyte
  // queued before it (840 ms in one queue in arrival order).
  expect(ms).toBeLessThan(600);
});
