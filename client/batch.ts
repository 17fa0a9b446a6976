// Many files at once. The forms or PUT URLs of every single-request file come from one /sign request
// per SIGN_BATCH_MAX_FILES files, instead of a /sign round trip before each upload; the uploads then
// run `parallel` at a time, each through UploadSession's own upload path with its plan from the batch
// (the request it would have sent alone is the batch's entry). Multipart files go as upload() sends
// them, in the same pool. Every file gets its own result: a refused or failed file stops no other.

import { SIGN_BATCH_MAX_FILES, type SignBatchResponse, type SignRequest } from '../shared/api/types';
import type { ApiClient, SignedForm, SignedRequest, SingleSigner, Timed } from './api';
import { cancelledError, errorFromServer, UploadError } from './errors';

type Method = 'post' | 'put' | 'multipart';

/** The options uploadMany gives each upload. */
interface OneOptions<P> {
  method: Method;
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  onResume?: (partsDone: number, partsTotal: number) => void;
}

/**
 * What uploadMany needs of a session (UploadSession, whose uploadMany calls this; by shape, so this
 * module does not import it back): `R` is an upload's result, `P` its progress.
 */
export interface Uploader<R, P> {
  readonly api: Pick<ApiClient, 'sign' | 'signBatch'>;
  methodFor(file: Blob): Method;
  upload(file: Blob, options: OneOptions<P>): Promise<R>;
  uploadSignedBy(signer: SingleSigner, file: Blob, options: OneOptions<P>): Promise<R>;
}

export interface ManyOptions<R, P> {
  /** `auto` (default): a form up to the session's multipart threshold, multipart above; `post` or `put`: every file so. */
  method?: 'auto' | 'post' | 'put';
  /** Files uploading at once; default 6, what a browser opens to one host. */
  parallel?: number;
  /** Progress of the file at `index` in `files`. */
  onProgress?: (index: number, progress: P) => void;
  /** A multipart file at `index` resumed from a checkpoint: parts already uploaded, of all. */
  onResume?: (index: number, partsDone: number, partsTotal: number) => void;
  /** Each file's result as it settles, before uploadMany resolves. */
  onResult?: (index: number, result: ManyResult<R>) => void;
  /** Cancels every file not yet stored. */
  signal?: AbortSignal;
  /** The file's own cancellation (a per-file Cancel button), beside `signal`. */
  signalOf?: (index: number) => AbortSignal | undefined;
}

/** One file's outcome: what upload() resolves to, or the error it rejects with. */
export type ManyResult<R, F extends Blob = Blob> = { ok: true; file: F; result: R } | { ok: false; file: F; error: UploadError };

const DEFAULT_PARALLEL = 6;

/**
 * Bytes of JSON one batch may carry: under the functions' default MAX_BODY_BYTES (64 KiB) with room to
 * spare; a batch is cut here before SIGN_BATCH_MAX_FILES when its file names are long.
 */
const BATCH_BODY_BUDGET = 48 * 1024;

/** A plan this close to its end (ms, on the server's clock) is signed again alone rather than sent to fail. */
const EXPIRY_MARGIN_MS = 30_000;

type SingleRequest = SignRequest & { op: 'post' | 'put' };

