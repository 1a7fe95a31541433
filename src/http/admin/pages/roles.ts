/** Roles (R1): the catalogue of organization and account roles, built-in and custom, their permissions, and who holds each. */
import { orgOf, param, queryField, type AdminRoute } from '../page.js';

const HOLDERS_PAGE = 100;

export function rolePages(): AdminRoute[] {
  return [{
    method: 'get', path: '/roles', action: 'manage_users',
    handler: async (c) => {
      const orgSid = orgOf(c);
      const [roles, counts] = await Promise.all([c.services.roles.list(c.actor, orgSid), c.services.roles.holderCounts(c.actor, orgSid)]);
      const sorted = [...roles].sort((a, b) => a.scopeType.localeCompare(b.scopeType) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
      return {
        view: 'roles', title: 'Roles',
        data: {
          roles: sorted.map((r) => ({
            ...r, holders: counts.get(r.sid) ?? 0,
            // Organization roles are the users list's role filter; account roles have their own list.
            holdersLink: r.orgRole !== null ? `/admin/users?role=${r.orgRole}` : `/admin/roles/${r.sid}`,
          })),
        },
      };
    },
  }, {
    method: 'get', path: '/roles/:sid', action: 'manage_users',
    handler: async (c) => {
      const after = queryField(c.req, 'after');
      const found = await c.services.roles.holders(c.actor, orgOf(c), param(c.req, 'sid'), { limit: HOLDERS_PAGE, ...(after !== '' && { after }) });
      return {
        view: 'role', title: `Role: ${found.role.name}`,
        data: {
          role: found.role, holders: found.holders,
          next: found.next ? `/admin/roles/${found.role.sid}?after=${found.next}` : null,
          first: after !== '' ? `/admin/roles/${found.role.sid}` : null,
        },
      };
    },
  }];
}
