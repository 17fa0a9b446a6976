// Renders a Serverless Devs 3 manifest offline, for the part of its language our s.yaml uses, so tests
// and CI can check what `s deploy` would hand the fc3 component without installing Serverless Devs
// (its preview and verify commands may reach the network).
//
// Semantics follow Serverless Devs' parse-spec and its template compiler:
// - `${...}` in string values only; a value that is one whole expression keeps the expression's type
//   (so `${vars.cert}` can be an object); a rendered string that still holds `${` is rendered once more;
// - an expression that renders empty is an error (Serverless Devs reports "<magic> not found"), which is
//   why optional settings are left out of s.yaml rather than given empty defaults;
// - `env('X')` without a default is an error when X is unset or empty;
// - `template` + `extend: {name, ignore}` deep-merges a template under a resource's props, and a file's
//   own `extend: <file>` deep-merges it over another manifest; arrays are replaced, not merged;
// - `access` is never rendered: Serverless Devs 3.1.10 looks the alias up (ParseSpec getSteps() calls
//   getAccess(), which returns the raw `access` value) before it compiles the rest of the file.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export class RenderError extends Error {
  override name = 'RenderError';
}

export interface RenderOptions {
  /** Stands in for process.env. */
  env: Record<string, string | undefined>;
  /** What `${config('AccountID')}` reads; Serverless Devs takes it from the credentials in use. */
  config?: Record<string, string>;
  /**
   * Values of `${resources.<name>.output.<path>}` by their dotted name. Deploy outputs exist only once
   * the named resource is deployed; those not given stay as written.
   */
  outputs?: Record<string, string>;
  /** Directory that `file()` paths are relative to: the manifest's own. */
  baseDir?: string;
}

export interface Resource {
  component: string;
  props: Record<string, unknown>;
  actions?: Record<string, unknown>;
}

export interface Manifest {
  edition: unknown;
  name: unknown;
  access?: unknown;
  vars: Record<string, unknown>;
  actions: Record<string, unknown>;
  resources: Record<string, Resource>;
}

type Doc = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge as Serverless Devs does it (extend2, deep): objects merge, everything else replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function readYaml(file: string): Doc {
  const doc: unknown = parse(readFileSync(file, 'utf8'), { merge: true });
  if (!isPlainObject(doc)) throw new RenderError(`${file} is not a YAML mapping`);
  return doc;
}

/** The manifest as written, with a file-level `extend:` already merged: the thing to mutate in tests. */
export function readManifestDoc(file: string): Doc {
  const doc = readYaml(file);
  if (doc.extend === undefined) return doc;
  if (typeof doc.extend !== 'string') throw new RenderError(`${file}: a file-level extend names another manifest file`);
  const { extend, ...own } = doc;
  return deepMerge(readManifestDoc(resolve(dirname(file), extend)), own) as Doc;
}

export function loadManifest(file: string, opts: RenderOptions): Manifest {
  return renderManifest(readManifestDoc(file), { baseDir: dirname(resolve(file)), ...opts });
}

interface Context {
  opts: RenderOptions;
  vars: Doc;
}

const MAGIC = /\$\{([^{}]*)\}/g;
const WHOLE = /^\$\{([^{}]*)\}$/;

function renderString(s: string, ctx: Context, pass = 0): unknown {
  const whole = WHOLE.exec(s);
  const out = whole ? evaluate(whole[1], ctx) : s.replace(MAGIC, (_, expr: string) => String(evaluate(expr, ctx)));
  return pass === 0 && typeof out === 'string' && out !== s && out.includes('${') ? renderString(out, ctx, 1) : out;
}

function renderValue(v: unknown, ctx: Context): unknown {
  if (typeof v === 'string') return renderString(v, ctx);
  if (Array.isArray(v)) return v.map((x) => renderValue(x, ctx));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderValue(x, ctx)]));
  return v;
}

// Expressions: a dotted path (vars.x, resources.r.output.y), or env()/config()/file() whose arguments are
// string or number literals or further calls.
type Token = { kind: 'name' | 'string' | 'number' | 'punct'; text: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)|'([^']*)'|"([^"]*)"|(\d+(?:\.\d+)?)|([(),]))/y;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) throw new RenderError(`cannot read \${${src}} at "${src.slice(at)}"`);
    if (m[1] !== undefined) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) tokens.push({ kind: 'string', text: m[2] ?? m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else tokens.push({ kind: 'punct', text: m[5] });
    at = re.lastIndex;
  }
  return tokens;
}

