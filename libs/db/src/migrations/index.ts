import { initial } from './0001-initial';
import { syncCallStart } from './0002-sync-call-start';
import { calcomTombstones } from './0003-calcom-tombstones';
import { calcomRateUsage } from './0004-calcom-rate-usage';
import { syncState } from './0005-sync-state';
import { parkedMessages } from './0006-parked-messages';
import { calcomUidPerTenant } from './0007-calcom-uid-per-tenant';
import { tenantLifecycle } from './0008-tenant-lifecycle';

export interface Migration {
  name: string;
  up(run: (sql: string) => Promise<void>): Promise<void>;
  down(run: (sql: string) => Promise<void>): Promise<void>;
}

/** In order. Never edit an applied migration: add a new one. */
export const migrations: Migration[] = [
  initial,
  syncCallStart,
  calcomTombstones,
  calcomRateUsage,
  syncState,
  parkedMessages,
  calcomUidPerTenant,
  tenantLifecycle,
];
