/** The Admin Center's navigation: each entry only for the roles that may open it (O3). */
import { can, type Action } from '../../rules/roles.js';
import type { Role } from '../../types.js';
import type { NavItem } from './render.js';

const ENTRIES: readonly { readonly href: string; readonly label: string; readonly action: Action | 'self' }[] = [
  { href: '/admin', label: 'Overview', action: 'view_users' },
  { href: '/admin/me', label: 'My profile', action: 'self' },
  { href: '/admin/users', label: 'Users', action: 'view_users' },
  { href: '/admin/invitations', label: 'Invitations', action: 'manage_users' },
  { href: '/admin/accounts', label: 'Accounts', action: 'view_organization' },
  { href: '/admin/domains', label: 'Domains', action: 'manage_domains' },
  { href: '/admin/roles', label: 'Roles', action: 'manage_users' },
  { href: '/admin/sso', label: 'SSO', action: 'manage_sso' },
  { href: '/admin/scim', label: 'SCIM', action: 'manage_scim' },
  { href: '/admin/api-clients', label: 'API clients', action: 'manage_settings' },
  { href: '/admin/webhooks', label: 'Webhooks', action: 'manage_settings' },
  { href: '/admin/setup-links', label: 'Setup links', action: 'manage_settings' },
  { href: '/admin/merge', label: 'Merge', action: 'merge' },
  { href: '/admin/audit', label: 'Audit log', action: 'view_audit' },
];

export const ROLE_LABELS: Readonly<Record<Role, string>> = { owner: 'Owner', admin: 'Administrator', standard: 'Standard User' };

/** The entries `role` may open; the one matching `path` is marked current. */
export function navFor(role: Role | null, path: string): NavItem[] {
  const current = ENTRIES.filter((e) => path === e.href || (e.href !== '/admin' && path.startsWith(`${e.href}/`))).at(-1)?.href ?? '/admin';
  return ENTRIES
    .filter((e) => e.action === 'self' || can(role, e.action))
    .map((e) => ({ href: e.href, label: e.label, current: e.href === current }));
}
