// How a presigned GET names the download: an RFC 6266 attachment with an ASCII fallback and the exact
// UTF-8 name (RFC 5987), whatever characters the name holds, served as the passive type its key's
// extension names or as application/octet-stream.

import { loadConfig } from '../../shared/config';
import { grantFor } from '../../shared/policy/rules';
import { attachmentDisposition, getPlan } from '../../shared/policy/url-constraints';

const alice = grantFor('alice', 'download', loadConfig({ OSS_BUCKET: 'photos-prod', OSS_REGION: 'cn-hangzhou' }).rules);

describe('the Content-Disposition of a download', () => {
  test.each([
    ['a plain name', 'cat.jpg', 'attachment; filename="cat.jpg"; filename*=UTF-8\'\'cat.jpg'],
    ['quotes, semicolons and percent signs', 'a"b;c%d.pdf', 'attachment; filename="a_b_c_d.pdf"; filename*=UTF-8\'\'a%22b%3Bc%25d.pdf'],
    ['the characters encodeURIComponent leaves but RFC 5987 does not', "it's (1)*.pdf", 'attachment; filename="it\'s (1)*.pdf"; filename*=UTF-8\'\'it%27s%20%281%29%2A.pdf'],
    ['separators and controls', 'a/b\\c\u0001d\u007fe\u0085f\u009f.pdf', 'attachment; filename="a_b_c_d_e_f_.pdf"; filename*=UTF-8\'\'a_b_c_d_e_f_.pdf'],
    ['a decomposed accent, composed first', 'e\u0301.pdf', 'attachment; filename="_.pdf"; filename*=UTF-8\'\'%C3%A9.pdf'],
    ['a no-break space and a tilde', '\u00a0~.pdf', 'attachment; filename="_~.pdf"; filename*=UTF-8\'\'%C2%A0~.pdf'],
    ['a space', 'a b.pdf', 'attachment; filename="a b.pdf"; filename*=UTF-8\'\'a%20b.pdf'],
  ])('%s: %j', (_, name, disposition) => {
    expect(attachmentDisposition(name)).toBe(disposition);
  });
});

describe('the type a download is served as', () => {
  test.each([
    ['users/alice/a.png', 'image/png'],
    ['users/alice/a.html.png', 'image/png'],
    ['users/alice/a.PDF', 'application/pdf'],
    ['users/alice/a.js', 'application/octet-stream'],
    ['users/alice/a.svg', 'application/octet-stream'],
    ['users/alice/a.xml', 'application/octet-stream'],
    ['users/alice/a.xhtml', 'application/octet-stream'],
    ['users/alice/a', 'application/octet-stream'],
  ])('%s: %s', (key, type) => {
    expect(getPlan(alice, { key }).query['response-content-type']).toBe(type);
  });
});
