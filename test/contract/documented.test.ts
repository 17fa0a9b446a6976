// What the README promises is what the code does: every error code it documents is the catalogue's,
// with the catalogue's status, and back; every default it states, and every default s.yaml falls
// back to, is the configuration's own (shared/config DEFAULTS).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ERRORS } from '../../shared/api/errors';
import { DEFAULTS } from '../../shared/config';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const S_YAML = readFileSync(join(ROOT, 's.yaml'), 'utf8');

/** The lines of the README section under `heading`, up to the next heading of any level. */
function section(heading: string): string[] {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && /^#{1,6} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The cells of a Markdown table's body rows. */
function rows(lines: string[]): string[][] {
  return lines.filter((l) => /^\|/.test(l) && !/^\|[-| ]+\|$/.test(l)).slice(1).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('error codes', () => {
  const documented = rows(section('### Error codes')).map(([code, status]) => [backticked(code)[0], Number(status)] as const);

  test('every code the README documents is in the catalogue, with the catalogue\'s status', () => {
    const catalogue = Object.fromEntries(Object.entries(API_ERRORS).map(([code, spec]) => [code, spec.status]));
    const wrong = documented.filter(([code, status]) => catalogue[code] !== status);
    expect(wrong).toEqual([]);
  });

  test('every catalogue code is documented in the README, once', () => {
    const codes = documented.map(([code]) => code);
    expect([...codes].sort()).toEqual(Object.keys(API_ERRORS).sort());
  });

  test('the codes /sign lists as 400s are catalogue codes with status 400', () => {
    const paragraph = section('### `POST /sign`').join(' ');
    const listed = backticked(/Bad requests are 400 with a specific code: ([^.]*)\./.exec(paragraph)?.[1] ?? '');
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.filter((code) => API_ERRORS[code as keyof typeof API_ERRORS]?.status !== 400)).toEqual([]);
  });
});

describe('defaults', () => {
  test('the README\'s configuration table states the default of every optional variable as the configuration applies it', () => {
    const stated: Record<string, string> = {};
    for (const [names, defaults] of rows(section('## Configuration'))) {
      const n = backticked(names);
      const d = backticked(defaults);
      // `A` / `B` | `1` / `2` states two defaults in one row.
      if (n.length === d.length) n.forEach((name, i) => (stated[name] = d[i]));
    }
    const expected = Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, DEFAULTS[name as keyof typeof DEFAULTS]]));
    expect(Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, stated[name]]))).toEqual(expected);
  });

  test('every default s.yaml falls back to for a configuration variable is the configuration\'s', () => {
    const fallbacks = [...S_YAML.matchAll(/\$\{env\('([A-Z0-9_]+)', '([^']*)'\)\}/g)].filter(([, name]) => name in DEFAULTS);
    expect(fallbacks.map(([, name]) => name)).toEqual(expect.arrayContaining(['UPLOAD_CONTENT_TYPES', 'UPLOAD_MAX_SIZE', 'URL_EXPIRES_SECONDS']));
    expect(fallbacks.filter(([, name, value]) => DEFAULTS[name as keyof typeof DEFAULTS] !== value)).toEqual([]);
  });
});
