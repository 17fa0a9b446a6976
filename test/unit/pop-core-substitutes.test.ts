// What the function bundles load in place of json-bigint, debug, node:assert and node:zlib where
// pop-core and httpx ask for them (POP_CORE_SUBSTITUTES): each does for pop-core what the module it
// stands in for does, held here to the module itself. That the bundles use them, and that a built
// bundle's AssumeRole works against the local STS, is test/hardening/built-bundles.test.ts's.

import { gzipSync, deflateSync } from 'node:zlib';
import assert from '../../shared/sts/pop-core/assert';
import debug from '../../shared/sts/pop-core/debug';
import { parse } from '../../shared/sts/pop-core/json-bigint';
import { createGunzip, createInflate } from '../../shared/sts/pop-core/zlib';
import { classifyStsError } from '../../shared/sts/errors';

// The module itself, as pop-core's lib/rpc.js loads it (it ships no types).
const jsonBigint: { parse(text: string | Buffer): Record<string, unknown> } = require('json-bigint');

// oss-protocol.md §5.3: an AssumeRole answer and STS's error body, every field a string.
const ANSWER = Buffer.from(
  JSON.stringify({
    RequestId: '6894B13B-6D71-4EF5-88FA-F32781734A7F',
    AssumedRoleUser: { Arn: 'acs:ram::1234567890123456:role/oss-upload/alice', AssumedRoleId: '344584339364951186:alice' },
    Credentials: { AccessKeyId: 'STS.L4aBSCSJVMuKg5U1', AccessKeySecret: 'wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK', SecurityToken: 'CAIS8AF1q6Ft5B2yfSjIr5bkCNTA', Expiration: '2015-04-09T11:52:19Z' },
  }),
);
const ERROR_BODY = Buffer.from(JSON.stringify({ RequestId: 'A1B2C3D4-0000-1111-2222-333344445555', HostId: 'sts.aliyuncs.com', Code: 'NoPermission', Message: 'You are not authorized to do this action.', Recommend: 'https://api.aliyun.com/troubleshoot' }));

describe('the json-bigint substitute', () => {
  it('reads an AssumeRole answer as json-bigint reads it', () => {
    expect(parse(ANSWER)).toEqual(jsonBigint.parse(ANSWER));
  });

  it("reads STS's error body as json-bigint reads it", () => {
    expect(parse(ERROR_BODY)).toEqual(jsonBigint.parse(ERROR_BODY));
  });

  it('reads the body as UTF-8', () => {
    expect(parse(Buffer.from('{"Message":"权限不足 ✓"}'))).toEqual({ Message: '权限不足 ✓' });
  });

  it.each(['{"__proto__":{"polluted":true}}', '{"a":{"constructor":{"prototype":{}}}}', '{"x__proto__y":1}'])('refuses %s, as json-bigint does by default', (text) => {
    expect(() => jsonBigint.parse(text)).toThrow();
    expect(() => parse(text)).toThrow(SyntaxError);
  });

  it('refuses an integer beyond 2^53 that json-bigint would keep exact, rather than round it', () => {
    expect(String(jsonBigint.parse('{"n":9007199254740993}').n)).toBe('9007199254740993');
    expect(() => parse('{"n":9007199254740993}')).toThrow(/beyond 2\^53/);
    expect(parse('{"n":9007199254740991,"f":1.5}')).toEqual({ n: 9007199254740991, f: 1.5 });
  });

  it('fails on a body that is not JSON, which assumeRole counts as a malformed answer worth a retry', () => {
    let thrown: unknown;
    try {
      parse(Buffer.from('<html><body>502 Bad Gateway</body></html>'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SyntaxError);
    const failure = classifyStsError(thrown);
    expect([failure.retryable, failure.detail.stsFailure]).toEqual([true, 'malformed']);
  });
});

describe('the debug substitute', () => {
  it('gives httpx loggers that are disabled and write nothing, whatever DEBUG says', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const log = debug('httpx:body');
      log('AccessKeySecret=%s', 'secret');
      expect(log.enabled).toBe(false);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});

describe('the node:assert substitute', () => {
  it('passes a truthy value and throws an AssertionError with the message for a falsy one, as node:assert does', () => {
    expect(() => assert('https://sts.aliyuncs.com', 'must pass "config.endpoint"')).not.toThrow();
    expect(() => assert(undefined, 'must pass "config.endpoint"')).toThrow(expect.objectContaining({ name: 'AssertionError', code: 'ERR_ASSERTION', message: 'must pass "config.endpoint"' }));
  });
});

describe('the node:zlib substitute', () => {
  const read = (stream: NodeJS.ReadWriteStream, input: Buffer) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
      stream.end(input);
    });

  it('still decompresses a gzip answer', async () => {
    await expect(read(createGunzip(), gzipSync(ANSWER))).resolves.toBe(ANSWER.toString('utf8'));
  });

  it('still decompresses a deflate answer', async () => {
    await expect(read(createInflate(), deflateSync(ANSWER))).resolves.toBe(ANSWER.toString('utf8'));
  });
});
