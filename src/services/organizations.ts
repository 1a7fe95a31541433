/**
 * Organizations: self sign-up (O1, D6 through the one enrollment path), creation by an operator,
 * operator settings (O5 account limit, B1 bulk import, H1 BAA), and the refusal to delete (O4).
 */
import { DomainError } from '../errors.js';
import { newSid } from '../ids.js';
import { MAX_PERSON_NAME } from '../rules/bulk-import.js';
import { normaliseEmail } from '../rules/domains.js';
import { decideBaaRecording } from '../rules/hipaa.js';
import { normaliseName } from '../rules/names.js';
import { countHeldAccounts, decideAccountLimitChange, decideOrganizationDelete, MAX_ORGANIZATION_NAME, planNewOrganization } from '../rules/organizations.js';
import { decideOperatorOnly } from '../rules/operator.js';
import { decidePasswordStrength } from '../rules/passwords.js';
import { hashPassword } from '../security/passwords.js';
import type { OrganizationPatch } from '../store/organizations.js';
import type { Actor, Organization } from '../types.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import { enroll } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { queueMail } from './mail-queue.js';
import { issueResetLink } from './reset-links.js';
import { bringOwnerAccountsIn } from './owner-accounts.js';
import { refuseWhenSsoEnforced } from './sso-gate.js';

/** Self sign-up: email, password (12+ characters), optional display and organization names. */
export interface SignUpInput {
  readonly email: string;
  readonly password: string;
  readonly displayName?: string | null;
  readonly organizationName?: string;
}

/** Who signed up and where they landed. */
export interface SignUpResult {
  readonly userSid: string;
  readonly orgSid: string;
  /** O1: a new organization owned by the new user, or D6: joined the domain's organization. */
  readonly outcome: 'created_org' | 'joined';
}

/** An organization with its Owner and size. */
export interface OrganizationView extends Organization {
  readonly ownerSid: string | null;
  readonly memberCount: number;
  /** O5: the accounts held against the account limit. */
  readonly accountCount: number;
}

/** Operator settings; only the fields given change. */
export interface OrganizationSettings {
  /** O5: how many accounts the organization may hold. */
  readonly accountLimit?: number;
  /** B1: bulk user import on or off. */
  readonly bulkImportEnabled?: boolean;
  /** H1: true records the executed BAA (at `baaExecutedAt`, default now); a recorded BAA stays. */
  readonly baaExecuted?: boolean;
  readonly baaExecutedAt?: Date;
}

const SYSTEM: Actor = { kind: 'system' };

/** Settings only the service operator may change (O5, B1, H1): the rule decides. */
function requireOperator(actor: Actor): void {
  const decision = decideOperatorOnly(actor.kind);
  if (decision.kind === 'reject') fail(decision);
}

function displayNameOf(input: string | null | undefined): string | null {
  if (input === undefined || input === null || input.trim() === '') return null;
  const checked = normaliseName(input, 'name', MAX_PERSON_NAME);
  if (!checked.ok) throw new DomainError(checked.code, checked.message);
  return checked.name;
}

