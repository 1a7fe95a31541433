/** `orgward user invite|invitations`: invitations into an organization (D7, D6, U1). */
import { Command, Option } from 'commander';
import { action, group, leaf, orgOption, type CliState } from './command-kit.js';

export function registerUserCommands(program: Command, state: CliState): void {
  const user = group(program, 'user', 'users of an organization');

  leaf(user, 'invite', 'invite EMAIL (its domain must be verified by the organization, D7) and mail the link')
    .addOption(orgOption())
    .argument('<email>')
    .addOption(new Option('--role <role>', 'role on acceptance').choices(['admin', 'standard']).default('standard'))
    .addOption(new Option('--replace', 'replace a pending invitation that offers another role (its link stops working)'))
    .action(action(state, async ({ services, actor }, { args, opts }) => {
      const invitation = await services.invitations.invite(actor, opts.org as string, {
        email: args[0]!, role: opts.role as 'admin' | 'standard', replace: opts.replace === true,
      });
      // `replaced` only when a pending invitation was replaced: what changed for it.
      return {
        invitationId: invitation.invitationId, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt,
        ...(invitation.replaced && { replaced: invitation.replaced }),
      };
    }, (r) => [
      `Invited ${r.email} as ${r.role}; the link works until ${new Date(r.expiresAt).toISOString()}.`,
      ...(r.replaced ? [r.replaced.role.from === r.replaced.role.to
        ? `This replaces the pending invitation ${r.replaced.invitationId} (same role); its link no longer works.`
        : `This replaces the pending invitation ${r.replaced.invitationId}: role ${r.replaced.role.from} → ${r.replaced.role.to}; its link no longer works.`] : []),
    ].join('\n')));

  leaf(user, 'invitations', 'list pending invitations')
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({
      invitations: (await services.invitations.listPending(actor, opts.org as string))
        .map((i) => ({ invitationId: i.invitationId, email: i.email, role: i.role, expiresAt: i.expiresAt })),
    }), (r) => (r.invitations.length === 0 ? 'No pending invitations.'
      : r.invitations.map((i) => `${i.invitationId}  ${i.email}  ${i.role}  until ${new Date(i.expiresAt).toISOString()}`).join('\n'))));
}
