/**
 * A setup link's domain steps (D1-D4): register a domain (or take up one an administrator
 * registered and nobody verified yet), publish its TXT record (name and value with copy buttons),
 * verify it (the answer says whether the record is missing or has another value). The domain's
 * policy and SSO enforcement stay with administrators (D6, S1).
 */
import { withNotice } from '../notices.js';
import { formField, type PageResult } from '../page.js';
import type { SetupContext, SetupRoute } from './routes.js';

export async function domainOverview(s: SetupContext): Promise<PageResult> {
  const { link, org } = s.opened;
  return {
    view: 'setup-domain', title: `Domain verification for ${org.name}`,
    data: { orgName: org.name, expiresAt: link.expiresAt, domains: await s.services.setupLinkSteps.domainState(s.opened) },
  };
}

export function domainSetupRoutes(): SetupRoute[] {
  return [
    {
      method: 'post', path: '/domains', kind: 'domain',
      handler: async (s) => {
        const added = await s.services.setupLinkSteps.addDomain(s.opened, formField(s.req, 'domain'));
        return { redirect: `${withNotice(s.page, 'domain_added')}#d-${added.domain}` };
      },
    },
    {
      method: 'post', path: '/domains/:domain/verify', kind: 'domain',
      handler: async (s) => {
        await s.services.setupLinkSteps.verifyDomain(s.opened, String(s.req.params.domain ?? '').slice(0, 253));
        return { redirect: withNotice(s.page, 'domain_verified') };
      },
    },
  ];
}
