/**
 * A setup link's SSO steps (S1): 1. the IdP (routes.ts), 2. the values to give it (the SP entity
 * ID and ACS URL, or the redirect URI, known before the IdP's own values) with the steps and
 * attribute mappings for that IdP, 3. the IdP's details (SAML metadata or fields, or an OIDC
 * issuer and client, discovered before saving), 4. the test sign-in and its result with the
 * attributes received. Enforcing SSO is not among them: administrators decide that afterwards.
 */
import { SETUP_IDPS } from '../../../rules/setup-links.js';
import { withNotice } from '../notices.js';
import type { PageResult } from '../page.js';
import { oidcFormInput, samlFormInput } from '../sso-forms.js';
import { IDP_NAMES, SSO_GUIDES } from './guides.js';
import type { SetupContext, SetupRoute } from './routes.js';

export async function ssoOverview(s: SetupContext): Promise<PageResult> {
  const { link, org } = s.opened;
  const state = await s.services.setupLinkSteps.ssoState(s.opened);
  return {
    view: 'setup-sso', title: `Single sign-on for ${org.name}`,
    data: {
      orgName: org.name, expiresAt: link.expiresAt, idp: link.idp, choices: SETUP_IDPS.sso.map((id) => [id, IDP_NAMES[id]]),
      guide: link.idp ? SSO_GUIDES[link.idp] ?? null : null, state,
      attributes: state.lastTest ? Object.entries(state.lastTest.attributes) : [],
    },
  };
}

export function ssoSetupRoutes(): SetupRoute[] {
  return [
    {
      method: 'post', path: '/saml', kind: 'sso',
      handler: async (s) => {
        await s.services.setupLinkSteps.saveSaml(s.opened, await samlFormInput(s.req, s.services.deps));
        return { redirect: `${withNotice(s.page, 'setup_connection_saved')}#step-4` };
      },
    },
    {
      method: 'post', path: '/oidc', kind: 'sso',
      handler: async (s) => {
        await s.services.setupLinkSteps.saveOidc(s.opened, await oidcFormInput(s.req, s.opened.actor));
        return { redirect: `${withNotice(s.page, 'setup_connection_saved')}#step-4` };
      },
    },
    {
      method: 'post', path: '/test', kind: 'sso',
      handler: async (s) => {
        const test = await s.services.setupLinkSteps.startTest(s.opened);
        // As on the Admin Center's SSO page: a link, since CSP form-action would stop a form's redirect to the IdP.
        return { view: 'sso-test', title: 'Test sign-in', data: { url: test.url, expiresAt: test.expiresAt, back: `${s.page}#step-4`, backLabel: 'this setup link\'s page' } };
      },
    },
  ];
}