/** `parallel` turns, handed out in the order they are asked for. */
class Turns {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(parallel: number) {
    this.free = parallel;
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  give(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.free++;
  }
}

/** The batches of `entries` (index → request, in file order): at most SIGN_BATCH_MAX_FILES and BATCH_BODY_BUDGET each. */
function cut(entries: Map<number, SingleRequest>): { indexes: number[]; files: SingleRequest[] }[] {
  const batches: { indexes: number[]; files: SingleRequest[]; bytes: number }[] = [];
  for (const [index, file] of [...entries].sort(([a], [b]) => a - b)) {
    const bytes = new TextEncoder().encode(JSON.stringify(file)).length + 1;
    let last = batches[batches.length - 1];
    if (!last || last.files.length === SIGN_BATCH_MAX_FILES || last.bytes + bytes > BATCH_BODY_BUDGET) {
      last = { indexes: [], files: [], bytes: '{"files":[]}'.length };
      batches.push(last);
    }
    last.indexes.push(index);
    last.files.push(file);
    last.bytes += bytes;
  }
  return batches;
}

/** Whether a plan ending at `expiresAt` (server clock) would end within the margin, `timed` saying how the clocks differ. */
function endingSoon(expiresAt: string, timed: Timed<unknown>, receivedAt: number): boolean {
  const serverNow = Date.now() + (timed.serverDate === undefined ? 0 : timed.serverDate - receivedAt);
  return Date.parse(expiresAt) - serverNow < EXPIRY_MARGIN_MS;
}

/**
 * Uploads `files` through `session`; resolves with one result per file, in order (it rejects only on
 * a bug: an error that is not an UploadError).
 * Files up to the multipart threshold (or all, with `method` post/put) are signed together: one /sign
 * request per 100 files, sent when the first of its files gets its turn; a file the server refuses
 * fails with that refusal as an UploadError (its code as upload() would give it), and a plan that
 * would expire before its turn comes is signed again alone. A failed batch request fails each of its files.
 */
export async function uploadMany<R, P, F extends Blob>(session: Uploader<R, P>, files: readonly F[], options: ManyOptions<R, P> = {}): Promise<ManyResult<R, F>[]> {
  const turns = new Turns(Math.max(1, Math.floor(options.parallel ?? DEFAULT_PARALLEL)));
  const methods: Method[] = files.map((file) => (options.method && options.method !== 'auto' ? options.method : session.methodFor(file)));

  // Every single-request file hands its request in (or fails before it could) before any batch is cut.
  const entries = new Map<number, SingleRequest>();
  let outstanding = methods.filter((m) => m !== 'multipart').length;
  let allIn!: () => void;
  const handedIn = new Promise<void>((resolve) => (allIn = resolve));
  const arrived = () => {
    if (--outstanding === 0) allIn();
  };
  if (outstanding === 0) allIn();
  const batches = handedIn.then(() => cut(entries).map((batch) => ({ ...batch, answer: undefined as Promise<[Timed<SignBatchResponse>, number]> | undefined })));

  async function planFor(index: number, req: SingleRequest): Promise<SignedForm | SignedRequest> {
    const batch = (await batches).find((b) => b.indexes.includes(index))!;
    batch.answer ??= session.api.signBatch(batch.files).then((timed) => [timed, Date.now()]);
    const [timed, receivedAt] = await batch.answer;
    const result = timed.body.results[batch.indexes.indexOf(index)];
    if (!result.ok) throw errorFromServer(result.status, result.error.code, result.error.message);
    const plan = result.plan as SignedForm | SignedRequest;
    if (!endingSoon(plan.expiresAt, timed, receivedAt)) return plan;
    return req.op === 'post' ? session.api.sign({ ...req, op: 'post' }) : session.api.sign({ ...req, op: 'put' });
  }

  async function one(index: number): Promise<R> {
    const file = files[index];
    const signals = [options.signal, options.signalOf?.(index)].filter((x): x is AbortSignal => x !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const uploadOptions: OneOptions<P> = {
      method: methods[index],
      signal,
      onProgress: (p) => options.onProgress?.(index, p),
      onResume: (done, total) => options.onResume?.(index, done, total),
    };
    let held = false;
    const turn = async () => {
      await turns.take();
      held = true;
      if (signal?.aborted) throw cancelledError();
    };
    if (methods[index] === 'multipart') {
      try {
        await turn();
        return await session.upload(file, uploadOptions);
      } finally {
        if (held) turns.give();
      }
    }
    let handed = false;
    const signer = {
      sign: async (req: SingleRequest) => {
        entries.set(index, req);
        handed = true;
        arrived();
        await handedIn;
        await turn();
        return planFor(index, req);
      },
    } as SingleSigner;
    try {
      return await session.uploadSignedBy(signer, file, uploadOptions);
    } finally {
      if (!handed) arrived();
      if (held) turns.give();
    }
  }

  return Promise.all(
    files.map(async (file, index) => {
      let result: ManyResult<R, F>;
      try {
        result = { ok: true, file, result: await one(index) };
      } catch (err) {
        // Every failure of an upload is an UploadError; anything else is a bug, and is thrown.
        if (!(err instanceof UploadError)) throw err;
        result = { ok: false, file, error: err };
      }
      options.onResult?.(index, result);
      return result;
    }),
  );
}
