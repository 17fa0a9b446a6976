// The local runtime as the hardening tests attack it: one signed-in user, an extra callback key the
// operator trusts (so tests can send callbacks OSS would sign, with bodies OSS would never send),
// one object already stored, and what "stored state" means: the files of the local OSS, and the
// secrets the local account has issued.

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { IamStore } from '../../local/iam/store';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { OSS_KEY_URL_HEADER, ossSignature, rsaKeys } from '../unit/callback-helpers';

export const BUCKET = 'local-uploads';
export const USER = 'mallory';
export const PREFIX = `users/${USER}/`;

const SEEDED_CONTENT = 'seeded object\n';
/** The object the user has stored before the bad inputs arrive: forged callbacks name it, with its real ETag. */
export const SEEDED = {
  key: `${PREFIX}seeded.txt`,
  etag: createHash('md5').update(SEEDED_CONTENT).digest('hex').toUpperCase(),
  size: SEEDED_CONTENT.length,
  mimeType: 'text/plain',
};

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface SeededObject {
  key: string;
  etag: string;
  size: number;
  mimeType: string;
}

export interface RuntimeUnderTest {
  rt: LocalRuntime;
  jwt: string;
  seeded: SeededObject;
  /** An HTTP request to /api/<endpoint> (or any path) of the runtime. */
  call(path: string, init?: RequestInit): Promise<Answer>;
  /** POST /api/callback signed as OSS signs it, with a key the operator trusts. */
  signedCallback(body: string | Buffer, contentType?: string, headers?: Record<string, string>): Promise<Answer>;
  /** The functions' callback MAC key (CALLBACK_MAC_KEY), to write the MAC /sign would pin. */
  macKey: string;
  /** Every file under the local OSS data folder with its size, and how many secrets the account holds. */
  state(): { files: string[]; secretsHeld: number };
  stop(): Promise<void>;
}

async function answerOf(res: Response): Promise<Answer> {
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(`${relative(dir, path)} ${statSync(path).size}`);
    }
  };
  walk(dir);
  return out.sort();
}

export async function startRuntimeUnderTest(env: Record<string, string> = {}): Promise<RuntimeUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hardening-'));
  const rt = await startTestRuntime({ dataDir, env: { UPLOAD_MAX_SIZE: '1048576', ...env } });
  const trusted: { privateKey: KeyObject; publicPem: string } = rsaKeys();
  // The runtime trusts its local OSS's key; the tests' key joins it, as an operator would add one.
  rt.reconfigure({ CALLBACK_TRUSTED_KEYS: `${rt.env.CALLBACK_TRUSTED_KEYS}\n${trusted.publicPem}` });
  const jwt = await rt.login(USER);
  const call = async (path: string, init: RequestInit = {}) => answerOf(await fetch(`${rt.appUrl}${path}`, init));
  const post = (path: string, body: unknown) =>
    call(path, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  // The user already holds upload credentials and has stored one object.
  const token = await post('/api/token', { access: 'upload' });
  if (token.status !== 200) throw new Error(`seeding: token answered ${token.status}`);
  const put = JSON.parse((await post('/api/sign', { op: 'put', key: SEEDED.key, contentType: SEEDED.mimeType, size: SEEDED.size })).text);
  const upload = await fetch(put.url, { method: 'PUT', headers: put.headers, body: SEEDED_CONTENT });
  if (upload.status !== 200) throw new Error(`seeding: upload answered ${upload.status}: ${await upload.text()}`);
  const seeded = { ...SEEDED, key: put.key as string };

  return {
    rt,
    jwt,
    seeded,
    call,
    macKey: rt.env.CALLBACK_MAC_KEY as string,
    signedCallback(body, contentType = 'application/json', headers = {}) {
      return call('/api/callback', {
        method: 'POST',
        headers: {
          'Content-Type': contentType,
          Authorization: ossSignature(trusted.privateKey, '/api/callback', body),
          'x-oss-pub-key-url': OSS_KEY_URL_HEADER,
          ...headers,
        },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
    },
    state: () => ({ files: files(dataDir), secretsHeld: IamStore.heldSecrets().length }),
    async stop() {
      await rt.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
