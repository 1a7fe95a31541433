/**
 * The account-import confirmation link as the account's owner sees it (A3): what is asked and
 * whether the link still works, and the owner's "no". Confirming is accounts.confirmImport.
 */
import { DomainError } from '../errors.js';
import { decideImportDecline } from '../rules/declines.js';
import { decideLinkState, type LinkState } from '../rules/mailed-links.js';
import { hashToken } from '../security/tokens.js';
import type { Account, Actor } from '../types.js';
import { accountSnapshot } from './account-support.js';
import { audit, fail } from './context.js';
import type { ServiceDeps } from './index.js';

/** What the confirmation page shows. */
export type AccountImportLinkView =
  | { readonly state: Exclude<LinkState, 'live'> }
  | {
    readonly state: 'live';
    readonly accountSid: string;
    readonly accountName: string;
    readonly orgName: string;
    /** Whether `viewer` owns the account (only the owner may answer). */
    readonly viewerIsOwner: boolean;
  };

const linkDead = () => new DomainError('token_invalid', 'This confirmation link is invalid, expired or already used.');

/** createAccountImportLinks: the state of an import link and declining it. */
export function createAccountImportLinks(deps: ServiceDeps) {
  const { store, clock } = deps;

  return {
    /** A3: the link's state and, while it works, which account and organization it is about. */
    async view(token: string, viewer?: Actor): Promise<AccountImportLinkView> {
      const found = typeof token === 'string' && token.length <= 128 ? await store.read.tokens.find(hashToken(token), 'account_import') : undefined;
      const state = decideLinkState(found, clock.now());
      if (state !== 'live') return { state };
      const account = await store.read.accounts.get(found!.subject);
      const org = found!.orgSid ? await store.read.organizations.get(found!.orgSid) : undefined;
      // The import ended another way (the organization was merged away, the account moved on).
      if (!account || !org || account.orgSid !== org.sid || account.management !== 'pending') return { state: 'withdrawn' };
      return {
        state: 'live', accountSid: account.sid, accountName: account.name, orgName: org.name,
        viewerIsOwner: viewer?.kind === 'user' && viewer.userSid === account.ownerSid,
      };
    },

    /**
     * A3: the owner declines; the account and its subaccounts return to what they were before
     * the request (outside every organization, or independent in it). The link is consumed in
     * the same transaction; audited in the organization's log.
     */
    async decline(actor: Actor, token: string): Promise<Account> {
      if (actor.kind !== 'user') throw new DomainError('forbidden', "Sign in as the account's owner to answer this request.");
      if (typeof token !== 'string' || token.length > 128) throw linkDead();
      return store.transaction(async (repos) => {
        const used = await repos.tokens.consume(hashToken(token), 'account_import', clock.now());
        const account = used ? await repos.accounts.lock(used.subject) : undefined;
        if (!used || !account) throw linkDead();
        const request = await repos.accountImportRequests.get(account.sid);
        const decision = decideImportDecline(accountSnapshot(account), used.orgSid ?? '', actor.userSid, request?.previousManagement ?? null);
        if (decision.kind === 'reject') return fail(decision);
        const restored = await repos.accounts.update(account.sid, { orgSid: decision.orgSid, management: decision.management });
        const subaccountSids = await repos.accounts.updateOpenChildren(account.sid, { orgSid: decision.orgSid, management: decision.management });
        await repos.accountImportRequests.remove(account.sid);
        await audit(repos, actor, {
          orgSid: account.orgSid!, action: 'account.import_declined', target: account.sid,
          before: { orgSid: account.orgSid, management: account.management },
          after: { orgSid: decision.orgSid, management: decision.management, subaccountSids },
        });
        return restored;
      });
    },
  };
}

/** The account-import-link service object. */
export type AccountImportLinks = ReturnType<typeof createAccountImportLinks>;
