/** Roles (R1): the catalogue of organization and account roles, built-in and custom, with their permissions. */
import { orgOf, type AdminRoute } from '../page.js';

export function rolePages(): AdminRoute[] {
  return [{
    method: 'get', path: '/roles', action: 'manage_users',
    handler: async (c) => {
      const roles = await c.services.roles.list(c.actor, orgOf(c));
      return { view: 'roles', title: 'Roles', data: { roles: [...roles].sort((a, b) => a.scopeType.localeCompare(b.scopeType) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name)) } };
    },
  }];
}
