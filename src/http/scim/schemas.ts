/**
 * SCIMMY's schema definitions (RFC 7643 core User and Group, enterprise User extension): declared
 * once per process for the discovery endpoints, and read as the attribute metadata that validates
 * bodies (coerce.ts), drives the PATCH engine and the projection of `attributes` /
 * `excludedAttributes`.
 */
import SCIMMY from 'scimmy';
import { coerceResource } from './coerce.js';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** What the service provider configuration advertises (RFC 7643 §5). */
export const LIMITS = { maxResults: 1000, defaultCount: 100, bulkMaxOperations: 1000, bulkMaxPayload: 1_048_576, bodyLimit: 4 * 1_048_576 } as const;

export interface AttrMeta {
  readonly name: string;
  readonly type: string;
  readonly multiValued: boolean;
  readonly readOnly: boolean;
  readonly caseExact: boolean;
  readonly required: boolean;
  /** False for attributes only the service provider sets (direction "out": id, meta, groups). */
  readonly input: boolean;
  readonly sub: ReadonlyMap<string, AttrMeta>;
}

export interface SchemaMeta {
  readonly urn: string;
  readonly attrs: ReadonlyMap<string, AttrMeta>;
}

export interface ResourceMeta {
  readonly core: SchemaMeta;
  /** Extensions by lower-cased URN. */
  readonly extensions: ReadonlyMap<string, SchemaMeta>;
}

type Definition = { id: string; attributes: unknown[] };
type AttributeDef = { name: string; type: string; config: Record<string, unknown>; subAttributes?: AttributeDef[]; toJSON(): { mutability: string } };

let declared = false;

/**
 * Declares User (with the enterprise extension) and Group with SCIMMY, once per process
 * (SCIMMY's registry is process-wide). Their canonical values (e.g. email types work/home/other)
 * are advertised in /Schemas but not enforced (RFC 7643 §2.3.1: IdPs send others).
 */
export function declareScimSchemas(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User).extend(SCIMMY.Schemas.EnterpriseUser, false);
  SCIMMY.Resources.declare(SCIMMY.Resources.Group);
}

/** The service provider configuration (process-wide in SCIMMY): bearer tokens, PATCH, Bulk, filters, sorting, ETags. */
export function configureServiceProvider(documentationUri?: string): void {
  SCIMMY.Config.set({ authenticationSchemes: [] });
  SCIMMY.Config.set({
    documentationUri,
    patch: true,
    sort: true,
    etag: true,
    changePassword: false,
    filter: { supported: true, maxResults: LIMITS.maxResults },
    bulk: { supported: true, maxOperations: LIMITS.bulkMaxOperations, maxPayloadSize: LIMITS.bulkMaxPayload },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'OAuth Bearer Token', primary: true,
      description: 'A SCIM token created for the organization (orgward scim-token create); one organization per token.',
      specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
    }],
  });
}

function attrMeta(a: AttributeDef): AttrMeta {
  return {
    name: a.name, type: a.type, multiValued: a.config.multiValued === true,
    readOnly: a.toJSON().mutability === 'readOnly', caseExact: a.config.caseExact === true,
    required: a.config.required === true, input: a.config.direction !== 'out',
    sub: new Map((a.subAttributes ?? []).map((s) => [s.name.toLowerCase(), attrMeta(s)])),
  };
}

function resourceMeta(definition: Definition): ResourceMeta {
  const attrs = new Map<string, AttrMeta>();
  const extensions = new Map<string, SchemaMeta>();
  for (const a of definition.attributes) {
    const attribute = a as AttributeDef & Partial<Definition>;
    if (typeof attribute.id === 'string' && !attribute.type) {
      const ext = attribute as unknown as Definition;
      extensions.set(ext.id.toLowerCase(), { urn: ext.id, attrs: new Map((ext.attributes as AttributeDef[]).filter((x) => x?.config).map((x) => [x.name.toLowerCase(), attrMeta(x)])) });
    } else if (attribute.config) {
      attrs.set(attribute.name.toLowerCase(), attrMeta(attribute));
    }
  }
  return { core: { urn: definition.id, attrs }, extensions };
}

let userMetaCache: ResourceMeta | undefined;
let groupMetaCache: ResourceMeta | undefined;

export function userMeta(): ResourceMeta {
  declareScimSchemas();
  return (userMetaCache ??= resourceMeta(SCIMMY.Schemas.User.definition as unknown as Definition));
}

export function groupMeta(): ResourceMeta {
  declareScimSchemas();
  return (groupMetaCache ??= resourceMeta(SCIMMY.Schemas.Group.definition as unknown as Definition));
}

/** A User body validated against the declared schema (types, required attributes), with canonical attribute names. */
export const coerceUser = (body: Record<string, unknown>) => coerceResource(body, userMeta());
/** A Group body, likewise. */
export const coerceGroup = (body: Record<string, unknown>) => coerceResource(body, groupMeta());
