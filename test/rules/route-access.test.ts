/** Issue 10, O2, O3: who may call a route of each declared access (rules/route-access.ts). */
import { decideRouteAccess, type RouteAccess, type RouteCaller } from '../../src/rules/route-access.js';
import { decideApiClientAction } from '../../src/rules/api-clients.js';

const CALLERS: Record<string, RouteCaller> = {
  owner: { kind: 'user', role: 'owner' },
  admin: { kind: 'user', role: 'admin' },
  standard: { kind: 'user', role: 'standard' },
  adminClient: { kind: 'api_client', role: 'admin' },
  readOnlyClient: { kind: 'api_client', role: 'read-only' },
  operator: { kind: 'operator' },
};

// Each row: the access, then who may call it (in CALLERS order).
const TABLE: [RouteAccess, string][] = [
  ['member:read', 'owner admin standard adminClient readOnlyClient operator'],
  ['member:write', 'owner admin standard adminClient operator'],
  ['member-session:read', 'owner admin standard operator'],
  ['member-session:write', 'owner admin standard operator'],
  ['admin:read', 'owner admin adminClient readOnlyClient operator'],
  ['admin:write', 'owner admin adminClient operator'],
  ['admin-session:read', 'owner admin operator'],
  ['admin-session:write', 'owner admin operator'],
  ['owner:read', 'owner operator'],
  ['owner:write', 'owner operator'],
  ['operator:write', 'operator'],
];

describe('decideRouteAccess', () => {
  it.each(TABLE)('R-O3: %s is open to exactly: %s', (access, allowed) => {
    const open = Object.entries(CALLERS).filter(([, caller]) => decideRouteAccess(caller, access).kind === 'allow').map(([name]) => name);
    expect(open.join(' ')).toBe(allowed);
  });

  it('a read-only client is told how to get a client that writes', () => {
    expect(decideRouteAccess(CALLERS.readOnlyClient!, 'admin:write')).toMatchObject({ kind: 'reject', code: 'forbidden', message: expect.stringContaining('--role admin') });
  });
});

describe('decideApiClientAction in read mode (issue 10: a read-only client reads what an Administrator reads)', () => {
  it('R-O3: a read-only client reads under manage_* actions but never writes; no client reaches Owner-only actions', () => {
    expect(decideApiClientAction('read-only', 'manage_sso', 'read').kind).toBe('allow');
    expect(decideApiClientAction('read-only', 'manage_sso').kind).toBe('reject');
    expect(decideApiClientAction('read-only', 'manage_sso', 'write').kind).toBe('reject');
    expect(decideApiClientAction('read-only', 'transfer_ownership_of_org', 'read').kind).toBe('reject');
    expect(decideApiClientAction('admin', 'manage_scim', 'write').kind).toBe('allow');
  });
});
