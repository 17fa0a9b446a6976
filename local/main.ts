// `npm start`: the whole flow on loopback, with no configuration and no network.

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
  const rt = await startLocalRuntime({
    port: port(env, 'PORT', 8787),
    ossPort: port(env, 'LOCAL_OSS_PORT', 8788),
    stsPort: port(env, 'LOCAL_STS_PORT', 8789),
    dataDir: env.LOCAL_DATA_DIR ?? '.local-data',
    baseEnv: env,
  });
  const lines = [
    `Direct-to-OSS upload runtime (${rt.mode}) is up:`,
    `  demo page        ${rt.appUrl}/`,
    `  token            POST ${rt.appUrl}/api/token`,
    `  sign             POST ${rt.appUrl}/api/sign`,
    `  callback         POST ${rt.appUrl}/api/callback`,
    `  dev sign-in      POST ${rt.appUrl}/api/dev/login {"user":"alice"}`,
  ];
  if (rt.ossUrl) lines.push(`  local OSS        ${rt.ossUrl}  (bucket local-uploads, region cn-hangzhou)`, `  local STS        ${rt.stsUrl}`);
  lines.push(`  credential cache ${credentialCache(rt)}`);
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
