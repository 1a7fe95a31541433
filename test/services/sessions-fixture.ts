/**
 * Sessions and second factors straight through the store, for tests that check a change ends
 * them (U3, U4, C3, C4): insert one, then ask whether it is still live.
 */
import { hashToken, newToken } from '../../src/security/tokens.js';
import type { Store } from '../../src/store/index.js';
import type { Clock } from '../../src/clock.js';

interface HasStoreAndClock { readonly store: Store; readonly clock: Clock }

/** A live password session of `userSid`, valid 8 hours; returns its id digest. */
export async function insertSession(ctx: HasStoreAndClock, userSid: string): Promise<string> {
  const idHash = hashToken(newToken());
  await ctx.store.transaction((repos) => repos.sessions.insert({
    idHash, userSid, method: 'password', connectionId: null, now: ctx.clock.now(), expiresAt: new Date(ctx.clock.now().getTime() + 8 * 3600_000),
  }));
  return idHash;
}

/** True while the session is neither revoked nor expired. */
export async function isLive(ctx: HasStoreAndClock, idHash: string): Promise<boolean> {
  return (await ctx.store.read.sessions.findLiveWithUser(idHash, ctx.clock.now())) !== undefined;
}
