/**
 * A setup link's SCIM steps (C1): 1. the IdP (routes.ts), 2. the SCIM base URL and a token (shown
 * once, on the response of the POST that made it; the link revokes only its own tokens) with the
 * steps and mappings for that IdP, 3. the test push: the first user and group Orgward received
 * through the link's tokens (the page refreshes itself while it waits). Group mappings to roles
 * stay with administrators (C5).
 */
import { SETUP_IDPS } from '../../../rules/setup-links.js';
import { SCIM_BASE_PATH } from '../../scim/router.js';
import { withNotice } from '../notices.js';
import type { PageResult } from '../page.js';
import { IDP_NAMES, SCIM_GUIDES } from './guides.js';
import type { SetupContext, SetupRoute } from './routes.js';

/** How often the page reloads itself while it waits for the test push (a meta refresh: no script). */
const WAIT_REFRESH_SECONDS = 15;

export async function scimOverview(s: SetupContext): Promise<PageResult> {
  const { link, org } = s.opened;
  const state = await s.services.setupLinkSteps.scimState(s.opened);
  const waiting = state.tokens.length > 0 && (state.firstUser === null || state.firstGroup === null);
  return {
    view: 'setup-scim', title: `SCIM provisioning for ${org.name}`,
    data: {
      orgName: org.name, expiresAt: link.expiresAt, idp: link.idp, choices: SETUP_IDPS.scim.map((id) => [id, IDP_NAMES[id]]),
      guide: link.idp ? SCIM_GUIDES[link.idp] ?? null : null, baseUrl: `${s.baseUrl}${SCIM_BASE_PATH}`, state,
      ...(waiting && { refresh: WAIT_REFRESH_SECONDS }),
    },
  };
}

export function scimSetupRoutes(): SetupRoute[] {
  return [
    {
      method: 'post', path: '/scim-tokens', kind: 'scim',
      handler: async (s) => {
        const created = await s.services.setupLinkSteps.createToken(s.opened);
        // C1: shown once, here; stored only as a digest.
        return { view: 'secret', title: 'Your SCIM token', status: 201, data: { label: 'SCIM bearer token', secret: created.token, extra: [['SCIM base URL', `${s.baseUrl}${SCIM_BASE_PATH}`]], next: `${s.page}#step-3` } };
      },
    },
    {
      method: 'post', path: '/scim-tokens/:id/revoke', kind: 'scim',
      handler: async (s) => {
        await s.services.setupLinkSteps.revokeToken(s.opened, String(s.req.params.id ?? '').slice(0, 100));
        return { redirect: `${withNotice(s.page, 'token_revoked')}#step-2` };
      },
    },
  ];
}
