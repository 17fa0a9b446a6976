// `npm run client-config`: what to hand each client after `s deploy`, from `s info -o json`.
//
//   npx s info -o json > s-info.json && npm run client-config -- s-info.json
//   npx s info -o json | npm run --silent client-config
//
// Prints {"endpoints":{"token":"<URL>","sign":"<URL>"}} (each function on its own *.fcapp.run origin,
// as a default deployment is) or {"baseUrl":"https://<domain>/api/"} (behind s.domain.yaml's domain).

import { readFileSync } from 'node:fs';
import { clientConfigFromSInfo, SInfoError } from '../deploy/s-info';

if (require.main === module) {
  try {
    const [file] = process.argv.slice(2);
    const text = readFileSync(file ?? 0, 'utf8');
    process.stdout.write(`${JSON.stringify(clientConfigFromSInfo(text), null, 2)}\n`);
  } catch (err) {
    console.error(err instanceof SInfoError ? `client-config: ${err.message}` : err);
    process.exit(1);
  }
}
