// Whatever a request holds, what a grant hands out stays inside the caller's prefix, no two users'
// prefixes nest, and the callback reads the same user back from any key the grant produced.

import { posix } from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../../shared/config';
import { ApiError as PolicyError } from '../../shared/api/errors';
import type { Access } from '../../shared/api/types';
import { generateKey, keyInGrant, userOfKey, validateKey } from '../../shared/policy/keys';
import { postPlan } from '../../shared/policy/post-conditions';
import { grantFor, type Grant, type Rules } from '../../shared/policy/rules';
import { PRIVATE_OBJECTS_ONLY, sessionPolicy } from '../../shared/policy/session-policy';
import { checkUpload } from '../../shared/policy/upload-checks';
import { getPlan, putPlan } from '../../shared/policy/url-constraints';
import { rulesFromConfig, TEST_MAC_KEY } from '../helpers/config';
import { nestingPair } from '../helpers/user-ids';

const TEMPLATES = ['users/${uid}/', 'tenants/acme/${uid}/files/', 'u-${uid}-x/', '${uid}/', 'data/${uid}.d/'];
const RULES: Rules[] = TEMPLATES.flatMap((UPLOAD_PREFIX) =>
  ['image/jpeg,image/png,application/pdf', 'image/*,text/plain'].map((UPLOAD_CONTENT_TYPES) =>
    rulesFromConfig(loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', UPLOAD_PREFIX, UPLOAD_CONTENT_TYPES, CALLBACK_URL: 'https://fc.example/cb', CALLBACK_MAC_KEY: TEST_MAC_KEY })),
  ),
);

// Characters that change the meaning of a key or a policy resource, lookalikes, and broken UTF-16.
const TRICKY = fc.constantFrom('/', '\\', '*', '?', '.', '%', '~', '$', '{', '}', 'a', 'B', '0', '-', '_', '@', ' ', ':', '\n', '\u0000', '\uff0f', '\uff0e', '\u2215', '\u202e', '\ud800', '\udc00', '\ufffd', 'é', '😀');
const uidArb = fc.oneof(
  fc.string({ unit: TRICKY, minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9._@-]{1,70}$/),
  fc.constantFrom('..', '.', 'alice/../bob', '${uid}', '~0123456789abcdef0123456789abcdef', 'users/bob', '%2e%2e', '*'),
);
const accessArb = fc.constantFrom<Access>('upload', 'download', 'readwrite');
const pin = { keys: loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', CALLBACK_MAC_KEY: TEST_MAC_KEY }).callback.macKeys, now: new Date() };
const rulesArb = fc.constantFrom(...RULES);

const segmentArb = fc.oneof(
  fc.constantFrom('..', '.', '', '%2e%2e', '%2E%2E%2F', '%252e%252e', '\uff0e\uff0e', '\u2024\u2024', 'a\uff0fb', '..\\', 'x.jpg', 'photo.png', '*', '\u0000', '\ud800'),
  fc.string({ unit: TRICKY, maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const tailArb = fc.array(segmentArb, { maxLength: 5 }).map((parts) => parts.join('/'));
/** A tail a key under a prefix may have: 1-3 plain segments. */
const plainTailArb = fc.array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,11}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

/**
 * A key a client might send, the attacked dimension: none, or built on its own prefix, on a
 * neighbour's (whose id may extend the caller's), on its own prefix without the "/", or on none;
 * with a plain tail (so plans are accepted) or a tricky one, and possibly ending in ${filename}.
 */
function keyArb(grant: Grant, neighbourPrefix: string) {
  const start = fc.oneof(
    { weight: 6, arbitrary: fc.constant(grant.prefix) },
    { weight: 3, arbitrary: fc.constant(neighbourPrefix) },
    { weight: 1, arbitrary: fc.constant(grant.prefix.slice(0, -1)) },
    { weight: 1, arbitrary: fc.constant('') },
  );
  const tail = fc.oneof({ weight: 3, arbitrary: plainTailArb }, { weight: 1, arbitrary: tailArb });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: fc.tuple(start, tail).map(([s, t]) => s + t) },
    // OSS puts the uploaded file's name in place of ${filename}.
    { weight: 7, arbitrary: fc.tuple(start, fc.option(tail, { nil: '' })).map(([s, t]) => `${s}${t ? `${t}/` : ''}\${filename}`) },
    { weight: 1, arbitrary: fc.anything() },
  );
}

/** The rest of a request, inside the rules: an allowed type, a size within the limits, a lifetime within the maximum. */
function validRestArb(rules: Rules) {
  const types = rules.allowedContentTypes.map((t) => (t.endsWith('/*') ? t.replace('*', 'png') : t));
  return fc.record({
    filename: fc.option(fc.constantFrom('a.jpg', 'photo.png', 'report.pdf', 'notes'), { nil: undefined }),
    contentType: fc.constantFrom(...types),
    size: fc.integer({ min: rules.minSize, max: rules.maxSize }),
    expiresIn: fc.option(fc.integer({ min: 1, max: rules.maxUrlExpiresSeconds }), { nil: undefined }),
  });
}

const requestArb = (grant: Grant, neighbourPrefix: string) =>
  fc.tuple(keyArb(grant, neighbourPrefix), validRestArb(grant.rules)).map(([key, rest]) => ({ key, ...rest }));

/** Where a careless consumer (decoding again and again, folding lookalikes, resolving dot segments) would put the key. */
function resolvedForms(key: string): string[] {
  const forms = [key];
  let s = key;
  for (let i = 0; i < 3; i++) {
    try {
      s = decodeURIComponent(s);
    } catch {
      break;
    }
    forms.push(s);
  }
  return forms.map((f) => posix.normalize(f.normalize('NFKC').replace(/\\/g, '/')));
}

function expectInside(grant: Grant, key: string): void {
  expect(validateKey(key)).toBe(key);
  expect(key.length).toBeGreaterThan(grant.prefix.length);
  for (const form of resolvedForms(key)) expect(form.startsWith(grant.prefix)).toBe(true);
  expect(userOfKey(grant.rules.prefixTemplate, key)).toEqual({ user: grant.user, prefix: grant.prefix });
}

/** Run a plan; a refusal must be a PolicyError (a 400), never anything else. */
function attempt<T>(plan: () => T): T | undefined {
  try {
    return plan();
  } catch (err) {
    if (err instanceof PolicyError) return undefined;
    throw err;
  }
}

// Two ids that differ in one place only, by characters a lossy encoding or a normalisation could merge.
const MERGEABLE = fc.constantFrom('\ud800', '\udc00', '\udfff', '\ufffd', 'a', 'A', '/', '\uff0f', '.', '\uff0e', 'e\u0301', '\u00e9');
const nearPairArb = fc
  .tuple(uidArb, fc.nat(), MERGEABLE, MERGEABLE)
  .map(([base, at, a, b]) => {
    const p = at % (base.length + 1);
    return [base.slice(0, p) + a + base.slice(p), base.slice(0, p) + b + base.slice(p)] as const;
  });

const pairArb = fc.oneof(
  { weight: 3, arbitrary: nestingPair() },
  { weight: 1, arbitrary: nestingPair(uidArb) },
  { weight: 1, arbitrary: nearPairArb },
  { weight: 1, arbitrary: fc.tuple(uidArb, uidArb) },
);

const scenarioArb = fc
  .record({ pair: pairArb, access: accessArb, rules: rulesArb })
  .map(({ pair: [uid, other], access, rules }) => ({ uid, other, access, rules }))
  .filter(({ uid, other }) => uid !== other)
  .chain(({ uid, other, access, rules }) => {
    const grant = attempt(() => grantFor(uid, access, rules));
    const neighbour = attempt(() => grantFor(other, access, rules));
    return fc.record({ grant: fc.constant(grant), neighbour: fc.constant(neighbour), uid: fc.constant(uid), other: fc.constant(other) });
  });

test('every user id yields a grant, or a PolicyError when it is not a usable id', () => {
  fc.assert(
    fc.property(uidArb, accessArb, rulesArb, (uid, access, rules) => {
      const grant = attempt(() => grantFor(uid, access, rules));
      if (grant) expect(grant.prefix).toBe(rules.prefixTemplate.replace('${uid}', grant.user));
    }),
    { numRuns: 500 },
  );
});

test('no request yields a key outside the caller’s prefix, and every refusal is a PolicyError', () => {
  const accepted = { PUT: 0, POST: 0, 'POST ${filename}': 0, GET: 0 };
  fc.assert(
    fc.property(
      scenarioArb.filter(({ grant, neighbour }) => grant !== undefined && neighbour !== undefined).chain(({ grant, neighbour }) =>
        fc.record({ grant: fc.constant(grant as Grant), req: requestArb(grant as Grant, (neighbour as Grant).prefix) }),
      ),
      ({ grant, req }) => {
        const post = attempt(() => postPlan(grant, req, pin));
        if (post) {
          expect(post.fields.key).toBe(post.key);
          if (post.key.endsWith('${filename}')) {
            accepted['POST ${filename}']++;
            // The stored key is this start plus a name the uploader picks: the start must be inside,
            // and ${filename} the whole last segment, the only placeholder.
            const start = post.key.slice(0, -'${filename}'.length);
            expect(post.conditions).toContainEqual(['starts-with', '$key', start]);
            expect(start.endsWith('/') && !start.includes('${')).toBe(true);
            expectInside(grant, `${start}f`);
          } else {
            accepted.POST++;
            expectInside(grant, post.key);
            expect(post.conditions).toContainEqual(['eq', '$key', post.key]);
          }
        }
        const put = attempt(() => putPlan(grant, req, pin));
        if (put) {
          accepted.PUT++;
          expectInside(grant, put.key);
        }
        const get = attempt(() => getPlan(grant, req));
        if (get) {
          accepted.GET++;
          expectInside(grant, get.key);
        }
        expectInside(grant, generateKey(grant, req.filename));
      },
    ),
    { numRuns: 1000 },
  );
  // The checks above ran: each way to get a key was accepted often enough.
  expect(Object.entries(accepted).filter(([, count]) => count < 100)).toEqual([]);
});

test('a request of any shape, in every field at once, gets a plan or a PolicyError, never another error', () => {
  const field = fc.oneof(fc.constant(undefined), fc.integer({ min: -10, max: 2 ** 40 }), fc.double(), fc.string(), fc.string({ unit: 'binary' }), fc.anything());
  fc.assert(
    fc.property(
      scenarioArb.filter(({ grant }) => grant !== undefined),
      fc.record({ key: fc.oneof(tailArb, field), filename: field, contentType: fc.oneof(fc.constantFrom('image/jpeg', 'IMAGE/PNG; charset=x', 'image/svg+xml', '*/*'), field), size: field, expiresIn: field }),
      ({ grant }, req) => {
        for (const plan of [postPlan, putPlan, getPlan]) {
          const result = attempt(() => plan(grant as Grant, req, pin));
          if (result) expectInside(grant as Grant, result.key.replace(/\$\{filename\}$/, 'f'));
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('the session policy names only the caller’s prefix', () => {
  fc.assert(
    fc.property(uidArb, accessArb, rulesArb, (uid, access, rules) => {
      const grant = attempt(() => grantFor(uid, access, rules));
      if (!grant) return;
      expect(grant.prefix).not.toMatch(/[*?$]/);
      for (const statement of sessionPolicy(grant).Statement) {
        // The only statement on "*": the Deny of a public object ACL, which narrows and grants nothing.
        if (statement.Effect === 'Deny') {
          expect(statement).toEqual(PRIVATE_OBJECTS_ONLY);
          continue;
        }
        for (const resource of statement.Resource) {
          if (resource === `acs:oss:*:*:${rules.bucket}`) {
            // The bucket itself only for listing, and only under the prefix.
            expect(statement.Action).toEqual(['oss:ListObjects']);
            expect(statement.Condition).toEqual({ StringLike: { 'oss:Prefix': [`${grant.prefix}*`] } });
          } else {
            expect(resource).toBe(`acs:oss:*:*:${rules.bucket}/${grant.prefix}*`);
          }
        }
      }
    }),
    { numRuns: 500 },
  );
});

test('the prefixes of two different user ids never nest, so neither user’s keys fall under the other’s', () => {
  let nestingIds = 0;
  fc.assert(
    fc.property(scenarioArb, ({ grant, neighbour, uid, other }) => {
      if (!grant || !neighbour) return;
      if (uid.startsWith(other) || other.startsWith(uid)) nestingIds++;
      expect(grant.prefix.startsWith(neighbour.prefix)).toBe(false);
      expect(neighbour.prefix.startsWith(grant.prefix)).toBe(false);
      expect(generateKey(grant).startsWith(neighbour.prefix)).toBe(false);
    }),
    { numRuns: 2000 },
  );
  // Most pairs were an id and the same id extended (alice, alice2, alice/x), not two unrelated ids.
  expect(nestingIds).toBeGreaterThanOrEqual(1000);
});

test('the callback reads back the grant’s user from any key the grant produced', () => {
  fc.assert(
    fc.property(
      scenarioArb.filter(({ grant }) => grant !== undefined),
      fc.string({ unit: 'binary', maxLength: 30 }),
      tailArb,
      ({ grant }, filename, tail) => {
        const g = grant as Grant;
        const keys = [generateKey(g, filename), attempt(() => keyInGrant(g, g.prefix + tail))].filter((k) => k !== undefined);
        for (const key of keys) {
          expect(userOfKey(g.rules.prefixTemplate, key)).toEqual({ user: g.user, prefix: g.prefix });
          const verdict = checkUpload(g.rules, { bucket: g.rules.bucket, key, size: g.rules.minSize, mimeType: 'image/png' });
          expect(verdict).toEqual({ ok: true, user: g.user, prefix: g.prefix });
        }
      },
    ),
    { numRuns: 1000 },
  );
});
