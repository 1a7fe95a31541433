/**
 * SSO connections of an organization over the API (issue 10, S1): list (state: tested, enabled,
 * enforced domains, certificate expiry), create SAML from IdP metadata (XML, or a URL Orgward fetches) or from fields, create
 * OIDC from an issuer (checked by discovery), update (a change to what it trusts resets its test),
 * enable or disable, delete, our SP metadata (XML), start a test sign-in (the single-use URL) and
 * read the last test's result. Client secrets and SP private keys are never returned.
 * Orgward-only resource: Orgward's error body. The services authorise (manage_sso, O3; U6).
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { connectionTested } from '../../rules/sso.js';
import type { Services } from '../../services/index.js';
import { refuseHttpIssuer } from '../../services/sso-connections.js';
import type { ConnectionView } from '../../services/sso-types.js';
import type { SsoTestResult } from '../../store/sso-test-results.js';
import type { Actor } from '../../types.js';
import { parseIdpMetadata, type IdpMetadata } from '../sso/idp-metadata.js';
import { idpMetadataFromUrl } from '../sso/idp-metadata-url.js';
import { checkOidcIssuer } from '../sso/oidc.js';
import { samlMetadata } from '../sso/saml.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';

const TAGS = ['SSO connections'];
const ConnectionId = z.uuid().describe('The SSO connection id');
const orgParams = z.strictObject({ OrganizationSid });
const connectionParams = z.strictObject({ OrganizationSid, ConnectionId });

export const SsoConnectionResource = z.object({
  id: ConnectionId,
  protocol: z.enum(['saml', 'oidc']),
  enabled: z.boolean(),
  tested: z.boolean().describe('S1: a test sign-in succeeded since the trust settings last changed; until then it signs nobody in'),
  date_tested: z.iso.datetime().nullable(),
  enforced_domains: z.array(z.string()).describe("The organization's domains where SSO is enforced (S1, S7)"),
  sp_entity_id: z.string(),
  metadata_url: z.string().describe('Our metadata, for the IdP (public)'),
  acs_url: z.string().nullable(),
  redirect_uri: z.string().nullable(),
  idp_entity_id: z.string().nullable(),
  sso_url: z.string().nullable(),
  allow_idp_initiated: z.boolean().nullable(),
  allow_sha1: z.boolean().nullable(),
  certificates: z.array(z.object({ fingerprint_sha256: z.string(), date_expires: z.iso.datetime() })).describe('SAML: the IdP signing certificates'),
  date_certificate_expires: z.iso.datetime().nullable().describe('SAML: when the first of the IdP certificates expires'),
  issuer: z.string().nullable(),
  client_id: z.string().nullable(),
  date_created: z.iso.datetime(),
});
type Resource = z.infer<typeof SsoConnectionResource>;

const toResource = (c: ConnectionView, enforced: readonly string[]): Resource => {
  const certificates = (c.certificates ?? []).map((x) => ({ fingerprint_sha256: x.fingerprint256, date_expires: x.notAfter.toISOString() }));
  const first = certificates.map((x) => x.date_expires).sort()[0] ?? null;
  return {
    id: c.connectionId, protocol: c.protocol, enabled: c.enabled, tested: connectionTested(c), date_tested: c.testedAt?.toISOString() ?? null,
    enforced_domains: [...enforced], sp_entity_id: c.spEntityId, metadata_url: c.metadataUrl, acs_url: c.acsUrl ?? null, redirect_uri: c.redirectUri ?? null,
    idp_entity_id: c.idpEntityId ?? null, sso_url: c.ssoUrl ?? null, allow_idp_initiated: c.allowIdpInitiated ?? null, allow_sha1: c.allowSha1 ?? null,
    certificates, date_certificate_expires: first, issuer: c.issuer ?? null, client_id: c.clientId ?? null, date_created: c.createdAt.toISOString(),
  };
};

export const SsoTestResultResource = z.object({
  connection_id: ConnectionId,
  outcome: z.enum(['succeeded', 'failed', 'none']).describe('none: no test sign-in has completed yet'),
  date_tested: z.iso.datetime().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()).describe('What the IdP sent: issuer, subject, email, email_verified, names'),
});
const toTestResult = (connectionId: string, r: SsoTestResult | null): z.infer<typeof SsoTestResultResource> => (r === null
  ? { connection_id: connectionId, outcome: 'none', date_tested: null, error_code: null, error_message: null, attributes: {} }
  : {
    connection_id: r.connectionId, outcome: r.outcome, date_tested: r.testedAt.toISOString(), error_code: r.errorCode, error_message: r.errorMessage,
    attributes: {
      issuer: r.attributes.issuer, subject: r.attributes.subject, email: r.attributes.email, email_verified: r.attributes.emailVerified,
      display_name: r.attributes.displayName ?? null, given_name: r.attributes.givenName ?? null, family_name: r.attributes.familyName ?? null,
    },
  });

const Pem = z.string().max(16_384);
const CreateBody = z.strictObject({
  protocol: z.enum(['saml', 'oidc']),
  metadata_xml: z.string().max(262_144).optional().describe("SAML: the IdP's metadata (an md:EntityDescriptor); or metadata_url; or give idp_entity_id, sso_url and certificates"),
  metadata_url: z.string().max(2000).optional().describe("SAML: where Orgward downloads the IdP's metadata now (https on a public address unless SSO_METADATA_ALLOW_PRIVATE_TARGETS=true; at most 3 redirects, 5 s, 256 KiB)"),
  idp_entity_id: z.string().max(1024).optional(),
  sso_url: z.string().max(2048).optional().describe('SAML: the HTTP-Redirect SingleSignOnService URL (https)'),
  certificates: z.array(Pem).min(1).max(5).optional().describe('SAML: the IdP signing certificates (PEM)'),
  allow_idp_initiated: z.boolean().optional(),
  allow_sha1: z.boolean().optional(),
  issuer: z.string().max(2048).optional().describe('OIDC: the issuer URL; its discovery document must be reachable'),
  client_id: z.string().max(512).optional(),
  client_secret: z.string().max(2048).optional().describe('OIDC: stored encrypted, never returned'),
  allow_http_issuer: z.boolean().optional().describe('OIDC, operators only: a plain-http issuer on a loopback address (test IdPs)'),
});
const UpdateBody = z.strictObject({
  idp_entity_id: z.string().max(1024).optional(),
  sso_url: z.string().max(2048).optional(),
  certificates: z.array(Pem).min(1).max(5).optional(),
  metadata_xml: z.string().max(262_144).optional().describe('SAML: new IdP metadata (entity ID, SSO URL and certificates at once)'),
  metadata_url: z.string().max(2000).optional().describe('SAML: where Orgward downloads new IdP metadata now (as on create)'),
  allow_idp_initiated: z.boolean().optional(),
  allow_sha1: z.boolean().optional(),
  issuer: z.string().max(2048).optional(),
  client_id: z.string().max(512).optional(),
  client_secret: z.string().max(2048).optional(),
  enabled: z.boolean().optional().describe('Disable or enable; a disabled connection signs nobody in'),
});

const fieldsFor = (protocol: 'saml' | 'oidc', body: Record<string, unknown>): void => {
  const saml = ['metadata_xml', 'metadata_url', 'idp_entity_id', 'sso_url', 'certificates', 'allow_idp_initiated', 'allow_sha1'];
  const oidc = ['issuer', 'client_id', 'client_secret', 'allow_http_issuer'];
  const foreign = Object.keys(body).filter((k) => body[k] !== undefined && (protocol === 'saml' ? oidc : saml).includes(k));
  if (foreign.length > 0) throw new DomainError('invalid_input', `${foreign.join(', ')} do not apply to a ${protocol.toUpperCase()} connection.`, { details: { fields: foreign } });
};

export function ssoConnectionRoutes(services: Services): ApiRoute[] {
  /** The organization's connections and enforced domains (authorised by the services). */
  async function state(actor: Actor, orgSid: string) {
    const connections = await services.sso.list(actor, orgSid);
    const enforced = (await services.domains.list(actor, orgSid)).filter((d) => d.ssoEnforced).map((d) => d.domain);
    return { connections, enforced };
  }
  async function one(actor: Actor, orgSid: string, connectionId: string): Promise<Resource> {
    const { connections, enforced } = await state(actor, orgSid);
    const c = connections.find((x) => x.connectionId === connectionId);
    if (!c) throw new DomainError('not_found', `No SSO connection ${connectionId} in organization ${orgSid}.`);
    return toResource(c, enforced);
  }
  /** SAML: the IdP metadata given as XML or by URL (one of them, and not with the fields), or none. */
  async function metadataOf(actor: Actor, orgSid: string, body: { metadata_xml?: string | undefined; metadata_url?: string | undefined; idp_entity_id?: string | undefined; sso_url?: string | undefined; certificates?: string[] | undefined }): Promise<IdpMetadata | undefined> {
    if (body.metadata_xml !== undefined && body.metadata_url !== undefined) throw new DomainError('invalid_input', 'Give metadata_xml or metadata_url, not both.');
    const given = body.metadata_xml !== undefined || body.metadata_url !== undefined;
    if (given && (body.idp_entity_id !== undefined || body.sso_url !== undefined || body.certificates !== undefined)) {
      throw new DomainError('invalid_input', 'Give either metadata_xml (or metadata_url) or idp_entity_id, sso_url and certificates, not both.');
    }
    if (body.metadata_xml !== undefined) return parseIdpMetadata(body.metadata_xml);
    if (body.metadata_url === undefined) return undefined;
    // Authorised first: no request leaves on behalf of someone who may not manage SSO.
    await services.sso.list(actor, orgSid);
    return idpMetadataFromUrl(services.deps, body.metadata_url);
  }

  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/SsoConnections', summary: "List the organization's SSO connections and their state (S1)", tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The connections (never secrets)', schema: z.object({ connections: z.array(SsoConnectionResource) }) } },
      async handler({ params, principal }) {
        const { connections, enforced } = await state(principal.actor, params.OrganizationSid);
        return { status: 200, body: { connections: connections.map((c) => toResource(c, enforced)) } };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}', summary: 'Fetch one SSO connection', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: connectionParams,
      responses: { 200: { description: 'The connection, with its ETag', schema: SsoConnectionResource } },
      async handler({ params, principal }) {
        const body = await one(principal.actor, params.OrganizationSid, params.ConnectionId);
        return { status: 200, body, headers: { ETag: etagOf(body) } };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/SsoConnections', summary: 'Add a SAML connection (from IdP metadata XML or fields) or an OIDC connection (from an issuer)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams, body: CreateBody,
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The new connection: untested, so it signs nobody in until a test sign-in succeeds (S1)', schema: SsoConnectionResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          fieldsFor(body.protocol, body);
          let connectionId: string;
          if (body.protocol === 'saml') {
            const fromMetadata = await metadataOf(principal.actor, params.OrganizationSid, body);
            connectionId = (await services.sso.addSaml(principal.actor, params.OrganizationSid, {
              idpEntityId: fromMetadata?.entityId ?? body.idp_entity_id ?? '', ssoUrl: fromMetadata?.ssoUrl ?? body.sso_url ?? '',
              certificates: fromMetadata?.certificates ?? body.certificates ?? [],
              allowIdpInitiated: body.allow_idp_initiated === true, allowSha1: body.allow_sha1 === true,
            })).connectionId;
          } else {
            if (body.issuer === undefined || body.client_id === undefined || body.client_secret === undefined) {
              throw new DomainError('invalid_input', 'An OIDC connection needs issuer, client_id and client_secret.');
            }
            // Authorised first (no discovery request on behalf of someone who may not add connections).
            await services.sso.list(principal.actor, params.OrganizationSid);
            refuseHttpIssuer(principal.actor, body.allow_http_issuer === true);
            await checkOidcIssuer(body.issuer, body.client_id, body.client_secret, body.allow_http_issuer === true);
            connectionId = (await services.sso.addOidc(principal.actor, params.OrganizationSid, {
              issuer: body.issuer, clientId: body.client_id, clientSecret: body.client_secret, allowHttpIssuer: body.allow_http_issuer === true,
            })).connectionId;
          }
          const resource = await one(principal.actor, params.OrganizationSid, connectionId);
          return { status: 201, body: resource, headers: { ETag: etagOf(resource) } };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}', summary: 'Update a connection: trust settings (reset its test, S1), OIDC client, or enabled', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: connectionParams, body: UpdateBody,
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The connection after the change; tested is false when its trust changed', schema: SsoConnectionResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const { actor } = principal;
          const current = await one(actor, params.OrganizationSid, params.ConnectionId);
          checkIfMatch(req, current);
          const { enabled, ...settings } = body;
          fieldsFor(current.protocol, settings);
          if (Object.values(settings).some((v) => v !== undefined)) {
            if (current.protocol === 'saml') {
              const fromMetadata = await metadataOf(actor, params.OrganizationSid, settings);
              await services.sso.changeSaml(actor, params.OrganizationSid, params.ConnectionId, {
                ...((fromMetadata?.entityId ?? settings.idp_entity_id) !== undefined && { idpEntityId: fromMetadata?.entityId ?? settings.idp_entity_id }),
                ...((fromMetadata?.ssoUrl ?? settings.sso_url) !== undefined && { ssoUrl: fromMetadata?.ssoUrl ?? settings.sso_url }),
                ...((fromMetadata?.certificates ?? settings.certificates) !== undefined && { certificates: fromMetadata?.certificates ?? settings.certificates }),
                ...(settings.allow_idp_initiated !== undefined && { allowIdpInitiated: settings.allow_idp_initiated }),
                ...(settings.allow_sha1 !== undefined && { allowSha1: settings.allow_sha1 }),
              });
            } else {
              await services.sso.changeOidc(actor, params.OrganizationSid, params.ConnectionId, {
                ...(settings.issuer !== undefined && { issuer: settings.issuer }),
                ...(settings.client_id !== undefined && { clientId: settings.client_id }),
                ...(settings.client_secret !== undefined && { clientSecret: settings.client_secret }),
              });
            }
          }
          if (enabled !== undefined) await services.sso.setEnabled(actor, params.OrganizationSid, params.ConnectionId, enabled);
          const resource = await one(actor, params.OrganizationSid, params.ConnectionId);
          return { status: 200, body: resource, headers: { ETag: etagOf(resource) } };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}', summary: 'Delete a connection (refused while it is the only working connection of an enforced domain)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: connectionParams,
      headers: [IF_MATCH_HEADER],
      responses: { 204: { description: 'Deleted' } },
      async handler({ params, principal, req }) {
        if (req.get('if-match') !== undefined) checkIfMatch(req, await one(principal.actor, params.OrganizationSid, params.ConnectionId));
        await services.sso.remove(principal.actor, params.OrganizationSid, params.ConnectionId);
        return { status: 204 };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}/Metadata', summary: 'Our SAML SP metadata for the IdP (XML)', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: connectionParams,
      responses: { 200: { description: 'The SP metadata XML (application/samlmetadata+xml)', mediaType: 'application/samlmetadata+xml' } },
      async handler({ params, principal }) {
        const c = await one(principal.actor, params.OrganizationSid, params.ConnectionId);
        if (c.protocol !== 'saml') throw new DomainError('not_found', `SSO connection ${c.id} is an OIDC connection: give the IdP its redirect_uri (${c.redirect_uri}).`);
        return { status: 200, body: await samlMetadata(services, c.id), contentType: 'application/samlmetadata+xml' };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}/Tests', summary: 'Start a test sign-in: a single-use URL (15 minutes) to open in a browser (S1)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: connectionParams,
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The test URL', schema: z.object({ url: z.string(), date_expires: z.iso.datetime() }) } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          const test = await services.sso.startTest(principal.actor, params.OrganizationSid, params.ConnectionId);
          return { status: 201, body: { url: test.url, date_expires: test.expiresAt.toISOString() } };
        });
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/SsoConnections/{ConnectionId}/Tests/Last', summary: 'The result of the last test sign-in: outcome, time and what the IdP sent', tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: connectionParams,
      responses: { 200: { description: 'The last test result', schema: SsoTestResultResource } },
      async handler({ params, principal }) {
        return { status: 200, body: toTestResult(params.ConnectionId, await services.sso.lastTest(principal.actor, params.OrganizationSid, params.ConnectionId)) };
      },
    }),
  ];
}
