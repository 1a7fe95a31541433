/** The committed test keys (see keys/README.md). Test-only. */
import fs from 'node:fs';

const read = (name: string): string => fs.readFileSync(new URL(`./keys/${name}`, import.meta.url), 'utf8');

export interface TestKey { readonly key: string; readonly cert: string }

const pair = (name: string): TestKey => ({ key: read(`${name}.key.pem`), cert: read(`${name}.cert.pem`) });

export const IDP_A_KEY = pair('idp-a');
export const IDP_B_KEY = pair('idp-b');
export const ATTACKER_KEY = pair('attacker');
