/**
 * Users: the searchable, filterable list (keyset paging through the same store search as the
 * API's user list, so a page costs the same at 100,000 users as at 10), one user with their
 * organization role, account roles grouped by account (R1-R5) and sign-in methods, and the
 * actions O2, O3, U3, U4, C3, C4 allow. Destructive actions go through a confirmation page (a
 * form of its own: works without JavaScript).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../../../errors.js';
import { can, decideActOnUser } from '../../../rules/roles.js';
import { planOwnerHandover } from '../../../rules/ownership.js';
import { snapshotOf } from '../../../services/context.js';
import { SIGN_IN_METHODS, type MemberCursor, type SignInMethod } from '../../../store/member-search.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, queryField, signedInSnapshot, type AdminRoute, type PageContext } from '../page.js';

const PAGE_SIZE = 50;
const SID = /^US[0-9a-f]{32}$/i;
const ROLES = ['owner', 'admin', 'standard'] as const;
const STATUSES = ['active', 'suspended'] as const;

const Cursor = z.union([
  z.strictObject({ phase: z.literal('email'), key: z.string().max(4000) }),
  z.strictObject({ phase: z.literal('name'), key: z.string().max(4000), sid: z.string().max(34) }),
]);

/** The `after` (or `before`) token of the list: where the previous page ended (never an offset). */
function readCursor(token: string): MemberCursor | undefined {
  if (token === '') return undefined;
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch { /* refused below */ }
  throw new DomainError('invalid_input', 'This page link is not one the Admin Center made. Start again from the first page of Users.');
}
const writeCursor = (c: MemberCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

/** A user SID from the path; anything else is simply not found. */
function userSidOf(req: Request): string {
  const sid = param(req, 'sid');
  if (!SID.test(sid)) throw new DomainError('not_found', 'There is no such user in this organization.');
  return `US${sid.slice(2).toLowerCase()}`;
}

async function list(c: PageContext) {
  const q = queryField(c.req, 'q').slice(0, 320);
  const roleQ = queryField(c.req, 'role');
  const statusQ = queryField(c.req, 'status');
  const role = (ROLES as readonly string[]).includes(roleQ) ? roleQ as (typeof ROLES)[number] : undefined;
  const status = (STATUSES as readonly string[]).includes(statusQ) ? statusQ as (typeof STATUSES)[number] : undefined;
  const methodQ = queryField(c.req, 'method');
  const method = (SIGN_IN_METHODS as readonly string[]).includes(methodQ) ? methodQ as SignInMethod : undefined;
  const after = readCursor(queryField(c.req, 'after'));
  const before = after ? undefined : readCursor(queryField(c.req, 'before'));
  const found = await c.services.members.search(c.actor, orgOf(c), {
    ...(q !== '' && (SID.test(q) ? { sid: `US${q.slice(2).toLowerCase()}` } : { prefix: q })),
    ...(role && { role }), ...(status && { status }), ...(method && { signIn: method }), ...(after && { after }), ...(before && { before }), limit: PAGE_SIZE,
  });
  const link = (cursor?: MemberCursor, direction: 'after' | 'before' = 'after') => {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (role) p.set('role', role);
    if (status) p.set('status', status);
    if (method) p.set('method', method);
    if (cursor) p.set(direction, writeCursor(cursor));
    const s = p.toString();
    return `/admin/users${s ? `?${s}` : ''}`;
  };
  return {
    view: 'users', title: 'Users',
    data: {
      q, role: role ?? '', status: status ?? '', method: method ?? '', members: found.members, canInvite: can(c.role, 'manage_users'), canImport: can(c.role, 'bulk_import'),
      next: found.next ? link(found.next) : null, previous: found.previous ? link(found.previous, 'before') : null,
      first: after || before ? link() : null,
    },
  };
}

async function detail(c: PageContext) {
  const orgSid = orgOf(c);
  const sid = userSidOf(c.req);
  const { services, actor } = c;
  const member = await services.members.detail(actor, orgSid, sid);
  const [assignments, catalogue, accounts, sessions] = await Promise.all([
    services.roleAssignments.list(actor, orgSid, { identity: sid }),
    services.roles.list(actor, orgSid),
    services.accounts.list(actor, orgSid),
    services.members.sessions(actor, orgSid, sid),
  ]);
  const roleName = new Map(catalogue.map((r) => [r.sid, r.name]));
  const accountName = new Map(accounts.map((a) => [a.sid, a.name]));
  // R1-R3: account roles grouped by account (direct grants can be removed here; SCIM ones follow the groups, C5).
  const byAccount = new Map<string, { accountSid: string; name: string; roles: { sid: string; name: string; source: string }[] }>();
  for (const a of assignments.filter((x) => x.scope.startsWith('AC'))) {
    const group = byAccount.get(a.scope) ?? { accountSid: a.scope, name: accountName.get(a.scope) ?? a.scope, roles: [] };
    group.roles.push({ sid: a.sid, name: roleName.get(a.roleSid) ?? a.roleSid, source: a.source });
    byAccount.set(a.scope, group);
  }
  const self = c.who.userSid === sid;
  const me = signedInSnapshot(c.who);
  const target = snapshotOf(member);
  return {
    view: 'user', title: member.displayName || member.email,
    data: {
      m: member, self, groups: [...byAccount.values()], sessions,
      // What the page offers is what the rules allow (U6, O2, O3); the services decide again on submit.
      canManage: !self && decideActOnUser(me, target).kind === 'allow',
      canHandOver: planOwnerHandover(me, target).kind === 'handover',
      accountRoles: catalogue.filter((r) => r.scopeType === 'account'),
      grantable: accounts.filter((a) => a.parentSid === null && a.status !== 'closed'),
    },
  };
}

/** The destructive actions and what their confirmation page says. */
const CONFIRM = {
  suspend: { title: 'Suspend this user?', text: 'Their sessions end at once and they cannot sign in until reactivated (C3).', button: 'Suspend' },
  'reset-password': { title: 'Reset this password?', text: 'They are signed out everywhere, the old password stops working, and they are mailed a reset link valid for 24 hours (U3).', button: 'Reset password' },
  'reset-2fa': { title: 'Reset the second factor?', text: 'Their second factor is removed; they enrol a new one at the next sign-in and are told by email (U4).', button: 'Reset second factor' },
  remove: { title: 'Remove this user?', text: 'Their memberships, grants and sessions end, and the accounts they own pass to the Owner (C4). This cannot be undone here.', button: 'Remove user' },
  'hand-over': { title: 'Hand over the Owner role?', text: 'This user becomes the Owner and you become an Administrator (O2). Only the new Owner can hand it back.', button: 'Hand over the Owner role' },
} as const;
type Confirmable = keyof typeof CONFIRM;

const back = (req: Request) => `/admin/users/${SID.test(param(req, 'sid')) ? param(req, 'sid') : ''}`;

/** A POST action on one user that ends with a notice on the user's page (or elsewhere). */
function userAction(path: string, action: AdminRoute['action'], run: (c: PageContext, orgSid: string, sid: string) => Promise<string>): AdminRoute {
  return { method: 'post', path: `/users/:sid/${path}`, action, back, handler: async (c) => ({ redirect: await run(c, orgOf(c), userSidOf(c.req)) }) };
}

export function userPages(): AdminRoute[] {
  const page = (sid: string) => `/admin/users/${sid}`;
  return [
    { method: 'get', path: '/users', action: 'view_users', handler: list },
    { method: 'get', path: '/users/:sid', action: 'view_users', handler: detail },
    {
      method: 'get', path: '/users/:sid/confirm/:what', action: 'manage_users',
      handler: async (c) => {
        const what = param(c.req, 'what');
        if (!Object.hasOwn(CONFIRM, what)) throw new DomainError('not_found', 'There is no such action.');
        const member = await c.services.members.get(c.actor, orgOf(c), userSidOf(c.req));
        // O2: nobody is asked to confirm a hand-over the rule refuses (only the Owner, to an active member).
        if (what === 'hand-over') {
          const plan = planOwnerHandover(signedInSnapshot(c.who), snapshotOf(member));
          if (plan.kind !== 'handover') throw new DomainError(plan.code, plan.message);
        }
        const copy = CONFIRM[what as Confirmable];
        return { view: 'confirm', title: copy.title, data: { ...copy, subject: member.email, action: `/admin/users/${member.sid}/${what}`, cancel: page(member.sid) } };
      },
    },
    userAction('role', 'manage_users', async (c, orgSid, sid) => {
      const role = formField(c.req, 'role');
      if (role !== 'admin' && role !== 'standard') throw new DomainError('invalid_input', 'Choose a role: Administrator or Standard User. The Owner role is only handed over.');
      await c.services.members.changeRole(c.actor, orgSid, sid, role);
      return withNotice(page(sid), 'role_changed');
    }),
    userAction('suspend', 'manage_users', async (c, orgSid, sid) => {
      await c.services.members.setStatus(c.actor, orgSid, sid, 'suspended');
      return withNotice(page(sid), 'suspended');
    }),
    userAction('reactivate', 'manage_users', async (c, orgSid, sid) => {
      await c.services.members.setStatus(c.actor, orgSid, sid, 'active');
      return withNotice(page(sid), 'reactivated');
    }),
    userAction('reset-password', 'manage_users', async (c, orgSid, sid) => {
      await c.services.passwords.adminReset(c.actor, orgSid, sid);
      return withNotice(page(sid), 'password_reset');
    }),
    userAction('reset-2fa', 'manage_users', async (c, orgSid, sid) => {
      await c.services.twoFactor.adminReset(c.actor, orgSid, sid);
      return withNotice(page(sid), 'second_factor_reset');
    }),
    userAction('remove', 'manage_users', async (c, orgSid, sid) => {
      await c.services.members.remove(c.actor, orgSid, sid);
      return withNotice('/admin/users', 'removed');
    }),
    // O2: only the Owner hands over (the service refuses anyone else with owner_required).
    userAction('hand-over', 'transfer_ownership_of_org', async (c, orgSid, sid) => {
      await c.services.members.handOverOwnership(c.actor, orgSid, sid);
      return withNotice(page(sid), 'owner_handed_over');
    }),
    userAction('account-roles', 'manage_users', async (c, orgSid, sid) => {
      await c.services.roleAssignments.create(c.actor, orgSid, { identity: sid, scope: formField(c.req, 'account'), roleSid: formField(c.req, 'role') });
      return withNotice(page(sid), 'role_granted');
    }),
    userAction('account-roles/:assignment/remove', 'manage_users', async (c, orgSid, sid) => {
      await c.services.roleAssignments.delete(c.actor, orgSid, param(c.req, 'assignment'));
      return withNotice(page(sid), 'role_removed');
    }),
  ];
}
