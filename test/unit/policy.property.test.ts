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
import { sessionPolicy } from '../../shared/policy/session-policy';
import { checkUpload } from '../../shared/policy/upload-checks';
import { getPlan, putPlan } from '../../shared/policy/url-constraints';
import { rulesFromConfig } from '../helpers/config';

const TEMPLATES = ['users/${uid}/', 'tenants/acme/${uid}/files/', 'u-${uid}-x/', '${uid}/', 'data/${uid}.d/'];
const RULES: Rules[] = TEMPLATES.flatMap((UPLOAD_PREFIX) =>
  ['image/jpeg,image/png,application/pdf', 'image/*,text/plain'].map((UPLOAD_CONTENT_TYPES) =>
    rulesFromConfig(loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou', UPLOAD_PREFIX, UPLOAD_CONTENT_TYPES, CALLBACK_URL: 'https://fc.example/cb' })),
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
const rulesArb = fc.constantFrom(...RULES);

const segmentArb = fc.oneof(
  fc.constantFrom('..', '.', '', '%2e%2e', '%2E%2E%2F', '%252e%252e', '\uff0e\uff0e', '\u2024\u2024', 'a\uff0fb', '..\\', 'x.jpg', 'photo.png', '*', '\u0000', '\ud800'),
  fc.string({ unit: TRICKY, maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const tailArb = fc.array(segmentArb, { maxLength: 5 }).map((parts) => parts.join('/'));

/** A key a client might send: anything, or built on its own prefix, a neighbour's, or none. */
function keyArb(grant: Grant, otherPrefix: string) {
  return fc.oneof(
    fc.constant(undefined),
    tailArb.map((tail) => grant.prefix + tail),
    tailArb.map((tail) => otherPrefix + tail),
    tailArb.map((tail) => grant.prefix.slice(0, -1) + tail),
    // OSS puts the uploaded file's name in place of ${filename}.
    fc.constantFrom(grant.prefix, otherPrefix, grant.prefix.slice(0, -1), '').chain((start) => tailArb.map((tail) => `${start}${tail}\${filename}`)),
    tailArb,
    fc.anything(),
  );
}
const sizeArb = fc.oneof(fc.constant(undefined), fc.integer({ min: -10, max: 2 ** 40 }), fc.double(), fc.string(), fc.anything());
const typeArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('image/jpeg', 'IMAGE/PNG; charset=x', 'image/svg+xml', 'text/plain', 'text/html', 'application/pdf', '*/*', 'image/*'),
  fc.string(),
  fc.anything(),
);
const filenameArb = fc.oneof(fc.constant(undefined), fc.constantFrom('a.jpg', '../../x.png', 'x.ｐｄｆ', 'page.html', 'a.txt/../b'), fc.string({ unit: 'binary' }), fc.anything());
const expiresArb = fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 10 ** 7 }), fc.anything());

const requestArb = (grant: Grant, otherPrefix: string) =>
  fc.record({ key: keyArb(grant, otherPrefix), filename: filenameArb, contentType: typeArb, size: sizeArb, expiresIn: expiresArb });

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

const scenarioArb = fc
  .record({ pair: fc.oneof(fc.tuple(uidArb, uidArb), nearPairArb), access: accessArb, rules: rulesArb })
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
  fc.assert(
    fc.property(
      scenarioArb.filter(({ grant, neighbour }) => grant !== undefined && neighbour !== undefined).chain(({ grant, neighbour }) =>
        fc.record({ grant: fc.constant(grant as Grant), req: requestArb(grant as Grant, (neighbour as Grant).prefix) }),
      ),
      ({ grant, req }) => {
        const post = attempt(() => postPlan(grant, req));
        if (post) {
          expect(post.fields.key).toBe(post.key);
          if (post.key.endsWith('${filename}')) {
            // The stored key is this start plus a name the uploader picks: the start must be inside.
            const start = post.key.slice(0, -'${filename}'.length);
            expect(post.conditions).toContainEqual(['starts-with', '$key', start]);
            expectInside(grant, `${start}f`);
          } else {
            expectInside(grant, post.key);
            expect(post.conditions).toContainEqual(['eq', '$key', post.key]);
          }
        }
        for (const plan of [attempt(() => putPlan(grant, req)), attempt(() => getPlan(grant, req))]) {
          if (plan) expectInside(grant, plan.key);
        }
        expectInside(grant, generateKey(grant, req.filename));
      },
    ),
    { numRuns: 1000 },
  );
});

test('the session policy names only the caller’s prefix', () => {
  fc.assert(
    fc.property(uidArb, accessArb, rulesArb, (uid, access, rules) => {
      const grant = attempt(() => grantFor(uid, access, rules));
      if (!grant) return;
      expect(grant.prefix).not.toMatch(/[*?$]/);
      for (const statement of sessionPolicy(grant).Statement) {
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
  fc.assert(
    fc.property(scenarioArb, ({ grant, neighbour }) => {
      if (!grant || !neighbour) return;
      expect(grant.prefix.startsWith(neighbour.prefix)).toBe(false);
      expect(neighbour.prefix.startsWith(grant.prefix)).toBe(false);
      expect(generateKey(grant).startsWith(neighbour.prefix)).toBe(false);
    }),
    { numRuns: 2000 },
  );
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
