/**
 * The SSO connection forms, read once for the Admin Center's SSO page and the setup links' SSO
 * step: a SAML connection from the IdP's metadata XML (pasted, or read from a dropped file by the
 * enhancing script), from its metadata URL (fetched by the server, SSRF-guarded), or from its
 * three fields; an OIDC connection from an issuer, discovered before
 * anything is saved, so a wrong issuer is found now rather than at the first sign-in.
 */
import type { Request } from 'express';
import { DomainError } from '../../errors.js';
import type { ServiceDeps } from '../../services/index.js';
import { refuseHttpIssuer } from '../../services/sso-connections.js';
import type { Actor } from '../../types.js';
import { parseIdpMetadata } from '../sso/idp-metadata.js';
import { idpMetadataFromUrl } from '../sso/idp-metadata-url.js';
import { checkOidcIssuer } from '../sso/oidc.js';
import { formField } from './page.js';

/** The IdP's SAML values from the form: its metadata (pasted or at its URL) when given, else the fields. */
export async function samlFormInput(req: Request, deps: Pick<ServiceDeps, 'ssoMetadata'>): Promise<{ idpEntityId: string; ssoUrl: string; certificates: string[] }> {
  const xml = formField(req, 'metadata');
  const url = formField(req, 'metadataUrl');
  if (xml !== '' && url !== '') throw new DomainError('invalid_input', 'Give the IdP metadata XML or its URL, not both.');
  const fromMetadata = xml !== '' ? parseIdpMetadata(xml) : url !== '' ? await idpMetadataFromUrl(deps, url) : undefined;
  const cert = formField(req, 'certificate');
  return {
    idpEntityId: fromMetadata?.entityId ?? formField(req, 'entityId'), ssoUrl: fromMetadata?.ssoUrl ?? formField(req, 'ssoUrl'),
    certificates: fromMetadata ? [...fromMetadata.certificates] : cert !== '' ? [cert] : [],
  };
}

/** The OpenID Provider from the form, after discovery answered for this client. */
export async function oidcFormInput(req: Request, actor: Actor): Promise<{ issuer: string; clientId: string; clientSecret: string }> {
  const issuer = formField(req, 'issuer');
  const clientId = formField(req, 'clientId');
  const clientSecret = formField(req, 'clientSecret');
  if (!issuer || !clientId || !clientSecret) throw new DomainError('invalid_input', 'An OIDC connection needs the issuer URL, client ID and client secret.');
  // Before any request leaves: only an operator may point Orgward at a plain-http loopback issuer.
  refuseHttpIssuer(actor, false);
  await checkOidcIssuer(issuer, clientId, clientSecret, false);
  return { issuer, clientId, clientSecret };
}
