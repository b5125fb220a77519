// A FAKE, on purpose: a real node:http server on 127.0.0.1 that plays the
// few Unleash answers src/control asks for, so its unit tests need no Postgres
// and no unleash-server. The answers copy the status codes and `{ message }`
// bodies of unleash-server 7; the real server is covered by
// test/integration/cli.test.ts.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminStrategy } from '../../src/control/admin-types.js';

export interface FakeRequest {
  method: string;
  /** The path as sent, still percent-encoded, with its query. */
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** The parsed JSON body, or undefined when none was sent. */
  body: unknown;
}

/**
 * `hang` never answers and `stall` sends the headers and half a body, then nothing (both for timeouts);
 * `text` is sent as is, otherwise `body` as JSON.
 */
export type FakeAnswer = { status: number; body?: unknown; text?: string } | 'hang' | 'stall';

export type Route = (request: FakeRequest) => FakeAnswer;

export interface FakeServer {
  url: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Answers requests with `route` from now on. */
  route(route: Route): void;
  close(): Promise<void>;
}

/** Unleash's own text while its maintenance mode is on (maintenance-middleware.ts). */
export const UNLEASH_MAINTENANCE_MESSAGE = 'Unleash is currently in maintenance mode.';

/** Starts a server that answers with `route` (500 "no route" until one is given). */
export async function startFakeServer(route?: Route): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  let current: Route = route ?? ((request) => ({ status: 500, body: { message: `fake: no route for ${request.method} ${request.url}` } }));
  const server: Server = createServer((incoming, response) => {
    void readBody(incoming).then((text) => {
      const request: FakeRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        authorization: incoming.headers.authorization,
        contentType: incoming.headers['content-type'],
        body: parseBody(text),
      };
      requests.push(request);
      const answer = current(request);
      if (answer === 'hang') return;
      if (answer === 'stall') {
        response.writeHead(200, { 'content-type': 'application/json' }).write('{"features":[');
        return;
      }
      if (answer.text !== undefined) {
        response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text);
      } else if (answer.body === undefined) {
        response.writeHead(answer.status).end();
      } else {
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    route(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback URL nothing listens on: the port was free a moment ago and is closed again. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

// --- a small in-memory Unleash: one project, its flags, the client API ------------------------

export const ADMIN_TOKEN = '*:*.fake-admin-token';
/** Backend tokens name their environment, as Unleash's do: `project:environment.secret`. */
export const clientToken = (environment: string) => `default:${environment}.fake-client-token`;

export interface FakeFeatureEnvironment {
  name: string;
  enabled: boolean;
  strategies: AdminStrategy[];
}

export interface FakeFeature {
  name: string;
  type: string;
  description?: string;
  environments: FakeFeatureEnvironment[];
}

export interface FakeUnleashModel {
  /** The environments of project `default` (the only project). */
  environments: string[];
  features: Map<string, FakeFeature>;
  /** Names taken by archived flags: creating one answers 409. */
  archived: Set<string>;
  /** Answers instead of the model when it returns an answer (errors, maintenance mode, hangs). */
  override: ((request: FakeRequest) => FakeAnswer | undefined) | undefined;
  /** When set, the client API serves this copy of `features` instead of the live one (a slow publish). */
  servedToClients: Map<string, FakeFeature> | undefined;
  /** Adds a flag as the Unleash UI would, optionally on with strategies in some environments. */
  addFeature(name: string, environments?: Record<string, { enabled: boolean; strategies?: AdminStrategy[] }>): FakeFeature;
  /** Freezes what the client API serves at the current state. */
  freezeClientApi(): void;
  route: Route;
}

export function createFakeUnleashModel(environments: string[] = ['development', 'production']): FakeUnleashModel {
  let nextStrategyId = 1;
  const withId = (strategy: AdminStrategy): AdminStrategy => ({ ...strategy, id: `strategy-${nextStrategyId++}` });

  const model: FakeUnleashModel = {
    environments,
    features: new Map(),
    archived: new Set(),
    override: undefined,
    servedToClients: undefined,
    addFeature(name, states = {}) {
      const feature: FakeFeature = {
        name,
        type: 'release',
        environments: model.environments.map((environment) => ({
          name: environment,
          enabled: states[environment]?.enabled ?? false,
          strategies: (states[environment]?.strategies ?? []).map(withId),
        })),
      };
      model.features.set(name, feature);
      return feature;
    },
    freezeClientApi() {
      model.servedToClients = structuredClone(model.features);
    },
    route(request) {
      return model.override?.(request) ?? answer(request);
    },
  };

  function answer(request: FakeRequest): FakeAnswer {
    const [pathname = '', query = ''] = request.url.split('?');
    const segments = pathname.split('/').slice(1).map((segment) => decodeURIComponent(segment));
    if (segments[0] !== 'api') return notFound();
    if (segments[1] === 'client') return clientApi(request, segments.slice(2), new URLSearchParams(query));
    if (segments[1] !== 'admin') return notFound();
    if (request.authorization === undefined) return { status: 401, body: { message: 'You must log in to use Unleash.' } };
    if (servedEnvironment(request.authorization)) return { status: 403, body: { message: 'invalid token: expected a different token type for this endpoint' } };
    if (request.authorization !== ADMIN_TOKEN) return { status: 401, body: { message: 'You must log in to use Unleash.' } };
    return adminApi(request, segments.slice(2));
  }

  function adminApi(request: FakeRequest, segments: string[]): FakeAnswer {
    const [projects, project, area, flag, environmentsWord, environment, action, id, ...extra] = segments;
    if (projects !== 'projects' || extra.length > 0) return notFound();
    if (project !== 'default') return notFound(`Could not find project with id ${project}`);
    // The request's shape with the names taken out, e.g. "PUT features/:flag/environments/:env/strategies/:id".
    const shape = [area, flag && ':flag', environmentsWord, environment && ':env', action, id && ':id'].filter(Boolean).join('/');
    const call = `${request.method} ${shape}`;
    if (call === 'GET overview') {
      return { status: 200, body: { name: 'Default', environments: model.environments.map((name) => ({ environment: name })) } };
    }
    if (call === 'POST features') return createFeature(request.body as { name: string; type?: string; description?: string });
    const feature = flag === undefined ? undefined : model.features.get(flag);
    if (!feature) return notFound(`Could not find feature ${flag}`);
    if (call === 'GET features/:flag') return { status: 200, body: feature };
    const state = feature.environments.find((candidate) => candidate.name === environment);
    if (!state) return notFound(`Could not find environment ${environment}`);
    switch (call) {
      case 'POST features/:flag/environments/:env/on':
      case 'POST features/:flag/environments/:env/off':
        state.enabled = action === 'on';
        // Unleash adds a default strategy when a flag is switched on without any.
        if (state.enabled && state.strategies.length === 0) state.strategies.push(withId({ name: 'flexibleRollout', title: null, parameters: { rollout: '100' } }));
        return { status: 200 };
      case 'POST features/:flag/environments/:env/strategies': {
        const strategy = withId(request.body as AdminStrategy);
        state.strategies.push(strategy);
        return { status: 200, body: strategy };
      }
      case 'DELETE features/:flag/environments/:env/strategies/:id': {
        const index = state.strategies.findIndex((strategy) => strategy.id === id);
        if (index < 0) return notFound(`Could not find strategy with id ${id}`);
        state.strategies.splice(index, 1);
        return { status: 200, body: {} };
      }
      case 'PUT features/:flag/environments/:env/strategies/:id': {
        const index = state.strategies.findIndex((strategy) => strategy.id === id);
        if (index < 0) return notFound(`Could not find strategy with id ${id}`);
        state.strategies[index] = { ...(request.body as AdminStrategy), id };
        return { status: 200, body: state.strategies[index] };
      }
      default:
        return notFound();
    }
  }

  function createFeature(body: { name: string; type?: string; description?: string }): FakeAnswer {
    if (model.archived.has(body.name)) return { status: 409, body: { message: 'An archived flag with that name already exists' } };
    if (model.features.has(body.name)) return { status: 409, body: { message: 'A flag with that name already exists' } };
    const feature = model.addFeature(body.name);
    feature.type = body.type ?? 'release';
    feature.description = body.description;
    return { status: 201, body: feature };
  }

  function clientApi(request: FakeRequest, [features]: string[], query: URLSearchParams): FakeAnswer {
    if (features !== 'features') return notFound();
    const environment = servedEnvironment(request.authorization);
    if (!environment) return { status: 401, body: { message: 'This endpoint requires an API token.' } };
    const prefix = query.get('namePrefix') ?? '';
    const served = [...(model.servedToClients ?? model.features).values()]
      .filter((feature) => feature.name.startsWith(prefix))
      .map((feature) => {
        const state = feature.environments.find((candidate) => candidate.name === environment);
        return { name: feature.name, enabled: state?.enabled ?? false, strategies: state?.strategies ?? [] };
      });
    return { status: 200, body: { version: 2, features: served, query: { environment, namePrefix: prefix } } };
  }

  /** The environment a backend token serves, or undefined for any other token. */
  function servedEnvironment(token: string | undefined): string | undefined {
    const environment = /^default:([^.]+)\.fake-client-token$/.exec(token ?? '')?.[1];
    return environment && model.environments.includes(environment) ? environment : undefined;
  }

  return model;
}

function notFound(message = 'The requested resource could not be found.'): FakeAnswer {
  return { status: 404, body: { name: 'NotFoundError', message } };
}

/** What `run` threw (or rejected with); fails the test when it succeeds. */
export async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/**
 * Registers, in the calling `describe`, one fake server for the block and, before each test, a fresh in-memory
 * Unleash (development and production) answering on it. Read `server` and `unleash` inside hooks and tests.
 */
export function useFakeUnleash(): { readonly server: FakeServer; readonly unleash: FakeUnleashModel } {
  const fixture = {} as { server: FakeServer; unleash: FakeUnleashModel };
  before(async function () {
    fixture.server = await startFakeServer();
  });
  beforeEach(function () {
    fixture.unleash = createFakeUnleashModel(['development', 'production']);
    fixture.server.route(fixture.unleash.route);
    fixture.server.requests.length = 0;
  });
  after(async function () {
    await fixture.server.close();
  });
  return fixture;
}

