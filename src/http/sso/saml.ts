/**
 * The SAML 2.0 SP: @node-saml/passport-saml's MultiSamlStrategy with per-connection options,
 * driven without passport (a strategy reports through success/fail/error/redirect). node-saml
 * verifies the signature (sha256 and signed assertions required, InResponseTo always validated
 * unless the connection allows IdP-initiated sign-in); Orgward adds what it leaves open: the
 * pre-parse guard (saml-guard.ts: status, exactly one assertion, Conditions), issuer, recipient and
 * destination, unsolicited-response age and expiry, RelayState as an opaque handle, the binding of
 * a solicited response to the browser that was sent to the IdP (a cookie whose digest the request
 * stores), and atomic single use across instances (completeSso).
 */
import {
  MultiSamlStrategy, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig, type VerifyWithoutRequest,
} from '@node-saml/passport-saml';
import { decideIdpInitiated, decideRelayState } from '../../rules/sso.js';
import { decideAssertionConditions, decideSamlResponse } from '../../rules/sso-response.js';
import type { Services } from '../../services/index.js';
import { LOGIN_TTL_MS } from '../../services/sso-login.js';
import type { SamlSettings, SsoPurpose } from '../../services/sso-types.js';
import type { SsoOutcome } from '../../services/sso-complete.js';
import { newToken } from '../../security/tokens.js';
import { identityFrom, readAssertion, readEnvelope } from './saml-assertion.js';
import { SsoRejected } from './rejected.js';
import { guardEncryptedAssertions, guardSamlResponse } from './saml-guard.js';

/** Allowed difference between the IdP's clock and ours. */
export const CLOCK_SKEW_MS = 60 * 1000;

type StrategyResult = { kind: 'success'; profile: Profile } | { kind: 'redirect'; url: string } | { kind: 'error'; error: unknown };

const optionsByRequest = new WeakMap<object, SamlConfig>();

const signOn: VerifyWithoutRequest = (profile, done) => done(null, profile ?? undefined);
const logout: VerifyWithoutRequest = (_profile, done) => done(new Error('SAML single logout is not supported'));
const strategy = new MultiSamlStrategy({ getSamlOptions: (req, done) => done(null, optionsByRequest.get(req as object)) }, signOn, logout);
// passport-saml brings its own copy of the express types; our requests are plain objects anyway.
type StrategyRequest = Parameters<MultiSamlStrategy['authenticate']>[0];

/** Runs the strategy the way passport would, on a request object we build (never the raw one). */
function run(fakeRequest: Record<string, unknown>, options: SamlConfig, authOptions: Record<string, unknown> = {}): Promise<StrategyResult> {
  optionsByRequest.set(fakeRequest, options);
  return new Promise((resolve) => {
    const s = Object.create(strategy) as MultiSamlStrategy & Record<string, unknown>;
    s.success = (user: Profile) => resolve({ kind: 'success', profile: user });
    s.fail = (challenge: unknown) => resolve({ kind: 'error', error: new SsoRejected(`strategy failed: ${JSON.stringify(challenge)}`) });
    s.error = (error: unknown) => resolve({ kind: 'error', error });
    s.redirect = (url: string) => resolve({ kind: 'redirect', url });
    s.pass = () => resolve({ kind: 'error', error: new SsoRejected('strategy passed') });
    try {
      s.authenticate(fakeRequest as unknown as StrategyRequest, authOptions);
    } catch (error) {
      resolve({ kind: 'error', error });
    }
  });
}

/** The per-connection options; the request cache lives in the database (services.sso). */
function samlOptions(settings: SamlSettings, cacheProvider: CacheProvider): SamlConfig {
  return {
    issuer: settings.spEntityId,
    audience: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    entryPoint: settings.ssoUrl,
    idpIssuer: settings.idpEntityId,
    idpCert: [...settings.idpCertificates],
    privateKey: settings.spPrivateKey,
    publicCert: settings.spCertificate,
    decryptionPvk: settings.spPrivateKey,
    // The defaults are weaker (sha1, unsigned assertions accepted when the response is signed).
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    // 'always' refuses unsolicited responses; a connection that allows IdP-initiated sign-in
    // validates InResponseTo when present and Orgward checks the unsolicited ones itself (S8).
    validateInResponseTo: settings.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: LOGIN_TTL_MS,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    cacheProvider,
  };
}

/**
 * node-saml's request cache over the database. `removeAsync` does nothing: the request is
 * consumed atomically (DELETE ... RETURNING) in the sign-in transaction, after every check passed,
 * so a response posted to two instances at once signs in once.
 */
function requestCache(services: Services, connectionId: string, purpose: SsoPurpose, relayState: string | null, browserToken = '', linkUserSid: string | null = null): CacheProvider {
  return {
    async saveAsync(key, value) {
      if (browserToken === '') throw new Error('a SAML request is saved only with the login cookie of its browser');
      await services.sso.saveSamlRequest({ requestId: key, connectionId, purpose, relayState, browserToken, linkUserSid });
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      const request = await services.sso.peekSamlRequest(key, connectionId);
      return request ? request.issuedAt.toISOString() : null;
    },
    async removeAsync(key) {
      return key;
    },
  };
}

