/**
 * Test fixtures built straight through the repositories (one transaction each), so that service
 * tests do not depend on the services that normally create these things. Every fixture writes
 * what the real path would write, constraints included (U1, D4, O2), but no audit entries.
 */
import { randomBytes } from 'node:crypto';
import { newSid } from '../../src/ids.js';
import type { AccountPlan, AccountUsage, DomainPolicy, Role } from '../../src/rules/types.js';
import type { Account, Actor, Domain, Member, Organization } from '../../src/types.js';
import type { Store } from '../../src/store/index.js';

interface HasStore { readonly store: Store }

export interface OrgWithOwner {
  readonly org: Organization;
  readonly owner: Member;
  /** The Owner as an actor for service calls. */
  readonly ownerActor: Actor;
}

/** A user actor for service calls. */
export const asUser = (member: Pick<Member, 'sid'>): Actor => ({ kind: 'user', userSid: member.sid });
/** The operator at the CLI. */
export const OPERATOR: Actor = { kind: 'operator' };

/** O1: an organization whose Owner is a new user with `ownerEmail`. */
export async function createOrgWithOwner(ctx: HasStore, options: { ownerEmail: string; name?: string }): Promise<OrgWithOwner> {
  return ctx.store.transaction(async (repos) => {
    const orgSid = newSid('OR');
    const userSid = newSid('US');
    const org = await repos.organizations.insert({ sid: orgSid, name: options.name ?? `Org of ${options.ownerEmail}` });
    await repos.users.insert({ sid: userSid, email: options.ownerEmail.toLowerCase() });
    await repos.users.join(userSid, orgSid, 'owner');
    const owner = (await repos.users.get(userSid))!;
    return { org, owner, ownerActor: asUser(owner) };
  });
}

/** D3, D6: a domain registered and verified by `orgSid`, with `policy` (default restricted). */
export async function addVerifiedDomain(ctx: HasStore, orgSid: string, domain: string, policy: DomainPolicy = 'restricted'): Promise<Domain> {
  return ctx.store.transaction(async (repos) => {
    const registered = await repos.domains.insert({ orgSid, name: domain, txtToken: randomBytes(16).toString('hex') });
    const verified = await repos.domains.markVerified(registered.id, new Date());
    return policy === 'restricted' ? verified : repos.domains.update(verified.id, { policy });
  });
}

/** A domain registered by `orgSid` but never verified. */
export async function addUnverifiedDomain(ctx: HasStore, orgSid: string, domain: string): Promise<Domain> {
  return ctx.store.transaction((repos) => repos.domains.insert({ orgSid, name: domain, txtToken: randomBytes(16).toString('hex') }));
}

/** A new user with `email` in `orgSid` as `role` ('owner' only for an organization without one). */
export async function addMember(ctx: HasStore, orgSid: string, email: string, role: Role = 'standard'): Promise<Member> {
  return ctx.store.transaction(async (repos) => {
    const sid = newSid('US');
    await repos.users.insert({ sid, email: email.toLowerCase() });
    await repos.users.join(sid, orgSid, role);
    return (await repos.users.get(sid))!;
  });
}

/** A user who belongs to no organization (e.g. the owner of an account outside every organization). */
export async function addLoneUser(ctx: HasStore, email: string): Promise<Member> {
  return ctx.store.transaction(async (repos) => {
    const sid = newSid('US');
    await repos.users.insert({ sid, email: email.toLowerCase() });
    return (await repos.users.get(sid))!;
  });
}

export interface AccountFixture {
  readonly ownerSid: string;
  readonly orgSid?: string | null;
  readonly management?: Account['management'];
  readonly name?: string;
  readonly usage?: AccountUsage;
  readonly plan?: AccountPlan;
  readonly status?: Account['status'];
  readonly parentSid?: string | null;
  readonly hipaa?: boolean;
}

/** An account row as it would exist before Orgward saw it (outside any organization by default). */
export async function addAccount(ctx: HasStore, a: AccountFixture): Promise<Account> {
  const orgSid = a.orgSid ?? null;
  return ctx.store.transaction((repos) => repos.accounts.insert({
    sid: newSid('AC'), name: a.name ?? 'Fixture account', usage: a.usage ?? 'twilio', plan: a.plan ?? 'trial',
    status: a.status ?? 'active', ownerSid: a.ownerSid, parentSid: a.parentSid ?? null, orgSid,
    management: orgSid === null ? null : (a.management ?? 'managed'), hipaa: a.hipaa ?? false,
  }));
}

/** Gives `userSid` a direct grant on `accountSid` (O3). */
export async function grantAccount(ctx: HasStore, orgSid: string, userSid: string, accountSid: string): Promise<void> {
  await ctx.store.transaction((repos) => repos.accounts.grant(orgSid, userSid, accountSid));
}

/** Operator settings straight through the repository (O5 limit, B1, H1 designation). */
export async function setOrgSettings(
  ctx: HasStore,
  orgSid: string,
  patch: { accountLimit?: number; bulkImportEnabled?: boolean; baaExecutedAt?: Date | null },
): Promise<Organization> {
  return ctx.store.transaction((repos) => repos.organizations.update(orgSid, patch));
}

/** The secret at the end of the last link to `prefix` mailed to `recipient` (e.g. '/account-imports/'). */
export async function lastLinkTo(ctx: HasStore & { readonly services?: { passwords: { settled(): Promise<void> } } }, recipient: string, prefix: string): Promise<string> {
  // Self-service reset requests do their work after the answer (no enumeration by timing).
  await ctx.services?.passwords.settled();
  const messages = await ctx.store.read.outbox.listTo(recipient);
  for (const message of [...messages].reverse()) {
    const at = message.bodyText.indexOf(prefix);
    if (at >= 0) return message.bodyText.slice(at + prefix.length).split(/\s/)[0]!;
  }
  throw new Error(`no link ${prefix} mailed to ${recipient}`);
}
