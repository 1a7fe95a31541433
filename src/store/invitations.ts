import type { Knex } from 'knex';
import type { Invitation } from '../types.js';

export const INVITATIONS = 'invitations';

interface InvitationRow {
  id: string; org_sid: string; email: string; role: 'admin' | 'standard'; token_hash: string; invited_by: string | null;
  expires_at: Date; accepted_at: Date | null; revoked_at: Date | null; created_at: Date;
}

const mapRow = (r: InvitationRow): Invitation => ({
  id: r.id, orgSid: r.org_sid, email: r.email, role: r.role, invitedBy: r.invited_by, expiresAt: r.expires_at,
  acceptedAt: r.accepted_at, revokedAt: r.revoked_at, createdAt: r.created_at,
});

export function invitationStore(db: Knex | Knex.Transaction) {
  const pending = (now: Date) => db<InvitationRow>(INVITATIONS).whereNull('accepted_at').whereNull('revoked_at').where('expires_at', '>', now);
  return {
    async insert(i: { orgSid: string; email: string; role: 'admin' | 'standard'; tokenHash: string; invitedBy: string | null; expiresAt: Date }): Promise<Invitation> {
      const [row] = await db<InvitationRow>(INVITATIONS).insert({
        org_sid: i.orgSid, email: i.email, role: i.role, token_hash: i.tokenHash, invited_by: i.invitedBy, expires_at: i.expiresAt,
      }).returning('*');
      return mapRow(row as InvitationRow);
    },
    /** Locks and returns one invitation of the organization by id. */
    async get(orgSid: string, id: string): Promise<Invitation | undefined> {
      const row = await db<InvitationRow>(INVITATIONS).where({ id, org_sid: orgSid }).forUpdate().first();
      return row && mapRow(row);
    },
    async revoke(id: string, at: Date): Promise<void> {
      await db(INVITATIONS).where({ id }).whereNull('accepted_at').whereNull('revoked_at').update({ revoked_at: at });
    },
    async getByTokenHash(tokenHash: string): Promise<Invitation | undefined> {
      const row = await db<InvitationRow>(INVITATIONS).where({ token_hash: tokenHash }).forUpdate().first();
      return row && mapRow(row);
    },
    /** The pending, unexpired invitation of this email into this organization (S5, D6). */
    async pendingFor(orgSid: string, email: string, now: Date): Promise<Invitation | undefined> {
      const row = await pending(now).where({ org_sid: orgSid }).whereRaw('lower(email) = lower(?)', [email]).first();
      return row && mapRow(row);
    },
    /** The same, locked: a re-invitation decides on it and replaces it in one transaction. */
    async lockPendingFor(orgSid: string, email: string, now: Date): Promise<Invitation | undefined> {
      const row = await pending(now).where({ org_sid: orgSid }).whereRaw('lower(email) = lower(?)', [email]).forUpdate().first();
      return row && mapRow(row);
    },
    async listPending(orgSid: string, now: Date): Promise<Invitation[]> {
      return (await pending(now).where({ org_sid: orgSid }).orderBy('created_at')).map(mapRow);
    },
    async markAccepted(id: string, at: Date): Promise<void> {
      await db(INVITATIONS).where({ id }).update({ accepted_at: at });
    },
    /** Expired or replaced invitations stop blocking a new one for the same email. */
    async revokeOpen(orgSid: string, email: string, at: Date): Promise<number> {
      return db(INVITATIONS).where({ org_sid: orgSid }).whereRaw('lower(email) = lower(?)', [email])
        .whereNull('accepted_at').whereNull('revoked_at').update({ revoked_at: at });
    },
    /** A merged Candidate's open invitations end with it (M3): they invited people into an organization that ceases. */
    async revokeAllOpen(orgSid: string, at: Date): Promise<number> {
      return db(INVITATIONS).where({ org_sid: orgSid }).whereNull('accepted_at').whereNull('revoked_at').update({ revoked_at: at });
    },
  };
}
