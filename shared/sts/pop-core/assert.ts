// Bundled in place of node:assert for pop-core's RPC client (scripts/bundle-options.ts), which calls
// it only in its constructor, on the options it is given (endpoint, API version, key id and secret).
// Node's assert module brings its AssertionError with diffs and colours (five internal modules, about
// 1 ms of a cold start) for messages no caller ever sees: assumeRole classifies any failure by kind.

/** `assert(value, message)` as pop-core calls it: throws when value is falsy, as Node's does (name AssertionError, code ERR_ASSERTION). */
function assert(value: unknown, message: string): asserts value {
  if (!value) throw Object.assign(new Error(message), { name: 'AssertionError', code: 'ERR_ASSERTION' });
}

export = assert;
