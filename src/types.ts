/** Entity shapes shared by services, stores and protocol adapters (never protocol types). */
import type { AccountManagement, AccountPlan, AccountStatus, AccountUsage, DomainPolicy, Role, UserStatus } from './rules/types.js';
import type { SetupLinkKind } from './rules/setup-links.js';

export type { AccountManagement, AccountPlan, AccountStatus, AccountUsage, DomainPolicy, Role, UserStatus };

export interface Organization {
  readonly sid: string;
  readonly name: string;
  readonly accountLimit: number;
  readonly bulkImportEnabled: boolean;
  readonly baaExecutedAt: Date | null;
  readonly mergedIntoSid: string | null;
  readonly createdAt: Date;
}

export interface User {
  readonly sid: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly status: UserStatus;
  readonly passwordChangedAt: Date | null;
  readonly secondFactorRequired: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface Membership {
  readonly userSid: string;
  readonly orgSid: string;
  readonly role: Role;
}

/** A user together with their membership, the shape most services work with. */
export interface Member extends User {
  readonly orgSid: string | null;
  readonly role: Role | null;
}

export interface Account {
  readonly sid: string;
  readonly name: string;
  readonly usage: AccountUsage;
  readonly plan: AccountPlan;
  readonly status: AccountStatus;
  readonly ownerSid: string;
  readonly parentSid: string | null;
  readonly orgSid: string | null;
  readonly management: AccountManagement | null;
  readonly hipaa: boolean;
  readonly createdAt: Date;
}

export interface Domain {
  readonly id: string;
  readonly orgSid: string;
  readonly name: string;
  readonly txtToken: string;
  readonly verifiedAt: Date | null;
  readonly policy: DomainPolicy;
  readonly ssoEnforced: boolean;
  readonly createdAt: Date;
}

export interface Invitation {
  readonly id: string;
  readonly orgSid: string;
  readonly email: string;
  readonly role: 'admin' | 'standard';
  readonly invitedBy: string | null;
  readonly expiresAt: Date;
  readonly acceptedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
}

export interface AuditEntry {
  readonly id: string;
  readonly orgSid: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
  readonly createdAt: Date;
}

/**
 * Who performs an action: a signed-in user, an operator at the CLI, a SCIM token, an API client, a
 * setup link (the customer's IT admin, who has no Orgward account: services/context.ts lets it take
 * only the steps of its kind), or the system (e.g. an invitation being accepted). `requestId` ties
 * the audit entry to the request's logs.
 */
export type Actor = (
  | { readonly kind: 'user'; readonly userSid: string }
  | { readonly kind: 'operator' }
  | { readonly kind: 'scim'; readonly tokenId: string; readonly orgSid: string }
  | { readonly kind: 'api_client'; readonly clientId: string; readonly orgSid: string; readonly role: 'admin' | 'read-only' }
  | { readonly kind: 'setup_link'; readonly linkSid: string; readonly orgSid: string; readonly linkKind: SetupLinkKind }
  | { readonly kind: 'system' }
) & { readonly requestId?: string };

export const actorLabel = (actor: Actor): string =>
  actor.kind === 'user' ? actor.userSid : actor.kind === 'scim' ? `scim:${actor.tokenId}`
    : actor.kind === 'api_client' ? `api:${actor.clientId}` : actor.kind === 'setup_link' ? `setup:${actor.linkSid}` : actor.kind;
