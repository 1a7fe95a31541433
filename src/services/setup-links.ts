/**
 * Setup links (issue 11), the administrators' side and the link itself: the Owner or an
 * Administrator creates a link for SSO, SCIM or domain verification of their organization (valid
 * 7 days unless they choose 1 to 30; the URL is in the result only: only its digest is stored),
 * lists and revokes links. The customer's IT admin opens the link without an Orgward account:
 * `open` turns its secret into a setup-link actor, which services/context.ts lets take only the
 * steps of the link's kind (setup-link-steps.ts walks them). Every change is audited (L1).
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors.js';
import { newSid } from '../ids.js';
import type { Action } from '../rules/roles.js';
import {
  decideIdpChoice, decideSetupLinkState, decideSetupLinkValidity, protocolFor, type SetupIdp, type SetupLinkKind, type SetupLinkState,
} from '../rules/setup-links.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { SetupLinkRecord } from '../store/setup-links.js';
import { actorLabel, type Actor, type Organization } from '../types.js';
import { audit, authorize, authorizeRead, fail } from './context.js';
import type { ServiceDeps } from './index.js';

export type { SetupLinkRecord } from '../store/setup-links.js';

/** The actor of a link's holder. */
export type SetupLinkActor = Extract<Actor, { kind: 'setup_link' }>;

/** O3: what creating a link of each kind asks of the creator (all three are the Owner's and Administrators'). */
const ACTION_OF: Record<SetupLinkKind, Action> = { sso: 'manage_sso', scim: 'manage_scim', domain: 'manage_domains' };

// `sl_` + 43 base64url characters (newToken); anything else is not one of ours.
const TOKEN_SHAPE = /^sl_[A-Za-z0-9_-]{43}$/;

/** Most links one list shows (an organization makes a handful). */
const LIST_LIMIT = 200;

/** A link as the Admin Center and the API show it (never its secret). */
export interface SetupLinkView extends SetupLinkRecord {
  readonly state: SetupLinkState;
  readonly steps: number;
  readonly lastStep: { readonly action: string; readonly at: Date } | null;
}

/** A link that works, opened by its holder. */
export interface OpenedLink {
  readonly link: SetupLinkRecord;
  readonly org: Organization;
  readonly actor: SetupLinkActor;
}

/** What opening a secret found: a working link, or why it does not work. */
export type OpenResult = { readonly state: 'live'; readonly opened: OpenedLink } | { readonly state: Exclude<SetupLinkState, 'live'> | 'unknown' };

