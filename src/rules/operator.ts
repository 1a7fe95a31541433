/**
 * What only the service operator (or the system itself) may do.
 *
 * Rules: O5 (the operator sets an organization's account limit), B1 (enables bulk import),
 * H1 (records the executed BAA), A7 (upgrades an account out of its trial), and creates
 * organizations on request. Members, however high their role, and SCIM tokens are refused; the
 * refusals that only the operator can lift name the operator command.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';

/**
 * B1: the refusal while bulk import is off. On a self-hosted service the fix is an operator
 * command, so the message names it.
 */
export function bulkImportDisabled(orgSid: string): Rejection<'bulk_import_disabled'> {
  return reject(
    'bulk_import_disabled',
    `Bulk import is not enabled for your organization. The service operator enables it with: orgward org set --org ${orgSid} --bulk-import on`,
  );
}

/** H1, H2: the refusal before the BAA is recorded; the operator records it once it is signed. */
export function baaRequired(orgSid: string): Rejection<'baa_required'> {
  return reject(
    'baa_required',
    'Your organization needs an executed Business Associate Agreement (BAA) before accounts can be flagged for HIPAA. '
      + `Once it is signed, the service operator records it with: orgward org set --org ${orgSid} --baa on`,
  );
}

/** Who acts, as these rules see it. */
export type ActorKind = 'user' | 'operator' | 'scim' | 'api_client' | 'setup_link' | 'system';

/** O5, B1, H1, A7: may `actorKind` do something only the operator does? `what` completes "Only the service operator can …". */
export function decideOperatorOnly(actorKind: ActorKind, what = 'do this'): Allow | Rejection<'forbidden'> {
  if (actorKind === 'operator' || actorKind === 'system') return allow();
  return reject('forbidden', `Only the service operator can ${what}.`);
}
