/** `orgward domain add|verify|policy|list|holder|remove`: verified domains (D1-D6). */
import { Argument, Command } from 'commander';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';

/** The CLI spells policies with a hyphen; the services accept both spellings. */
const POLICIES = ['restricted', 'auto-enrollment', 'blocked'] as const;
const cliPolicy = (policy: string) => policy.replace(/_/g, '-');

export function registerDomainCommands(program: Command, state: CliState): void {
  const domain = group(program, 'domain', 'domains of an organization');

  leaf(domain, 'add', 'register DOMAIN and show the DNS TXT record that proves it (D3)')
    .addOption(orgOption())
    .argument('<domain>', 'e.g. corporate.com')
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      const view = await services.domains.add(actor, opts.org as string, args[0]!);
      return { domain: view.domain, txtName: view.txtName, txtValue: view.txtValue };
    }, (r) => `Registered ${r.domain}. Publish this DNS TXT record, then run \`orgward domain verify\`:\n  ${r.txtName}  TXT  "${r.txtValue}"`));

  leaf(domain, 'verify', 'look the TXT record up in DNS and mark DOMAIN verified (fails with dns_txt_missing or dns_txt_mismatch otherwise)')
    .addOption(orgOption())
    .argument('<domain>')
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      const result = await services.domains.verify(actor, opts.org as string, args[0]!);
      return { domain: result.domain, verified: result.verified };
    }, (r) => `${r.domain} is verified.`));

  leaf(domain, 'policy', 'set the sign-up policy of a verified domain (D6)')
    .addOption(orgOption())
    .argument('<domain>')
    .addArgument(new Argument('<policy>').choices(POLICIES))
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      const view = await services.domains.setPolicy(actor, opts.org as string, args[0]!, args[1]!.replace(/-/g, '_'));
      return { domain: view.domain, policy: cliPolicy(view.policy) };
    }, (r) => `${r.domain}: policy ${r.policy}.`));

  leaf(domain, 'list', "list the organization's domains with their TXT records and policies")
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => {
      const domains = await services.domains.list(actor, opts.org as string);
      return {
        domains: domains.map((d) => ({
          domain: d.domain, verified: d.verified, verifiedAt: d.verifiedAt, policy: cliPolicy(d.policy), ssoEnforced: d.ssoEnforced,
          txtName: d.txtName, txtValue: d.txtValue,
        })),
      };
    }, (r) => (r.domains.length === 0 ? 'No domains.' : r.domains.map((d) =>
      `${d.domain}  ${d.verified ? 'verified' : 'unverified'}  ${d.policy}${d.ssoEnforced ? '  SSO enforced' : ''}\n  TXT ${d.txtName} "${d.txtValue}"`).join('\n'))));

  leaf(domain, 'holder', 'show which organization verified DOMAIN (D4; to settle a domain_claimed refusal)')
    .argument('<domain>')
    .action(action(state, async ({ services, actor }, { args }) => services.domains.holder(actor, args[0]!),
      (r) => `${r.domain} is verified by ${r.orgName} (${r.orgSid}) since ${new Date(r.verifiedAt).toISOString()}.`));

  leaf(domain, 'remove', 'remove DOMAIN from the organization (a verified one becomes free to verify elsewhere)')
    .addOption(orgOption())
    .argument('<domain>')
    .option('--force', 'remove a verified domain that members use (without it, the command says what would change and stops)')
    .action(action(state, async ({ services, actor }, { args, opts }) => services.domains.remove(actor, opts.org as string, args[0]!, { force: opts.force === true }),
      (r) => [`Removed ${r.domain}.`, ...r.summary.changes.map((c) => `  ${c}`)].join('\n')));
}
