/**
 * `orgward role list|create|set` (R1: the role catalogue; the operator defines custom account roles
 * and sets permissions) and `orgward role-assignment list|create|delete` (R1-R4, O2: who holds
 * which role on which account or on the organization).
 */
import { Command } from 'commander';
import type { RoleRecord } from '../services/roles.js';
import type { RoleAssignmentView } from '../services/role-assignments.js';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';

const collect = (value: string, previous: string[]) => [...previous, value];

const roleJson = (r: RoleRecord) => ({ sid: r.sid, name: r.name, kind: r.kind, scopeType: r.scopeType, permissions: r.permissions });
const roleText = (r: ReturnType<typeof roleJson>) =>
  `${r.sid}  ${r.scopeType.padEnd(12)} ${r.kind.padEnd(8)} ${r.name}  [${r.sid === 'IXffcc8443569ff69df6ff9140a7c52517' ? 'every permission' : r.permissions.join(', ')}]`;
const assignmentText = (a: RoleAssignmentView) => `${a.sid}  ${a.identity}  ${a.scope}  ${a.roleSid}  ${a.source}`;

export function registerRoleCommands(program: Command, state: CliState): void {
  const roles = group(program, 'role', 'the role catalogue (R1)');

  leaf(roles, 'list', 'list the built-in and custom roles with their permissions')
    .action(action(state, async ({ services, actor }) => ({ roles: (await services.roles.list(actor)).map(roleJson) }),
      (r) => r.roles.map(roleText).join('\n')));

  leaf(roles, 'create', 'define a custom account role: a name and the permission strings it holds')
    .requiredOption('--name <name>', 'the role name, e.g. "Campaign Manager"')
    .option('--permission <permission>', 'a permission string such as messages:send (repeat for several)', collect, [])
    .action(action(state, async ({ services, actor }, { opts }) =>
      roleJson(await services.roles.create(actor, { name: opts.name as string, permissions: opts.permission as string[] })),
    (r) => `Created role ${r.sid} (${r.name}): [${r.permissions.join(', ')}]`));

  leaf(roles, 'set', "set a role's permissions (custom roles and built-in account roles other than Administrator); no --permission clears them")
    .requiredOption('--role <sid>', 'the role SID (IX…)')
    .option('--permission <permission>', 'a permission string such as messages:send (repeat for several)', collect, [])
    .action(action(state, async ({ services, actor }, { opts }) =>
      roleJson(await services.roles.setPermissions(actor, opts.role as string, opts.permission as string[])),
    (r) => `Role ${r.sid} (${r.name}) now holds [${r.permissions.join(', ')}]`));

  const assignments = group(program, 'role-assignment', 'role assignments on accounts and the organization (R1-R4)');

  leaf(assignments, 'list', "list an organization's role assignments by identity and/or scope")
    .addOption(orgOption())
    .option('--identity <sid>', 'a user SID (US…)')
    .option('--scope <sid>', 'an account SID (AC…) or the organization SID (OR…)')
    .action(action(state, async ({ services, actor }, { opts }) => ({
      roleAssignments: await services.roleAssignments.list(actor, opts.org as string, {
        ...(opts.identity !== undefined && { identity: opts.identity as string }),
        ...(opts.scope !== undefined && { scope: opts.scope as string }),
      }),
    }), (r) => (r.roleAssignments.length === 0 ? 'No role assignments.' : r.roleAssignments.map(assignmentText).join('\n'))));

  leaf(assignments, 'create', 'assign a role to a user on an account (AC…) or on the organization (OR…: Administrator or Standard User)')
    .addOption(orgOption())
    .requiredOption('--identity <sid>', 'the user SID (US…)')
    .requiredOption('--scope <sid>', 'an account SID (AC…) or the organization SID (OR…)')
    .requiredOption('--role <sid>', 'the role SID (IX…; orgward role list)')
    .action(action(state, async ({ services, actor }, { opts }) => services.roleAssignments.create(actor, opts.org as string, {
      identity: opts.identity as string, scope: opts.scope as string, roleSid: opts.role as string,
    }), (r) => `Assigned: ${assignmentText(r)}`));

  leaf(assignments, 'delete', 'remove a direct account role assignment')
    .addOption(orgOption())
    .argument('<sid>', 'the role assignment SID (IY…)')
    .action(action(state, async ({ services, actor }, { args, opts }) => ({
      deleted: true, ...(await services.roleAssignments.delete(actor, opts.org as string, args[0]!)),
    }), (r) => `Deleted ${assignmentText(r)}`));
}
