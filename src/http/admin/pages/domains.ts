/**
 * Domains (D1-D6, S1, S7): register (the TXT record to publish, with copy buttons), verify (the
 * service's answer: verified, record not found yet, or the wrong value, with what was found), the
 * policy, and SSO enforcement with its readiness (an enabled connection with a successful test
 * sign-in, S1) behind a confirmation, since switching it on ends sessions (S7).
 */
import type { Request } from 'express';
import { DomainError } from '../../../errors.js';
import { DOMAIN_POLICIES, type DomainPolicy } from '../../../rules/types.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute, type PageContext } from '../page.js';

const back = () => '/admin/domains';
const domainOf = (req: Request): string => param(req, 'domain').slice(0, 253);

async function list(c: PageContext) {
  const [domains, connections] = await Promise.all([c.services.domains.list(c.actor, orgOf(c)), c.services.sso.list(c.actor, orgOf(c))]);
  const ready = connections.some((s) => s.enabled && s.testedAt !== null);
  return { view: 'domains', title: 'Domains', data: { domains, ready } };
}

export function domainPages(): AdminRoute[] {
  return [
    { method: 'get', path: '/domains', action: 'manage_domains', handler: list },
    {
      method: 'post', path: '/domains', action: 'manage_domains', back,
      handler: async (c) => {
        const added = await c.services.domains.add(c.actor, orgOf(c), formField(c.req, 'domain'));
        return { redirect: `${withNotice('/admin/domains', 'domain_added')}#d-${added.domain}` };
      },
    },
    {
      method: 'post', path: '/domains/:domain/verify', action: 'manage_domains', back,
      handler: async (c) => {
        await c.services.domains.verify(c.actor, orgOf(c), domainOf(c.req));
        return { redirect: withNotice('/admin/domains', 'domain_verified') };
      },
    },
    {
      method: 'post', path: '/domains/:domain/policy', action: 'manage_domains', back,
      handler: async (c) => {
        const policy = formField(c.req, 'policy');
        if (!(DOMAIN_POLICIES as readonly string[]).includes(policy)) throw new DomainError('invalid_input', 'Choose a policy: Restricted, Auto-enrollment or Blocked.');
        await c.services.domains.setPolicy(c.actor, orgOf(c), domainOf(c.req), policy as DomainPolicy);
        return { redirect: withNotice('/admin/domains', 'policy_changed') };
      },
    },
    {
      method: 'get', path: '/domains/:domain/confirm/enforce', action: 'manage_sso',
      handler: async (c) => {
        const impact = await c.services.sso.enforcementImpact(c.actor, orgOf(c), domainOf(c.req));
        const ending = impact.sessionsToEnd === 0 ? 'No password session is open now'
          : `${impact.sessionsToEnd} password session${impact.sessionsToEnd === 1 ? '' : 's'} will end at once`;
        return {
          view: 'confirm', title: 'Enforce SSO for this domain?',
          data: {
            subject: impact.domain, button: 'Enforce SSO', action: `/admin/domains/${impact.domain}/enforcement`, cancel: '/admin/domains', fields: [['on', 'true']],
            text: `People with this domain then sign in only through SSO (U5). ${ending}: every session of theirs that did not come through SSO ends, and password resets are refused (S7).`,
          },
        };
      },
    },
    {
      method: 'post', path: '/domains/:domain/enforcement', action: 'manage_sso', back,
      handler: async (c) => {
        await c.services.sso.setEnforcement(c.actor, orgOf(c), domainOf(c.req), formField(c.req, 'on') === 'true');
        return { redirect: withNotice('/admin/domains', 'enforcement_changed') };
      },
    },
  ];
}
