/**
 * Bringing existing accounts into an organization: one by SID with the owner's confirmation by
 * email (A3), or many from a file (M4, through the same rule, B1, B2). Part of the accounts service.
 */
import { DomainError } from '../errors.js';
import { decideAccountImport, decideImportConfirmation } from '../rules/account-moves.js';
import { planBulkAccountImport } from '../rules/bulk-account-import.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Account, Actor } from '../types.js';
import { accountSnapshot, heldAccountCount, orgSnapshot } from './account-support.js';
import { audit, authorize, fail } from './context.js';
import { readCsv } from './csv.js';
import { domainSnapshot } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { link, queueMail } from './mail-queue.js';

/** A3: how long the owner's confirmation link stays valid. */
export const ACCOUNT_IMPORT_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface AccountImportResult {
  readonly account: Account;
  /** 'pending': a confirmation link was mailed to the owner; 'already_in_org': nothing changed. */
  readonly outcome: 'pending' | 'already_in_org';
  /** Where the confirmation link went (pending only). */
  readonly confirmationEmail: string | null;
}

export interface BulkAccountImportResult {
  readonly applied: { line: number; accountSid: string; outcome: AccountImportResult['outcome'] }[];
  readonly errors: { line: number; accountSid: string; code: string; message: string }[];
}

