/**
 * What a page says after a change (POST, then a redirect with `?notice=<key>`): a closed list, so
 * a crafted link can only show one of these fixed sentences.
 */
export const NOTICES: Readonly<Record<string, string>> = {
  role_changed: 'The role was changed.',
  suspended: 'The user was suspended: their sessions ended.',
  reactivated: 'The user was reactivated.',
  password_reset: 'The password was reset: the user was signed out everywhere and was mailed a reset link.',
  second_factor_reset: 'The second factor was removed: the user enrols a new one at the next sign-in.',
  removed: 'The user was removed from the organization; their accounts passed to the Owner.',
  owner_handed_over: 'The Owner role was handed over. You are now an Administrator.',
  role_granted: 'The account role was granted.',
  role_removed: 'The account role was removed.',
  invitation_resent: 'The invitation was sent again.',
  invitation_revoked: 'The invitation was revoked.',
  account_created: 'The account was created.',
  account_import_requested: "The account's owner was mailed a confirmation link; the account stays pending until they confirm (A3).",
  account_already_in_org: 'That account is already in the organization.',
  subaccount_created: 'The subaccount was created.',
  account_suspended: 'The account was suspended.',
  account_reactivated: 'The account was reactivated.',
  account_closed: 'The account was closed.',
  account_upgraded: 'The account was upgraded.',
  account_transferred: 'The account has a new owner.',
  hipaa_set: 'The HIPAA flag was changed.',
  domain_added: 'The domain was registered: publish the TXT record, then verify.',
  domain_verified: 'The domain is verified.',
  policy_changed: 'The domain policy was changed.',
  enforcement_changed: 'SSO enforcement was changed.',
  domain_removed: 'The domain was removed.',
  token_revoked: 'The SCIM token was revoked: the IdP using it can no longer provision.',
  mapping_saved: 'The group mapping was saved; its members\' access was recomputed.',
  mapping_removed: 'The group mapping was removed.',
  client_revoked: 'The API client was revoked.',
  webhook_replayed: 'The event is queued to be sent again, with the same webhook-id.',
  webhook_enabled: 'The webhook is on again.',
  webhook_removed: 'The webhook was removed.',
  setup_idp_chosen: 'Your identity provider is noted: follow the steps for it below.',
  setup_connection_saved: "Orgward has your identity provider's details. Now run the test sign-in.",
  setup_link_revoked: 'The setup link was revoked: it opens no page and takes no step any more. What was set up through it stays.',
  sso_added: 'The connection was added. It signs nobody in until a test sign-in succeeds (S1): give the IdP the values below, then run the test.',
  sso_changed: 'The connection was changed.',
  sso_removed: 'The connection was deleted.',
  merge_invited: 'The Candidate Owner was invited by email. This is what the merge would do now.',
  merge_revoked: 'The merge request was revoked.',
  merge_accepted: 'The merge is done: your organization and its accounts are now part of the Prime.',
};

export const noticeText = (key: unknown): string | undefined => (typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined);

/** `path` with the notice to show after a change. */
export const withNotice = (path: string, key: keyof typeof NOTICES & string): string => `${path}${path.includes('?') ? '&' : '?'}notice=${key}`;
