// Child process: the user's emulated link (bench/link.ts), one proxy per upstream port given as
// arguments (the app gateway, the OSS endpoint), all crossing the same link, so signing requests and
// uploads share its bandwidth. Kept out of the bench's event loop so the client's work does not
// delay the link's timers.

import { answerParent } from './child';
import { Link, type LinkSettings, startLinkProxy } from './link';

/** What the parent may ask (see answerParent). */
export interface LinkCommands {
  [command: string]: (arg: never) => unknown;
  /** `http://127.0.0.1:PORT` of each proxy, in the order of the arguments. */
  urls(): string[];
  set(settings: LinkSettings): void;
  /** Connections each proxy has accepted so far. */
  connections(): number[];
}

async function main(): Promise<void> {
  const link = new Link();
  const proxies = await Promise.all(process.argv.slice(2).map((port) => startLinkProxy(link, Number(port))));
  const commands: LinkCommands = {
    urls: () => proxies.map((p) => p.url),
    set: (settings) => {
      link.settings = settings;
    },
    connections: () => proxies.map((p) => p.connections),
  };
  answerParent(commands);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
