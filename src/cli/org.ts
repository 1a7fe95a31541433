/** `orgward org create|set|show`: organizations and the settings only an operator changes (O5, B1, H1). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { MAX_ACCOUNT_LIMIT } from '../rules/organizations.js';
import type { Organization } from '../types.js';
import { action, group, leaf, orgOption, parseCount, type CliState } from './command-kit.js';
import { UsageError } from './output.js';

/** The settings an operator sees after changing them. */
const settingsOf = (org: Organization) => ({
  orgSid: org.sid, name: org.name, accountLimit: org.accountLimit, bulkImportEnabled: org.bulkImportEnabled, baaExecutedAt: org.baaExecutedAt,
});

const settingsText = (s: ReturnType<typeof settingsOf>) =>
  `${s.name} (${s.orgSid})\n  account limit: ${s.accountLimit}\n  bulk import: ${s.bulkImportEnabled ? 'on' : 'off'}\n` +
  `  BAA: ${s.baaExecutedAt ? `executed ${new Date(s.baaExecutedAt).toISOString()} (HIPAA-designated)` : 'not recorded'}`;

export function registerOrgCommands(program: Command, state: CliState): void {
  const org = group(program, 'org', 'organizations');

  leaf(org, 'create', 'create an organization whose Owner is EMAIL (a new user, or one in no organization)')
    .requiredOption('--name <name>', 'organization name')
    .requiredOption('--owner <email>', "the Owner's email address")
    .action(action(state, async ({ services, actor }, { opts }) => {
      const { orgSid, ownerSid } = await services.organizations.create(actor, { name: opts.name as string, ownerEmail: opts.owner as string });
      return { orgSid, ownerSid };
    }, (r) => `Created organization ${r.orgSid}; its Owner is ${r.ownerSid}.`));

  leaf(org, 'set', 'change operator settings: account limit (O5), bulk import (B1), executed BAA (H1)')
    .addOption(orgOption())
    .option('--account-limit <n>', 'how many accounts the organization may hold', parseCount(1, MAX_ACCOUNT_LIMIT))
    .addOption(new Option('--bulk-import <state>', 'bulk user import').choices(['on', 'off']))
    .addOption(new Option('--baa <state>', 'record the executed BAA (cannot be withdrawn)').choices(['on']))
    .action(action(state, async ({ services, actor }, { opts }) => {
      const settings = {
        ...(opts.accountLimit !== undefined && { accountLimit: opts.accountLimit as number }),
        ...(opts.bulkImport !== undefined && { bulkImportEnabled: opts.bulkImport === 'on' }),
        ...(opts.baa === 'on' && { baaExecuted: true }),
      };
      if (Object.keys(settings).length === 0) throw new UsageError('Give at least one of --account-limit, --bulk-import, --baa.');
      return settingsOf(await services.organizations.updateSettings(actor, opts.org as string, settings));
    }, settingsText));

  leaf(org, 'show', 'show an organization, its Owner and settings')
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => {
      const view = await services.organizations.get(actor, opts.org as string);
      return { ...settingsOf(view), ownerSid: view.ownerSid, memberCount: view.memberCount, createdAt: view.createdAt };
    }, (r) => `${settingsText(r)}\n  Owner: ${r.ownerSid ?? '-'}\n  members: ${r.memberCount}`));

  leaf(org, 'set-audit-retention', 'keep the audit log DAYS days (older entries are removed by the sweeper) or for ever (L1; default: for ever)')
    .addOption(orgOption())
    .requiredOption('--days <n>', 'days to keep audit entries (1-36500), or forever', (raw: string) => {
      if (raw === 'forever') return raw;
      if (!/^\d+$/.test(raw)) throw new InvalidArgumentError('expected a whole number of days or forever');
      return Number(raw);
    })
    .action(action(state, async ({ services, actor }, { opts }) => services.auditRetention.set(actor, opts.org as string, opts.days === 'forever' ? null : opts.days as number),
      (r) => `${r.orgSid}: audit log kept ${r.auditRetentionDays === null ? 'for ever' : `${r.auditRetentionDays} days`}.`));

  leaf(org, 'audit', "read the organization's audit log (L1), oldest first")
    .addOption(orgOption())
    .option('--after <id>', 'continue after this entry id (nextAfterId of the previous page)')
    .option('--limit <n>', 'entries per page', parseCount(1, 500), 100)
    .option('--action <action>', 'only entries of this action, e.g. domain.verified')
    .action(action(state, async ({ services, actor }, { opts }) => services.auditLog.list(actor, opts.org as string, {
      limit: opts.limit as number,
      ...(opts.after !== undefined && { afterId: opts.after as string }), ...(opts.action !== undefined && { action: opts.action as string }),
    }), (r) => (r.entries.length === 0 ? 'No entries.' : r.entries.map((e) =>
      `${e.id}  ${new Date(e.createdAt).toISOString()}  ${e.actor}  ${e.action}${e.target ? `  ${e.target}` : ''}`).join('\n')
      + (r.nextAfterId ? `\nMore: --after ${r.nextAfterId}` : ''))));
}
