// POST /sign with `files`: one plan per file, each made by the single request's own path (the route
// passes it in), so a file in a batch is checked and signed exactly as it would be alone. The caller
// is authenticated once for the batch. Credentials are asked for per file through the credential
// cache, keyed by (user, scope): the files of one scope join one AssumeRole (or one hit), and since
// every URL or form lives at most half of STS_DURATION_SECONDS, the credential one file's miss
// fetches serves every later file of its scope, so a batch makes at most one STS call per scope.

import { ApiError } from '../../shared/api/errors';
import { SIGN_BATCH_MAX_FILES, type SignBatchResponse, type SignBatchResult, type SignResponse } from '../../shared/api/types';
import type { Request } from '../../shared/http/request';

/** Signs one entry as a single request; `req` is the batch's, with the entry's own log notes. */
type SignOne = (req: Request, file: Record<string, unknown>) => Promise<SignResponse>;

/** Whether a /sign body is a batch: it has `files` (a single request has `op`). */
export function isBatch(body: Record<string, unknown>): boolean {
  return Object.hasOwn(body, 'files');
}

/** The batch's entries; throws ApiError InvalidBatch (not a list of objects, empty, `op` beside it) or TooManyFiles. */
function entriesOf(body: Record<string, unknown>): Record<string, unknown>[] {
  if (Object.keys(body).length !== 1) throw new ApiError('InvalidBatch', 'a batch is {"files": [...]} and nothing else; give each file its own op');
  const files = body.files;
  if (!Array.isArray(files) || files.length === 0) throw new ApiError('InvalidBatch', `files must list 1 to ${SIGN_BATCH_MAX_FILES} requests`);
  if (files.length > SIGN_BATCH_MAX_FILES) throw new ApiError('TooManyFiles', `a batch may list at most ${SIGN_BATCH_MAX_FILES} files; send the rest in another`);
  files.forEach((file: unknown, i) => {
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new ApiError('InvalidBatch', `files[${i}] must be an object, as the body of a single request is`);
  });
  return files as Record<string, unknown>[];
}

/**
 * One result per entry, in order. An entry's own refusal (an ApiError with a 4xx) is its result, with
 * the status, code and message a single request would get; any other failure (a 5xx ApiError: STS
 * unavailable, the function misconfigured) is thrown, failing the batch as it would fail each file.
 * The request's log line counts files, refusals by code, and STS calls, not each file's key.
 */
export async function signBatch(req: Request, body: Record<string, unknown>, signOne: SignOne): Promise<SignBatchResponse> {
  const files = entriesOf(body);
  const refused: Record<string, number> = {};
  let stsCalls = 0;
  const results = await Promise.all(
    files.map(async (file): Promise<SignBatchResult> => {
      const fileReq: Request = {
        ...req,
        note: (fields) => {
          if (typeof fields.stsCalls === 'number') stsCalls += fields.stsCalls;
        },
      };
      try {
        return { ok: true, plan: await signOne(fileReq, file) };
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        refused[err.code] = (refused[err.code] ?? 0) + 1;
        return { ok: false, status: err.status, error: { code: err.code, message: err.message } };
      }
    }),
  );
  req.note({ op: 'batch', files: files.length, refused, stsCalls });
  return { results };
}
