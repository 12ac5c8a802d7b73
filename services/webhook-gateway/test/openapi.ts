/**
 * The gateway's part of the OpenAPI document booking-api serves: the same route
 * data from @calsync/contracts, generated the same way, so the gateway's tests
 * can hold its answers to it without reaching into booking-api.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { healthRoutes, webhookGatewayRoutes, webhookGatewaySecuritySchemes } from '@calsync/contracts';

export function gatewayOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(webhookGatewaySecuritySchemes))
    registry.registerComponent('securitySchemes', name, scheme);
  for (const route of [...webhookGatewayRoutes, ...healthRoutes]) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'webhook-gateway', version: 'v1' },
  });
}
