// The HTTP registry adapter against a real HTTP server started here: it must return the
// record or null, and fail closed (RegistryUnavailable) on everything else.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpRegistry } from '../../src/adapters/registry/http-registry.ts';
import { type RegistryRecord, RegistryUnavailable } from '../../src/ports/registry.ts';

const RESIDENT: RegistryRecord = {
  agdrefNumber: '0751234567',
  surname: 'Diallo Ndiaye',
  givenNames: 'Aminata',
  birthDate: '1990-04-12',
  nationality: 'SEN',
  permitType: 'carte de séjour pluriannuelle',
  permitExpiresOn: '2026-09-20',
};

// Generous for the normal cases (a loaded test process can be slow to make its first
// request); the slow route answers long after the short timeout its own test uses.
const TIMEOUT_MS = 10_000;
const SHORT_TIMEOUT_MS = 300;
const SLOW_MS = 30_000;

/** Each number is a scenario of the fake gateway. */
const ROUTES: Record<string, (res: ServerResponse) => void> = {
  '0751234567': (res) => json(res, 200, RESIDENT),
  '0000000404': (res) => json(res, 404, { error: 'not found' }),
  '0000000500': (res) => json(res, 500, { error: 'boom' }),
  '0000000503': (res) => {
    res.writeHead(503, { 'retry-after': '30' }).end('maintenance');
  },
  '0000000302': (res) => {
    res.writeHead(302, { location: '/residents/0751234567' }).end();
  },
  '0000000001': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"agdrefNumber": "0000000001", "surname": ');
  },
  '0000000002': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Service indisponible</html>');
  },
  '0000000003': (res) => json(res, 200, { ...RESIDENT, agdrefNumber: '0000000003', birthDate: '12/04/1990' }),
  '0000000004': (res) => json(res, 200, { ...RESIDENT }), // a record for another number
  '0000000005': (res) => json(res, 200, { ...RESIDENT, agdrefNumber: '0000000005', permitExpiresOn: '2026-02-30' }),
  '0000000006': (res) => json(res, 200, null),
  '0000000007': (res) => json(res, 200, { ...RESIDENT, agdrefNumber: '0000000007', surname: 'x'.repeat(100_000) }),
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('HTTP registry', () => {
  let server: Server;
  let baseUrl: string;
  const seen: string[] = [];
  const slowTimers = new Set<NodeJS.Timeout>();

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url} ${req.headers.accept}`);
      const match = /^\/gateway\/residents\/(\d{10})$/.exec(req.url ?? '');
      if (match?.[1] === '0000000999') {
        // Answers, but too late.
        const timer = setTimeout(() => json(res, 200, { ...RESIDENT, agdrefNumber: '0000000999' }), SLOW_MS);
        slowTimers.add(timer);
        return;
      }
      const route = match ? ROUTES[match[1]!] : undefined;
      if (route) route(res);
      else json(res, 404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway`;
  });

  after(async () => {
    for (const timer of slowTimers) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const registry = () => createHttpRegistry({ baseUrl, timeoutMs: TIMEOUT_MS });

  const unavailable = async (number: string, reason: RegExp, r = registry()) => {
    await assert.rejects(r.lookup(number), (e: unknown) => {
      assert.ok(e instanceof RegistryUnavailable, `expected RegistryUnavailable, got ${String(e)}`);
      assert.match(e.message, reason);
      return true;
    });
  };

  it('returns the record of a known number, asking for JSON', async () => {
    assert.deepEqual(await registry().lookup('0751234567'), RESIDENT);
    assert.equal(seen.at(-1), 'GET /gateway/residents/0751234567 application/json');
    // A trailing slash on the base URL changes nothing.
    assert.deepEqual(
      await createHttpRegistry({ baseUrl: `${baseUrl}/`, timeoutMs: TIMEOUT_MS }).lookup('0751234567'),
      RESIDENT,
    );
  });

  it('returns null for an unknown number (404)', async () => {
    assert.equal(await registry().lookup('0000000404'), null);
  });

  it('fails closed on server errors and redirects', async () => {
    await unavailable('0000000500', /HTTP 500/);
    await unavailable('0000000503', /HTTP 503/);
    await unavailable('0000000302', /unreachable/);
  });

  it('fails closed on an answer slower than the timeout', async () => {
    await unavailable(
      '0000000999',
      new RegExp(`within ${SHORT_TIMEOUT_MS} ms`),
      createHttpRegistry({ baseUrl, timeoutMs: SHORT_TIMEOUT_MS }),
    );
  });

  it('fails closed on garbage: truncated JSON, HTML, wrong shape, another number, impossible date, oversized', async () => {
    await unavailable('0000000001', /not JSON/);
    await unavailable('0000000002', /not JSON/);
    await unavailable('0000000003', /expected shape/);
    await unavailable('0000000004', /another number/);
    await unavailable('0000000005', /expected shape/);
    await unavailable('0000000006', /expected shape/);
    await unavailable('0000000007', /too large/);
  });

  it('fails closed when nobody listens', async () => {
    const idle = createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const port = (idle.address() as AddressInfo).port;
    await new Promise<void>((resolve) => idle.close(() => resolve()));
    await unavailable(
      '0751234567',
      /unreachable.*ECONNREFUSED/,
      createHttpRegistry({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: TIMEOUT_MS }),
    );
  });

  it('only ever asks for a normalised number', async () => {
    await assert.rejects(registry().lookup('75 123 4567'), RangeError);
    await assert.rejects(registry().lookup('../admin'), RangeError);
  });
});
