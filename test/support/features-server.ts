import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FLAG, flag } from './unleash.js';

export interface FeaturesServer {
  /** Base URL to give `new Unleash({ url })`. */
  url: string;
  /** Whether the served flag is on; change it to flip maintenance. */
  enabled: boolean;
  /** How many times a client fetched the features. */
  fetches: number;
  close(): Promise<void>;
}

/** A tiny stand-in for Unleash's client API: `GET /api/client/features` with one flag. */
export async function startFeaturesServer(): Promise<FeaturesServer> {
  const state: FeaturesServer = {
    url: '',
    enabled: false,
    fetches: 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/api/client/features')) {
      res.writeHead(404).end();
      return;
    }
    state.fetches += 1;
    const body = JSON.stringify({ version: 2, features: [{ ...flag(state.enabled), name: FLAG }] });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  return state;
}
