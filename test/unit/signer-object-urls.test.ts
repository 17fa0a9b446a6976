// The shape of an object's URL: the key path-encoded after the bucket, and a query only when there
// is one (a bare `?` would be a URL no SDK writes).

import { objectUrl } from '../../shared/signer/url';

test('an object URL with no query ends at its key', () => {
  expect(objectUrl({ endpoint: 'http://localhost:9000', pathStyle: true }, 'examplebucket', 'users/alice/a b.txt')).toBe('http://localhost:9000/examplebucket/users/alice/a%20b.txt');
  expect(objectUrl({ endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', pathStyle: false }, 'examplebucket', 'a.txt', [])).toBe('https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt');
});
