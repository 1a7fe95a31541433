/**
 * The operator's role catalogue over the API (R1): define a custom account role and set a role's
 * permissions, as `orgward role create|set` do. The catalogue is the instance's, not an
 * organization's, so the routes are under /v1 and only the operator calls them; the service
 * decides again (`decideOperatorOnly`) and the rules refuse what the CLI refuses (`role_exists`,
 * `role_built_in` for the account Administrator and the organization roles). Members read the
 * catalogue at GET /Organizations/{sid}/Roles (role-assignments.ts), in the same shape.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import { RoleResource, RoleSid, toRole } from './role-assignments.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';
import { defineRoute, type ApiRoute } from './registry.js';

const TAGS = ['Roles'];

// The rules check each string's shape (resource:action) and the count (R1); zod bounds the input.
const Permissions = z.array(z.string().max(100)).max(200).describe('R1: permission strings such as messages:send (lower case resource:action); duplicates are dropped, the list is sorted.');

export function roleRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/v1/Roles', summary: 'Define a custom account role (R1; only the service operator)', tags: TAGS,
      access: 'operator:write', auth: 'principal', errors: 'orgward',
      body: z.strictObject({
        name: z.string().max(200).describe('1 to 64 characters, unique among account roles whatever the case (409 role_exists).'),
        permissions: Permissions,
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The new role, as GET /Organizations/{sid}/Roles lists it', schema: RoleResource } },
      async handler({ body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const role = await services.roles.create(principal.actor, { name: body.name, permissions: body.permissions });
          return { status: 201, body: toRole(role) };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/v1/Roles/{RoleSid}', summary: "Set a role's permissions (R1: custom and built-in account roles but the account Administrator; only the service operator)", tags: TAGS,
      access: 'operator:write', auth: 'principal', errors: 'orgward',
      params: z.strictObject({ RoleSid }),
      body: z.strictObject({ permissions: Permissions.describe('R1: the whole new list (an empty list clears it); 409 role_built_in for the account Administrator and organization roles.') }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The role with its permissions', schema: RoleResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const role = await services.roles.setPermissions(principal.actor, params.RoleSid, body.permissions);
          return { status: 200, body: toRole(role) };
        });
      },
    }),
  ];
}
