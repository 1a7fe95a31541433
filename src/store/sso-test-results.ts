import type { Knex } from 'knex';

const SSO_TEST_RESULTS = 'sso_test_results';

/** What the IdP sent in a test sign-in (no secrets: identifiers and profile only). */
export interface SsoTestAttributes {
  readonly issuer?: string;
  readonly subject?: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly displayName?: string | null;
  readonly givenName?: string | null;
  readonly familyName?: string | null;
}

/** The last test sign-in of a connection (S1). */
export interface SsoTestResult {
  readonly connectionId: string;
  readonly orgSid: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attributes: SsoTestAttributes;
  readonly testedAt: Date;
}

interface Row { connection_id: string; org_sid: string; outcome: 'succeeded' | 'failed'; error_code: string | null; error_message: string | null; attributes: SsoTestAttributes | string; tested_at: Date }

const mapRow = (r: Row): SsoTestResult => ({
  connectionId: r.connection_id, orgSid: r.org_sid, outcome: r.outcome, errorCode: r.error_code, errorMessage: r.error_message,
  attributes: typeof r.attributes === 'string' ? JSON.parse(r.attributes) as SsoTestAttributes : r.attributes, testedAt: r.tested_at,
});

/** The last test result of each SSO connection: one row per connection, replaced by each test. */
export function ssoTestResultStore(db: Knex | Knex.Transaction) {
  return {
    async record(r: SsoTestResult): Promise<void> {
      await db(SSO_TEST_RESULTS).insert({
        connection_id: r.connectionId, org_sid: r.orgSid, outcome: r.outcome, error_code: r.errorCode,
        error_message: r.errorMessage?.slice(0, 2000) ?? null, attributes: JSON.stringify(r.attributes), tested_at: r.testedAt,
      }).onConflict('connection_id').merge();
    },
    async get(connectionId: string): Promise<SsoTestResult | undefined> {
      const row = await db<Row>(SSO_TEST_RESULTS).where({ connection_id: connectionId }).first();
      return row && mapRow(row);
    },
  };
}