/** createOrganizationsService: sign-up, operator creation and settings, O4 refusal. */
export function createOrganizationsService(deps: ServiceDeps) {
  const { store, clock } = deps;

  return {
    /**
     * Self sign-up with email and password. O1: on a domain no organization verified (common
     * mailbox domains included) a new organization is created with the user as Owner; D6: on a
     * verified domain the user joins by Auto-enrollment or a pending invitation, is refused
     * (invitation_required) on a Restricted domain, and domain_blocked on a Blocked one.
     * U5/S7: sso_required when the domain enforces SSO. An existing user gets user_exists.
     */
    async signUp(input: SignUpInput): Promise<SignUpResult> {
      const normal = normaliseEmail(input.email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      const password = typeof input.password === 'string' ? input.password : '';
      const strength = decidePasswordStrength(password);
      if (strength.kind === 'reject') fail(strength);
      const displayName = displayNameOf(input.displayName);
      await refuseWhenSsoEnforced(store.read, normal.email, 'sign_in');
      // Hash before the transaction: scrypt takes ~100 ms and must not hold a connection (or a lock).
      const passwordHash = await hashPassword(password);
      return store.transaction(async (repos) => {
        if (await repos.users.lockByEmail(normal.email)) {
          throw new DomainError('user_exists', 'A user with this email address already exists. Sign in, or reset your password.');
        }
        await refuseWhenSsoEnforced(repos, normal.email, 'sign_in');
        const result = await enroll(repos, SYSTEM, {
          path: 'signup', email: normal.email, passwordHash, profile: { displayName },
          ...(input.organizationName !== undefined && { organizationName: input.organizationName }),
          now: clock.now(),
        });
        if (result.outcome === 'already_member') {
          throw new DomainError('user_exists', 'A user with this email address already exists. Sign in, or reset your password.');
        }
        return { userSid: result.member.sid, orgSid: result.orgSid, outcome: result.outcome };
      });
    },

    /**
     * Operator command: a new organization whose Owner is `ownerEmail`, a new user or an existing
     * user without an organization (U1: member_of_other_org otherwise). A4: an existing user's
     * accounts join it as managed accounts (its limit rises to fit them, O5). The Owner is told
     * by mail; a new Owner gets a link to set a password.
     */
    async create(actor: Actor, input: { name: string; ownerEmail: string }): Promise<{ orgSid: string; ownerSid: string }> {
      requireOperator(actor);
      const normal = normaliseEmail(input.ownerEmail);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      return store.transaction(async (repos, afterCommit) => {
        const now = clock.now();
        let owner = await repos.users.lockByEmail(normal.email);
        if (!owner) {
          const sid = newSid('US');
          await repos.users.insert({ sid, email: normal.email });
          owner = (await repos.users.get(sid))!;
        }
        const plan = planNewOrganization(snapshotOf(owner), input.name);
        if (plan.kind === 'reject') fail(plan);
        const orgSid = newSid('OR');
        const org = await repos.organizations.insert({ sid: orgSid, name: plan.name });
        await repos.users.join(owner.sid, orgSid, 'owner');
        await audit(repos, actor, { orgSid, action: 'organization.created', target: orgSid, after: { name: plan.name, ownerSid: owner.sid, ownerEmail: owner.email } });
        // The Owner is the organization's first member: user.created like any other (issue 13).
        await audit(repos, actor, { orgSid, action: 'user.joined', target: owner.sid, after: { email: owner.email, role: 'owner', path: 'operator' } });
        // A4: an existing user's accounts join their new organization as managed accounts, whatever their email domain.
        await bringOwnerAccountsIn(repos, actor, org, owner.sid, 'organization_created');
        const credentials = await repos.users.credentials(owner.sid);
        const setPassword = credentials?.password_hash ? '' : `\n\nSet your password here (the link works for 24 hours):\n${(await issueResetLink(repos, deps.baseUrl, owner.sid, orgSid, now)).url}\n`;
        await queueMail(repos, afterCommit, deps, {
          to: owner.email,
          subject: `You are the Owner of ${plan.name}`,
          body: `An organization named "${plan.name}" was created on Orgward with you as its Owner.${setPassword}`,
        });
        return { orgSid, ownerSid: owner.sid };
      });
    },

    /** The organization with its Owner; any member may look (O3). */
    async get(actor: Actor, orgSid: string): Promise<OrganizationView> {
      const { org } = await authorize(store.read, actor, orgSid, 'view_organization');
      const owner = await store.read.users.owner(orgSid);
      return {
        ...org, ownerSid: owner?.sid ?? null, memberCount: await store.read.users.countByOrg(orgSid),
        accountCount: countHeldAccounts(await store.read.accounts.listByOrg(orgSid), orgSid),
      };
    },

    /** O3: the Owner or an Administrator renames the organization. Audited (L1). */
    async rename(actor: Actor, orgSid: string, name: string, check?: (locked: Organization) => void): Promise<Organization> {
      const checked = normaliseName(name, 'organization name', MAX_ORGANIZATION_NAME);
      if (!checked.ok) throw new DomainError(checked.code, checked.message);
      return store.transaction(async (repos) => {
        const { org } = await authorize(repos, actor, orgSid, 'manage_settings', {}, true);
        // The caller's precondition (If-Match), under the organization's row lock.
        check?.(org);
        if (org.name === checked.name) return org;
        const updated = await repos.organizations.update(orgSid, { name: checked.name });
        await audit(repos, actor, { orgSid, action: 'organization.renamed', target: orgSid, before: { name: org.name }, after: { name: updated.name } });
        return updated;
      });
    },

    /** Operator settings: O5 account limit (never below what is held), B1 bulk import, H1 BAA. Audited (L1). */
    async updateSettings(actor: Actor, orgSid: string, settings: OrganizationSettings): Promise<Organization> {
      requireOperator(actor);
      return store.transaction(async (repos) => {
        const now = clock.now();
        // Locked: a limit check and concurrent account creation serialise on the organization row (O5).
        const { org } = await authorize(repos, actor, orgSid, 'manage_settings', {}, true);
        const patch: { -readonly [K in keyof OrganizationPatch]: OrganizationPatch[K] } = {};
        if (settings.accountLimit !== undefined) {
          const held = countHeldAccounts(await repos.accounts.listByOrg(orgSid), orgSid);
          const decision = decideAccountLimitChange(Number(settings.accountLimit), held);
          if (decision.kind === 'reject') fail(decision);
          if (decision.accountLimit !== org.accountLimit) patch.accountLimit = decision.accountLimit;
        }
        if (settings.bulkImportEnabled !== undefined) {
          if (typeof settings.bulkImportEnabled !== 'boolean') throw new DomainError('invalid_input', 'Bulk import is either on or off.');
          if (settings.bulkImportEnabled !== org.bulkImportEnabled) patch.bulkImportEnabled = settings.bulkImportEnabled;
        }
        if (settings.baaExecuted === false && org.baaExecutedAt !== null) {
          throw new DomainError('invalid_input', 'A recorded BAA cannot be withdrawn: the organization stays HIPAA-designated (H1).');
        }
        if (settings.baaExecuted === true || settings.baaExecutedAt !== undefined) {
          const decision = decideBaaRecording(org, settings.baaExecutedAt ?? now, now);
          if (decision.kind === 'reject') fail(decision);
          if (decision.kind === 'record') patch.baaExecutedAt = decision.baaExecutedAt;
        }
        if (Object.keys(patch).length === 0) return org;
        const updated = await repos.organizations.update(orgSid, patch);
        const shown = (o: Organization) => ({ accountLimit: o.accountLimit, bulkImportEnabled: o.bulkImportEnabled, baaExecutedAt: o.baaExecutedAt });
        await audit(repos, actor, { orgSid, action: 'organization.settings_changed', target: orgSid, before: shown(org), after: shown(updated) });
        return updated;
      });
    },

    /** O4: an organization cannot be deleted; it ends only by being merged into another. */
    async delete(actor: Actor, orgSid: string): Promise<never> {
      await authorize(store.read, actor, orgSid, 'view_organization');
      return fail(decideOrganizationDelete());
    },
  };
}

/** The organizations service object. */
export type OrganizationsService = ReturnType<typeof createOrganizationsService>;
