// Type declarations of pitchtap's public API: the main-thread module js/pitchtap.js,
// published as pkg/index.js. One file per subject in types/, re-exported here;
// scripts/package.mjs ships this file as pkg/index.d.ts and the others in pkg/types/.
// Keep them in step with js/main/ and docs/api.md; tests/types/consumer.ts uses every
// declaration and `make test-types` type-checks it with `tsc --strict`.

export * from './types/constants.js';
export * from './types/options.js';
export * from './types/events.js';
export * from './types/stats.js';
export * from './types/tap.js';
export * from './types/analyze.js';
