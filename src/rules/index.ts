/**
 * The pure rules of Orgward (DOMAIN.md), one file per concept. Services import from here.
 *
 * Rules: all of O, U, A, D, M, H, B, L, C5 and the protocol-free parts of S and C; see each file.
 */
export * from './types.js';
export * from './decision.js';
export * from './sids.js';
export * from './names.js';
export * from './domains.js';
export * from './common-domains.js';
export * from './domain-registration.js';
export * from './domain-removal.js';
export * from './enrollment.js';
export * from './roles.js';
export * from './ownership.js';
export * from './organizations.js';
export * from './managed-account.js';
export * from './accounts.js';
export * from './account-moves.js';
export * from './account-grants.js';
export * from './role-catalogue.js';
export * from './account-roles.js';
export * from './role-assignments.js';
export * from './operator.js';
export * from './owner-accounts.js';
export * from './merge.js';
export * from './hipaa.js';
export * from './bulk-import.js';
export * from './passwords.js';
export * from './scim-groups.js';
export * from './scim-users.js';
export * from './sso.js';
export * from './sso-identity.js';
export * from './audit.js';
