/**
 * The gateway's routes and the OpenAPI document (its part of GET /openapi.json on
 * booking-api) name the same operations, and the document's own answers conform.
 */
import {
  compareRoutes,
  createLogCapture,
  createTestNats,
  documentedRoutes,
  listExpressRoutes,
  type TestNats,
} from '@calsync/testkit';
import { createClient, createTestDb, startGateway, type GatewayUnderTest } from './harness';
import { gatewayOpenApiDocument } from './openapi';

let testDb: Awaited<ReturnType<typeof createTestDb>>;
let nats: TestNats;
let gw: GatewayUnderTest;

beforeAll(async () => {
  [testDb, nats] = await Promise.all([createTestDb(), createTestNats()]);
  gw = await startGateway({
    db: testDb.db,
    nats,
    topology: nats.topology,
    logger: createLogCapture().logger('gw'),
  });
});

afterAll(async () => {
  await gw?.close();
  await nats?.close();
  await testDb?.drop();
});

it('documents every route the gateway has, and no route it lacks', () => {
  expect(compareRoutes(listExpressRoutes(gw.app), documentedRoutes(gatewayOpenApiDocument()))).toEqual({
    undocumented: [],
    unrouted: [],
  });
});

it('answers health, readiness and metrics as documented', async () => {
  const client = createClient(gw.url);
  try {
    for (const path of ['/livez', '/readyz', '/metrics']) expect((await client.get(path)).status).toBe(200);
  } finally {
    client.close();
  }
});
