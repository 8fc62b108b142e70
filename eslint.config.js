// ESLint for the JavaScript we own (`make lint` runs `eslint .`): @eslint/js's recommended
// rules, with the globals of the scope each folder's code runs in. Layout is Prettier's
// (.prettierrc.json), so no stylistic rules here. TypeScript (js/index.d.ts, js/types/,
// tests/types/) is checked by `tsc --strict` (`make test-types`) and formatted by Prettier.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    ignores: [
      'pkg/',
      'target/',
      'node_modules/',
      'tests/artifacts/',
      'tests/fixtures/*/dist/',
      'tests/fixtures/*/node_modules/',
    ],
  },
  js.configs.recommended,
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  // Node: the build scripts, the test runner, the benches' drivers. Those that drive a
  // browser pass functions to page.evaluate(), which run in the page: browser globals too.
  {
    files: ['**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: [
      'tests/e2e/**/*.mjs',
      'benches/browser/*.mjs',
      'scripts/soak.mjs',
      'scripts/stall-bound.mjs',
    ],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  // The main thread of a page: the npm entry, the demo, the examples, test and bench pages.
  {
    files: [
      'js/*.js',
      'js/main/*.js',
      'www/**/*.js',
      'examples/**/*.js',
      'tests/e2e/pages/*.js',
      'tests/fixtures/*/*.js',
      'benches/browser/*.js',
    ],
    ignores: ['benches/browser/*-processor.js', 'benches/browser/*-processors.js'],
    languageOptions: { globals: globals.browser },
  },
  // AudioWorkletGlobalScope (sampleRate, currentFrame, registerProcessor, …; no TextDecoder):
  // pitchtap's worklet and the benches' processors.
  {
    files: ['js/worklet/*.js', 'benches/browser/*-processor.js', 'benches/browser/*-processors.js'],
    languageOptions: { globals: globals.audioWorklet },
  },
];
