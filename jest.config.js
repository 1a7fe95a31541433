// Jest runs in its ESM mode (openid-client and oidc-provider are ESM-only); swc strips types,
// `npm run typecheck` checks them.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'es6' },
      sourceMaps: 'inline',
    }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Every Organizations API response is checked against the OpenAPI document (issue 10).
  setupFilesAfterEnv: ['<rootDir>/test/support/check-api-responses.ts'],
  // Hooks share this budget: a file's beforeAll opens its database (a copy of one migrated
  // snapshot on PGlite, test/support/global-setup.mjs) and seeds, which a busy two-core machine
  // can stretch well past its usual second or two.
  testTimeout: 60000,
  // A file whose beforeAll fails may leave a socket open; the run must still end with its
  // verdict rather than wait for CI's time limit (it once did, for 80 minutes).
  forceExit: true,
};
