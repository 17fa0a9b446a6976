// The upload event: one id per upload whichever way OSS reports it, and reports read from OSS's own
// variables only.

import { createHash } from 'node:crypto';
import { setLogSink, log } from '../../shared/log';
import { ApiError } from '../../shared/api/errors';
import { claimFromCallbackBody, normalizeEtag, recordsFromOssEvent, uploadEvent, uploadEventId, uploadEventLogFields } from '../../functions/callback/upload-event';
import { isOssTriggerEvent } from '../../shared/http/event';
import { httpEvent } from '../helpers/events';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function ossEvent(eventName: string, object: Record<string, unknown>, bucket = 'local-uploads') {
  return {
    events: [
      {
        eventName,
        eventSource: 'acs:oss',
        eventTime: '2025-01-02T03:04:05.000Z',
        eventVersion: '1.0',
        region: 'cn-hangzhou',
        oss: { bucket: { arn: `acs:oss:cn-hangzhou:1234567890123456:${bucket}`, name: bucket, ownerIdentity: '1234567890123456' }, object, ossSchemaVersion: '1.0', ruleId: 'r' },
      },
    ],
  };
}

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a ApiError');
}

describe('the event id', () => {
  test('is the hex SHA-256 of bucket, key and upper-case ETag, one per line', () => {
    expect(uploadEventId('b', 'users/alice/a.png', 'd41d8cd98f00b204e9800998ecf8427e')).toBe(
      sha256('b\nusers/alice/a.png\nD41D8CD98F00B204E9800998ECF8427E'),
    );
  });

  test('does not depend on how the ETag is quoted or cased', () => {
    const ids = ['"5EB63BBBE01EEED093CB22BB8F5ACDC3"', '5eb63bbbe01eeed093cb22bb8f5acdc3', ' "5eb63bbbe01eeed093cb22bb8f5acdc3" '].map((e) =>
      uploadEventId('b', 'k', e),
    );
    expect(new Set(ids).size).toBe(1);
    expect(normalizeEtag('"abc-3"')).toBe('ABC-3');
  });

  test('drops only quotes around the whole ETag (HeadObject\'s spelling): a value with other quotes is another ETag', () => {
    expect([normalizeEtag('a"bc"'), normalizeEtag('"ab"c'), normalizeEtag('"abc"')]).toEqual(['A"BC"', '"AB"C', 'ABC']);
  });

  test('differs when the bucket, the key or the ETag differs', () => {
    const base = uploadEventId('b1', 'users/alice/a', 'AA');
    expect([uploadEventId('b2', 'users/alice/a', 'AA'), uploadEventId('b1', 'users/alice/b', 'AA'), uploadEventId('b1', 'users/alice/a', 'AB')]).not.toContain(base);
  });

  test('is the same from the callback body and from the OSS trigger event of one upload', () => {
    const body = Buffer.from(
      JSON.stringify({ bucket: 'local-uploads', object: 'users/alice/c.png', etag: 'A1B2C3D4E5F60718293A4B5C6D7E8F90', size: 5, mimeType: 'image/png', operation: 'PutObject' }),
    );
    const fromCallback = claimFromCallbackBody(body, 'application/json');
    const [record] = recordsFromOssEvent(
      ossEvent('ObjectCreated:PutObject', { deltaSize: 5, eTag: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', key: 'users/alice/c.png', size: 5 }),
    );
    const a = uploadEvent({ ...fromCallback, mimeType: 'image/png', filename: 'c.png' }, 'alice', new Date());
    const b = uploadEvent({ ...record.claim!, mimeType: 'image/png', filename: 'c.png' }, 'alice', record.time);
    expect(a.id).toBe(b.id);
    expect(b.time).toBe('2025-01-02T03:04:05.000Z');
  });
});

describe('reading a callback body', () => {
  test('reads OSS\'s variables from a JSON body', () => {
    const claim = claimFromCallbackBody(
      Buffer.from('{"bucket":"b","object":"users/alice/x y.png","etag":"abc","size":12,"mimeType":"image/png","x:user":"bob"}'),
      'application/json; charset=utf-8',
    );
    expect(claim).toEqual({ bucket: 'b', key: 'users/alice/x y.png', etag: 'ABC', size: 12, mimeType: 'image/png', pinned: { owner: undefined, exp: undefined, keyPrefix: undefined, mac: undefined } });
  });

  test('reads the MAC fields the sign function pins beside OSS\'s variables, as they are (the MAC decides on them)', () => {
    const claim = claimFromCallbackBody(
      Buffer.from('{"bucket":"b","object":"users/alice/in/x.png","etag":"abc","size":12,"mimeType":"image/png","owner":"alice","exp":1700000000,"keyPrefix":"users/alice/in/","mac":"m"}'),
      'application/json',
    );
    expect(claim.pinned).toEqual({ owner: 'alice', exp: 1700000000, keyPrefix: 'users/alice/in/', mac: 'm' });
  });

  test('reads a form-encoded body, the OSS default, and leaves x: variables out of the claim', () => {
    const claim = claimFromCallbackBody(
      Buffer.from('bucket=b&object=users%2Falice%2Fx%20y.png&etag=ABC&size=12&mimeType=image%2Fpng&x%3Auser=bob'),
      'application/x-www-form-urlencoded',
    );
    expect(claim).toEqual({ bucket: 'b', key: 'users/alice/x y.png', etag: 'ABC', size: 12, mimeType: 'image/png', pinned: { owner: undefined, exp: undefined, keyPrefix: undefined, mac: undefined } });
  });

  test('refuses a form body that names a variable twice', () => {
    const err = thrown(() => claimFromCallbackBody(Buffer.from('bucket=b&object=users/alice/a.png&object=users/bob/b.png&etag=A&size=1'), 'application/x-www-form-urlencoded'));
    expect(err.code).toBe('CallbackBodyInvalid');
  });

  test.each([
    ['no object', '{"bucket":"b","etag":"A","size":1}'],
    ['an empty bucket', '{"bucket":"","object":"k","etag":"A","size":1}'],
    ['a negative size', '{"bucket":"b","object":"k","etag":"A","size":-1}'],
    ['a fractional size', '{"bucket":"b","object":"k","etag":"A","size":1.5}'],
    ['a numeric object', '{"bucket":"b","object":7,"etag":"A","size":1}'],
    ['a JSON array', '[1,2]'],
    ['text that is not JSON', 'bucket=b'],
  ])('refuses a JSON body with %s', (_, body) => {
    expect(thrown(() => claimFromCallbackBody(Buffer.from(body), 'application/json')).code).toBe('CallbackBodyInvalid');
  });

  test('refuses a body that is not UTF-8', () => {
    expect(thrown(() => claimFromCallbackBody(Buffer.from([0x7b, 0xff, 0x7d]), 'application/json'))).toMatchObject({ code: 'CallbackBodyInvalid', message: 'the body is not valid UTF-8' });
  });

  test('refuses other content types, naming the one it got', () => {
    expect(thrown(() => claimFromCallbackBody(Buffer.from('<a/>'), 'application/xml'))).toMatchObject({
      code: 'CallbackBodyTypeNotSupported',
      message: 'callback bodies are application/json or application/x-www-form-urlencoded, not application/xml',
    });
  });

  test('reads a body without a content type as form-encoded, OSS\'s default', () => {
    expect(claimFromCallbackBody(Buffer.from('bucket=b&object=users%2Falice%2Fa.png&etag=ab&size=3'), undefined)).toMatchObject({ bucket: 'b', key: 'users/alice/a.png', etag: 'AB', size: 3 });
  });

  test('reads a body without mimeType (the type is OSS\'s, from HeadObject), and refuses one whose mimeType is not text', () => {
    expect(claimFromCallbackBody(Buffer.from('{"bucket":"b","object":"k","etag":"A","size":1}'), 'application/json').mimeType).toBeUndefined();
    expect(thrown(() => claimFromCallbackBody(Buffer.from('{"bucket":"b","object":"k","etag":"A","size":1,"mimeType":5}'), 'application/json'))).toMatchObject({
      code: 'CallbackBodyInvalid',
      message: 'mimeType must be a non-empty string',
    });
  });

  test('a refusal names the variable that is missing or repeated', () => {
    expect(thrown(() => claimFromCallbackBody(Buffer.from('{"bucket":"b","etag":"A","size":1}'), 'application/json')).message).toBe('object must be a non-empty string');
    expect(thrown(() => claimFromCallbackBody(Buffer.from('bucket=b&object=a&object=b&etag=A&size=1'), 'application/x-www-form-urlencoded')).message).toBe('object appears more than once');
  });

  test('reads a size written as decimal digits, as OSS writes ${size}', () => {
    const size = (value: string) => claimFromCallbackBody(Buffer.from(`bucket=b&object=k&etag=A&size=${encodeURIComponent(value)}`), undefined).size;
    expect([size('0'), size('12'), size('5368709120')]).toEqual([0, 12, 5368709120]);
  });

  test.each(['', '1e3', '0x10', '+12', ' 12', '12 ', '-0', '12345678901234567'])('refuses a size %p that is not 1 to 16 decimal digits, whatever number it might be read as', (value) => {
    const err = thrown(() => claimFromCallbackBody(Buffer.from(`bucket=b&object=k&etag=A&size=${encodeURIComponent(value)}`), undefined));
    expect(err).toMatchObject({ code: 'CallbackBodyInvalid', message: 'size must be a whole number of bytes' });
  });

  test('refuses a JSON size that is neither a number nor a string of digits', () => {
    expect(thrown(() => claimFromCallbackBody(Buffer.from('{"bucket":"b","object":"k","etag":"A","size":["12"]}'), 'application/json')).code).toBe('CallbackBodyInvalid');
  });
});

describe('reading an OSS trigger event', () => {
  test.each([
    'ObjectCreated:PutObject',
    'ObjectCreated:PostObject',
    'ObjectCreated:CompleteMultipartUpload',
    'ObjectCreated:AppendObject',
    'ObjectCreated:CopyObject',
    'ObjectCreated:PutSymlink',
  ])('%s is a way an object appears, checked like an upload', (name) => {
    const [record] = recordsFromOssEvent(ossEvent(name, { eTag: 'ABCDEF-3', key: 'users/alice/big.bin', size: 15728640 }));
    expect(record.claim).toEqual({ bucket: 'local-uploads', key: 'users/alice/big.bin', etag: 'ABCDEF-3', size: 15728640, createdBy: name.split(':')[1] });
  });

  test.each(['ObjectRemoved:DeleteObject', 'ObjectCreated:InitiateMultipartUpload', 'ObjectCreated:UploadPart', 'ObjectCreated:UploadPartCopy'])('%s makes no object and is not reported', (name) => {
    const [record] = recordsFromOssEvent(ossEvent(name, { eTag: 'A', key: 'users/alice/a', size: 1 }));
    expect(record).toEqual({ eventName: name, time: expect.any(Date) });
  });

  test('a record without an event name is not an upload, and is reported with an empty name', () => {
    const event = ossEvent('ObjectCreated:PutObject', { eTag: 'A', key: 'users/alice/a', size: 1 });
    delete (event.events[0] as { eventName?: string }).eventName;
    expect(recordsFromOssEvent(event)).toEqual([{ eventName: '', time: expect.any(Date) }]);
  });

  test('an upload record without a key is refused', () => {
    expect(thrown(() => recordsFromOssEvent(ossEvent('ObjectCreated:PutObject', { eTag: 'A', size: 1 }))).code).toBe('CallbackBodyInvalid');
  });

  test('an OSS trigger event is told apart from an HTTP request whose body looks like one', () => {
    const body = ossEvent('ObjectCreated:PutObject', { eTag: 'A', key: 'users/alice/a', size: 1 });
    expect(isOssTriggerEvent(body)).toBe(true);
    expect(isOssTriggerEvent(JSON.parse(httpEvent({ body }).toString()))).toBe(false);
    expect(isOssTriggerEvent({ ...body, rawPath: '/' })).toBe(false);
  });
});

test('a logged event keeps its object key, which the logger would drop under the name "key"', () => {
  const lines: string[] = [];
  const prev = setLogSink((l) => lines.push(l));
  try {
    const event = uploadEvent({ bucket: 'b', key: 'users/alice/a.png', etag: 'A', size: 1, mimeType: 'image/png', filename: 'a.png' }, 'alice', new Date());
    log('info', { upload: uploadEventLogFields(event) });
  } finally {
    setLogSink(prev);
  }
  const logged = JSON.parse(lines[0]).upload;
  expect(logged.object).toBe('users/alice/a.png');
  expect(logged.id).toMatch(/^[0-9a-f]{64}$/);
});
