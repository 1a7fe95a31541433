/**
 * A response refused by one of Orgward's own protocol checks (SAML or OIDC). The reason is logged
 * by the one SSO error mapping (errors.ts), never shown.
 */
export class SsoRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SsoRejected';
  }
}
