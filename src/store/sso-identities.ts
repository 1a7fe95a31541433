import type { Knex } from 'knex';

export const SSO_IDENTITIES = 'sso_identities';

export interface SsoIdentityRecord {
  readonly orgSid: string; readonly issuer: string; readonly subject: string; readonly userSid: string;
  readonly connectionId: string | null; readonly createdAt: Date; readonly lastSignInAt: Date | null;
}

interface SsoIdentityRow {
  org_sid: string; issuer: string; subject: string; user_sid: string; connection_id: string | null; created_at: Date; last_sign_in_at: Date | null;
}

const mapRow = (r: SsoIdentityRow): SsoIdentityRecord => ({
  orgSid: r.org_sid, issuer: r.issuer, subject: r.subject, userSid: r.user_sid, connectionId: r.connection_id,
  createdAt: r.created_at, lastSignInAt: r.last_sign_in_at,
});

/** S6: SSO identities, keyed by (organization, issuer, subject); the key is a named constraint. */
export function ssoIdentityStore(db: Knex | Knex.Transaction) {
  return {
    async find(orgSid: string, issuer: string, subject: string): Promise<SsoIdentityRecord | undefined> {
      const row = await db<SsoIdentityRow>(SSO_IDENTITIES).where({ org_sid: orgSid, issuer, subject }).first();
      return row && mapRow(row);
    },
    async hasIssuer(userSid: string, issuer: string): Promise<boolean> {
      return (await db(SSO_IDENTITIES).where({ user_sid: userSid, issuer }).first('user_sid')) !== undefined;
    },
    async insert(i: { orgSid: string; issuer: string; subject: string; userSid: string; connectionId: string; now: Date }): Promise<void> {
      await db(SSO_IDENTITIES).insert({
        org_sid: i.orgSid, issuer: i.issuer, subject: i.subject, user_sid: i.userSid, connection_id: i.connectionId,
        created_at: i.now, last_sign_in_at: i.now,
      });
    },
    async touch(orgSid: string, issuer: string, subject: string, now: Date): Promise<void> {
      await db(SSO_IDENTITIES).where({ org_sid: orgSid, issuer, subject }).update({ last_sign_in_at: now });
    },
    async listByUser(userSid: string): Promise<SsoIdentityRecord[]> {
      return (await db<SsoIdentityRow>(SSO_IDENTITIES).where({ user_sid: userSid }).orderBy('created_at')).map(mapRow);
    },
  };
}
