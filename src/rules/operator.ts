/**
 * What only the service operator (or the system itself) may do.
 *
 * Rules: O5 (the operator sets an organization's account limit), B1 (enables bulk import),
 * H1 (records the executed BAA), A7 (upgrades an account out of its trial), and creates
 * organizations on request. Members, however high their role, and SCIM tokens are refused.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';

/** Who acts, as these rules see it. */
export type ActorKind = 'user' | 'operator' | 'scim' | 'system';

/** O5, B1, H1, A7: may `actorKind` do something only the operator does? `what` completes "Only the service operator can …". */
export function decideOperatorOnly(actorKind: ActorKind, what = 'do this'): Allow | Rejection<'forbidden'> {
  if (actorKind === 'operator' || actorKind === 'system') return allow();
  return reject('forbidden', `Only the service operator can ${what}.`);
}
