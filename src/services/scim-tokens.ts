/**
 * C1: SCIM bearer tokens. An administrator creates one per IdP connection (shown once, stored as
 * a SHA-256 digest), lists and revokes them; several may be live at once so a token can be rotated
 * without downtime. `authenticate` turns a presented token into the SCIM actor of its organization.
 */
import { DomainError } from '../errors.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { ScimTokenRecord } from '../store/scim-tokens.js';
import { actorLabel, type Actor, type AuditEntry } from '../types.js';
import { audit, authorizeStep } from './context.js';
import type { ServiceDeps } from './index.js';
import { scimRefusal } from './scim-refusal.js';
import { UUID_PATTERN } from '../ids.js';

export type { ScimTokenRecord } from '../store/scim-tokens.js';

/** The SCIM actor: a token acting in its own organization. */
export type ScimActor = Extract<Actor, { kind: 'scim' }>;

// A presented token longer than this, or with other characters, cannot be one of ours.
const TOKEN_SHAPE = /^[\x21-\x7e]{16,512}$/;
// last_used_at is informative (rotation): written at most once a minute per token and process.
const TOUCH_EVERY_MS = 60_000;
// A live token is remembered for a second per process, so a burst of IdP requests costs one
// lookup; revoking clears it at once in this process and within this second everywhere else.
const REMEMBER_MS = 1_000;
const REMEMBER_MAX = 1_000;

/** Only people and the operator manage tokens; a SCIM token never mints or revokes tokens. */
const refuseScim = scimRefusal('manage SCIM tokens');

export function createScimTokensService(deps: ServiceDeps) {
  const { store, clock, logger } = deps;
  const touched = new Map<string, number>();
  const remembered = new Map<string, { id: string; orgSid: string; until: number }>();

  /** The organization's tokens (never their values). */
  async function list(actor: Actor, orgSid: string): Promise<ScimTokenRecord[]> {
    refuseScim(actor);
    // Metadata only (the secret is shown once at creation): a read-only client reads it too.
    await authorizeStep(store.read, actor, orgSid, 'manage_scim', 'scim.read', { now: clock.now(), mode: 'read' });
    const tokens = await store.read.scimTokens.list(orgSid);
    // A setup link sees only the tokens it created.
    return actor.kind === 'setup_link' ? tokens.filter((t) => t.createdBy === actorLabel(actor)) : tokens;
  }

  return {
    /** C1: a new token for `orgSid`. The token is in the result only; it cannot be shown again. */
    async create(actor: Actor, orgSid: string, options: { description?: string } = {}): Promise<{ id: string; token: string; createdAt: Date }> {
      refuseScim(actor);
      const description = options.description?.trim() || null;
      if (description !== null && description.length > 200) throw new DomainError('invalid_input', 'A token description has at most 200 characters.');
      return store.transaction(async (repos) => {
        await authorizeStep(repos, actor, orgSid, 'manage_scim', 'scim.create_token', { now: clock.now(), lockLink: true });
        const token = newToken('scim_');
        const record = await repos.scimTokens.insert({ orgSid, tokenHash: hashToken(token), description, createdBy: actorLabel(actor) });
        await audit(repos, actor, { orgSid, action: 'scim.token_created', target: record.id, after: { description } });
        return { id: record.id, token, createdAt: record.createdAt };
      });
    },

    /** C1: revokes a token at once; requests with it get 401 from then on. */
    async revoke(actor: Actor, orgSid: string, id: string): Promise<{ id: string; revoked: boolean }> {
      refuseScim(actor);
      return store.transaction(async (repos) => {
        await authorizeStep(repos, actor, orgSid, 'manage_scim', 'scim.revoke_own_token', { now: clock.now(), lockLink: true });
        const existing = typeof id === 'string' && UUID_PATTERN.test(id) ? await repos.scimTokens.get(orgSid, id) : undefined;
        // A setup link revokes only the tokens it created itself.
        if (!existing || (actor.kind === 'setup_link' && existing.createdBy !== actorLabel(actor))) {
          throw new DomainError('not_found', `No SCIM token ${String(id)} in this organization.`);
        }
        const revoked = await repos.scimTokens.revoke(orgSid, id, clock.now());
        for (const [hash, entry] of remembered) if (entry.id === id) remembered.delete(hash);
        if (revoked) await audit(repos, actor, { orgSid, action: 'scim.token_revoked', target: id, before: { revokedAt: null }, after: { revokedAt: clock.now() } });
        return { id, revoked };
      });
    },

    list,

    /**
     * What the IdP did lately: the newest audit entries written through any of the organization's
     * SCIM tokens (revoked ones too), newest first. Readable by those who read the tokens.
     */
    async recentActivity(actor: Actor, orgSid: string, limit = 20): Promise<AuditEntry[]> {
      const tokens = await list(actor, orgSid);
      return store.read.audit.newestBy(orgSid, tokens.map((t) => actorLabel({ kind: 'scim', orgSid, tokenId: t.id })), limit);
    },

    /**
     * C1: the actor a bearer token stands for. Unknown, malformed and revoked tokens are
     * `scim_token_invalid`; a database outage stays `database_unavailable` (503, never 401).
     */
    async authenticate(token: string | undefined, requestId?: string): Promise<ScimActor> {
      if (token === undefined || !TOKEN_SHAPE.test(token)) throw new DomainError('scim_token_invalid', 'A valid SCIM bearer token is required.');
      const hash = hashToken(token);
      const now = Date.now();
      const known = remembered.get(hash);
      if (known && known.until > now) return { kind: 'scim', tokenId: known.id, orgSid: known.orgSid, ...(requestId && { requestId }) };
      const found = await store.read.scimTokens.findLive(hash);
      if (!found) {
        remembered.delete(hash);
        throw new DomainError('scim_token_invalid', 'The SCIM bearer token is unknown or revoked.');
      }
      if (remembered.size >= REMEMBER_MAX) remembered.clear();
      remembered.set(hash, { id: found.id, orgSid: found.orgSid, until: now + REMEMBER_MS });
      const at = clock.now().getTime();
      if (at - (touched.get(found.id) ?? found.lastUsedAt?.getTime() ?? 0) >= TOUCH_EVERY_MS) {
        touched.set(found.id, at);
        // A write, so in a transaction (never through the read repositories); not awaited: the request does not wait for it.
        store.transaction((repos) => repos.scimTokens.touch(found.id, new Date(at)))
          .catch((error: unknown) => logger.warn('scim token last use not recorded', { error }));
      }
      return { kind: 'scim', tokenId: found.id, orgSid: found.orgSid, ...(requestId && { requestId }) };
    },
  };
}

export type ScimTokensService = ReturnType<typeof createScimTokensService>;
