// README's "What the local OSS serves" table is the local OSS's boundary: every operation its
// router serves is listed as served and nothing else is, and each operation listed as not served
// is answered 501 NotImplemented (each refused one as the table says), signed with a key that may
// do anything, so the answer is the boundary and not a permission.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANDLERS } from '../../local/oss/operations';
import { elements, send, startTestOss, type RawRequest, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
  await send(t, t.admin, 'PUT', 'users/alice/boundary.txt', { body: 'x' });
});
afterAll(() => t.close());

interface Row {
  operations: string[];
  outcome: string;
}

function table(): Row[] {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### What the local OSS serves'));
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| operation |'));
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((c) => c.trim());
    rows.push({ operations: cells[1].split(', '), outcome: cells[3] });
  }
  return rows;
}

const KEY = 'users/alice/boundary.txt';

/** A request for each operation the table lists as not served, as an SDK would send it. */
const NOT_SERVED: Record<string, [string, string, RawRequest]> = {
  'multi-range GetObject': ['GET', KEY, { headers: { Range: 'bytes=0-0,0-0', 'x-oss-multi-range-behavior': 'multi-range' } }],
  'object tagging': ['GET', KEY, { query: [['tagging', '']] }],
  DeleteMultipleObjects: ['POST', '', { query: [['delete', '']], body: '<Delete><Object><Key>x</Key></Object></Delete>' }],
  RestoreObject: ['POST', KEY, { query: [['restore', '']] }],
  'image processing': ['GET', KEY, { query: [['x-oss-process', 'image/resize,w_10']] }],
  PutBucket: ['PUT', '', {}],
  DeleteBucket: ['DELETE', '', {}],
  'other bucket configuration': ['GET', '', { query: [['cors', '']] }],
};

it('lists as served exactly the operations the router serves (and PostObject and the CORS preflight)', () => {
  const served = table()
    .filter((r) => r.outcome === 'served')
    .flatMap((r) => r.operations);
  // The ListObjects handler serves both listing forms.
  expect(served.sort()).toEqual([...Object.keys(HANDLERS), 'ListObjectsV2', 'PostObject', 'CORS preflight'].sort());
});

it('gives a request below for every operation it lists as not served', () => {
  const listed = table()
    .filter((r) => r.outcome === 'not served (501)')
    .flatMap((r) => r.operations);
  expect(listed.sort()).toEqual(Object.keys(NOT_SERVED).sort());
});

it.each(Object.entries(NOT_SERVED))('%s: 501 NotImplemented', async (_op, [method, key, req]) => {
  const res = await send(t, t.admin, method, key, req);
  const text = method === 'HEAD' ? '' : await res.text();
  expect([res.status, elements(text, 'Code')[0]]).toEqual([501, 'NotImplemented']);
});

it('answers 501 for the bucket ACL: ?acl is served on an object only', async () => {
  const res = await send(t, t.admin, 'GET', '', { query: [['acl', '']] });
  expect([res.status, elements(await res.text(), 'Code')[0]]).toEqual([501, 'NotImplemented']);
});

it('ListBuckets is refused with 403 AccessDenied, as the table says', async () => {
  const row = table().find((r) => r.operations.includes('ListBuckets'));
  expect(row?.outcome).toMatch(/^refused: 403 `AccessDenied`/);
  const res = await fetch(`${t.oss.url}/`);
  expect([res.status, elements(await res.text(), 'Code')[0]]).toEqual([403, 'AccessDenied']);
});
