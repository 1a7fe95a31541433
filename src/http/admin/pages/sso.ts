/**
 * SSO connections (S1-S8): their state (tested, enabled, certificate expiry), a SAML connection
 * from IdP metadata XML (pasted, or read from a chosen file by the enhancing script) or from
 * fields, an OIDC connection from an issuer (discovered before saving), the SP values to give the
 * IdP, the test sign-in (the browser is sent to it) and its result with the attributes received,
 * enable / disable, and delete behind a confirmation.
 */
import type { Request } from 'express';
import { DomainError } from '../../../errors.js';
import { oidcFormInput, samlFormInput } from '../sso-forms.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute, type PageContext } from '../page.js';

const back = () => '/admin/sso';
const idOf = (req: Request) => param(req, 'id').slice(0, 100);

async function connection(c: PageContext, id: string) {
  const found = (await c.services.sso.list(c.actor, orgOf(c))).find((s) => s.connectionId === id);
  if (!found) throw new DomainError('not_found', 'There is no such SSO connection in this organization.');
  return found;
}

async function list(c: PageContext) {
  const orgSid = orgOf(c);
  const [connections, domains] = await Promise.all([c.services.sso.list(c.actor, orgSid), c.services.domains.list(c.actor, orgSid)]);
  return { view: 'sso', title: 'Single sign-on', data: { connections, enforced: domains.filter((d) => d.ssoEnforced).map((d) => d.domain) } };
}

async function detail(c: PageContext) {
  const s = await connection(c, idOf(c.req));
  const last = await c.services.sso.lastTest(c.actor, orgOf(c), s.connectionId);
  return { view: 'sso-connection', title: `${s.protocol.toUpperCase()} connection`, data: { s, last, attributes: last ? Object.entries(last.attributes) : [] } };
}

export function ssoPages(): AdminRoute[] {
  const page = (id: string) => `/admin/sso/${encodeURIComponent(id)}`;
  return [
    { method: 'get', path: '/sso', action: 'manage_sso', handler: list },
    {
      method: 'post', path: '/sso/saml', action: 'manage_sso', back,
      handler: async (c) => {
        const added = await c.services.sso.addSaml(c.actor, orgOf(c), { ...(await samlFormInput(c.req, c.services.deps)), allowIdpInitiated: formField(c.req, 'idpInitiated') === 'on' });
        return { redirect: withNotice(page(added.connectionId), 'sso_added') };
      },
    },
    {
      method: 'post', path: '/sso/oidc', action: 'manage_sso', back,
      handler: async (c) => {
        const input = await oidcFormInput(c.req, c.actor);
        const added = await c.services.sso.addOidc(c.actor, orgOf(c), { ...input, allowHttpIssuer: false });
        return { redirect: withNotice(page(added.connectionId), 'sso_added') };
      },
    },
    { method: 'get', path: '/sso/:id', action: 'manage_sso', handler: detail },
    {
      method: 'post', path: '/sso/:id/test', action: 'manage_sso', back,
      handler: async (c) => {
        const test = await c.services.sso.startTest(c.actor, orgOf(c), idOf(c.req));
        // S1: the browser runs the test sign-in at the IdP through a link (CSP form-action would stop
        // a form's redirect to the IdP); the result is on the connection's page afterwards.
        return { view: 'sso-test', title: 'Test sign-in', data: { url: test.url, expiresAt: test.expiresAt, back: page(idOf(c.req)) } };
      },
    },
    {
      method: 'post', path: '/sso/:id/enabled', action: 'manage_sso', back,
      handler: async (c) => {
        await c.services.sso.setEnabled(c.actor, orgOf(c), idOf(c.req), formField(c.req, 'enabled') === 'true');
        return { redirect: withNotice(page(idOf(c.req)), 'sso_changed') };
      },
    },
    {
      method: 'get', path: '/sso/:id/confirm/delete', action: 'manage_sso',
      handler: async (c) => {
        const s = await connection(c, idOf(c.req));
        return { view: 'confirm', title: 'Delete this SSO connection?', data: { subject: `${s.protocol.toUpperCase()} ${s.idpEntityId ?? s.issuer ?? s.connectionId}`, text: 'Nobody can sign in through it any more; domains enforcing SSO need another tested connection (S1).', button: 'Delete connection', action: `${page(s.connectionId)}/delete`, cancel: page(s.connectionId) } };
      },
    },
    {
      method: 'post', path: '/sso/:id/delete', action: 'manage_sso', back,
      handler: async (c) => {
        await c.services.sso.remove(c.actor, orgOf(c), idOf(c.req));
        return { redirect: withNotice('/admin/sso', 'sso_removed') };
      },
    },
  ];
}
