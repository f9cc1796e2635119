/**
 * A TCP proxy on 127.0.0.1 for the realtime watchdog and chaos tests: it
 * forwards bytes both ways until `freeze()`, after which the connections open
 * at that moment stay open but carry nothing, in either direction, as a socket
 * does after a laptop sleeps or changes network. Connections made later flow
 * normally. `cut()` resets every open connection at once (a router reboot, a
 * NAT table flushed), and keeps accepting new ones.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FreezableProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Silences every connection open now, without closing it. */
  freeze(): void;
  /** Resets every connection open now (RST to both sides, no closing handshake); new ones are accepted. Returns how many. */
  cut(): number;
  /** Destroys every connection (both sides) and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
}

export async function startFreezableProxy(targetHost: string, targetPort: number): Promise<FreezableProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect(targetPort, targetHost);
    const pair: Pair = { client, upstream, frozen: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.frozen && !to.destroyed) to.write(chunk);
      });
      from.on('end', () => {
        if (!pair.frozen) to.end();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const drop = () => {
      if (pair.frozen) return;
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    freeze() {
      for (const pair of pairs) pair.frozen = true;
    },
    cut() {
      const open = [...pairs];
      pairs.clear();
      for (const pair of open) {
        pair.frozen = true; // no orderly end is forwarded
        for (const socket of [pair.client, pair.upstream]) {
          if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
          else socket.destroy();
        }
      }
      return open.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}
