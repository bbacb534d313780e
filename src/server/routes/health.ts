/** GET /api/health: for load balancers and the desk's status light; open to anyone, reveals no user data. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ConnectorHealth } from '../../core/index.js';
import type { ServerDeps } from '../server.js';

/** States in which a connector is doing its job (or about to): anything else makes the service `degraded`. */
const HEALTHY: ReadonlySet<ConnectorHealth['state']> = new Set(['connected', 'starting']);

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const VERSION = readVersion();

export function healthRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'health' | 'store'>): void {
  app.get('/api/health', { config: { access: 'public' } }, async () => {
    const connectors = deps.health();
    // Still HTTP 200 when degraded: the server itself answers; the body says which network is in trouble.
    const status = connectors.every((c) => HEALTHY.has(c.state)) ? 'ok' : 'degraded';
    return { status, connectors, store: deps.store.dialect, version: VERSION };
  });
}
