/**
 * Jest setup (setupFilesAfterEnv): fails the test whose API responses did not match the
 * OpenAPI document (test/support/api-responses.ts records them).
 */
import { takeMismatches } from './api-responses.js';

function check(): void {
  const found = takeMismatches();
  if (found.length > 0) throw new Error(`API responses that do not match /openapi.json:\n${found.join('\n')}`);
}

afterEach(check);
// Responses produced in beforeAll hooks or after the last test.
afterAll(check);