/** The import use cases, spread into the accounts service. */
export function createAccountImports(deps: ServiceDeps) {
  const { store, clock, baseUrl } = deps;

  async function importBySid(actor: Actor, orgSid: string, accountSid: string): Promise<AccountImportResult> {
    return store.transaction(async (repos, afterCommit) => {
      // O5: a pending import reserves a place, so the organization row is locked before counting.
      const auth = await authorize(repos, actor, orgSid, 'manage_accounts', {}, true);
      const account = await repos.accounts.lock(accountSid.trim());
      const owner = account ? await repos.users.get(account.ownerSid) : undefined;
      const decision = decideAccountImport({
        org: orgSnapshot(auth.org),
        account: account ? accountSnapshot(account) : null,
        ownerEmail: owner?.email ?? '',
        orgDomains: (await repos.domains.listByOrg(orgSid)).map(domainSnapshot),
        heldAccountCount: await heldAccountCount(repos, orgSid),
      });
      if (decision.kind === 'reject') return fail(decision);
      if (decision.kind === 'already_in_org') return { account: account!, outcome: 'already_in_org', confirmationEmail: null };

      const pending = await repos.accounts.update(decision.accountSid, { orgSid, management: 'pending' });
      // A7: subaccounts come with their parent.
      const subaccountSids = await repos.accounts.updateOpenChildren(decision.accountSid, { orgSid, management: 'pending' });
      // A3: a declined import gives the account back as it was (services/account-import-links.ts).
      await repos.accountImportRequests.record({ accountSid: decision.accountSid, orgSid, previousManagement: account!.management === 'independent' ? 'independent' : null });
      const token = newToken();
      const expiresAt = new Date(clock.now().getTime() + ACCOUNT_IMPORT_LINK_TTL_MS);
      await repos.tokens.insert({ tokenHash: hashToken(token), purpose: 'account_import', subject: decision.accountSid, orgSid, expiresAt });
      await queueMail(repos, afterCommit, deps, {
        to: decision.confirmationEmail,
        subject: `Confirm that ${auth.org.name} may manage your account ${pending.name}`,
        body: [
          `${auth.org.name} asked to bring your account ${pending.name} (${pending.sid}) into the organization.`,
          'Once you confirm, the organization manages the account: its administrators can suspend or close it.',
          '',
          `Confirm here (the link works once, until ${expiresAt.toISOString()}):`,
          link(baseUrl, `/account-imports/${token}`),
          '',
          'If you did not expect this, ignore this message: nothing changes without your confirmation.',
        ].join('\n'),
      });
      await audit(repos, actor, {
        orgSid, action: 'account.import_requested', target: pending.sid,
        before: { orgSid: account!.orgSid, management: account!.management },
        after: { orgSid, management: 'pending', confirmationEmail: decision.confirmationEmail, subaccountSids },
      });
      return { account: pending, outcome: 'pending', confirmationEmail: decision.confirmationEmail };
    });
  }

  return {
    /**
     * A3, O5: asks to import an existing top-level account by SID. Its owner's email domain must be
     * verified by the organization; the account (and its subaccounts) becomes pending and its owner
     * gets a single-use confirmation link by mail. Importing an account already in the
     * organization changes nothing.
     */
    importBySid,

    /**
     * A3: the owner confirms with the link's token; the pending account and its subaccounts become
     * managed. The token is consumed in the same transaction, so a link works exactly once.
     * `actor` is the signed-in user clicking, if any; without one, holding the link mailed to the
     * owner is the owner's confirmation.
     */
    async confirmImport(token: string, actor?: Actor): Promise<Account> {
      return store.transaction(async (repos) => {
        const used = await repos.tokens.consume(hashToken(token), 'account_import', clock.now());
        if (!used) throw new DomainError('token_invalid', 'This confirmation link is invalid, expired or already used.');
        const account = await repos.accounts.lock(used.subject);
        if (!account) throw new DomainError('token_invalid', 'This confirmation link is invalid, expired or already used.');
        const confirmer = actor?.kind === 'user' ? actor.userSid : account.ownerSid;
        const decision = decideImportConfirmation(accountSnapshot(account), account.orgSid ?? '', confirmer);
        if (decision.kind === 'reject') return fail(decision);
        const managed = await repos.accounts.update(account.sid, { management: decision.management });
        const subaccountSids = await repos.accounts.updateOpenChildren(account.sid, { management: decision.management });
        await repos.accountImportRequests.remove(account.sid);
        await audit(repos, actor ?? { kind: 'user', userSid: account.ownerSid }, {
          orgSid: account.orgSid!, action: 'account.import_confirmed', target: account.sid,
          before: { management: account.management }, after: { management: decision.management, subaccountSids },
        });
        return managed;
      });
    },

    /**
     * M4, B1, B2: imports the accounts listed in a CSV file (a header row with `account_sid`, one
     * SID per row). Each row goes through importBySid in its own transaction, so one bad row
     * does not undo the others; rows already in the organization change nothing.
     */
    async importAccounts(actor: Actor, orgSid: string, csvText: string): Promise<BulkAccountImportResult> {
      const auth = await authorize(store.read, actor, orgSid, 'bulk_import');
      let records: ReturnType<typeof readCsv> = [];
      let parseError: unknown;
      try {
        records = readCsv(csvText, { required: ['account_sid'], optional: [] });
      } catch (error) {
        parseError = error;
      }
      const plan = planBulkAccountImport(records.map((r) => ({ line: r.line, accountSid: r.values.account_sid ?? '' })), orgSnapshot(auth.org));
      // B1 first: a disabled import says so whatever the file holds.
      if (plan.kind === 'reject' && plan.code === 'bulk_import_disabled') return fail(plan);
      if (parseError) throw parseError;
      if (plan.kind === 'reject') return fail(plan);
      const result: BulkAccountImportResult = { applied: [], errors: plan.errors.map((e) => ({ ...e })) };
      for (const row of plan.apply) {
        try {
          const done = await importBySid(actor, orgSid, row.accountSid);
          result.applied.push({ line: row.line, accountSid: row.accountSid, outcome: done.outcome });
        } catch (error) {
          if (!(error instanceof DomainError) || error.kind === 'unavailable') throw error;
          result.errors.push({ line: row.line, accountSid: row.accountSid, code: error.code, message: error.message });
        }
      }
      result.errors.sort((a, b) => a.line - b.line);
      return result;
    },
  };
}
