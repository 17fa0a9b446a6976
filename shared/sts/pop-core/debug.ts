// Bundled in place of debug for httpx, pop-core's HTTP client (scripts/bundle-options.ts). httpx logs
// through debug only when DEBUG names httpx:*, and then writes AssumeRole's request and answer bodies,
// the function's own key id and security token and the credentials STS vends, to stderr: into the
// function's log. A deployed function never logs them, and does not load debug's terminal and
// environment probing (supports-color, tty) at cold start. Tests and the local runtime run httpx with
// debug itself.

/** A debug logger as httpx uses one: called with a format and arguments, and asked whether it is enabled. */
interface Logger {
  (...args: unknown[]): void;
  enabled: boolean;
}

/** `require('debug')(namespace)`: a logger that is never enabled and writes nothing. */
function debug(_namespace: string): Logger {
  return Object.assign(() => {}, { enabled: false });
}

export = debug;
