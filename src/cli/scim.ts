/**
 * `orgward scim-token create|revoke|list` (C1: one organization per token, shown once, several live
 * for rotation) and `orgward scim-group map|list` (C5: IdP groups to a role and (account, role) pairs).
 */
import { Command, Option } from 'commander';
import type { GroupMappingResult } from '../services/scim-group-mappings.js';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';

/** C5: `AC…` gives Developer (a grant without a role, R1); `AC…:ROLE` names the role by name or SID. */
function accountRoles(values: readonly string[]): { accountSids: string[]; accountRoles: { accountSid: string; role: string }[] } {
  const plain = values.filter((v) => !v.includes(':'));
  const paired = values.filter((v) => v.includes(':')).map((v) => ({ accountSid: v.slice(0, v.indexOf(':')), role: v.slice(v.indexOf(':') + 1) }));
  return { accountSids: plain, accountRoles: paired };
}

const mappingText = (r: GroupMappingResult & { preview: boolean }) => {
  const gives = r.mapped ? `${r.role ? `role ${r.role}` : 'no role'}${r.accountRoles.length > 0 ? `, account roles ${r.accountRoles.map((a) => `${a.accountSid}:${a.roleSid}`).join(', ')}` : ''}` : 'nothing (mapping removed)';
  const lines = [`${r.preview ? 'Preview: ' : ''}group "${r.group}" gives ${gives}; it matches ${r.groups.length} pushed group(s).`];
  for (const m of r.members) {
    lines.push(`  ${m.email}: ${m.before.role} → ${m.role}, accounts [${m.accountSids.join(', ')}]${m.changed ? '' : ' (unchanged)'}`);
  }
  return lines.join('\n');
};

export function registerScimCommands(program: Command, state: CliState): void {
  const token = group(program, 'scim-token', 'SCIM bearer tokens (C1)');

  leaf(token, 'create', 'create a SCIM token for the IdP; it is shown once')
    .addOption(orgOption())
    .option('--description <text>', 'what the token is for, e.g. "Okta production"')
    .action(action(state, async ({ services, actor }, { opts }) => {
      const created = await services.scimTokens.create(actor, opts.org as string, opts.description !== undefined ? { description: opts.description as string } : {});
      return { id: created.id, token: created.token };
    }, (r) => `SCIM token ${r.id} (shown once; store it in the IdP now):\n${r.token}`));

  leaf(token, 'revoke', 'revoke a SCIM token at once')
    .addOption(orgOption())
    .argument('<id>', 'token id (from create or list)')
    .action(action(state, async ({ services, actor }, { args, opts }) => services.scimTokens.revoke(actor, opts.org as string, args[0]!),
      (r) => (r.revoked ? `Revoked SCIM token ${r.id}.` : `SCIM token ${r.id} was already revoked.`)));

  leaf(token, 'list', "list the organization's SCIM tokens (never their values)")
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({
      tokens: (await services.scimTokens.list(actor, opts.org as string)).map((t) => ({
        id: t.id, description: t.description, createdBy: t.createdBy, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt,
      })),
    }), (r) => (r.tokens.length === 0 ? 'No SCIM tokens.' : r.tokens.map((t) =>
      `${t.id}  ${t.revokedAt ? 'revoked' : 'live'}  ${t.description ?? ''}  last used ${t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : 'never'}`).join('\n'))));

  const groups = group(program, 'scim-group', 'SCIM group mappings (C5)');

  leaf(groups, 'map', 'map an IdP group (displayName or externalId) to a role and account grants; no role and no accounts removes the mapping')
    .addOption(orgOption())
    .requiredOption('--group <name>', "the group's displayName (case-insensitive) or externalId")
    .addOption(new Option('--role <role>', 'role the group gives (the highest of a user\'s groups wins)').choices(['admin', 'standard']))
    .option('--account <account...>', 'accounts the group gives a role on: AC… (Developer) or AC…:ROLE (role name or IX… SID)')
    .option('--preview', 'show the effective role and grants per member without saving')
    .action(action(state, async ({ services, actor }, { opts }) => {
      const input = {
        group: opts.group as string,
        ...(opts.role !== undefined && { role: opts.role as 'admin' | 'standard' }),
        ...accountRoles((opts.account as string[] | undefined) ?? []),
      };
      const preview = opts.preview === true;
      const result = preview ? await services.scimGroups.preview(actor, opts.org as string, input) : await services.scimGroups.map(actor, opts.org as string, input);
      return { ...result, preview };
    }, mappingText));

  leaf(groups, 'list', "list the organization's group mappings")
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({
      mappings: (await services.scimGroups.listMappings(actor, opts.org as string))
        .map((m) => ({ group: m.groupRef, role: m.role, accountSids: m.accountSids, accountRoles: m.accountRoles, updatedAt: m.updatedAt })),
    }), (r) => (r.mappings.length === 0 ? 'No group mappings.' : r.mappings.map((m) =>
      `"${m.group}"  ${m.role ?? 'no role'}  [${m.accountSids.join(', ')}]`).join('\n'))));
}
