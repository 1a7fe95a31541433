/** The product's apps, registered as OpenID Connect clients (only the secret's digest is stored). */
import type { Knex } from 'knex';

export const OIDC_APPS = 'oidc_apps';

interface AppRow {
  client_id: string; name: string; redirect_uris: string[] | string; public: boolean; secret_hash: string | null;
  backchannel_logout_uri: string | null; first_party: boolean; created_at: Date;
}

export interface OidcAppRecord {
  /** 'AP' + 32 lowercase hex. */
  readonly clientId: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly public: boolean;
  readonly secretHash: string | null;
  readonly backchannelLogoutUri: string | null;
  readonly firstParty: boolean;
  readonly createdAt: Date;
}

const mapRow = (r: AppRow): OidcAppRecord => ({
  clientId: r.client_id, name: r.name,
  // PGlite and pg both parse jsonb; a string is tolerated for drivers that do not.
  redirectUris: typeof r.redirect_uris === 'string' ? JSON.parse(r.redirect_uris) as string[] : r.redirect_uris,
  public: r.public, secretHash: r.secret_hash, backchannelLogoutUri: r.backchannel_logout_uri, firstParty: r.first_party, createdAt: r.created_at,
});

export function oidcAppStore(db: Knex | Knex.Transaction) {
  return {
    async insert(a: Omit<OidcAppRecord, 'createdAt'>): Promise<OidcAppRecord> {
      const [row] = await db<AppRow>(OIDC_APPS).insert({
        client_id: a.clientId, name: a.name, redirect_uris: JSON.stringify(a.redirectUris), public: a.public,
        secret_hash: a.secretHash, backchannel_logout_uri: a.backchannelLogoutUri, first_party: a.firstParty,
      }).returning('*');
      return mapRow(row as AppRow);
    },
    async get(clientId: string): Promise<OidcAppRecord | undefined> {
      const row = await db<AppRow>(OIDC_APPS).where({ client_id: clientId }).first();
      return row && mapRow(row);
    },
    async list(): Promise<OidcAppRecord[]> {
      return (await db<AppRow>(OIDC_APPS).orderBy(['created_at', 'client_id'])).map(mapRow);
    },
    async delete(clientId: string): Promise<boolean> {
      return (await db(OIDC_APPS).where({ client_id: clientId }).delete()) > 0;
    },
  };
}
