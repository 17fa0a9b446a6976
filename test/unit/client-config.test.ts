// npm run client-config: `s info -o json` output (fixtures in the shape of the fc3 component's info,
// devsapp/fc3 src/subCommands/info/index.ts) turned into what each client is handed.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientConfigFromSInfo, SInfoError } from '../../deploy/s-info';

const ROOT = join(__dirname, '..', '..');
const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', `s-info.${name}.json`), 'utf8');
const edited = (name: string, edit: (info: Record<string, Record<string, unknown>>) => void) => {
  const info = JSON.parse(fixture(name)) as Record<string, Record<string, unknown>>;
  edit(info);
  return JSON.stringify(info);
};

test('a default deployment gives each function its own origin, and the client the URL of each route', () => {
  expect(clientConfigFromSInfo(fixture('default'))).toEqual({
    endpoints: {
      token: 'https://oss-upload-token-kqzrvwxabc.cn-hangzhou.fcapp.run/token',
      sign: 'https://oss-upload-sign-pmnbvcxyzt.cn-hangzhou.fcapp.run/sign',
    },
  });
});

test('behind s.domain.yaml\'s custom domain, the client gets one base URL on it', () => {
  expect(clientConfigFromSInfo(fixture('custom-domain'))).toEqual({ baseUrl: 'https://uploads.example.com/api/' });
});

test('a custom domain served over HTTP only gives an http base URL', () => {
  const text = edited('custom-domain', (info) => {
    for (const name of ['token', 'sign']) (info[name].customDomain as Record<string, unknown>).protocol = 'HTTP';
  });
  expect(clientConfigFromSInfo(text)).toEqual({ baseUrl: 'http://uploads.example.com/api/' });
});

test('token and sign on different paths of the domain are handed as their own URLs, not a base that would miss one', () => {
  const text = edited('custom-domain', (info) => {
    const routes = (info.sign.customDomain as { routeConfig: { routes: { path: string }[] } }).routeConfig.routes;
    routes[0].path = '/v2/sign';
  });
  expect(clientConfigFromSInfo(text)).toEqual({
    endpoints: { token: 'https://oss-upload-token-kqzrvwxabc.cn-hangzhou.fcapp.run/token', sign: 'https://oss-upload-sign-pmnbvcxyzt.cn-hangzhou.fcapp.run/sign' },
  });
});

test('a warning line printed before the JSON is skipped', () => {
  expect(clientConfigFromSInfo(`[WARN] running as root is not recommended\n${fixture('default')}`)).toHaveProperty('endpoints');
});

test.each([
  ['no sign resource', edited('default', (info) => delete info.sign), 'no "sign" resource'],
  ['a token function s info could not read', edited('default', (info) => (info.token = { error: { code: 'FunctionNotFound', message: 'function oss-upload-token not found' } })), 'could not read the token function: function oss-upload-token not found'],
  ['a sign trigger whose internet URL is disabled', edited('default', (info) => delete (info.sign.url as Record<string, unknown>).system_url), 'the sign function has no url.system_url'],
  ['something that is not s info output', 'Error: no credentials', 'expected the JSON object'],
])('%s is refused, saying what is missing', (_what, text, message) => {
  expect(() => clientConfigFromSInfo(text)).toThrow(SInfoError);
  expect(() => clientConfigFromSInfo(text)).toThrow(message);
});

test('npm run client-config prints the configuration for a saved s info output, and fails naming what is missing', () => {
  const run = (file: string) => execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/client-config.ts', file], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  expect(JSON.parse(run('test/fixtures/s-info.custom-domain.json'))).toEqual({ baseUrl: 'https://uploads.example.com/api/' });
  expect(() => run('package.json')).toThrow(/client-config: no "token" resource/);
});
