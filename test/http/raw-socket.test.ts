// What only a real socket shows: requests Node's HTTP parser refuses before Fastify sees them.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describeEachEngine('raw HTTP', (database) => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = await testServer(database(), new TestClock(new Date()), { requestTimeoutMs: 400 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(async () => app?.close());

  it('answers a garbled request line with a 400 problem', async () => {
    const answer = await rawRequest(port, 'GARBAGE \x01\x02 HTTP/9\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.match(answer, /application\/problem\+json/);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code, 'MALFORMED_REQUEST');
  });

  it('answers oversized headers with a 431 problem', async () => {
    const answer = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431/);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code, 'HEADERS_TOO_LARGE');
  });

  it('answers a request that trickles in (a slowloris) with a 408 problem and closes it', async () => {
    // Node 20 applies the request timeout only when the headers' own (60 s by default) is no longer.
    assert.deepEqual([app.server.requestTimeout, app.server.headersTimeout], [400, 400]);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /api/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
        );
        // One byte now and then, never the whole body.
        const drip = setInterval(() => socket.writable && socket.write(' '), 100);
        socket.on('close', () => clearInterval(drip));
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code, 'REQUEST_TIMEOUT');
  });

  it('gives a plugin two minutes to start, not Fastify’s 10 s: a starved process starts late instead of dying', () => {
    assert.equal(app.initialConfig.pluginTimeout, 120_000);
  });

  it('still serves well-formed requests on the same server', async () => {
    const answer = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 200/);
  });
});
