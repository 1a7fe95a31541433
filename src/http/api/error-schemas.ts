/**
 * The error bodies of the Organizations API, as zod schemas: the OpenAPI document's
 * components are generated from them, and the test suite checks every error response against them.
 * A route's `errors` style says which one it sends.
 */
import { z } from 'zod';

export type ErrorStyle = 'orgward' | 'twilio' | 'scim' | 'oauth';

/** The admin-API body (http/error-handler.ts). */
export const OrgwardError = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string(), details: z.unknown().optional() }),
});

/** Twilio's error shape; `code` is Orgward's stable string code (errors.ts twilioErrorBody). */
export const TwilioError = z.object({
  code: z.string(), message: z.string(), more_info: z.string(), status: z.number().int(),
  request_id: z.string().optional(), details: z.unknown().optional(),
}).describe("Twilio's error shape; `code` is Orgward's stable string code.");

/** A SCIM error (RFC 7644 §3.12) with Twilio's fields added (scim-users.ts twilioScimError). */
export const ScimError = z.object({
  schemas: z.array(z.string()), status: z.string(), scimType: z.string().optional(), detail: z.string(),
  code: z.string(), message: z.string(), more_info: z.string(),
}).describe("A SCIM error (RFC 7644 §3.12) with Orgward's stable `code`.");

/** An OAuth 2.0 error (RFC 6749 §5.2) with the fields Twilio's SDK reads (oidc/provider.ts). */
export const OAuthError = z.object({
  error: z.string(), error_description: z.string().optional(),
  code: z.string().describe('The same as `error`.'), message: z.string(), status: z.number().int(),
}).describe("An OAuth 2.0 error (RFC 6749 §5.2), with `code`, `message` and `status` for Twilio's SDK.");

export const ERROR_SCHEMAS: Readonly<Record<ErrorStyle, z.ZodType>> = { orgward: OrgwardError, twilio: TwilioError, scim: ScimError, oauth: OAuthError };
export const ERROR_SCHEMA_NAMES: Readonly<Record<ErrorStyle, string>> = { orgward: 'Error', twilio: 'TwilioError', scim: 'ScimError', oauth: 'OAuthError' };
