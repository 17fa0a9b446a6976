// The local STS's POP RPC v1.0 signature (local/verify/pop.ts), against the STS documentation's
// example and against what @alicloud/pop-core, the product's STS client, puts on the wire.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import RPCClient from '@alicloud/pop-core';
import vectors from '../vectors/oss-vectors.json';
import { type PopParams, popCanonicalQuery, popSignature, popSignedQuery, popStringToSign } from '../../local/verify';

const vector = vectors.vectors.find((v) => v.id === 'RPC-ASSUMEROLE-GET') as unknown as {
  accessKeySecret: string;
  method: string;
  params: PopParams;
  expected: { stringToSign: string; signature: string };
};

describe('the RPC-ASSUMEROLE-GET vector', () => {
  it('gives the published string to sign', () => {
    expect(popStringToSign(vector.method, vector.params)).toBe(vector.expected.stringToSign);
  });

  it('gives the published signature', () => {
    expect(popSignature(vector.accessKeySecret, vector.method, vector.params)).toBe(vector.expected.signature);
  });
});

describe('a POST', () => {
  it('signs the same canonical parameters behind "POST&"', () => {
    expect(popStringToSign('POST', vector.params)).toBe(vector.expected.stringToSign.replace(/^GET&/, 'POST&'));
  });

  it('gets a different signature than the GET of the same parameters', () => {
    expect(popSignature(vector.accessKeySecret, 'POST', vector.params)).not.toBe(vector.expected.signature);
  });
});

describe('canonicalisation', () => {
  it('sorts by parameter name and percent-encodes as RFC 3986, including !\'()* and spaces', () => {
    expect(popCanonicalQuery({ b: "it's (a) *test*!", a: 'x y~', Signature: 'ignored' })).toBe('a=x%20y~&b=it%27s%20%28a%29%20%2Atest%2A%21');
  });

  it('leaves Signature out of what is signed', () => {
    expect(popStringToSign('GET', { ...vector.params, Signature: 'anything' })).toBe(vector.expected.stringToSign);
  });
});

it('produces byte for byte the form body @alicloud/pop-core POSTs, session policy and security token included', async () => {
  let body = '';
  const server = createServer((req, res) => {
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => res.end('{"RequestId":"1"}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const secret = 'pop-core-secret';
    const client = new RPCClient({
      accessKeyId: 'STS.caller',
      accessKeySecret: secret,
      securityToken: 'CAIS+token/with=odd&chars',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiVersion: '2015-04-01',
    });
    const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'], Resource: ['acs:oss:*:*:b/users/a b*'] }] });
    await client.request('AssumeRole', { RoleArn: 'acs:ram::1:role/r', RoleSessionName: 'alice', Policy: policy }, { method: 'POST' });
    const sent = Object.fromEntries(new URLSearchParams(body));
    const { Signature, ...params } = sent;
    expect(params.Policy).toBe(policy);
    expect(params.SecurityToken).toBe('CAIS+token/with=odd&chars');
    expect(Signature).toBe(popSignature(secret, 'POST', params));
    expect(body).toBe(popSignedQuery(secret, 'POST', params));
  } finally {
    await new Promise((r) => server.close(r));
  }
});
