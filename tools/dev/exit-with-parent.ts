/**
 * Preloaded by `npm start` into every service it runs (`node --import`): when start.ts goes
 * away without stopping the service (killed, even by SIGKILL), the service gets SIGTERM
 * once and drains as on any stop, so no orphan keeps its port.
 */
import { watchParent } from './parent-watch';

watchParent(() => process.kill(process.pid, 'SIGTERM'));
