// `npm start`: the whole flow on loopback, with no configuration and no network.

import type { Config } from '../shared/config';
import { type LocalRuntime, startLocalRuntime } from './runtime';

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  return v && /^\d+$/.test(v) ? Number(v) : fallback;
}

/** Where vended credentials are cached, the password left out. */
function credentialCache(rt: LocalRuntime): string {
  try {
    const cache = rt.config().credentialCache;
    if (!cache) return 'this process only (CREDENTIAL_CACHE_URL=redis://127.0.0.1:6379 shares it through a local redis-server)';
    return `shared through ${cache.tls ? 'rediss' : 'redis'}://${cache.host}:${cache.port}/${cache.db}`;
  } catch {
    return 'not configured yet: the first request will say what is wrong';
  }
}

/** The runtime on the ports and data folder `env` names, its handlers configured from `env` (read, never written). */
async function main(env: NodeJS.ProcessEnv) {
  // LOCAL_PER_FUNCTION_URLS: each function on a port of its own, as `s deploy` gives each its own origin.
  const perFunction = /^(true|1)$/i.test(env.LOCAL_PER_FUNCTION_URLS?.trim() ?? '');
  const rt = await startLocalRuntime({
    port: port(env, 'PORT', 8787),
    ossPort: port(env, 'LOCAL_OSS_PORT', 8788),
    stsPort: port(env, 'LOCAL_STS_PORT', 8789),
    dataDir: env.LOCAL_DATA_DIR ?? '.local-data',
    baseEnv: env,
    ...(perFunction ? { functionPorts: { token: 0, sign: 0, callback: 0 } } : {}),
  });
  let config: Config;
  try {
    config = rt.config();
  } catch (err) {
    await rt.stop();
    throw err;
  }
  const urls = rt.functionUrls;
  const lines = [
    `Direct-to-OSS upload runtime (${rt.mode}) is up:`,
    `  demo page        ${rt.appUrl}/`,
    `  token            POST ${urls.token}`,
    `  sign             POST ${urls.sign}`,
    `  callback         POST ${urls.callback}`,
    `  dev sign-in      POST ${rt.appUrl}/api/dev/login {"user":"alice"}`,
    `  client config    ${JSON.stringify(rt.clientConfig)}`,
  ];
  if (rt.ossUrl) lines.push(`  local OSS        ${rt.ossUrl}  (bucket ${config.rules.bucket}, region ${config.rules.region})`, `  local STS        ${rt.stsUrl}`);
  lines.push(`  credential cache ${credentialCache(rt)}`);
  for (const o of rt.overrides) lines.push(`  overridden       ${o.name}: ${o.instead}`);
  lines.push('Press Ctrl+C to stop.');
  process.stderr.write(lines.join('\n') + '\n');
  const stop = () => {
    rt.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.env).catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
