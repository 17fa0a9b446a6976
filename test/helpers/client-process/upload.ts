// One user's upload, listing and download by the client library, in a process of its own (so its
// clock can be skewed): the task comes as JSON in argv[2], the outcome goes to stdout as one JSON line.

import { randomBytes } from 'node:crypto';
import { UploadError, UploadSession, type UploadMethod } from '../../../client';

interface Task {
  baseUrl: string;
  jwt: string;
  method: UploadMethod;
  size: number;
  /** Drop the Date header from the API's answers (a proxy that strips it). */
  stripDate?: boolean;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]) as Task;
  const fetchImpl: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (!task.stripDate) return res;
    const headers = new Headers(res.headers);
    headers.delete('date');
    return new Response(await res.arrayBuffer(), { status: res.status, headers });
  };
  const session = new UploadSession({ baseUrl: task.baseUrl, authToken: () => task.jwt, fetch: fetchImpl });
  const bytes = randomBytes(task.size);
  try {
    const result = await session.upload(new File([bytes], 'skewed.pdf', { type: 'application/pdf' }), { method: task.method, partSize: 1024 * 1024 });
    const listed = (await session.list()).some((o) => o.key === result.key);
    const { url } = await session.downloadUrl(result.key);
    const intact = Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes);
    process.stdout.write(`${JSON.stringify({ ok: true, listed, intact })}\n`);
  } catch (err) {
    const e = err instanceof UploadError ? err : new UploadError('Server', String(err));
    process.stdout.write(`${JSON.stringify({ ok: false, code: e.code, message: e.message, clockOffsetMs: e.detail.clockOffsetMs })}\n`);
  }
}

void main();
