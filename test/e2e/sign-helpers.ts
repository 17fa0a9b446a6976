// Shared by the sign end-to-end tests: the local runtime, a signed-in caller of /api/sign, and OSS's
// XML error code.

import type { ErrorBody, SignedFormResponse, SignedUrlResponse } from '../../shared/api/types';
import { setLogSink } from '../../shared/log';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';

/** Any answer of /sign: a URL, a form, or an error (fields read as the test expects them). */
export type SignAnswer = SignedUrlResponse & SignedFormResponse & ErrorBody;

export interface SignCaller {
  rt: LocalRuntime;
  /** POST /api/sign as the signed-in user; the parsed JSON and status. */
  sign(request: object): Promise<{ status: number; body: SignAnswer }>;
  stop(): Promise<void>;
}

export async function startSigning(env: Record<string, string>, user = 'alice'): Promise<SignCaller> {
  const restoreSink = setLogSink(() => undefined);
  const rt = await startTestRuntime({ env });
  const jwt = await rt.login(user);
  return {
    rt,
    async sign(request) {
      const res = await fetch(`${rt.appUrl}/api/sign`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      return { status: res.status, body: (await res.json()) as SignAnswer };
    },
    async stop() {
      await rt.stop();
      setLogSink(restoreSink);
    },
  };
}

/** `<Code>…</Code>` of an OSS XML error document. */
export async function ossCode(res: Response): Promise<string | undefined> {
  return /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];
}

/** A multipart/form-data body of the fields in order, then the file. */
export function formOf(fields: Record<string, string>, file: { bytes: Buffer | string; name: string; type: string }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([typeof file.bytes === 'string' ? file.bytes : new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return form;
}
