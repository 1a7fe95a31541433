/**
 * C1: a SCIM token provisions the users and groups of its organization, and nothing else. The one
 * check every other use case that a SCIM actor could reach makes first (tokens, group mappings,
 * accounts): each names what is refused.
 */
import { DomainError } from '../errors.js';
import type { Actor } from '../types.js';

/** A check that refuses SCIM actors: `A SCIM token cannot <what>.` (forbidden). */
export function scimRefusal(what: string): (actor: Actor) => void {
  const message = `A SCIM token cannot ${what}. An Owner or Administrator does this, or an operator with the orgward CLI.`;
  return (actor) => {
    if (actor.kind === 'scim') throw new DomainError('forbidden', message);
  };
}
