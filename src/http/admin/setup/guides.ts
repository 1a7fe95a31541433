/**
 * What the setup pages tell the customer's IT admin to do at their identity provider, step by
 * step, for each IdP a link offers (rules/setup-links.ts SETUP_IDPS): where to click, which of the
 * values shown above goes where, and the attribute mappings to enter. Plain text (the templates
 * escape it); the values themselves are shown with copy buttons beside the steps.
 */
import type { SetupIdp } from '../../../rules/setup-links.js';

export interface IdpGuide {
  readonly name: string;
  /** The steps at the IdP, in order. */
  readonly steps: readonly string[];
  /** Attribute (claim) mappings to enter: [name Orgward reads, what the IdP sends]. */
  readonly mappings: readonly (readonly [string, string])[];
  /** Said before the steps when the IdP cannot do this at all (Google Workspace and custom SCIM apps). */
  readonly caveat?: string;
}

export const IDP_NAMES: Readonly<Record<SetupIdp, string>> = {
  okta: 'Okta', entra: 'Microsoft Entra ID', google: 'Google Workspace', saml: 'Another SAML 2.0 identity provider', oidc: 'Another OpenID Connect provider', other: 'Another SCIM 2.0 client',
};

const SAML_MAPPINGS = [['NameID (format EmailAddress)', "the user's email"], ['email', "the user's email"], ['firstName', 'given name'], ['lastName', 'family name']] as const;

export const SSO_GUIDES: Readonly<Partial<Record<SetupIdp, IdpGuide>>> = {
  okta: {
    name: IDP_NAMES.okta,
    steps: [
      'In the Okta Admin Console: Applications → Applications → Create App Integration → SAML 2.0 → Next; name the app and go on.',
      'Single sign-on URL: the ACS URL above (keep "Use this for Recipient URL and Destination URL" ticked). Audience URI (SP Entity ID): the SP entity ID above.',
      'Name ID format: EmailAddress. Application username: Email.',
      'Attribute Statements: add the mappings below.',
      'Finish. On the app\'s Sign On tab, open the Metadata URL and copy the XML it shows into step 3 below (or take the IdP issuer, sign-on URL and certificate from "View SAML setup instructions").',
      'Assignments: assign the app to the people who will sign in, yourself included for the test.',
    ],
    mappings: [['email', 'user.email'], ['firstName', 'user.firstName'], ['lastName', 'user.lastName']],
  },
  entra: {
    name: IDP_NAMES.entra,
    steps: [
      'In the Microsoft Entra admin center: Enterprise applications → New application → Create your own application → "Integrate any other application you don\'t find in the gallery".',
      'Single sign-on → SAML. Basic SAML Configuration: Identifier (Entity ID) is the SP entity ID above; Reply URL (Assertion Consumer Service URL) is the ACS URL above.',
      'Attributes & Claims: the default claims work (emailaddress, givenname, surname). When user principal names are not email addresses, set the Unique User Identifier (Name ID) to user.mail.',
      'SAML Certificates: download Federation Metadata XML and drop or paste it into step 3 below.',
      'Users and groups: assign the people who will sign in, yourself included for the test.',
    ],
    mappings: [['Unique User Identifier (Name ID)', 'user.mail (or user.userprincipalname when it is the email)'], ['emailaddress', 'user.mail'], ['givenname', 'user.givenname'], ['surname', 'user.surname']],
  },
  google: {
    name: IDP_NAMES.google,
    steps: [
      'In the Google Admin console: Apps → Web and mobile apps → Add app → Add custom SAML app; name it and continue.',
      'Google Identity Provider details: Download Metadata, then drop or paste that file into step 3 below. Continue.',
      'Service provider details: ACS URL is the ACS URL above, Entity ID is the SP entity ID above; Name ID format EMAIL, Name ID Basic Information > Primary email.',
      'Attribute mapping: add the mappings below, then Finish.',
      'User access: turn the app ON for everyone, or for the organizational units that will sign in (Google can take a few minutes).',
    ],
    mappings: [['email', 'Primary email'], ['firstName', 'First name'], ['lastName', 'Last name']],
  },
  saml: {
    name: IDP_NAMES.saml,
    steps: [
      'Create a SAML 2.0 application for service-provider-initiated sign-in (requests arrive by HTTP-Redirect, responses go back by HTTP-POST).',
      'Assertion Consumer Service (Reply) URL: the ACS URL above. Audience / SP entity ID: the SP entity ID above. Or let it read the SP metadata above once the connection exists.',
      'Send the email address as the NameID (or as an email attribute), and the mappings below. Sign assertions with RSA-SHA256.',
      'Give Orgward the IdP\'s metadata XML in step 3, or its entity ID, single sign-on URL (HTTP-Redirect) and signing certificate.',
    ],
    mappings: SAML_MAPPINGS,
  },
  oidc: {
    name: IDP_NAMES.oidc,
    steps: [
      'Register a web application (a confidential client) with the redirect URI above, the authorization code flow, scopes openid email profile, and client authentication client_secret_basic.',
      'Make sure the ID token or userinfo carries email, with email_verified true (Orgward refuses unverified emails).',
      'Give Orgward, in step 3, the issuer URL (where /.well-known/openid-configuration is served), the client ID and the client secret.',
    ],
    mappings: [['email', "the user's email"], ['email_verified', 'true'], ['given_name', 'given name'], ['family_name', 'family name']],
  },
};

