/**
 * The OpenAPI 3.1 document of booking-api and webhook-gateway (SPEC §4.6),
 * generated from the zod schemas the routes validate with. Built once, on first use.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { healthRoutes, webhookGatewayRoutes, webhookGatewaySecuritySchemes } from '@calsync/contracts';
import { securitySchemes } from './common';
import { adminRoutes } from './paths-admin';
import { consoleRoutes, liveEventSchema, pageRoutes } from './paths-console';
import { operatorRoutes } from './paths-operator';
import { retellRoutes } from './paths-retell';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const DESCRIPTION = `Two-way appointment sync between a business's booking API and Cal.com.

- **Operator API** (\`Authorization: Bearer $OPERATOR_TOKEN\`): tenants, onboarding, offboarding, parked deliveries.
- **Admin API** (\`Authorization: Bearer <tenant adminToken>\`): a tenant's appointments, sync status and manual-review queue.
- **Retell functions**: the phone agent's calls, signed with \`X-Retell-Signature\`.
- **Cal.com webhooks**: received by webhook-gateway (its own address, \`PUBLIC_WEBHOOK_BASE_URL\`).

All bodies are JSON. Errors are \`{"error":{"code","message"}}\` with a fitting status, sometimes \`details\`.
Times are ISO 8601 with an offset or \`Z\`; every answer gives UTC \`...Z\`.
Over a request budget every route answers 429 with \`Retry-After\`; a path that is no route answers 404 \`not_found\`.`;

export function buildOpenApiDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const schemes = { ...securitySchemes, ...webhookGatewaySecuritySchemes };
  for (const [name, scheme] of Object.entries(schemes))
    registry.registerComponent('securitySchemes', name, scheme);
  const routes = [
    ...operatorRoutes,
    ...adminRoutes,
    ...consoleRoutes,
    ...retellRoutes,
    ...webhookGatewayRoutes,
    ...pageRoutes,
    ...healthRoutes,
  ];
  for (const route of routes) registry.registerPath(route);
  // LiveEvent is named in the event stream's description; no route refers to it directly.
  return new OpenApiGeneratorV31([...registry.definitions, liveEventSchema]).generateDocument({
    openapi: '3.1.0',
    info: { title: 'calcom-sync: booking-api and webhook-gateway', version: 'v1', description: DESCRIPTION },
    servers: [{ url: '/', description: 'booking-api' }],
  });
}

let built: OpenApiDocument | undefined;
export const openApiDocument = (): OpenApiDocument => (built ??= buildOpenApiDocument());
