/**
 * GET /oauth/interaction/:uid: where the provider sends a browser that must sign in (or consent)
 * for a product app. Sign-in is Orgward's own (/login: email first, the organization's IdP where
 * SSO is enforced, password + TOTP otherwise), so an app can never pick a weaker way in (S7); the
 * sign-in pages return here (return-path.ts) and the provider resumes with the signed-in person.
 * Apps are registered by the operator (first-party): their consent is recorded without a screen.
 */
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Services } from '../../services/index.js';
import type { SessionMethod } from '../../store/sessions.js';
import { handle } from '../handle.js';
import { html, sendPage } from '../auth/html.js';
import { signInThenReturn } from '../auth/return-path.js';
import { INTERACTION_PATH, type OidcDeps } from './provider.js';
import { oidcServerFor } from './routes.js';

/** RFC 8176 method references, as the product's apps see how a person signed in. */
export function amrOf(method: SessionMethod): string[] {
  switch (method) {
    case 'password': return ['pwd', 'otp'];
    case 'saml': return ['saml'];
    case 'oidc': return ['oidc'];
  }
}

function expired(res: Response): void {
  sendPage(res, 400, 'Sign-in request expired', html`<p>This sign-in request is not valid any more (it expired or was already used). Go back to the app and sign in again.</p>`);
}

export function interactionRoutes(deps: OidcDeps & { services: Services }): Router {
  const server = oidcServerFor(deps);
  const router = express.Router();
  router.get(`${INTERACTION_PATH}/:uid`, handle(async (req: Request, res: Response) => {
    const { provider } = await server.current();
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      // The provider's interaction cookie is missing, expired or of another request.
      expired(res);
      return;
    }
    if (details.uid !== req.params.uid) { expired(res); return; }
    const who = req.signedIn;
    const here = `${INTERACTION_PATH}/${details.uid}`;
    if (!who) {
      res.redirect(303, signInThenReturn(here));
      return;
    }
    if (details.prompt.name === 'login' || details.session?.accountId !== who.userSid) {
      await provider.interactionFinished(req, res, {
        login: { accountId: who.userSid, amr: amrOf(who.method), remember: false, ts: Math.floor(deps.clock.now().getTime() / 1000) },
      }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'consent') {
      const app = await deps.services.oidcApps.find(details.params.client_id);
      if (!app?.firstParty) {
        sendPage(res, 403, 'App not allowed', html`<p>This app is not registered with Orgward. Ask your administrator.</p>`);
        return;
      }
      const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined)
        ?? new provider.Grant({ accountId: who.userSid, clientId: app.clientId });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    sendPage(res, 400, 'Sign-in not possible', html`<p>The app asked for something Orgward does not offer (${details.prompt.name}). Go back to the app.</p>`);
  }));
  return router;
}
