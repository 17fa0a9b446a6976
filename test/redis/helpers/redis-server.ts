// A real redis-server for the shared credential cache's tests: Debian's, started on a free loopback
// port in a temporary folder with nothing persisted, and stopped (the folder removed) after. Not a
// mock: the tests exist to show what the cache does against the server Tair speaks for. When
// redis-server is missing the tests fail, saying how to install it; they never skip.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

const INSTALL = 'redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server) and run `npm run test:redis` again; .ci/run installs it.';

/** Where Debian installs it, else whatever PATH finds; an error saying how to install it when neither is there. */
export function redisServerBinary(candidates = ['/usr/bin/redis-server', 'redis-server']): string {
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  throw new Error(INSTALL);
}

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisOptions {
  /** The port to listen on (a restarted server on its predecessor's); a free one by default. */
  port?: number;
  /** `requirepass`: clients must AUTH. */
  password?: string;
  /** An ACL user besides the default one, e.g. `fn on >secret ~oss-upload:* +@all`, as Tair accounts are. */
  aclUser?: string;
  /** Serve TLS only (no plain port), with a certificate for 127.0.0.1 signed by a CA made for the run. */
  tls?: boolean;
}

export interface RunningRedis {
  port: number;
  /** redis:// or rediss:// URL for the cache, password included when one is set. */
  url: string;
  /** With `tls`: the CA's certificate, PEM. */
  caPem?: string;
  /** A client of the test's own (not the cache's), for reading what the cache wrote. */
  client(): Redis;
  /** Every key and its value, read with SCAN and a read per type. */
  contents(): Promise<{ key: string; value: Buffer }[]>;
  /** The server's whole dataset as it writes it to disk (SAVE, uncompressed RDB). */
  rdb(): Promise<Buffer>;
  /** SIGKILL: the server is gone without a goodbye, as a crashed or partitioned Tair is. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function certificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt');
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${output}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

/** redis-server on a free loopback port, with no persistence, in a temporary folder. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const binary = redisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const port = options.port ?? (await freePort());
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--rdbcompression', 'no', '--protected-mode', 'yes'];
  if (options.password) args.push('--requirepass', options.password);
  if (options.aclUser) args.push('--user', ...options.aclUser.split(' '));
  let caPem: string | undefined;
  if (options.tls) {
    const files = certificates(dir);
    caPem = readFileSync(files.ca, 'utf8');
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForReady(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const url = `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis({ host: '127.0.0.1', port, password: options.password, tls: caPem ? { ca: caPem } : undefined, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  const stop = async () => {
    for (const c of clients) c.disconnect();
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url,
    caPem,
    client,
    async contents() {
      const c = client();
      const out: { key: string; value: Buffer }[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await c.scanBuffer(cursor, 'COUNT', 1000);
        cursor = next.toString();
        for (const keyBuffer of keys) {
          const key = keyBuffer.toString('latin1');
          const type = await c.type(keyBuffer);
          const value =
            type === 'string' ? ((await c.getBuffer(keyBuffer)) ?? Buffer.alloc(0))
            : type === 'hash' ? Buffer.concat(Object.entries(await c.hgetallBuffer(keyBuffer)).flatMap(([f, v]) => [Buffer.from(f, 'latin1'), v]))
            : Buffer.from(`unexpected ${type}`);
          out.push({ key, value });
        }
      } while (cursor !== '0');
      return out;
    },
    async rdb() {
      await client().save();
      return readFileSync(join(dir, 'dump.rdb'));
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop,
  };
}
