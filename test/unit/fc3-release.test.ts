// The deploy workflow asks Serverless Devs' registry whether the pinned fc3 release exists before it
// deploys. Here the registry is a loopback server that answers as the real one does (load-component in
// @serverless-devs/s 3.1.10 reads body.zipball_url and body.tag_name; a missing tag is a 404).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { missingRelease } from '../../deploy/s-yaml/fc3-releases';

const ROOT = join(__dirname, '../..');
const PUBLISHED = new Set(['0.1.22']);
const asked: string[] = [];
let server: Server;
let registry: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const m = /^\/v3\/packages\/fc3\/release\/tags\/([^/]+)$/.exec(req.url ?? '');
    const version = m ? decodeURIComponent(m[1]) : undefined;
    if (!version || !PUBLISHED.has(version)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NotFound"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ body: { tag_name: version, zipball_url: `https://registry.invalid/fc3-${version}.zip` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a published release is found at the URL Serverless Devs downloads it from', async () => {
  expect(await missingRelease('0.1.22', registry)).toBeUndefined();
  expect(asked.at(-1)).toBe('/v3/packages/fc3/release/tags/0.1.22');
});

test('a release the registry does not have is reported with the 404', async () => {
  expect(await missingRelease('0.1.25', registry)).toMatch(/has no fc3@0\.1\.25 \(404/);
});

test('an unreachable registry is reported, not taken as a yes', async () => {
  expect(await missingRelease('0.1.22', 'http://127.0.0.1:1/v3', 2000)).toMatch(/cannot ask the registry/);
});

const run = promisify(execFile);
const script = (template: string) =>
  run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/check-fc3-release.ts'), '-t', template, '--registry', registry], { cwd: ROOT });

test('the workflow step passes for the release s.yaml pins and fails, naming it, for one that is missing', async () => {
  await expect(script(join(ROOT, 's.yaml'))).resolves.toEqual(expect.objectContaining({ stdout: expect.stringMatching(/fc3@0\.1\.22 is published/) }));
  const dir = mkdtempSync(join(tmpdir(), 'fc3-pin-'));
  const mutated = join(dir, 's.yaml');
  writeFileSync(mutated, readFileSync(join(ROOT, 's.yaml'), 'utf8').replace('fc3: fc3@0.1.22', 'fc3: fc3@0.1.25'));
  await expect(script(mutated)).rejects.toEqual(expect.objectContaining({ code: 1, stderr: expect.stringMatching(/no fc3@0\.1\.25/) }));
});
