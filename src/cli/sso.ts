/** `orgward sso add-saml|add-oidc|change-saml|change-oidc|list|test|enforce`: single sign-on connections (S1, S7). */
import fs from 'node:fs';
import { Argument, Command, Option } from 'commander';
import type { ConnectionChanged } from '../services/sso-connection-changes.js';
import type { AddedConnection } from '../services/sso-connections.js';
import { action, group, inputPath, leaf, orgOption, type CliState } from './command-kit.js';
import { UsageError } from './output.js';

/** What an operator hands to the IdP: `acsUrl` for SAML, `redirectUri` for OIDC. */
const added = (c: AddedConnection) => ({
  connectionId: c.connectionId, spEntityId: c.spEntityId,
  ...(c.acsUrl !== undefined && { acsUrl: c.acsUrl }), ...(c.redirectUri !== undefined && { redirectUri: c.redirectUri }),
  metadataUrl: c.metadataUrl,
});

const changedText = (r: ConnectionChanged) => (r.changed.length === 0 ? `Connection ${r.connectionId}: nothing changed.` : [
  `Connection ${r.connectionId}: changed ${r.changed.join(', ')}.`,
  ...(r.testRequired ? [`It signs nobody in until a new test sign-in succeeds: run \`orgward sso test --org … ${r.connectionId}\`.`] : []),
].join('\n'));

const onOff = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : value === 'on');

const addedText = (r: ReturnType<typeof added>) => [
  `Added connection ${r.connectionId}. Give the IdP:`,
  `  SP entity ID:   ${r.spEntityId}`,
  r.acsUrl ? `  ACS URL:        ${r.acsUrl}` : `  Redirect URI:   ${r.redirectUri}`,
  `  metadata:       ${r.metadataUrl}`,
  `Then run \`orgward sso test --org … ${r.connectionId}\` and complete the test sign-in before enforcing.`,
].join('\n');

function readPemFiles(state: CliState, files: readonly string[]): string[] {
  return files.map((file) => {
    try {
      return fs.readFileSync(inputPath(state, file), 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read the certificate file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'file_unreadable');
    }
  });
}

export function registerSsoCommands(program: Command, state: CliState): void {
  const sso = group(program, 'sso', 'single sign-on connections');

  leaf(sso, 'add-saml', 'add a SAML 2.0 connection (signing certificates in PEM files; repeat --cert during a rotation)')
    .addOption(orgOption())
    .requiredOption('--idp-entity-id <id>', "the IdP's entity ID (issuer)")
    .requiredOption('--sso-url <url>', "the IdP's single sign-on URL (HTTP-Redirect binding)")
    .requiredOption('--cert <file...>', "PEM file(s) with the IdP's signing certificate")
    .option('--allow-idp-initiated', 'accept unsolicited (IdP-initiated) responses (S8; off by default)')
    .action(action(state, async ({ services, actor }, { opts }) => added(await services.sso.addSaml(actor, opts.org as string, {
      idpEntityId: opts.idpEntityId as string, ssoUrl: opts.ssoUrl as string,
      certificates: readPemFiles(state, opts.cert as string[]), allowIdpInitiated: opts.allowIdpInitiated === true,
    })), addedText));

  leaf(sso, 'add-oidc', 'add an OpenID Connect connection (discovery from the issuer at the first sign-in)')
    .addOption(orgOption())
    .requiredOption('--issuer <url>', 'the issuer URL (https)')
    .requiredOption('--client-id <id>', 'client ID registered at the IdP')
    .requiredOption('--client-secret <secret>', 'client secret (stored encrypted)')
    .action(action(state, async ({ services, actor }, { opts }) => added(await services.sso.addOidc(actor, opts.org as string, {
      issuer: opts.issuer as string, clientId: opts.clientId as string, clientSecret: opts.clientSecret as string,
    })), addedText));

  leaf(sso, 'change-saml', 'change a SAML connection; a new certificate, entity ID, SSO URL or IdP-initiated setting requires a new test (S1)')
    .addOption(orgOption())
    .argument('<connection-id>')
    .option('--idp-entity-id <id>', "the IdP's entity ID (issuer)")
    .option('--sso-url <url>', "the IdP's single sign-on URL")
    .option('--cert <file...>', "PEM file(s) with the IdP's signing certificate(s), replacing the current ones")
    .addOption(new Option('--idp-initiated <state>', 'accept unsolicited (IdP-initiated) responses (S8)').choices(['on', 'off']))
    .action(action(state, async ({ services, actor }, { args, opts }) => services.sso.changeSaml(actor, opts.org as string, args[0]!, {
      ...(opts.idpEntityId !== undefined && { idpEntityId: opts.idpEntityId as string }), ...(opts.ssoUrl !== undefined && { ssoUrl: opts.ssoUrl as string }),
      ...(opts.cert !== undefined && { certificates: readPemFiles(state, opts.cert as string[]) }),
      ...(opts.idpInitiated !== undefined && { allowIdpInitiated: onOff(opts.idpInitiated as string) }),
    }), changedText));

  leaf(sso, 'change-oidc', 'change an OIDC connection; a new issuer or client ID requires a new test (S1)')
    .addOption(orgOption())
    .argument('<connection-id>')
    .option('--issuer <url>', 'the issuer URL (https)')
    .option('--client-id <id>', 'client ID registered at the IdP')
    .option('--client-secret <secret>', 'client secret (stored encrypted)')
    .action(action(state, async ({ services, actor }, { args, opts }) => services.sso.changeOidc(actor, opts.org as string, args[0]!, {
      ...(opts.issuer !== undefined && { issuer: opts.issuer as string }), ...(opts.clientId !== undefined && { clientId: opts.clientId as string }),
      ...(opts.clientSecret !== undefined && { clientSecret: opts.clientSecret as string }),
    }), changedText));

  leaf(sso, 'list', "list the organization's connections")
    .addOption(orgOption())
    .action(action(state, async ({ services, actor }, { opts }) => ({ connections: await services.sso.list(actor, opts.org as string) }),
      (r) => (r.connections.length === 0 ? 'No connections.' : r.connections.map((c) =>
        `${c.connectionId}  ${c.protocol}  ${c.enabled ? 'enabled' : 'disabled'}  ${c.testedAt ? `tested ${new Date(c.testedAt).toISOString()}` : 'not tested'}\n  ${c.spEntityId}`).join('\n'))));

  leaf(sso, 'test', 'make a single-use link (15 minutes) for the test sign-in that enforcement requires (S1)')
    .addOption(orgOption())
    .argument('<connection-id>')
    .action(action(state, async ({ services, actor }, { args, opts }) => services.sso.startTest(actor, opts.org as string, args[0]!),
      (r) => `Open this link in a browser and sign in at the IdP (valid until ${new Date(r.expiresAt).toISOString()}):\n  ${r.url}`));

  leaf(sso, 'enforce', 'require SSO for users of a verified DOMAIN (on), or allow passwords again (off)')
    .addOption(orgOption())
    .argument('<domain>')
    .addArgument(new Argument('<state>').choices(['on', 'off']))
    .action(action(state, async ({ services, actor }, { args, opts }) => services.sso.setEnforcement(actor, opts.org as string, args[0]!, args[1] === 'on'),
      (r) => `${r.domain}: SSO ${r.ssoEnforced ? `enforced; ${r.sessionsRevoked} password session(s) ended` : 'not enforced'}.`));
}