function evaluate(src: string, ctx: Context): unknown {
  const tokens = tokenize(src);
  let i = 0;
  const fail = (why: string): never => {
    throw new RenderError(`\${${src}}: ${why}`);
  };
  const expr = (): unknown => {
    const t = tokens[i++] ?? fail('the expression ends early');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind !== 'name') return fail(`unexpected "${t.text}"`);
    if (tokens[i]?.text !== '(') return lookup(t.text, src, ctx);
    i++;
    const args: unknown[] = [];
    while (tokens[i]?.text !== ')') {
      args.push(expr());
      if (tokens[i]?.text === ',') i++;
      else if (tokens[i]?.text !== ')') fail('expected "," or ")"');
    }
    i++;
    return call(t.text, args, src, ctx);
  };
  const value = expr();
  if (i !== tokens.length) fail('unexpected text after the expression');
  if (value === undefined || value === null || value === '') fail('renders empty, which Serverless Devs reports as not found');
  return value;
}

function call(fn: string, args: unknown[], src: string, ctx: Context): unknown {
  const [name, fallback] = args;
  if (typeof name !== 'string') throw new RenderError(`\${${src}}: ${fn}() takes a string`);
  switch (fn) {
    case 'env': {
      const v = ctx.opts.env[name];
      if (v) return v;
      if (fallback !== undefined) return fallback;
      throw new RenderError(`env('${name}') is not set and s.yaml gives it no default`);
    }
    case 'config': {
      const v = ctx.opts.config?.[name];
      if (v) return v;
      throw new RenderError(`config('${name}') has no value: Serverless Devs reads it from the credentials (AccountID)`);
    }
    case 'file':
      try {
        return readFileSync(resolve(ctx.opts.baseDir ?? '.', name), 'utf8');
      } catch {
        throw new RenderError(`file('${name}') cannot be read`);
      }
    default:
      throw new RenderError(`\${${src}}: ${fn}() is not supported here (env, config and file are)`);
  }
}

function lookup(path: string, src: string, ctx: Context): unknown {
  const [head, ...rest] = path.split('.');
  if (head === 'vars') {
    let v: unknown = ctx.vars;
    for (const k of rest) v = isPlainObject(v) ? v[k] : undefined;
    if (v === undefined) throw new RenderError(`\${${src}}: vars has no ${rest.join('.')}`);
    return v;
  }
  if (head === 'resources' && rest[1] === 'output') return ctx.opts.outputs?.[path] ?? `\${${path}}`;
  throw new RenderError(`\${${src}} is not a Serverless Devs variable this renderer supports (vars.*, resources.*.output.*, env, config, file)`);
}

/** True when a rendered value still refers to a deploy output, to be filled in during `s deploy`. */
export function isDeployOutput(v: unknown): v is string {
  return typeof v === 'string' && /\$\{resources\.[\w-]+\.output\./.test(v);
}

export function renderManifest(doc: Doc, opts: RenderOptions): Manifest {
  const { resources, template, extend: _fileExtend, access, ...rest } = doc;
  const templates = isPlainObject(template) ? template : {};
  const rawVars = isPlainObject(rest.vars) ? rest.vars : {};
  const top = renderValue(rest, { opts, vars: rawVars }) as Doc;
  const ctx: Context = { opts, vars: isPlainObject(top.vars) ? top.vars : {} };

  const out: Record<string, Resource> = {};
  for (const [name, raw] of Object.entries(isPlainObject(resources) ? resources : {})) {
    if (!isPlainObject(raw)) throw new RenderError(`resources.${name} is not a mapping`);
    let props = isPlainObject(raw.props) ? raw.props : {};
    if (raw.extend !== undefined) {
      const ext = isPlainObject(raw.extend) ? raw.extend : {};
      const base = typeof ext.name === 'string' ? templates[ext.name] : undefined;
      if (!isPlainObject(base)) throw new RenderError(`resources.${name}.extend names no template`);
      const ignore = Array.isArray(ext.ignore) ? ext.ignore : [];
      const kept = Object.fromEntries(Object.entries(base).filter(([k]) => !ignore.includes(k)));
      props = deepMerge(kept, props) as Doc;
    }
    const rendered = renderValue({ component: raw.component, props, actions: raw.actions }, ctx) as Resource;
    if (rendered.actions === undefined) delete rendered.actions;
    out[name] = rendered;
  }
  return {
    edition: top.edition,
    name: top.name,
    access,
    vars: ctx.vars,
    actions: isPlainObject(top.actions) ? top.actions : {},
    resources: out,
  };
}
