/**
 * Every Organizations API response of the test suite is checked against the document
 * (issue 10: "every response in the test suite validates against the document"). createTestContext
 * wraps its app with {@link checkingResponses}; each response to a documented route is checked
 * against the route's zod response schema (the one /openapi.json is generated from) or, for an
 * error, its error style's schema; fields the document does not name count as mismatches (the
 * document says additionalProperties: false). A mismatch is recorded, and the afterEach hook of
 * test/support/check-api-responses.ts fails the test that produced it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ApiRoute } from '../../src/http/api/registry.js';
import { ERROR_SCHEMAS } from '../../src/http/api/error-schemas.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const mismatches: string[] = [];

/** The mismatches recorded since the last call (the afterEach hook drains them). */
export function takeMismatches(): string[] {
  return mismatches.splice(0, mismatches.length);
}

interface Matcher { readonly method: string; readonly pattern: RegExp; readonly route: ApiRoute }

const escape = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

function matchers(routes: readonly ApiRoute[]): Matcher[] {
  // Literal paths first, so /AuditLog.csv or /Users/Me is not taken for /Users/{UserSid}.
  const literalness = (r: ApiRoute) => -r.path.split('/').filter((s) => !s.startsWith('{')).length;
  return [...routes].sort((a, b) => literalness(a) - literalness(b)).map((route) => ({
    method: route.method.toUpperCase(),
    pattern: new RegExp(`^${route.path.split(/(\{\w+\})/).map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : escape(part))).join('')}/?$`),
    route,
  }));
}

/** Paths of `input` that `output` (zod's parse, which drops unknown keys of plain objects) lost. */
function undocumentedFields(input: unknown, output: unknown, path = ''): string[] {
  if (Array.isArray(input) && Array.isArray(output)) return input.flatMap((item, i) => undocumentedFields(item, output[i], `${path}[${i}]`));
  if (input === null || typeof input !== 'object' || output === null || typeof output !== 'object') return [];
  return Object.entries(input as Record<string, unknown>).flatMap(([key, value]) => (key in (output as object)
    ? undocumentedFields(value, (output as Record<string, unknown>)[key], path ? `${path}.${key}` : key)
    : [path ? `${path}.${key}` : key]));
}

const isJson = (type: string) => /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);

/** What is wrong with one response to `route`, or undefined. */
export function responseProblem(route: ApiRoute, status: number, contentType: string, text: string): string | undefined {
  const declared = route.responses[status];
  const schema: z.ZodType | undefined = declared?.schema ?? (status >= 400 ? ERROR_SCHEMAS[route.errors] : undefined);
  if (!declared && status < 400) return `status ${status} is not documented`;
  if (declared?.mediaType !== undefined) {
    return contentType.split(';')[0]!.trim() === declared.mediaType ? undefined : `Content-Type ${contentType || '(none)'} is documented as ${declared.mediaType}`;
  }
  if (!schema) return text.length > 0 && isJson(contentType) ? `status ${status} is documented without a body, but one was sent` : undefined;
  if (!isJson(contentType)) {
    const base = contentType.split(';')[0]!.trim();
    return declared?.otherMediaTypes?.includes(base) ? undefined : `Content-Type ${contentType || '(none)'} is not documented for status ${status}`;
  }
  let body: unknown;
  try { body = JSON.parse(text); } catch { return 'the body is not JSON'; }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return `the body does not match the document: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
  const extra = undocumentedFields(body, parsed.data);
  return extra.length > 0 ? `undocumented field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}` : undefined;
}

/** `app`, with each response to one of `routes` checked as it finishes. */
export function checkingResponses(app: Listener, routes: readonly ApiRoute[]): Listener {
  const table = matchers(routes);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const found = table.find((m) => m.method === req.method && m.pattern.test(path));
    if (!found) return app(req, res);
    const chunks: Buffer[] = [];
    let keep: boolean | undefined;
    const collect = (chunk: unknown, encoding?: unknown) => {
      // Only JSON bodies are kept (a streamed CSV export may be large and is not checked).
      keep ??= isJson(String(res.getHeader('content-type') ?? ''));
      if (keep && chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8'));
      }
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => { collect(args[0], args[1]); return write(...args); }) as typeof res.write;
    res.end = ((...args: unknown[]) => { collect(args[0], args[1]); return end(...args); }) as typeof res.end;
    res.on('finish', () => {
      const problem = responseProblem(found.route, res.statusCode, String(res.getHeader('content-type') ?? ''), Buffer.concat(chunks).toString('utf8'));
      if (problem !== undefined) mismatches.push(`${req.method} ${req.url} → ${res.statusCode} (${found.route.method.toUpperCase()} ${found.route.path}): ${problem}`);
    });
    app(req, res);
  };
}
