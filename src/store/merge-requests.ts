import type { Knex } from 'knex';

export const MERGE_REQUESTS = 'merge_requests';

export interface MergeRequest {
  id: string; primeOrgSid: string; candidateOwnerEmail: string; invitedBy: string;
  status: 'pending' | 'accepted' | 'revoked' | 'declined'; candidateOrgSid: string | null; createdAt: Date; decidedAt: Date | null;
}

const mapRow = (r: Record<string, any>): MergeRequest => ({
  id: r.id, primeOrgSid: r.prime_org_sid, candidateOwnerEmail: r.candidate_owner_email, invitedBy: r.invited_by,
  status: r.status, candidateOrgSid: r.candidate_org_sid, createdAt: r.created_at, decidedAt: r.decided_at,
});

export function mergeRequestStore(db: Knex | Knex.Transaction) {
  return {
    async insert(m: { primeOrgSid: string; candidateOwnerEmail: string; invitedBy: string }): Promise<MergeRequest> {
      const [row] = await db(MERGE_REQUESTS).insert({ prime_org_sid: m.primeOrgSid, candidate_owner_email: m.candidateOwnerEmail, invited_by: m.invitedBy }).returning('*');
      return mapRow(row);
    },
    async lock(id: string): Promise<MergeRequest | undefined> {
      const row = await db(MERGE_REQUESTS).where({ id }).forUpdate().first();
      return row && mapRow(row);
    },
    async get(id: string): Promise<MergeRequest | undefined> {
      const row = await db(MERGE_REQUESTS).where({ id }).first();
      return row && mapRow(row);
    },
    /** M1: an organization's merge invitations, newest first (bounded: a Prime sends few). */
    async listByPrime(primeOrgSid: string, limit = 500): Promise<MergeRequest[]> {
      return (await db(MERGE_REQUESTS).where({ prime_org_sid: primeOrgSid }).orderBy('created_at', 'desc').limit(limit)).map(mapRow);
    },
    /** M1: the pending invitations sent to `email` (normalised) whose link still works. */
    async listLiveForEmail(email: string, now: Date): Promise<MergeRequest[]> {
      const rows = await db(MERGE_REQUESTS).where({ candidate_owner_email: email, status: 'pending' })
        .whereExists((q) => q.select(db.raw('1')).from('one_time_tokens')
          .where({ purpose: 'merge' }).whereRaw('one_time_tokens.subject = merge_requests.id::text').whereNull('used_at').where('expires_at', '>', now))
        .orderBy('created_at', 'desc').limit(100);
      return rows.map(mapRow);
    },
    /** M1: the Prime withdrew the invitation. */
    async markRevoked(id: string, at: Date): Promise<void> {
      await db(MERGE_REQUESTS).where({ id, status: 'pending' }).update({ status: 'revoked', decided_at: at });
    },
    /** O4, M3: an organization merged away can no longer be anyone's Prime: its open invitations end. */
    async revokePendingOfPrime(primeOrgSid: string, at: Date): Promise<number> {
      return db(MERGE_REQUESTS).where({ prime_org_sid: primeOrgSid, status: 'pending' }).update({ status: 'revoked', decided_at: at });
    },
    /** M1: the Candidate's Owner said no; the invitation ends. */
    async markDeclined(id: string, at: Date): Promise<void> {
      await db(MERGE_REQUESTS).where({ id, status: 'pending' }).update({ status: 'declined', decided_at: at });
    },
    async markAccepted(id: string, candidateOrgSid: string, at: Date): Promise<void> {
      await db(MERGE_REQUESTS).where({ id }).update({ status: 'accepted', candidate_org_sid: candidateOrgSid, decided_at: at });
    },
  };
}
