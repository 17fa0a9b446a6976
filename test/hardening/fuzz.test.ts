// Fuzzing (fast-check) of the parsers and compilers an attacker's bytes reach: key validation, the
// policy compiler (checked against the local RAM evaluator and PostObject checker), the signer's
// canonicalisation (checked against the local OSS verifier), the callback body parser (checked
// against the local OSS's body builder) and the OSS event parser. Each refuses with its own error
// type, never anything else, and what it accepts means exactly what was meant.

import fc from 'fast-check';
import { isAllowed } from '../../local/iam/evaluate';
import { IamStore } from '../../local/iam/store';
import { parsePath, parseQuery, verifyRequest } from '../../local/oss';
import { resourceOf } from '../../local/oss/authorize';
import { buildCallbackBody, type CallbackFacts, type CallbackSpec } from '../../local/oss/callback';
import { objectCreatedEvent } from '../../local/oss/event';
import { checkConditions } from '../../local/oss/post-policy';
import { verifyForm } from '../../local/oss/post-object';
import { wholeSeconds } from '../../local/oss/time';
import { KeyStore } from '../../shared/callback-auth/key-store';
import { verifyCallback } from '../../shared/callback-auth/verify';
import { loadConfig } from '../../shared/config';
import { ApiError as HttpError, ApiError as PolicyError } from '../../shared/api/errors';
import type { Access } from '../../shared/api/types';
import { pinnedCallback } from '../../shared/policy/callback';
import { validateKey } from '../../shared/policy/keys';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor } from '../../shared/policy/rules';
import { sessionPolicy } from '../../shared/policy/session-policy';
import { rulesFromConfig, TEST_MAC_KEY } from '../helpers/config';
import { presignObjectUrl, signObjectForm } from '../../shared/signer/presign';
import type { QueryPairs } from '../../shared/signer/signature-version';
import { canonicalHeaders, canonicalQuery, canonicalUri } from '../../shared/signer/v4';
import { claimFromCallbackBody, recordsFromOssEvent, uploadEventId } from '../../functions/callback/upload-event';
import { isOssTriggerEvent } from '../../shared/http/event';
import { httpEvent } from '../helpers/events';
import { nestingPair } from '../helpers/user-ids';

const RUNS = { numRuns: 500 };
const BUCKET = 'local-uploads';
const REGION = 'cn-hangzhou';
const config = loadConfig({ OSS_BUCKET: BUCKET, OSS_REGION: REGION, CALLBACK_URL: 'https://fc.example/api/callback', CALLBACK_MAC_KEY: TEST_MAC_KEY });
const rules = rulesFromConfig(config);
const pin = { keys: config.callback.macKeys, now: new Date('2025-01-02T03:04:05Z') };
/** The body template /sign pins: OSS's variables, then the MAC fields for one key. */
const PINNED = pinnedCallback(grantFor('alice', 'upload', rules), { key: 'users/alice/x.png' }, 300, pin)!;
const CALLBACK_BODY = PINNED.param.callbackBody;
const PINNED_FIELDS = JSON.parse(CALLBACK_BODY.replace(/\$\{[a-zA-Z]+\}/g, 'null')) as Record<string, unknown>;

/** What a refusal must look like: the module's own error, never a TypeError or RangeError. */
function refusedWith<T>(kind: new (...args: never[]) => Error, run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (err instanceof kind) return undefined;
    throw err;
  }
}

// Characters that change what a key or URL means, look-alikes, controls and broken UTF-16.
const TRICKY = fc.constantFrom(
  'a', 'Z', '0', '-', '_', '.', '/', '\\', '%', '2', 'e', 'f', 'E', 'F', '?', '#', '&', '=', '+', ' ', '*', '~', '$', '{', '}', '"', "'",
  '\r', '\n', '\t', '\u0000', '\u007f', '\u0085', '\u00a0', '\u200b', '\u200e', '\u202e', '\u2028', '\u2066', '\ufeff',
  '\uff0f', '\uff0e', '\u2215', '\u2044', '\u2024', '\uff3c', '\u29f8', '\ufe52', '\u00e9', 'e\u0301', '\ufb01', '\u4e00', '\ud83d\ude00', '\ud800', '\udc00',
);
const trickyString = (maxLength = 24) => fc.string({ unit: TRICKY, maxLength });
const anyString = fc.oneof(trickyString(), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }));
const keyLike = (prefix: string) => fc.oneof(anyString, anyString.map((s) => prefix + s), fc.array(fc.oneof(trickyString(6), fc.constantFrom('..', '.', '%2e%2e', '%252e', '\uff0e\uff0e')), { maxLength: 5 }).map((p) => prefix + p.join('/')));

