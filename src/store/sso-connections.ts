import type { Knex } from 'knex';

export const SSO_CONNECTIONS = 'sso_connections';
export type SsoProtocol = 'saml' | 'oidc';

interface SsoConnectionRow {
  id: string; org_sid: string; protocol: SsoProtocol; enabled: boolean;
  idp_entity_id: string | null; sso_url: string | null; idp_certificates: string[] | string | null;
  allow_idp_initiated: boolean; allow_sha1: boolean; sp_private_key_encrypted: string | null; sp_certificate: string | null;
  issuer: string | null; client_id: string | null; client_secret_encrypted: string | null; allow_http_issuer: boolean;
  tested_at: Date | null; created_at: Date; updated_at: Date;
}

/** An SSO connection row, secrets still sealed (services decrypt what a protocol adapter needs). */
export interface SsoConnectionRecord {
  readonly id: string;
  readonly orgSid: string;
  readonly protocol: SsoProtocol;
  readonly enabled: boolean;
  readonly idpEntityId: string | null;
  readonly ssoUrl: string | null;
  readonly idpCertificates: readonly string[];
  readonly allowIdpInitiated: boolean;
  readonly allowSha1: boolean;
  readonly spPrivateKeyEncrypted: string | null;
  readonly spCertificate: string | null;
  readonly issuer: string | null;
  readonly clientId: string | null;
  readonly clientSecretEncrypted: string | null;
  readonly allowHttpIssuer: boolean;
  readonly testedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const mapRow = (r: SsoConnectionRow): SsoConnectionRecord => ({
  id: r.id, orgSid: r.org_sid, protocol: r.protocol, enabled: r.enabled,
  idpEntityId: r.idp_entity_id, ssoUrl: r.sso_url,
  // jsonb comes back parsed from pg and PGlite alike; a string means a driver that did not parse it.
  idpCertificates: r.idp_certificates === null ? [] : typeof r.idp_certificates === 'string' ? JSON.parse(r.idp_certificates) : r.idp_certificates,
  allowIdpInitiated: r.allow_idp_initiated, allowSha1: r.allow_sha1,
  spPrivateKeyEncrypted: r.sp_private_key_encrypted, spCertificate: r.sp_certificate,
  issuer: r.issuer, clientId: r.client_id, clientSecretEncrypted: r.client_secret_encrypted, allowHttpIssuer: r.allow_http_issuer,
  testedAt: r.tested_at, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** A new connection; `id` when the caller chose it beforehand (a setup link shows the SP values first). */
export type NewSsoConnection = { id?: string | undefined } & (
  | { protocol: 'saml'; orgSid: string; idpEntityId: string; ssoUrl: string; idpCertificates: readonly string[];
      allowIdpInitiated: boolean; allowSha1: boolean; spPrivateKeyEncrypted: string; spCertificate: string; now: Date }
  | { protocol: 'oidc'; orgSid: string; issuer: string; clientId: string; clientSecretEncrypted: string; allowHttpIssuer: boolean; now: Date });

/** Settings of a connection that may change after it was added (undefined: unchanged). */
export interface SsoConnectionChange {
  readonly idpEntityId?: string; readonly ssoUrl?: string; readonly idpCertificates?: readonly string[];
  readonly allowIdpInitiated?: boolean; readonly allowSha1?: boolean;
  readonly issuer?: string; readonly clientId?: string; readonly clientSecretEncrypted?: string;
}

/** SSO connections of organizations (S1). */
export function ssoConnectionStore(db: Knex | Knex.Transaction) {
  return {
    async insert(c: NewSsoConnection): Promise<SsoConnectionRecord> {
      const common = { ...(c.id !== undefined && { id: c.id }), org_sid: c.orgSid, protocol: c.protocol, created_at: c.now, updated_at: c.now };
      const values = c.protocol === 'saml'
        ? {
          ...common, idp_entity_id: c.idpEntityId, sso_url: c.ssoUrl, idp_certificates: JSON.stringify(c.idpCertificates),
          allow_idp_initiated: c.allowIdpInitiated, allow_sha1: c.allowSha1,
          sp_private_key_encrypted: c.spPrivateKeyEncrypted, sp_certificate: c.spCertificate,
        }
        : { ...common, issuer: c.issuer, client_id: c.clientId, client_secret_encrypted: c.clientSecretEncrypted, allow_http_issuer: c.allowHttpIssuer };
      const [row] = await db(SSO_CONNECTIONS).insert(values).returning('*');
      return mapRow(row as SsoConnectionRow);
    },
    async get(id: string): Promise<SsoConnectionRecord | undefined> {
      const row = await db<SsoConnectionRow>(SSO_CONNECTIONS).where({ id }).first();
      return row && mapRow(row);
    },
    async listByOrg(orgSid: string): Promise<SsoConnectionRecord[]> {
      return (await db<SsoConnectionRow>(SSO_CONNECTIONS).where({ org_sid: orgSid }).orderBy('created_at').orderBy('id')).map(mapRow);
    },
    /**
     * SAML connections of every organization (merged-away ones aside), by id after `afterId`: the
     * housekeeping check of IdP certificate expiry pages through them.
     */
    async listSamlPage(afterId: string | null, limit: number): Promise<SsoConnectionRecord[]> {
      const q = db<SsoConnectionRow>(`${SSO_CONNECTIONS} as c`).join('organizations as o', 'o.sid', 'c.org_sid')
        .where('c.protocol', 'saml').whereNull('o.merged_into_sid').orderBy('c.id').limit(limit).select('c.*');
      if (afterId !== null) q.where('c.id', '>', afterId);
      return (await q).map(mapRow);
    },
    /** Locks the organization's connections, so enforcement and a concurrent test see one state. */
    async lockByOrg(orgSid: string): Promise<SsoConnectionRecord[]> {
      return (await db<SsoConnectionRow>(SSO_CONNECTIONS).where({ org_sid: orgSid }).orderBy('created_at').forUpdate()).map(mapRow);
    },
    /**
     * The connection, locked until the transaction ends (a change and a concurrent test see one
     * state). FOR NO KEY UPDATE: the key-share locks that inserts referencing the row take (replay
     * cache, identities) do not conflict with it, so two tests cannot deadlock.
     */
    async lock(id: string): Promise<SsoConnectionRecord | undefined> {
      const row = await db<SsoConnectionRow>(SSO_CONNECTIONS).where({ id }).forNoKeyUpdate().first();
      return row && mapRow(row);
    },
    /**
     * The connection under a shared lock: sign-ins through it run side by side, and a change (which
     * takes the row's exclusive lock) waits for them, so a sign-in never completes against a test
     * state that a concurrent change is clearing.
     */
    async lockShared(id: string): Promise<SsoConnectionRecord | undefined> {
      const row = await db<SsoConnectionRow>(SSO_CONNECTIONS).where({ id }).forShare().first();
      return row && mapRow(row);
    },
    /** Changes settings; `resetTest` clears the successful test (S1: the connection must be tested again). */
    async updateSettings(id: string, c: SsoConnectionChange, resetTest: boolean, at: Date): Promise<SsoConnectionRecord> {
      const values = {
        ...(c.idpEntityId !== undefined && { idp_entity_id: c.idpEntityId }), ...(c.ssoUrl !== undefined && { sso_url: c.ssoUrl }),
        ...(c.idpCertificates !== undefined && { idp_certificates: JSON.stringify(c.idpCertificates) }),
        ...(c.allowIdpInitiated !== undefined && { allow_idp_initiated: c.allowIdpInitiated }), ...(c.allowSha1 !== undefined && { allow_sha1: c.allowSha1 }),
        ...(c.issuer !== undefined && { issuer: c.issuer }), ...(c.clientId !== undefined && { client_id: c.clientId }),
        ...(c.clientSecretEncrypted !== undefined && { client_secret_encrypted: c.clientSecretEncrypted }),
        ...(resetTest && { tested_at: null }), updated_at: at,
      };
      const [row] = await db(SSO_CONNECTIONS).where({ id }).update(values).returning('*');
      return mapRow(row as SsoConnectionRow);
    },
    /** S1: a test sign-in succeeded. */
    async markTested(id: string, at: Date): Promise<void> {
      await db(SSO_CONNECTIONS).where({ id }).update({ tested_at: at });
    },
    async setEnabled(id: string, enabled: boolean, at: Date): Promise<void> {
      await db(SSO_CONNECTIONS).where({ id }).update({ enabled, updated_at: at });
    },
    /** Deletes the connection; its login state goes with it, linked identities stay (connection_id set null). */
    async remove(id: string): Promise<void> {
      await db(SSO_CONNECTIONS).where({ id }).delete();
    },
  };
}
