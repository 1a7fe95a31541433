/**
 * The Overview (Owner and Administrators: the organization at a glance and what needs attention)
 * and My profile (every signed-in user: who they are and their own accounts with their role on
 * each, R2, R3).
 */
import { can } from '../../../rules/roles.js';
import { expiresSoon } from '../../../rules/sso-certificate-expiry.js';
import type { Account } from '../../../types.js';
import { orgOf, type AdminRoute, type PageContext } from '../page.js';

/** O5: an organization this close to its account limit is flagged. */
const NEAR_LIMIT = 0.8;
/** At most this many accounts on the profile page (the Accounts page pages through the rest). */
const PROFILE_ACCOUNTS = 200;

async function overview(c: PageContext) {
  const orgSid = orgOf(c);
  const { services, actor } = c;
  const [org, domains, connections, invitations, imports] = await Promise.all([
    services.organizations.get(actor, orgSid), services.domains.list(actor, orgSid), services.sso.list(actor, orgSid),
    services.invitations.listPending(actor, orgSid), can(c.role, 'bulk_import') ? services.userImports.list(actor, orgSid) : Promise.resolve([]),
  ]);
  const owner = org.ownerSid ? await services.members.get(actor, orgSid, org.ownerSid) : undefined;
  // The window of the sso_connection.certificate_expiring event (issue 13), so both say the same.
  const now = services.deps.clock.now();
  const attention: string[] = [];
  for (const d of domains) if (!d.verified) attention.push(`Domain ${d.domain} is not verified yet: publish its TXT record, then verify it.`);
  for (const s of connections) {
    if (!s.testedAt) attention.push(`SSO connection ${s.connectionId} (${s.protocol.toUpperCase()}) has never completed a test sign-in.`);
    for (const cert of s.certificates ?? []) {
      if (expiresSoon(cert.notAfter, now)) attention.push(`A certificate of SSO connection ${s.connectionId} expires on ${cert.notAfter.toISOString().slice(0, 10)}.`);
    }
  }
  if (invitations.length > 0) attention.push(`${invitations.length} invitation(s) are waiting to be accepted.`);
  const running = imports.filter((j) => j.status === 'queued' || j.status === 'running');
  if (running.length > 0) attention.push(`${running.length} bulk import(s) are still running.`);
  if (org.accountCount >= org.accountLimit * NEAR_LIMIT) attention.push(`The organization holds ${org.accountCount} of its ${org.accountLimit} accounts (O5).`);
  return {
    view: 'overview', title: 'Overview',
    data: { org, owner: owner ?? null, domainCount: domains.length, verifiedCount: domains.filter((d) => d.verified).length, ssoCount: connections.length, attention },
  };
}

async function profile(c: PageContext) {
  const { services, actor, who } = c;
  if (c.orgSid === null) return { view: 'profile', title: 'My profile', data: { me: null, email: who.email, accounts: [] } };
  const me = await services.members.detail(actor, c.orgSid, who.userSid);
  // O3: the accounts this user may see, each with the roles the one R5 rule gives them there.
  const accounts: Account[] = (await services.accounts.list(actor, c.orgSid)).slice(0, PROFILE_ACCOUNTS);
  const catalogue = new Map((await services.roles.list(actor, c.orgSid)).map((r) => [r.sid, r.name]));
  const rows = await Promise.all(accounts.map(async (a) => {
    const roles = a.parentSid === null ? await services.roles.effectivePermissions(actor, who.userSid, a.sid) : undefined;
    return { account: a, roles: roles ? roles.roleSids.map((sid) => catalogue.get(sid) ?? sid) : [], owner: a.ownerSid === who.userSid };
  }));
  return { view: 'profile', title: 'My profile', data: { me, email: who.email, accounts: rows } };
}

export function homePages(): AdminRoute[] {
  return [
    {
      method: 'get', path: '/', action: 'self',
      // Standard Users (and users outside any organization) have no organization to manage: their profile.
      handler: async (c) => (can(c.role, 'view_users') ? overview(c) : { redirect: '/admin/me' }),
    },
    { method: 'get', path: '/me', action: 'self', handler: profile },
  ];
}
