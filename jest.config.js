/**
 * Three projects: `unit` (pure logic, beside the code in src/), `integration`
 * (real MariaDB, real NATS, the Cal.com sandbox; in each package's test/ folder
 * and the top-level test/) and `e2e` (test/e2e: the three services as processes,
 * driven over HTTP; `npm run test:e2e`, not part of `npm test`).
 * All run with TZ=UTC (set in jest.setup-env.js before any module loads).
 */
const moduleNameMapper = {
  '^@calsync/calcom-sandbox$': '<rootDir>/tools/calcom-sandbox/src/index.ts',
  '^@calsync/(.*)$': '<rootDir>/libs/$1/src/index.ts',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  transform,
  setupFiles: ['<rootDir>/jest.setup-env.js'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
module.exports = {
  // Integration tests wait for real outcomes (outages, retries); unit tests finish far sooner.
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,tools}/*/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,tools}/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
    },
    // Runs the built services (npm run test:e2e builds first): what the container image runs.
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
