// What `s info -o json` says about a deployment, turned into what a client is handed: the URL of each
// function it calls, or one base URL when a custom domain fronts them.
//
// The output's shape is the fc3 component's (devsapp/fc3 src/subCommands/info/index.ts, read at
// 4ca1c1b): one object per resource of s.yaml, keyed by its name (token, sign, callback), holding the
// function's configuration and `url: { system_url, system_intranet_url, custom_domain }`, where
// `system_url` is the LATEST HTTP trigger's internet URL (absent when that URL is disabled) and
// `custom_domain` the domain name (no scheme) when the resource has a customDomain; `customDomain` then
// holds the fc3-domain component's view of it (protocol, routeConfig.routes[].path).

/**
 * The configuration a client of this deployment is given: the full URL of each function it calls by
 * POST (`endpoints`, one origin per function, as `s deploy` makes them) or, behind a custom domain, one
 * base URL the client appends `token` and `sign` to.
 */
export type ClientConfig = { endpoints: { token: string; sign: string } } | { baseUrl: string };

/** `s info -o json` output that does not describe the deployment s.yaml makes; the message says what is missing. */
export class SInfoError extends Error {
  override name = 'SInfoError';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON object in `s info -o json` output; anything printed before it (a warning line) is skipped. */
function parseInfo(text: string): Json {
  const start = text.indexOf('{');
  let info: unknown;
  try {
    info = start < 0 ? undefined : JSON.parse(text.slice(start));
  } catch {
    info = undefined;
  }
  if (!isObject(info)) throw new SInfoError('expected the JSON object `s info -o json` prints');
  return info;
}

function resource(info: Json, name: 'token' | 'sign'): Json {
  const r = info[name];
  if (!isObject(r)) throw new SInfoError(`no "${name}" resource: run \`s info -o json\` in the folder of this project's s.yaml`);
  if (isObject(r.error)) throw new SInfoError(`s info could not read the ${name} function: ${String(r.error.message ?? r.error.code ?? 'unknown error')}`);
  return r;
}

function urlOf(r: Json): Json {
  return isObject(r.url) ? r.url : {};
}

/**
 * The URL a custom domain serves this function's routes under (`https://uploads.example.com/api/`):
 * the scheme from the domain's protocol (HTTPS when it serves HTTPS at all), the path from its route to
 * the function, as s.domain.yaml writes it (`/api/token`), without the function's name.
 */
function domainBase(r: Json, name: string, domain: string): string {
  const cd = isObject(r.customDomain) ? r.customDomain : {};
  const protocol = typeof cd.protocol === 'string' && !/HTTPS/i.test(cd.protocol) ? 'http' : 'https';
  const routes = isObject(cd.routeConfig) && Array.isArray(cd.routeConfig.routes) ? cd.routeConfig.routes.filter(isObject) : [];
  const path = routes.map((route) => route.path).find((p): p is string => typeof p === 'string' && p.endsWith(`/${name}`)) ?? `/api/${name}`;
  return `${protocol}://${domain}${path.slice(0, -name.length)}`;
}

/**
 * The client configuration for the deployment `text` (the output of `s info -o json`) describes.
 * A base URL when token and sign share a custom domain at one path; otherwise each function's own
 * trigger URL with its route (`<system_url>/token`, `<system_url>/sign`).
 * Throws SInfoError naming what is missing.
 */
export function clientConfigFromSInfo(text: string): ClientConfig {
  const info = parseInfo(text);
  const token = resource(info, 'token');
  const sign = resource(info, 'sign');
  const [tokenDomain, signDomain] = [urlOf(token).custom_domain, urlOf(sign).custom_domain];
  if (typeof tokenDomain === 'string' && tokenDomain !== '' && tokenDomain === signDomain) {
    const base = domainBase(token, 'token', tokenDomain);
    if (base === domainBase(sign, 'sign', signDomain)) return { baseUrl: base };
  }
  const system = (r: Json, name: string): string => {
    const url = urlOf(r).system_url;
    if (typeof url !== 'string' || url === '') {
      throw new SInfoError(`the ${name} function has no url.system_url: its HTTP trigger is missing or its internet URL is disabled`);
    }
    return `${url.replace(/\/+$/, '')}/${name}`;
  };
  return { endpoints: { token: system(token, 'token'), sign: system(sign, 'sign') } };
}
