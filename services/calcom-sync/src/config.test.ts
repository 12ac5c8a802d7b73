/** The worker id names the replica (issue 10: every pod called itself calcom-sync-1). */
import { hostname } from 'node:os';
import { loadConfig } from './config';

test('the pod name is the worker id, unless SYNC_WORKER_ID says otherwise', () => {
  expect(loadConfig({ POD_NAME: 'calcom-sync-7d9c8b6f5d-x2k4q' }).workerId).toBe(
    'calcom-sync-7d9c8b6f5d-x2k4q',
  );
  expect(loadConfig({ POD_NAME: 'calcom-sync-7d9c8b6f5d-x2k4q', SYNC_WORKER_ID: 'w1' }).workerId).toBe('w1');
});

test('without either, the host name and pid tell replicas apart (a container pid is always 1)', () => {
  expect(loadConfig({}).workerId).toBe(`calcom-sync-${hostname()}-${process.pid}`);
});
