// The fc3 component releases we have evidence for. Serverless Devs downloads a pinned component from its
// registry (GET <registry>/packages/fc3/release/tags/<version>; @serverless-devs/s 3.1.10, load-component)
// and stops at once when the tag is missing, so a pin on a version nobody saw published fails every deploy.
//
// Source: devsapp/fc3 publish.yaml, whose `Version:` is what `s registry publish` releases; its history at
// 4ca1c1b (2026-05-28) steps through 0.1.4 (2025-11-13) to 0.1.22 (2026-05-24). Add a version here only
// with such evidence; the deploy workflow also asks the registry itself (scripts/check-fc3-release.ts).

/** Versions of fc3 seen released, oldest first. */
export const FC3_RELEASES_SEEN = [
  '0.1.4', '0.1.5', '0.1.6', '0.1.7', '0.1.8', '0.1.9', '0.1.10', '0.1.11', '0.1.12', '0.1.13',
  '0.1.14', '0.1.15', '0.1.16', '0.1.17', '0.1.18', '0.1.19', '0.1.20', '0.1.21', '0.1.22',
] as const;

/** The registry Serverless Devs 3.1.10 loads components from, unless `s set registry` changed it. */
export const SERVERLESS_DEVS_REGISTRY = 'https://api.devsapp.cn/v3';

/** `fc3@1.2.3` → `1.2.3`; undefined for anything that is not an exact pin of fc3. */
export function fc3Pin(component: unknown): string | undefined {
  const m = typeof component === 'string' ? /^fc3@(\d+\.\d+\.\d+)$/.exec(component) : null;
  return m?.[1];
}

/** Where the registry describes one release of a component (404 when it has none). */
export function releaseUrl(registry: string, component: string, version: string): string {
  return `${registry.replace(/\/+$/, '')}/packages/${encodeURIComponent(component)}/release/tags/${encodeURIComponent(version)}`;
}

/**
 * Asks the registry whether `fc3@version` is published, as Serverless Devs 3.1.10 does before it downloads
 * the component: a 200 whose body names the tag and a zipball. Returns undefined when it is, otherwise why
 * not (a 404, another status, an answer without a zipball, or a network error). Never throws.
 */
export async function missingRelease(version: string, registry = SERVERLESS_DEVS_REGISTRY, timeoutMs = 10_000): Promise<string | undefined> {
  const url = releaseUrl(registry, 'fc3', version);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 404) return `the registry has no fc3@${version} (404 from ${url})`;
    if (!res.ok) return `the registry answered ${res.status} for fc3@${version} (${url})`;
    const body = ((await res.json()) as { body?: { tag_name?: unknown; zipball_url?: unknown } }).body;
    if (typeof body?.zipball_url !== 'string' || body.zipball_url === '') return `the registry's answer for fc3@${version} has no zipball_url`;
    if (body.tag_name !== version) return `the registry answered fc3@${String(body.tag_name)} when asked for ${version}`;
    return undefined;
  } catch (err) {
    return `cannot ask the registry about fc3@${version}: ${(err as Error).message}`;
  }
}
