// The offline renderer follows Serverless Devs' rules for the part of the manifest language s.yaml uses.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadManifest, renderManifest, type RenderOptions } from '../../deploy/s-yaml/render';

function render(yaml: string, opts: Partial<RenderOptions> = {}) {
  return renderManifest(parse(yaml), { env: {}, ...opts });
}

const oneResource = (props: string) => `
edition: 3.0.0
name: t
resources:
  fn:
    component: fc3@0.1.25
    props:
${props.replace(/^/gm, '      ')}
`;

test('env() takes the environment value, else its default', () => {
  const yaml = oneResource("a: ${env('A', 'fallback')}\nb: x-${env('B', 'fallback')}-y");
  expect(render(yaml).resources.fn.props).toEqual({ a: 'fallback', b: 'x-fallback-y' });
  expect(render(yaml, { env: { A: 'set', B: 'also' } }).resources.fn.props).toEqual({ a: 'set', b: 'x-also-y' });
});

test('an empty environment value counts as unset, as in Serverless Devs', () => {
  expect(render(oneResource("a: ${env('A', 'fallback')}"), { env: { A: '' } }).resources.fn.props.a).toBe('fallback');
});

test('env() without a default fails when the variable is unset', () => {
  expect(() => render(oneResource("a: ${env('NEEDED')}"))).toThrow("env('NEEDED') is not set and s.yaml gives it no default");
});

test('an expression that renders empty is an error, so optional settings cannot hide behind empty defaults', () => {
  expect(() => render(oneResource("a: ${env('OPTIONAL', '')}"))).toThrow(/renders empty/);
});

test('vars are rendered first and a whole-value reference keeps its type', () => {
  const yaml = `
vars:
  region: \${env('REGION', 'cn-shanghai')}
  limits: { memorySize: 512, cpu: 0.5 }
${oneResource('region: ${vars.region}\nlimits: ${vars.limits}\nname: fn-${vars.region}').replace(/^\n/, '')}`;
  expect(render(yaml).resources.fn.props).toEqual({ region: 'cn-shanghai', limits: { memorySize: 512, cpu: 0.5 }, name: 'fn-cn-shanghai' });
});

test('a template is deep-merged under the props that extend it: objects merge, arrays are replaced, ignored keys dropped', () => {
  const yaml = `
edition: 3.0.0
name: t
template:
  base:
    timeout: 10
    memorySize: 512
    environmentVariables: { A: a, B: b }
    triggers: [{ triggerName: one }]
resources:
  fn:
    component: fc3@0.1.25
    extend: { name: base, ignore: [memorySize] }
    props:
      timeout: 5
      environmentVariables: { B: override, C: c }
      triggers: [{ triggerName: two }]
`;
  expect(render(yaml).resources.fn.props).toEqual({
    timeout: 5,
    environmentVariables: { A: 'a', B: 'override', C: 'c' },
    triggers: [{ triggerName: 'two' }],
  });
});

test('a deploy output stays as written until it is known, and is filled in when given', () => {
  const yaml = oneResource('url: ${resources.callback.output.url.system_url}');
  expect(render(yaml).resources.fn.props.url).toBe('${resources.callback.output.url.system_url}');
  const outputs = { 'resources.callback.output.url.system_url': 'https://cb-abc.cn-hangzhou.fcapp.run' };
  expect(render(yaml, { outputs }).resources.fn.props.url).toBe('https://cb-abc.cn-hangzhou.fcapp.run');
});

test('config() reads the deploying account, and fails without one', () => {
  const yaml = oneResource("role: acs:ram::${config('AccountID')}:role/r");
  expect(render(yaml, { config: { AccountID: '42' } }).resources.fn.props.role).toBe('acs:ram::42:role/r');
  expect(() => render(yaml)).toThrow(/config\('AccountID'\) has no value/);
});

test('a ${uid} placeholder is read as a Serverless Devs variable and refused, which is why s.yaml does not set UPLOAD_PREFIX', () => {
  expect(() => render(oneResource('UPLOAD_PREFIX: users/${uid}/'))).toThrow(/\$\{uid\} is not a Serverless Devs variable/);
});

test('a manifest that extends another file is merged over it, and file() reads relative to the manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syaml-'));
  writeFileSync(join(dir, 'base.yaml'), oneResource("a: ${env('A', 'base')}\nb: kept"));
  writeFileSync(join(dir, 'note.txt'), 'from a file');
  writeFileSync(join(dir, 'child.yaml'), "extend: base.yaml\nresources:\n  fn:\n    props:\n      a: child\n      c: ${file('note.txt')}\n");
  expect(loadManifest(join(dir, 'child.yaml'), { env: {} }).resources.fn.props).toEqual({ a: 'child', b: 'kept', c: 'from a file' });
});
