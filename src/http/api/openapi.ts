/**
 * The OpenAPI 3.1 document, generated from the route registry (the same zod schemas that validate
 * requests: one source of truth), and the reference page at /docs rendered by swagger-ui-dist
 * from the installed package (no CDN: the machine running Orgward may have no internet).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { ApiRoute } from './registry.js';
import { ERROR_SCHEMAS, ERROR_SCHEMA_NAMES, type ErrorStyle } from './error-schemas.js';

type JsonSchema = Record<string, unknown>;

// OpenAPI 3.1 uses JSON Schema 2020-12, which is zod's native target; `$schema` is implied.
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _omit, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s,
    ...(typeof s.description === 'string' && { description: s.description }),
  }));
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument(routes: readonly ApiRoute[], baseUrl: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.mediaType !== undefined && { content: { [response.mediaType]: { schema: { type: 'string' } } } }),
        ...(response.schema && {
          content: {
            'application/json': { schema: schemaOf(response.schema, 'output') },
            ...Object.fromEntries((response.otherMediaTypes ?? []).map((type) => [type, { schema: { type: 'string' } }])),
          },
        }),
      };
    }
    responses.default = {
      description: 'Error',
      content: { [route.errors === 'scim' ? 'application/scim+json' : 'application/json']: { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA_NAMES[route.errors]}` } } },
    };
    const parameters = [
      ...parametersOf(route.params, 'path'),
      ...parametersOf(route.query, 'query'),
      ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } })),
    ];
    (paths[route.path] ??= {})[route.method] = {
      summary: route.summary,
      tags: route.tags,
      operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
      ...(route.auth === 'public' ? { security: [] } : {}),
      ...(parameters.length > 0 && { parameters }),
      ...(route.body && {
        requestBody: {
          required: true,
          content: {
            [route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: schemaOf(route.body, 'input') },
            ...(route.textBody && { [route.textBody.mediaType]: { schema: { type: 'string', maxLength: route.textBody.maxBytes, description: route.textBody.description } } }),
          },
        },
      }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Orgward Organizations API',
      version: '1.0.0',
      description: 'Organizations, accounts, users and access, Twilio-compatible where Twilio defines the resource. '
        + 'Authenticate with `Authorization: Bearer <token>` from `POST /v1/token` (OAuth 2.0 client credentials) or a console session.',
    },
    servers: [{ url: baseUrl }],
    security: [{ oAuth2ClientCredentials: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        oAuth2ClientCredentials: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${baseUrl}/v1/token`, scopes: {} } } },
        session: { type: 'apiKey', in: 'cookie', name: 'orgward_session' },
      },
      schemas: Object.fromEntries(Object.entries(ERROR_SCHEMAS).map(([style, schema]) => [ERROR_SCHEMA_NAMES[style as ErrorStyle], schemaOf(schema, 'output')])),
    },
  };
}

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Orgward Organizations API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// A separate file rather than an inline script, so the page works under a strict CSP.
const INIT_JS = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n";

/** GET /openapi.json and GET /docs (with its assets from the installed swagger-ui-dist). */
export function documentationRoutes(document: () => JsonSchema): Router {
  const router = express.Router();
  let cached: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    cached ??= JSON.stringify(document());
    res.type('application/json').send(cached);
  });
  router.get('/docs', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
      .type('html').send(DOCS_HTML);
  });
  router.get('/docs/init.js', (_req, res) => { res.type('application/javascript').send(INIT_JS); });
  router.use('/docs/assets', express.static(swaggerDir, { index: false, fallthrough: false }));
  return router;
}