export const SCIM_GUIDES: Readonly<Partial<Record<SetupIdp, IdpGuide>>> = {
  okta: {
    name: IDP_NAMES.okta,
    steps: [
      'In your Orgward app in Okta (create a SAML app first if there is none): General → App Settings → Provisioning: SCIM.',
      'Provisioning → Integration: SCIM connector base URL is the SCIM base URL above; Unique identifier field for users: userName; Supported provisioning actions: Import New Users and Profile Updates, Push New Users, Push Profile Updates, Push Groups; Authentication Mode: HTTP Header, Bearer, the token from step 2. Test Connector Configuration, then Save.',
      'Provisioning → To App: enable Create Users, Update User Attributes and Deactivate Users. Keep the Okta username format as the email.',
      'Test push: assign one user to the app, then Push Groups → push one group. They appear in step 3 below.',
    ],
    mappings: [['userName', 'email (Okta username when it is the email)'], ['name.givenName', 'firstName'], ['name.familyName', 'lastName'], ['emails[type eq "work"].value', 'email']],
  },
  entra: {
    name: IDP_NAMES.entra,
    steps: [
      'In the Microsoft Entra admin center: Enterprise applications → your Orgward app (create a non-gallery app if there is none) → Provisioning → Automatic.',
      'Tenant URL: the SCIM base URL above. Secret Token: the token from step 2. Test Connection, then Save.',
      'Mappings → Provision Microsoft Entra ID Users: userName ← userPrincipalName when it is the email, else ← mail; keep the other defaults. Provision Microsoft Entra ID Groups: on.',
      'Test push: Provision on demand with one user, then with one group (or start provisioning). They appear in step 3 below.',
    ],
    mappings: [['userName', 'userPrincipalName (or mail)'], ['emails[type eq "work"].value', 'mail'], ['name.givenName', 'givenName'], ['name.familyName', 'surname'], ['externalId', 'objectId']],
  },
  google: {
    name: IDP_NAMES.google,
    caveat: 'Google Workspace provisions users automatically only to the apps in its own catalogue, not to a custom SAML app such as Orgward: it has no setting for a SCIM base URL and token. Use another provisioning client (below), or ask the administrator to invite your people instead.',
    steps: [
      'If you run a directory sync tool that speaks SCIM 2.0 for Google Workspace, give it the SCIM base URL above and the token from step 2, and push one user and one group.',
    ],
    mappings: [['userName', 'primary email'], ['name.givenName', 'first name'], ['name.familyName', 'last name']],
  },
  other: {
    name: IDP_NAMES.other,
    steps: [
      'Give your SCIM 2.0 client the SCIM base URL above and, as an HTTP Bearer token, the token from step 2.',
      'Send userName as the email address (or send the email as emails[type eq "work"].value). Deactivate with active false; Orgward keeps suspended users readable.',
      'Test push: create one user, then one group. They appear in step 3 below.',
    ],
    mappings: [['userName', "the user's email"], ['name.givenName', 'given name'], ['name.familyName', 'family name'], ['active', 'true / false']],
  },
};
