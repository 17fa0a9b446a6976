// The upload rig shared by the groups that measure what a user waits for: the local runtime in one
// child process, the user's emulated link in another, and in the bench process the client library
// (client/) as an app would use it, reaching the gateway and OSS across the link. The OSS endpoint
// the functions hand out is the link's, so every byte a client sends crosses it; the callback and
// the OSS event stay on loopback, as they stay inside the cloud.

import { join } from 'node:path';
import { UploadSession, type UploadOptions, type UploadResult } from '../client';
import { presignObjectUrl } from '../shared/signer/presign';
import { type Child, forkChild } from './child';
import type { LinkSettings } from './link';
import type { LinkCommands } from './link-child';
import type { Counts, RuntimeCommands } from './runtime-child';

export interface Rig {
  runtime: Child<RuntimeCommands>;
  /** Proxies: [0] the gateway, [1] OSS. */
  link: Child<LinkCommands>;
  setLink(settings: LinkSettings): Promise<void>;
  /** A client session for `user`, across the link. */
  session(user: string): Promise<UploadSession>;
  /** Counts from zero, once every OSS event for `uploads` files has been handled. */
  countsAfter(uploads: number): Promise<Counts>;
  /** Presigned PUT URLs for `n` keys under the user's prefix, signed with the user's STS credentials: no callback, nothing but the PUT. */
  bareUrls(session: UploadSession, n: number, contentType: string): Promise<string[]>;
  stop(): void;
}

/** Start the runtime (with `env` over its settings) and the link, and point the functions at the link. */
export async function startRig(env: Record<string, string> = {}): Promise<Rig> {
  const runtime = await forkChild<RuntimeCommands>(join(__dirname, 'runtime-child.ts'), [JSON.stringify(env)]);
  let link: Child<LinkCommands> | undefined;
  try {
    const info = await runtime.call('info');
    link = await forkChild<LinkCommands>(join(__dirname, 'link-child.ts'), [new URL(info.appUrl).port, new URL(info.ossUrl).port]);
    const [appUrl, ossUrl] = await link.call('urls');
    await runtime.call('reconfigure', { OSS_ENDPOINT: ossUrl, ...env });
    const l = link;
    let bareBatch = 0;
    return {
      runtime,
      link: l,
      setLink: (settings) => l.call('set', settings),
      async session(user) {
        const jwt = await runtime.call('login', user);
        return new UploadSession({ baseUrl: `${appUrl}/api/`, authToken: () => jwt });
      },
      async countsAfter(uploads) {
        const until = Date.now() + 10_000;
        for (;;) {
          const counts = await runtime.call('counts');
          if (counts.invocations.ossEvent >= uploads || Date.now() > until) return counts;
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      async bareUrls(session, n, contentType) {
        const c = await session.credentials('upload').get();
        const target = { bucket: c.bucket, region: c.region, endpoint: c.endpoint, pathStyle: true, version: 'v4' as const };
        const credentials = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
        const batch = ++bareBatch;
        return Array.from({ length: n }, (_, i) =>
          presignObjectUrl(target, { method: 'PUT', key: `${c.prefix}bare/${batch}-${i}`, headers: { 'Content-Type': contentType }, query: [] }, credentials, new Date(), 900),
        );
      },
      stop() {
        l.stop();
        runtime.stop();
      },
    };
  } catch (err) {
    link?.stop();
    runtime.stop();
    throw err;
  }
}

/** Run `tasks` with at most `parallel` at once; resolves with their results in order. */
export async function pool<T>(tasks: (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
  return results;
}

/** A file of `size` bytes (not all zeros, so nothing along the way can shortcut it). */
export function file(size: number, name: string, type = 'image/jpeg'): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096) & 0xff;
  return new File([bytes], name, { type, lastModified: Date.now() });
}

/** Upload one file and insist the callback answered (a refused upload must never be what gets timed). */
export async function uploadOk(session: UploadSession, f: File, options: UploadOptions): Promise<UploadResult> {
  const result = await session.upload(f, options);
  if (!result.callback || typeof result.callback !== 'object' || !('eventId' in result.callback)) {
    throw new Error(`upload of ${f.name} by ${result.method} got no callback answer`);
  }
  return result;
}

/** A bare presigned PUT; throws unless OSS stored it. */
export async function putBare(url: string, f: File): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers: { 'Content-Type': f.type }, body: f });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`bare PUT answered ${res.status}`);
}
