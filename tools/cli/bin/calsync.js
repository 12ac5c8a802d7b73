#!/usr/bin/env node
// Runs the TypeScript sources through tsx when it is installed (a checkout after `npm ci`), so an
// edited source is never shadowed by a stale build; falls back to the build (`npm run build`) without it.
'use strict';
const path = require('node:path');
let entry;
try {
  require('tsx/cjs/api').register();
  entry = path.join(__dirname, '..', 'src', 'main.ts');
} catch {
  entry = path.join(__dirname, '..', 'dist', 'main.js');
}
require(entry).main();
