// ListMultipartUploads (GET /<bucket>?uploads), as ossutil and the SDKs' resume tools use it:
// uploads in progress by key then upload id, grouped and paged as OSS documents, authorised as
// oss:ListMultipartUploads on the bucket.

import type { RamPolicy } from '../../local/iam/evaluate';
import { BUCKET, elements, send, startTestOss, type Creds, type TestOss } from './local-oss-setup';

let t: TestOss;
beforeAll(async () => {
  t = await startTestOss();
});
afterAll(() => t.close());

const list = (creds: Creds, query: [string, string][] = []) => send(t, creds, 'GET', '', { query: [['uploads', ''], ...query] });

async function initiate(key: string): Promise<string> {
  const res = await send(t, t.admin, 'POST', key, { query: [['uploads', '']] });
  return elements(await res.text(), 'UploadId')[0];
}

function keyWith(policy: RamPolicy, id: string): Creds {
  return t.account.iam.addKey({ accessKeyId: id, accessKeySecret: `${id}-secret`, name: id, policies: [policy] });
}

const allow = (action: string, resource: string): RamPolicy => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: [action], Resource: [resource] }] });

describe('what it lists', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    for (const k of ['lu/b.bin', 'lu/a.bin', 'lu/dir/c.bin', 'lu/dir/d.bin']) ids[k] = await initiate(k);
    ids['lu/a.bin#2'] = await initiate('lu/a.bin');
    const done = await initiate('lu/done.bin');
    await send(t, t.admin, 'DELETE', 'lu/done.bin', { query: [['uploadId', done]] });
  });

  it('every upload in progress, by key then upload id, with its Initiated time in the form OSS writes', async () => {
    const res = await list(t.admin, [['prefix', 'lu/']]);
    expect(res.status).toBe(200);
    const xml = await res.text();
    const aIds = [ids['lu/a.bin'], ids['lu/a.bin#2']].sort();
    expect(elements(xml, 'Key')).toEqual(['lu/a.bin', 'lu/a.bin', 'lu/b.bin', 'lu/dir/c.bin', 'lu/dir/d.bin']);
    expect(elements(xml, 'UploadId')).toEqual([...aIds, ids['lu/b.bin'], ids['lu/dir/c.bin'], ids['lu/dir/d.bin']]);
    expect(elements(xml, 'Initiated').every((s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(s))).toBe(true);
    expect(elements(xml, 'IsTruncated')).toEqual(['false']);
  });

  it('groups keys by the delimiter into CommonPrefixes', async () => {
    const xml = await (await list(t.admin, [['prefix', 'lu/'], ['delimiter', '/']])).text();
    expect(elements(xml, 'Key')).toEqual(['lu/a.bin', 'lu/a.bin', 'lu/b.bin']);
    expect(elements(xml, 'Prefix')).toEqual(['lu/', 'lu/dir/']);
  });

  it('pages with max-uploads, key-marker and upload-id-marker, across two uploads of one key, without repeats', async () => {
    const seen: string[] = [];
    let query: [string, string][] = [];
    for (let pages = 0; pages < 10; pages++) {
      const xml = await (await list(t.admin, [['prefix', 'lu/'], ['max-uploads', '2'], ...query])).text();
      seen.push(...elements(xml, 'UploadId'));
      if (elements(xml, 'IsTruncated')[0] !== 'true') break;
      query = [['key-marker', elements(xml, 'NextKeyMarker')[0]], ['upload-id-marker', elements(xml, 'NextUploadIdMarker')[0]]];
    }
    expect(seen).toEqual(elements(await (await list(t.admin, [['prefix', 'lu/']])).text(), 'UploadId'));
  });

  it('ignores upload-id-marker without key-marker', async () => {
    const xml = await (await list(t.admin, [['prefix', 'lu/'], ['upload-id-marker', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF']])).text();
    expect(elements(xml, 'Key')).toHaveLength(5);
  });

  it('URL-encodes keys, prefix and markers with encoding-type=url (the Go SDK v2 always asks)', async () => {
    const key = 'lu-enc/gp-\f\n\v+ %.bin';
    await initiate(key);
    const xml = await (await list(t.admin, [['prefix', 'lu-enc/'], ['encoding-type', 'url']])).text();
    expect(elements(xml, 'EncodingType')).toEqual(['url']);
    expect(elements(xml, 'Key').map(decodeURIComponent)).toEqual([key]);
    expect(elements(xml, 'Prefix')).toEqual(['lu-enc%2F']);
  });

  it('refuses max-uploads outside 1 to 1000 with InvalidArgument', async () => {
    const res = await list(t.admin, [['max-uploads', '1001']]);
    expect([res.status, elements(await res.text(), 'Code')[0]]).toEqual([400, 'InvalidArgument']);
  });
});

describe('who may list', () => {
  it('a key allowed oss:ListMultipartUploads on the bucket', async () => {
    const ossutil = keyWith(allow('oss:ListMultipartUploads', `acs:oss:*:*:${BUCKET}`), 'LTAIlistuploads');
    expect((await list(ossutil)).status).toBe(200);
  });

  it.each([
    ['allowed only oss:ListObjects', allow('oss:ListObjects', `acs:oss:*:*:${BUCKET}`), 'LTAIlistobjects'],
    ['allowed oss:ListMultipartUploads only on objects (it is a bucket-level action)', allow('oss:ListMultipartUploads', `acs:oss:*:*:${BUCKET}/*`), 'LTAIobjectlevel'],
  ])('not a key %s: 403 AccessDenied', async (_what, policy, id) => {
    const res = await list(keyWith(policy, id));
    expect([res.status, elements(await res.text(), 'Code')[0]]).toEqual([403, 'AccessDenied']);
  });

  it("not alice's vended session, whose policy lists only her prefix: 403 AccessDenied, other users' keys unseen", async () => {
    const res = await list(t.alice, [['prefix', 'users/alice/']]);
    const xml = await res.text();
    expect([res.status, elements(xml, 'Code')[0]]).toEqual([403, 'AccessDenied']);
    expect(xml).not.toContain('<Upload>');
  });
});
