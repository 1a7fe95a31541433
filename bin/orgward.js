#!/usr/bin/env node
// The operator CLI; built to dist/ by `npm ci` (prepare) or `npm run build`.
import '../dist/src/cli/main.js';
