/**
 * Setup links (issue 11): the organization's links with their state and the steps taken through
 * them, a new link (kind and validity; its URL shown once, on the response of the POST that made
 * it, with a copy button: only its digest is kept), and revoke. The services decide who may (the
 * Owner and Administrators, O3).
 */
import { DEFAULT_SETUP_LINK_DAYS, MAX_SETUP_LINK_DAYS } from '../../../rules/setup-links.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute } from '../page.js';

/** What each kind of link walks the IT admin through, for the list and the form. */
export const SETUP_KIND_LABELS: Readonly<Record<string, string>> = {
  sso: 'Single sign-on (SAML or OIDC)', scim: 'SCIM provisioning', domain: 'Domain verification',
};

export function setupLinkPages(): AdminRoute[] {
  const back = () => '/admin/setup-links';
  return [
    {
      method: 'get', path: '/setup-links', action: 'manage_settings',
      handler: async (c) => ({
        view: 'setup-links', title: 'Setup links',
        data: { links: await c.services.setupLinks.list(c.actor, orgOf(c)), kinds: SETUP_KIND_LABELS, defaultDays: DEFAULT_SETUP_LINK_DAYS, maxDays: MAX_SETUP_LINK_DAYS },
      }),
    },
    {
      method: 'post', path: '/setup-links', action: 'manage_settings', back,
      handler: async (c) => {
        const created = await c.services.setupLinks.create(c.actor, orgOf(c), { kind: formField(c.req, 'kind'), validDays: formField(c.req, 'days') });
        return {
          view: 'secret', title: 'New setup link', status: 201,
          data: {
            label: 'Setup link', secret: created.url, next: '/admin/setup-links',
            extra: [['For', SETUP_KIND_LABELS[created.kind] ?? created.kind], ['Valid until (UTC)', created.expiresAt.toISOString().slice(0, 16).replace('T', ' ')]],
          },
        };
      },
    },
    {
      method: 'post', path: '/setup-links/:sid/revoke', action: 'manage_settings', back,
      handler: async (c) => {
        await c.services.setupLinks.revoke(c.actor, orgOf(c), param(c.req, 'sid'));
        return { redirect: withNotice('/admin/setup-links', 'setup_link_revoked') };
      },
    },
  ];
}
