/**
 * SCIM (C1, C5): the base URL the IdP needs, tokens (the new token shown once, on the response of
 * the POST that made it: no page ever shows it again; revoke; last used), and group mappings to an
 * organization role and account roles, with the preview of everyone's effective access before
 * saving (the same form: "Preview" renders the outcome and a "Save" form carrying the same values),
 * and the IdP's recent provisioning activity (the newest audit entries of the organization's tokens).
 */
import type { Request } from 'express';
import { DomainError } from '../../../errors.js';
import { SCIM_BASE_PATH } from '../../scim/router.js';
import type { GroupMappingInput } from '../../../services/scim-group-mappings.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute, type PageContext } from '../page.js';

const back = () => '/admin/scim';

async function overview(c: PageContext) {
  const orgSid = orgOf(c);
  const [tokens, mappings, accounts, roles, activity] = await Promise.all([
    c.services.scimTokens.list(c.actor, orgSid), c.services.scimGroups.listMappings(c.actor, orgSid),
    c.services.accounts.list(c.actor, orgSid), c.services.roles.list(c.actor, orgSid), c.services.scimTokens.recentActivity(c.actor, orgSid),
  ]);
  const roleName = new Map(roles.map((r) => [r.sid, r.name]));
  return {
    view: 'scim', title: 'SCIM provisioning',
    data: {
      baseUrl: `${c.baseUrl}${SCIM_BASE_PATH}`, tokens: tokens.filter((t) => t.revokedAt === null),
      mappings: mappings.map((m) => ({ ...m, accountRoles: m.accountRoles.map((a) => ({ accountSid: a.accountSid, role: roleName.get(a.roleSid) ?? a.roleSid })) })),
      accounts: accounts.filter((a) => a.parentSid === null && a.status !== 'closed'), accountRoles: roles.filter((r) => r.scopeType === 'account'),
      activity: activity.map((e) => ({ ...e, about: aboutOf(e.after) ?? aboutOf(e.before) ?? '' })), auditLink: '/admin/audit',
    },
  };
}

/** Who or what an entry is about, in words (the target is a SID): the email or group name it recorded. */
function aboutOf(state: unknown): string | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const { email, displayName } = state as { email?: unknown; displayName?: unknown };
  return typeof email === 'string' ? email : typeof displayName === 'string' ? displayName : undefined;
}

/** The mapping form: a group, an optional organization role, and an optional (account, role) pair. */
function mappingOf(req: Request): GroupMappingInput {
  const role = formField(req, 'role');
  const account = formField(req, 'account');
  const accountRole = formField(req, 'accountRole');
  return {
    group: formField(req, 'group'),
    ...(role === 'admin' || role === 'standard' ? { role } : {}),
    ...(account !== '' && accountRole !== '' ? { accountRoles: [{ accountSid: account, role: accountRole }] } : {}),
  };
}

export function scimPages(): AdminRoute[] {
  return [
    { method: 'get', path: '/scim', action: 'manage_scim', handler: overview },
    {
      method: 'post', path: '/scim/tokens', action: 'manage_scim', back,
      handler: async (c) => {
        const description = formField(c.req, 'description').slice(0, 200);
        const created = await c.services.scimTokens.create(c.actor, orgOf(c), description ? { description } : {});
        // C1: shown once, here; stored only as a digest.
        return { view: 'secret', title: 'New SCIM token', status: 201, data: { label: 'SCIM bearer token', secret: created.token, extra: [['SCIM base URL', `${c.baseUrl}${SCIM_BASE_PATH}`]], next: '/admin/scim' } };
      },
    },
    {
      method: 'post', path: '/scim/tokens/:id/revoke', action: 'manage_scim', back,
      handler: async (c) => {
        await c.services.scimTokens.revoke(c.actor, orgOf(c), param(c.req, 'id'));
        return { redirect: withNotice('/admin/scim', 'token_revoked') };
      },
    },
    {
      method: 'post', path: '/scim/mappings', action: 'manage_scim', back,
      handler: async (c) => {
        const input = mappingOf(c.req);
        const intent = formField(c.req, 'intent');
        if (intent === 'preview') {
          const preview = await c.services.scimGroups.preview(c.actor, orgOf(c), input);
          return { view: 'scim-preview', title: 'Preview of the mapping', data: { preview, form: { group: input.group, role: formField(c.req, 'role'), account: formField(c.req, 'account'), accountRole: formField(c.req, 'accountRole') } } };
        }
        if (intent !== 'save') throw new DomainError('invalid_input', 'Choose Preview or Save.');
        await c.services.scimGroups.map(c.actor, orgOf(c), input);
        return { redirect: withNotice('/admin/scim', 'mapping_saved') };
      },
    },
    {
      method: 'post', path: '/scim/mappings/remove', action: 'manage_scim', back,
      handler: async (c) => {
        await c.services.scimGroups.unmap(c.actor, orgOf(c), formField(c.req, 'group'));
        return { redirect: withNotice('/admin/scim', 'mapping_removed') };
      },
    },
  ];
}
