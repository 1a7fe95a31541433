/** `orgward account list|upgrade`: accounts of an organization; upgrading is an operator's act (A7). */
import { Command } from 'commander';
import type { Account } from '../types.js';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';

const shown = (a: Account) => ({
  accountSid: a.sid, name: a.name, usage: a.usage, plan: a.plan, status: a.status, management: a.management,
  ownerSid: a.ownerSid, parentSid: a.parentSid, hipaa: a.hipaa,
});

export function registerAccountCommands(program: Command, state: CliState): void {
  const account = group(program, 'account', 'accounts');

  leaf(account, 'list', "list an organization's accounts")
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({ accounts: (await services.accounts.list(actor, opts.org as string)).map(shown) }),
      (r) => (r.accounts.length === 0 ? 'No accounts.' : r.accounts.map((a) =>
        `${a.accountSid}  ${a.name}  ${a.usage}  ${a.plan}  ${a.status}  ${a.management ?? '-'}${a.parentSid ? `  under ${a.parentSid}` : ''}`).join('\n'))));

  leaf(account, 'upgrade', 'upgrade a trial account (its subaccount limit rises from 1 to 1,000, A7)')
    .argument('<account-sid>')
    .action(action(state, async ({ services, actor }, { args }) => {
      const result = await services.accounts.upgrade(actor, args[0]!);
      return { ...shown(result.account), changed: result.changed };
    }, (r) => (r.changed ? `Upgraded ${r.accountSid}.` : `${r.accountSid} was already upgraded.`)));
}