/**
 * Starts a SAML login: records the AuthnRequest, bound to the browser's login cookie, and returns
 * the IdP URL (HTTP-Redirect binding).
 */
export async function beginSaml(services: Services, connectionId: string, purpose: SsoPurpose, browserToken: string, linkUserSid: string | null = null): Promise<string> {
  const settings = await services.sso.samlSettings(connectionId);
  // S8: RelayState is an opaque handle stored with the request, never a URL.
  const relayState = newToken();
  const cache = requestCache(services, connectionId, purpose, relayState, browserToken, linkUserSid);
  const result = await run({ query: {}, body: {}, headers: {}, url: '' }, samlOptions(settings, cache),
    { additionalParams: { RelayState: relayState } });
  if (result.kind !== 'redirect') throw result.kind === 'error' ? result.error : new SsoRejected('no redirect');
  return result.url;
}

/** Our SP metadata for a connection (entity ID, ACS URL, signing and encryption certificate). */
export async function samlMetadata(services: Services, connectionId: string): Promise<string> {
  const settings = await services.sso.samlSettings(connectionId);
  const fake = { query: {}, body: {}, headers: {}, url: '' };
  optionsByRequest.set(fake, samlOptions(settings, requestCache(services, connectionId, 'sign_in', null)));
  return new Promise((resolve, reject) => {
    strategy.generateServiceProviderMetadata(fake as unknown as StrategyRequest, settings.spCertificate, settings.spCertificate, (error, xml) => (error ? reject(error) : resolve(xml!)));
  });
}

/**
 * The ACS: every check, then the one sign-in service. `browserToken` is the login cookie the post
 * carried: a solicited response is accepted only from the browser its request was made for.
 * Throws for any refusal.
 */
export async function consumeSamlResponse(services: Services, connectionId: string, body: unknown, browserToken: string | undefined, requestId: string): Promise<SsoOutcome> {
  const settings = await services.sso.samlSettings(connectionId);
  if (!settings.enabled) throw new SsoRejected('connection disabled');
  const { doc } = guardSamlResponse(body, settings.allowSha1);
  await guardEncryptedAssertions(doc, settings.spPrivateKey);
  const relay = decideRelayState((body as Record<string, unknown>).RelayState as string | undefined);
  if (relay.kind === 'reject') throw new SsoRejected('RelayState is not an opaque handle');

  const encoded = (body as Record<string, string>).SAMLResponse;
  const result = await run({ query: {}, body: { SAMLResponse: encoded }, headers: {}, url: '' }, samlOptions(settings, requestCache(services, connectionId, 'sign_in', null)));
  if (result.kind === 'error') throw result.error;
  if (result.kind !== 'success' || typeof result.profile.getAssertionXml !== 'function') throw new SsoRejected('no assertion');

  const now = services.deps.clock.now();
  const facts = readAssertion(result.profile.getAssertionXml());
  const conditions = decideAssertionConditions(facts.hasConditions);
  if (conditions.kind === 'reject') throw new SsoRejected(conditions.reason);
  const envelope = readEnvelope(doc);
  const decision = decideSamlResponse({
    expectedIssuer: settings.idpEntityId, assertionIssuer: facts.issuer, responseIssuer: envelope.issuer, acsUrl: settings.acsUrl,
    destination: envelope.destination, responseInResponseTo: envelope.inResponseTo, confirmations: facts.confirmations,
    allowIdpInitiated: settings.allowIdpInitiated, now, clockSkewMs: CLOCK_SKEW_MS,
  });
  if (decision.kind === 'reject') throw new SsoRejected(decision.reason);
  if (decision.kind === 'unsolicited') {
    const fresh = decideIdpInitiated({ allowed: settings.allowIdpInitiated, issuedAt: facts.issueInstant, now, clockSkewMs: CLOCK_SKEW_MS });
    if (fresh.kind === 'reject') throw new SsoRejected('unsolicited response too old');
  } else {
    const request = await services.sso.peekSamlRequest(decision.requestId, connectionId);
    if (request?.relayState && (relay.kind !== 'handle' || relay.handle !== request.relayState)) throw new SsoRejected('RelayState does not match the request');
  }
  const rememberUntil = new Date(Math.max(decision.notOnOrAfter.getTime(), facts.conditionsNotOnOrAfter?.getTime() ?? 0) + CLOCK_SKEW_MS);
  return services.signIn.completeSso(identityFrom(facts, settings), {
    kind: 'saml', requestId: decision.kind === 'solicited' ? decision.requestId : null, assertionId: facts.id, rememberUntil, browserToken,
  }, { requestId });
}