// ---------------------------------------------------------------------------------------------

describe('key validation', () => {
  test('any string is returned unchanged or refused with PolicyError InvalidKey', () => {
    fc.assert(
      fc.property(fc.oneof(keyLike('users/alice/'), fc.anything()), (key) => {
        try {
          expect(validateKey(key)).toBe(key);
        } catch (err) {
          expect(err).toBeInstanceOf(PolicyError);
          expect((err as PolicyError).code).toBe('InvalidKey');
        }
      }),
      RUNS,
    );
  });

  test('an accepted key has no segment that is, or decodes or normalises to, a dot segment or a separator', () => {
    fc.assert(
      fc.property(keyLike('users/alice/'), (key) => {
        if (refusedWith(PolicyError, () => validateKey(key)) === undefined) return;
        expect(key.isWellFormed()).toBe(true);
        expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1023);
        expect(key).not.toMatch(/^\/|\\|\/\/|\/$|[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/);
        for (const segment of key.split('/')) {
          let s = segment;
          for (let i = 0; i <= 3; i++) {
            const folded = s.normalize('NFKC');
            expect(['.', '..']).not.toContain(folded);
            expect(folded).not.toMatch(/[/\\]/);
            try {
              s = decodeURIComponent(s);
            } catch {
              break;
            }
          }
        }
      }),
      RUNS,
    );
  });

  test('an accepted key survives a presigned URL: parsed back as the same key, and the local OSS accepts the signature', () => {
    const iam = new IamStore();
    const creds = iam.addKey({ accessKeyId: 'LTAIfuzz', accessKeySecret: 'fuzz-secret-0123456789abcdef', name: 'fuzz', policies: [] });
    const now = new Date('2025-01-02T03:04:05Z');
    fc.assert(
      fc.property(keyLike('users/alice/'), (key) => {
        if (refusedWith(PolicyError, () => validateKey(key)) === undefined) return;
        const url = new URL(presignObjectUrl({ endpoint: 'http://localhost:9000', pathStyle: true, bucket: BUCKET, region: REGION, version: 'v4' }, { method: 'GET', key, headers: {}, query: [] }, creds, now, 300));
        const arrived = { method: 'GET', ...parsePath(url.pathname), query: parseQuery(url.search.slice(1)), headers: { host: url.host } };
        expect([arrived.bucket, arrived.key]).toEqual([BUCKET, key]);
        expect(verifyRequest(arrived, { iam, region: REGION, now })?.principal.name).toBe('fuzz');
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('the policy compiler', () => {
  const accessArb = fc.constantFrom<Access>('upload', 'download', 'readwrite', 'delete');
  const uidArb = fc.oneof(anyString.filter((s) => s.length > 0), fc.stringMatching(/^[A-Za-z0-9._@-]{1,40}$/), fc.constantFrom('alice', 'alic', 'alice2', '..', '*', 'alice/*'));

  test('the session policy allows an object action exactly on keys under the caller\'s prefix, as RAM evaluates it', () => {
    const actions = ['oss:PutObject', 'oss:GetObject', 'oss:ListParts', 'oss:AbortMultipartUpload', 'oss:DeleteObject', 'oss:PutObjectAcl'];
    const granted = {
      upload: ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload'],
      download: ['oss:GetObject'],
      readwrite: ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload', 'oss:GetObject', 'oss:DeleteObject'],
      delete: ['oss:DeleteObject'],
    };
    // The attacked dimension is the neighbour: mostly an id that extends the caller's (alice2,
    // alice.x) or that the caller's extends, so a resource missing its trailing "/" is reached.
    const pairArb = fc.oneof({ weight: 4, arbitrary: nestingPair() }, { weight: 1, arbitrary: nestingPair(uidArb) }, { weight: 1, arbitrary: fc.tuple(uidArb, uidArb) });
    const tailArb = fc.oneof(fc.constantFrom('a.png', 'x/y.txt', ''), trickyString(8));
    let nestedNeighbourKeys = 0;
    fc.assert(
      fc.property(
        fc.tuple(pairArb, accessArb).chain(([pair, access]) => fc.tuple(fc.constant(pair), fc.constant(access), fc.oneof(fc.constantFrom(...granted[access]), fc.constantFrom(...actions)))),
        fc.array(tailArb, { minLength: 1, maxLength: 6 }),
        ([[uid, other], access, action], tails) => {
          const grant = refusedWith(PolicyError, () => grantFor(uid, access, rules));
          if (!grant) return;
          const neighbour = refusedWith(PolicyError, () => grantFor(other, access, rules));
          const keys = tails.flatMap((tail) => [grant.prefix + tail, ...(neighbour ? [neighbour.prefix + tail] : [])]);
          const policy = sessionPolicy(grant);
          for (const key of keys) {
            const inside = key.startsWith(grant.prefix);
            if (!inside && granted[access].includes(action) && key.startsWith(grant.prefix.slice(0, -1))) nestedNeighbourKeys++;
            // OSS sets oss:x-oss-object-acl to `default` on a write that names no ACL.
            const ctx = { 'oss:x-oss-object-acl': 'default' };
            expect([key, action, isAllowed([policy], action, resourceOf({ bucket: BUCKET, key }), ctx)]).toEqual([key, action, granted[access].includes(action) && inside]);
          }
        },
      ),
      RUNS,
    );
    // Enough granted actions were tried on keys of a neighbour whose prefix extends the caller's without its "/".
    expect(nestedNeighbourKeys).toBeGreaterThanOrEqual(100);
  });

  test('a PostObject form passes the local OSS\'s policy checks as signed, and fails them with another user\'s key or another type', () => {
    const iam = new IamStore();
    const creds = iam.addKey({ accessKeyId: 'LTAIform', accessKeySecret: 'form-secret-0123456789abcdef', name: 'form', policies: [] });
    const now = new Date('2025-01-02T03:04:05Z');
    const target = { endpoint: 'http://localhost:9000', pathStyle: true, bucket: BUCKET, region: REGION, version: 'v4' as const };
    const requestArb = fc.record(
      {
        key: fc.oneof(fc.constant(undefined), keyLike('users/alice/'), keyLike('users/alice/').map((k) => `${k}\${filename}`)),
        filename: fc.oneof(fc.constant(undefined), anyString),
        contentType: fc.oneof(fc.constant(undefined), fc.constantFrom('image/png', 'TEXT/PLAIN; charset=utf-8', 'text/html', 'image/svg+xml'), anyString),
        size: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 2 * rules.maxSize })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(requestArb, fc.constantFrom('users/bob/x.png', 'users/alice', 'users/alicex/a.png', 'Users/alice/a.png', 'users/bob/../alice/a.png'), (req, foreignKey) => {
        const plan = refusedWith(PolicyError, () => postPlan(grantFor('alice', 'upload', rules), req, pin));
        if (!plan) return;
        const form = signObjectForm(target, plan.conditions, plan.fields, creds, now, plan.expiresSeconds);
        const fields = new Map(Object.entries(form.fields).map(([k, v]) => [k.toLowerCase(), v]));
        const { policy } = verifyForm(fields, { iam, region: REGION, now });
        // With no type asked for, the form lets the client pick any allowed one.
        const asSent = new Map([['bucket', BUCKET], ['content-type', rules.allowedContentTypes[0]], ...fields]);
        expect(() => checkConditions(policy, asSent, now)).not.toThrow();
        expect([policy.minSize, policy.maxSize]).toEqual([plan.minSize, plan.maxSize]);
        expect(policy.maxSize).toBeLessThanOrEqual(rules.maxSize);
        expect(() => checkConditions(policy, new Map([...asSent, ['key', foreignKey]]), now)).toThrow(/Policy Condition failed/);
        // A form for one key takes no other; one ending in ${filename} takes any literal key under the prefix.
        if (!plan.key.endsWith('${filename}')) expect(() => checkConditions(policy, new Map([...asSent, ['key', `${plan.key}x`]]), now)).toThrow(/Policy Condition failed/);
        expect(() => checkConditions(policy, new Map([...asSent, ['content-type', 'text/html']]), now)).toThrow(/Policy Condition failed/);
        expect(() => checkConditions(policy, new Map([...asSent, ['callback', '']]), now)).toThrow(/Policy Condition failed/);
        // The file name is the signed one, or none: another (or an added one) fails.
        expect(() => checkConditions(policy, new Map([...asSent, ['x-oss-meta-filename', `${fields.get('x-oss-meta-filename') ?? ''}x`]]), now)).toThrow(/Policy Condition failed/);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("the signer's canonicalisation", () => {
  // The signer is given well-formed strings: keys, types and file names are checked before signing.
  const wellFormed = anyString.filter((s) => s.isWellFormed());
  const pairArb = fc.tuple(wellFormed, wellFormed);
  const UNRESERVED_OR_ESCAPE = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

  test('the canonical query is the same whatever order the pairs come in', () => {
    fc.assert(
      fc.property(fc.array(pairArb, { maxLength: 8 }).chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length }))), ([pairs, shuffled]) => {
        expect(canonicalQuery(shuffled as QueryPairs)).toBe(canonicalQuery(pairs as QueryPairs));
      }),
      RUNS,
    );
  });

  test('the canonical query holds only unreserved characters and escapes, and decodes back to the same pairs', () => {
    fc.assert(
      fc.property(fc.array(pairArb.filter(([k]) => k !== ''), { maxLength: 8 }), (pairs) => {
        const text = canonicalQuery(pairs as QueryPairs);
        const parts = text === '' ? [] : text.split('&');
        for (const part of parts) for (const piece of part.split('=')) expect(piece).toMatch(UNRESERVED_OR_ESCAPE);
        const decoded = parts.map((p) => p.split('=').map(decodeURIComponent)).map(([k, v]) => [k, v ?? '']);
        const sortedInput = [...pairs].map(([k, v]) => [k, v]).sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
        expect(decoded.sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1))).toEqual(sortedInput);
      }),
      RUNS,
    );
  });

  test('the canonical URI decodes back to the bucket and key and holds nothing but unreserved characters, escapes and "/"', () => {
    fc.assert(
      fc.property(keyLike('users/alice/').filter((k) => k.isWellFormed()), (key) => {
        const uri = canonicalUri(BUCKET, key);
        expect(uri.split('/').every((s) => UNRESERVED_OR_ESCAPE.test(s))).toBe(true);
        expect(decodeURIComponent(uri)).toBe(`/${BUCKET}/${key}`);
      }),
      RUNS,
    );
  });

  test('canonical headers ignore name case, surrounding spaces and headers that are not signed', () => {
    const nameArb = fc.oneof(fc.constantFrom('Content-Type', 'content-md5', 'X-Oss-Meta-A', 'x-oss-forbid-overwrite', 'Content-Length', 'Cache-Control', 'Host'), fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/));
    const valueArb = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);
    fc.assert(
      fc.property(fc.dictionary(nameArb, valueArb, { maxKeys: 6 }), fc.subarray(['content-length', 'cache-control', 'host']), (headers, additional) => {
        const names = Object.keys(headers).map((n) => n.toLowerCase());
        fc.pre(new Set(names).size === names.length);
        const respelled = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toUpperCase(), `  ${v}\t`]));
        const noise = { 'X-Unsigned-Noise': 'anything', 'User-Agent': 'fuzz' };
        expect(canonicalHeaders({ ...respelled, ...noise }, additional)).toBe(canonicalHeaders(headers, additional));
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('the callback body parser', () => {
  const factsArb = fc.record({
    bucket: anyString.filter((s) => s.isWellFormed() && s !== ''),
    object: anyString.filter((s) => s.isWellFormed() && s !== ''),
    etag: fc.stringMatching(/^[0-9A-F]{32}(-[1-9][0-9]{0,3})?$/),
    size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    mimeType: anyString.filter((s) => s.isWellFormed()),
  });
  // A client with STS credentials writes its own template; its x: variables must not become ours.
  const varsArb = fc.dictionary(fc.stringMatching(/^x:[a-z0-9_]{1,8}$/), anyString.filter((s) => s.isWellFormed()), { maxKeys: 3 });

  test('any bytes under any content type give a claim or PolicyError, never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.json().map((j) => Buffer.from(j)), anyString.map((s) => Buffer.from(s))),
        fc.oneof(fc.constant(undefined), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'APPLICATION/JSON; charset=utf-8', 'text/plain', ''), anyString),
        (body, type) => {
          refusedWith(PolicyError, () => claimFromCallbackBody(body, type));
        },
      ),
      RUNS,
    );
  });

  test.each([
    ['JSON', 'application/json', CALLBACK_BODY],
    ['JSON, with the client\'s x: variables around ours', 'application/json', `{"note":\${x:a},${CALLBACK_BODY.slice(1, -1)},"more":\${x:b}}`],
    ['form', 'application/x-www-form-urlencoded', 'bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}'],
    ['form, with the client\'s x: variables around ours', 'application/x-www-form-urlencoded', 'note=${x:a}&bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}&more=${x:b}'],
  ] as const)('what the local OSS builds from a %s template reads back as exactly what was stored', (_what, bodyType, template) => {
    fc.assert(
      fc.property(factsArb, varsArb, (facts, vars) => {
        const spec: CallbackSpec = { urls: [new URL('http://localhost/api/callback')], body: template, bodyType, vars };
        const full: CallbackFacts = { ...facts, operation: 'PutObject', clientIp: '127.0.0.1', reqId: 'R', requester: 'fuzz' };
        const claim = claimFromCallbackBody(Buffer.from(buildCallbackBody(spec, full)), bodyType);
        const pinned = template === CALLBACK_BODY || template.includes(CALLBACK_BODY.slice(1, -1)) ? PINNED_FIELDS : {};
        expect(claim).toEqual({
          bucket: facts.bucket,
          key: facts.object,
          etag: facts.etag,
          size: facts.size,
          mimeType: facts.mimeType,
          pinned: { owner: pinned.owner, exp: pinned.exp, keyPrefix: pinned.keyPrefix, mac: pinned.mac },
        });
      }),
      RUNS,
    );
  });

  test('any Authorization and x-oss-pub-key-url are refused with 400, 403 or 502, and no key is fetched from anywhere but OSS\'s host', async () => {
    const asked: string[] = [];
    const keyStore = new KeyStore({
      request: async (r) => {
        asked.push(String(r.url));
        return { status: 404, headers: {}, body: Buffer.from('not found') };
      },
    });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const headerArb = fc.oneof(fc.constant(undefined), anyString, anyString.map(b64), fc.webUrl().map(b64), fc.constantFrom(b64('https://gosspublic.alicdn.com/callback_pub_key_v1.pem'), b64('https://gosspublic.alicdn.com/other.pem')));
    await fc.assert(
      fc.asyncProperty(headerArb, headerArb, fc.uint8Array({ maxLength: 64 }), async (authorization, pubKeyUrl, body) => {
        const outcome = await verifyCallback({ path: '/api/callback', body: Buffer.from(body), authorization, pubKeyUrl }, { keyStore }).then(
          () => 'verified',
          (err: unknown) => err,
        );
        expect(outcome).toBeInstanceOf(HttpError);
        expect([400, 403, 502]).toContain((outcome as HttpError).status);
      }),
      RUNS,
    );
    expect(asked.length).toBeGreaterThan(0);
    for (const url of asked) expect(url).toMatch(/^https:\/\/gosspublic\.alicdn\.com\//);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the OSS event parser', () => {
  test('any "events" list gives records or PolicyError, never another error', () => {
    const eventArb = fc.oneof(
      fc.anything(),
      fc.record(
        {
          eventName: fc.oneof(fc.constantFrom('ObjectCreated:PutObject', 'ObjectCreated:PostObject', 'ObjectCreated:CompleteMultipartUpload', 'ObjectRemoved:DeleteObject'), fc.anything()),
          eventTime: fc.oneof(fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())), fc.anything()),
          oss: fc.oneof(fc.anything(), fc.record({ bucket: fc.record({ name: fc.anything() }), object: fc.record({ key: fc.anything(), eTag: fc.anything(), size: fc.anything() }) })),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 4 }), (events) => {
        refusedWith(PolicyError, () => recordsFromOssEvent({ events }));
      }),
      RUNS,
    );
  });

  test('no HTTP trigger event, whatever its body or top-level fields, is taken for an OSS event', () => {
    // An HTTP trigger event always has rawPath and requestContext; the attack gives it what an OSS
    // event has, a top-level "events" array (and an OSS-event body), so only those two fields tell.
    const ossRecord = fc.record({ eventName: fc.constantFrom('ObjectCreated:PutObject', 'ObjectCreated:PostObject'), eventSource: fc.constant('acs:oss'), oss: fc.anything() }, { requiredKeys: [] });
    const eventsArb = fc.oneof(fc.array(ossRecord, { maxLength: 3 }), fc.array(fc.anything(), { maxLength: 3 }));
    const bodyArb = fc.oneof(fc.json(), eventsArb.map((events) => JSON.stringify({ events })));
    let withTopLevelEvents = 0;
    fc.assert(
      fc.property(
        bodyArb,
        fc.constantFrom('/', '/api/callback', ''),
        fc.option(eventsArb, { freq: 5 }),
        fc.constantFrom('both', 'rawPath', 'requestContext'),
        fc.dictionary(fc.constantFrom('version', 'headers', 'body', 'isBase64Encoded', 'Records', 'extra'), fc.anything(), { maxKeys: 2 }),
        (body, path, events, kept, extra) => {
          const event = { ...(JSON.parse(httpEvent({ method: 'POST', path, body }).toString()) as Record<string, unknown>), ...extra };
          if (events !== null) {
            event.events = events;
            withTopLevelEvents++;
          }
          if (kept === 'rawPath') delete event.requestContext;
          if (kept === 'requestContext') delete event.rawPath;
          expect(isOssTriggerEvent(event)).toBe(false);
          // The twin: the same event without the HTTP trigger's fields is an OSS event.
          if (events !== null) expect(isOssTriggerEvent({ events })).toBe(true);
        },
      ),
      RUNS,
    );
    expect(withTopLevelEvents).toBeGreaterThanOrEqual(300);
  });

  test("the local OSS's event reads back as the upload it reports, with the same event id as its callback", () => {
    const createdArb = fc.record({
      operation: fc.constantFrom('PutObject', 'PostObject', 'CompleteMultipartUpload') as fc.Arbitrary<'PutObject' | 'PostObject' | 'CompleteMultipartUpload'>,
      key: anyString.filter((s) => s.isWellFormed() && s !== ''),
      etag: fc.stringMatching(/^[0-9A-F]{32}(-[1-9][0-9]{0,3})?$/),
      size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      time: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(createdArb, (o) => {
        const event = JSON.parse(
          objectCreatedEvent({ ...o, region: REGION, accountId: '1234567890123456', bucket: BUCKET, deltaSize: o.size, requestId: 'R', sourceIp: '127.0.0.1', principalId: 'p' }).toString(),
        ) as unknown;
        expect(isOssTriggerEvent(event)).toBe(true);
        const [record] = recordsFromOssEvent(event as { events: unknown[] });
        // OSS writes event times to the second.
        expect(record).toEqual({ eventName: `ObjectCreated:${o.operation}`, time: wholeSeconds(o.time), claim: { bucket: BUCKET, key: o.key, etag: o.etag, size: o.size, createdBy: o.operation } });
        const spec: CallbackSpec = { urls: [new URL('http://localhost/api/callback')], body: CALLBACK_BODY, bodyType: 'application/json', vars: {} };
        const facts: CallbackFacts = { bucket: BUCKET, object: o.key, etag: o.etag, size: o.size, mimeType: 'image/png', operation: o.operation, clientIp: '127.0.0.1', reqId: 'R', requester: 'p' };
        const fromCallback = claimFromCallbackBody(Buffer.from(buildCallbackBody(spec, facts)), 'application/json');
        const claim = record.claim as NonNullable<typeof record.claim>;
        expect(uploadEventId(claim.bucket, claim.key, claim.etag)).toBe(uploadEventId(fromCallback.bucket, fromCallback.key, fromCallback.etag));
      }),
      RUNS,
    );
  });
});