export function createSetupLinksService(deps: ServiceDeps) {
  const { store, clock } = deps;
  const base = deps.baseUrl.replace(/\/+$/, '');

  return {
    /** Creates a link; its URL is in the result only (shown once). */
    async create(actor: Actor, orgSid: string, input: { kind: string; validDays?: number | string | undefined }): Promise<SetupLinkView & { url: string }> {
      const now = clock.now();
      const validity = decideSetupLinkValidity(input.kind, input.validDays, now);
      if (validity.kind === 'reject') fail(validity);
      const kind = input.kind as SetupLinkKind;
      return store.transaction(async (repos) => {
        // A setup link is refused here like everywhere it is not named: a link never makes links.
        await authorize(repos, actor, orgSid, ACTION_OF[kind]);
        const token = newToken('sl_');
        const link = await repos.setupLinks.insert({ sid: newSid('SL'), orgSid, kind, tokenHash: hashToken(token), createdBy: actorLabel(actor), now, expiresAt: validity.expiresAt });
        await audit(repos, actor, { orgSid, action: 'setup_link.created', target: link.sid, after: { kind, expiresAt: link.expiresAt } });
        return { ...link, state: 'live' as const, steps: 0, lastStep: null, url: `${base}/setup/${token}` };
      });
    },

    /** The organization's links, newest first, with their state and the steps taken (O3). */
    async list(actor: Actor, orgSid: string): Promise<SetupLinkView[]> {
      await authorizeRead(store.read, actor, orgSid, 'manage_settings');
      const links = await store.read.setupLinks.listByOrg(orgSid, LIST_LIMIT);
      const steps = await store.read.setupLinks.stepSummaries(links.map((l) => l.sid));
      const now = clock.now();
      return links.map((l) => {
        const s = steps.get(l.sid);
        return { ...l, state: decideSetupLinkState(l, now), steps: s?.count ?? 0, lastStep: s ? { action: s.lastAction, at: s.lastAt } : null };
      });
    },

    /** Revokes a link at once; what it set up stays (an administrator removes that apart). */
    async revoke(actor: Actor, orgSid: string, sid: string): Promise<{ sid: string; revoked: boolean }> {
      return store.transaction(async (repos) => {
        await authorize(repos, actor, orgSid, 'manage_settings');
        // FOR UPDATE: waits for a step holding the link's share lock, so no step runs after this.
        const link = typeof sid === 'string' && /^SL[0-9a-f]{32}$/.test(sid) ? await repos.setupLinks.lock(sid) : undefined;
        if (!link || link.orgSid !== orgSid) throw new DomainError('not_found', `No setup link ${String(sid)} in this organization.`);
        if (link.revokedAt !== null) return { sid, revoked: false };
        const now = clock.now();
        await repos.setupLinks.revoke(sid, actorLabel(actor), now);
        await audit(repos, actor, { orgSid, action: 'setup_link.revoked', target: sid, before: { revokedAt: null }, after: { revokedAt: now } });
        return { sid, revoked: true };
      });
    },

    /**
     * The link behind a secret: working (with its holder's actor), or expired, revoked or unknown
     * (also when its organization was merged away, O4). Records when it was last used.
     */
    async open(token: string, requestId?: string): Promise<OpenResult> {
      const link = typeof token === 'string' && TOKEN_SHAPE.test(token) ? await store.read.setupLinks.findByHash(hashToken(token)) : undefined;
      if (!link) return { state: 'unknown' };
      const now = clock.now();
      const state = decideSetupLinkState(link, now);
      if (state !== 'live') return { state };
      const org = await store.read.organizations.get(link.orgSid);
      if (!org) return { state: 'unknown' };
      await store.transaction((repos) => repos.setupLinks.touch(link.sid, now));
      const actor: SetupLinkActor = { kind: 'setup_link', linkSid: link.sid, orgSid: link.orgSid, linkKind: link.kind, ...(requestId && { requestId }) };
      return { state: 'live', opened: { link: { ...link, lastUsedAt: now }, org, actor } };
    },

    /**
     * The IT admin's identity provider (the pages' instructions follow it). An SSO link gets the
     * id of its connection now, so the values the IdP needs first are known before the IdP's own;
     * once the connection exists only an IdP of the same protocol may be chosen.
     */
    async chooseIdp(opened: OpenedLink, idp: string): Promise<{ idp: SetupIdp }> {
      return store.transaction(async (repos) => {
        const link = await repos.setupLinks.lock(opened.link.sid);
        const now = clock.now();
        if (!link || decideSetupLinkState(link, now) !== 'live') throw new DomainError('setup_link_invalid', 'This setup link no longer works.');
        const existing = link.connectionId !== null ? await repos.ssoConnections.get(link.connectionId) : undefined;
        const decision = decideIdpChoice(link.kind, idp, existing ? existing.protocol : null);
        if (decision.kind === 'reject') fail(decision);
        const connectionId = link.kind === 'sso' ? link.connectionId ?? randomUUID() : null;
        if (link.idp === decision.idp && link.connectionId === connectionId) return { idp: decision.idp };
        await repos.setupLinks.chooseIdp(link.sid, decision.idp, connectionId);
        await audit(repos, opened.actor, {
          orgSid: link.orgSid, action: 'setup_link.idp_chosen', target: link.sid,
          before: { idp: link.idp }, after: { idp: decision.idp, ...(link.kind === 'sso' && { protocol: protocolFor(decision.idp), connectionId }) },
        });
        return { idp: decision.idp };
      });
    },
  };
}

export type SetupLinksService = ReturnType<typeof createSetupLinksService>;
