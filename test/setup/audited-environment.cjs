// The audited test environment (audited-environment.ts) for runners that load it with Node's own
// require, outside jest's transform: Stryker's jest runner wraps the configured environment that way
// (stryker.config.mjs). tsx compiles the TypeScript for this one require, without a global hook.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./audited-environment.ts', __filename);
