/**
 * Closing the server must not wait on clients. Node's server.close() waits for every open connection; it reaps idle
 * keep-alive sockets, but not a socket that was opened and never used (browsers open spare ones) nor a response that
 * never ends (the event stream). So on close: end the event streams, drop every socket with no request in flight,
 * let in-flight requests finish, and after a grace period drop whatever is left.
 */
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

export const SHUTDOWN_GRACE_MS = 5000;

export function installShutdown(app: FastifyInstance, endStreams: () => void, graceMs = SHUTDOWN_GRACE_MS): void {
  const inFlight = new Map<Socket, number>();

  app.server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  app.server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      if (inFlight.has(socket)) inFlight.set(socket, Math.max(0, (inFlight.get(socket) ?? 1) - 1));
    });
  });

  let deadline: ReturnType<typeof setTimeout> | undefined;
  // preClose runs before the listening socket is closed and before Fastify waits for connections.
  app.addHook('preClose', async () => {
    endStreams();
    for (const [socket, n] of inFlight) if (n === 0) socket.destroy();
    deadline = setTimeout(() => app.server.closeAllConnections(), graceMs);
    deadline.unref();
  });
  app.addHook('onClose', async () => {
    clearTimeout(deadline);
  });
}
