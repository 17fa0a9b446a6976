import { evaluate, isAllowed, wildcardMatch, type RamPolicy } from '../../local/iam/evaluate';
import { IamStore } from '../../local/iam/store';

const role: RamPolicy = {
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: ['oss:PutObject', 'oss:GetObject'], Resource: ['acs:oss:*:*:b/users/*'] },
    { Effect: 'Allow', Action: 'oss:ListObjects', Resource: 'acs:oss:*:*:b', Condition: { StringLike: { 'oss:Prefix': ['users/*'] } } },
  ],
};
const session: RamPolicy = {
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'], Resource: ['acs:oss:*:*:b/users/alice/*'] }],
};

describe('RAM policy evaluation in the local services', () => {
  test('a request inside both the role and the session policy is allowed', () => {
    expect(isAllowed([role, session], 'oss:PutObject', 'acs:oss:*:*:b/users/alice/a.png')).toBe(true);
  });

  test('the session policy narrows the role: another user prefix is refused', () => {
    expect(isAllowed([role, session], 'oss:PutObject', 'acs:oss:*:*:b/users/bob/a.png')).toBe(false);
  });

  test('an action the role allows but the session does not is refused', () => {
    expect(isAllowed([role, session], 'oss:GetObject', 'acs:oss:*:*:b/users/alice/a.png')).toBe(false);
  });

  test('a session policy cannot grant what the role lacks', () => {
    const wide: RamPolicy = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }] };
    expect(isAllowed([role, wide], 'oss:DeleteObject', 'acs:oss:*:*:b/users/alice/a.png')).toBe(false);
  });

  test('an explicit Deny wins over an Allow', () => {
    const deny: RamPolicy = { Version: '1', Statement: [...role.Statement, { Effect: 'Deny', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:b/users/alice/secret/*' }] };
    expect(evaluate(deny, 'oss:PutObject', 'acs:oss:*:*:b/users/alice/secret/x')).toBe('deny');
    expect(evaluate(deny, 'oss:PutObject', 'acs:oss:*:*:b/users/alice/x')).toBe('allow');
  });

  test('conditions must hold: ListObjects needs a prefix under the allowed one', () => {
    expect(isAllowed([role], 'oss:ListObjects', 'acs:oss:*:*:b', { 'oss:Prefix': 'users/alice/' })).toBe(true);
    expect(isAllowed([role], 'oss:ListObjects', 'acs:oss:*:*:b', { 'oss:Prefix': 'other/' })).toBe(false);
    expect(isAllowed([role], 'oss:ListObjects', 'acs:oss:*:*:b', {})).toBe(false);
  });

  test('an unknown condition operator never allows', () => {
    const odd: RamPolicy = { Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Mystery: { k: 'v' } } }] };
    expect(isAllowed([odd], 'oss:GetObject', 'acs:oss:*:*:b/k', { k: 'v' })).toBe(false);
  });

  test('no policy at all allows nothing', () => {
    expect(isAllowed([], 'oss:GetObject', 'acs:oss:*:*:b/k')).toBe(false);
  });

  describe('OSS\'s Scenario 10 (deny writes unless oss:x-oss-object-acl is private or default)', () => {
    const scenario10: RamPolicy = {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:b/*' },
        { Effect: 'Deny', Action: ['oss:PutObject', 'oss:PutObjectAcl'], Resource: '*', Condition: { StringNotEquals: { 'oss:x-oss-object-acl': ['private', 'default'] } } },
      ],
    };
    const put = (acl: string | undefined) => evaluate(scenario10, 'oss:PutObject', 'acs:oss:*:*:b/k', { 'oss:x-oss-object-acl': acl });

    test.each(['private', 'default'])('allows a write whose ACL is %s', (acl) => {
      expect(put(acl)).toBe('allow');
    });

    test.each(['public-read', 'public-read-write'])('denies a write whose ACL is %s', (acl) => {
      expect(put(acl)).toBe('deny');
    });

    test('denies when the key is missing altogether (a negated operator holds for an absent key), which is why the local OSS sets it to default on every write', () => {
      expect(put(undefined)).toBe('deny');
    });
  });

  test('actions match case-insensitively, resources case-sensitively', () => {
    expect(wildcardMatch('oss:putobject', 'oss:PutObject', true)).toBe(true);
    expect(wildcardMatch('acs:oss:*:*:b/Users/*', 'acs:oss:*:*:b/users/x')).toBe(false);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a.c', 'abc')).toBe(false);
  });
});

describe('STS sessions in the local account', () => {
  const iam = new IamStore();
  const roleDef = { arn: 'acs:ram::1:role/r', trusted: [], policy: role, maxSessionDuration: 3600 };

  test('a session is found with its token and carries role and session policy', () => {
    const s = iam.issueSession(roleDef, 'alice', 900, session);
    const r = iam.resolve(s.accessKeyId, s.securityToken);
    expect(r.ok && r.principal.policies).toEqual([role, session]);
  });

  test('a session key without its token, or with another, is refused, each for its own reason', () => {
    const s = iam.issueSession(roleDef, 'alice', 900);
    expect(iam.resolve(s.accessKeyId, undefined)).toEqual({ ok: false, fault: 'MissingSecurityToken' });
    expect(iam.resolve(s.accessKeyId, s.securityToken + 'x')).toEqual({ ok: false, fault: 'SecurityTokenMismatch' });
  });

  test('a long-term key sent with a security token is refused', () => {
    iam.addKey({ accessKeyId: 'LTAIlongterm', accessKeySecret: 's', name: 'root', policies: [role] });
    expect(iam.resolve('LTAIlongterm', 'CAIS-token')).toEqual({ ok: false, fault: 'UnexpectedSecurityToken' });
    expect(iam.resolve('LTAIlongterm', undefined)).toMatchObject({ ok: true });
  });

  test('an expired session is refused as expired', () => {
    const s = iam.issueSession(roleDef, 'alice', 900, undefined, new Date(Date.now() - 3600_000));
    expect(iam.resolve(s.accessKeyId, s.securityToken)).toEqual({ ok: false, fault: 'SecurityTokenExpired' });
  });

  test('an unknown key id is refused', () => {
    expect(iam.resolve('nope', undefined)).toEqual({ ok: false, fault: 'UnknownAccessKey' });
  });
});
