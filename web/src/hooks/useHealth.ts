/** Connector health: polled every 10 s and patched at once by connector.status events. */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { ConnectorHealth } from '../types.ts';
import { useDeskEvents } from './events.tsx';

const POLL_MS = 10_000;

export interface HealthState {
  connectors: ConnectorHealth[];
  /** False when the last poll failed (the server itself is unreachable). */
  reachable: boolean;
}

export function useHealth(): HealthState {
  const [state, setState] = useState<HealthState>({ connectors: [], reachable: true });

  const poll = useCallback(async () => {
    try {
      const h = await api.health();
      setState({ connectors: h.connectors, reachable: true });
    } catch {
      setState((s) => ({ ...s, reachable: false }));
    }
  }, []);

  useEffect(() => {
    void poll();
    const t = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(t);
  }, [poll]);

  useDeskEvents((e) => {
    if (e.type === 'resync') {
      void poll();
      return;
    }
    if (e.type !== 'connector.status') return;
    setState((s) => {
      const known = s.connectors.some((c) => c.name === e.connector);
      if (!known) {
        void poll(); // a connector we have not seen: fetch its full record
        return s;
      }
      return {
        ...s,
        connectors: s.connectors.map((c) =>
          c.name === e.connector ? { ...c, state: e.state, detail: e.detail, since: e.at } : c,
        ),
      };
    });
  });

  return state;
}
