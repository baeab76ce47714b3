// The SMS senders: the HTTP gateway adapter against a real HTTP server in the process
// (node:http): what it posts, and how each answer is taken (2xx sent, 4xx refused for good,
// 5xx and a timeout thrown, to be retried); the development sender's .txt files.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSmsSender } from '../../src/adapters/sms/file-sms-sender.ts';
import { createHttpSmsGateway } from '../../src/adapters/sms/http-sms-gateway.ts';

interface Received {
  method: string;
  authorization: string | undefined;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('HTTP SMS gateway adapter', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  /** What the gateway answers next: a status, or 'hang' (never answers). */
  let next: number | 'hang' = 200;
  before(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      received.push({
        method: request.method ?? '',
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
        body: JSON.parse(body),
      });
      if (next === 'hang') return;
      response.writeHead(next, { 'content-type': 'application/json' }).end(JSON.stringify({ status: next }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const gateway = (timeoutMs = 2000) => createHttpSmsGateway({ url, key: 'k'.repeat(20), timeoutMs });

  it('posts {to, text} as JSON with the key as a bearer token; a 2xx is sent', async () => {
    next = 202;
    const outcome = await gateway().send({ to: '+33612345678', text: 'Créneau : bonjour', id: 'row-1' });
    assert.deepEqual(outcome, { status: 'sent' });
    const last = received.at(-1)!;
    assert.equal(last.method, 'POST');
    assert.equal(last.authorization, `Bearer ${'k'.repeat(20)}`);
    assert.equal(last.contentType, 'application/json');
    assert.equal(last.idempotencyKey, 'row-1');
    assert.deepEqual(last.body, { to: '+33612345678', text: 'Créneau : bonjour' });
  });

  it('a 4xx is a refusal for good, with the status', async () => {
    next = 422;
    const outcome = await gateway().send({ to: '+33612345678', text: 'x' });
    assert.equal(outcome.status, 'rejected');
    assert.match(outcome.status === 'rejected' ? outcome.reason : '', /^HTTP 422/);
  });

  it('a 5xx throws (retried by the outbox)', async () => {
    next = 503;
    await assert.rejects(gateway().send({ to: '+33612345678', text: 'x' }), /HTTP 503/);
  });

  it('a gateway that does not answer in time throws (retried)', async () => {
    next = 'hang';
    await assert.rejects(gateway(200).send({ to: '+33612345678', text: 'x' }), { name: 'TimeoutError' });
  });
});

describe('development SMS sender', () => {
  it('writes one .txt file per outbox row, replaced when sent again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creneau-sms-'));
    const sender = createFileSmsSender(dir);
    assert.deepEqual(await sender.send({ to: '+33612345678', text: 'premier', id: 'row-7' }), { status: 'sent' });
    await sender.send({ to: '+33612345678', text: 'second', id: 'row-7' });
    assert.deepEqual(readdirSync(dir), ['row-7.txt']);
    assert.equal(readFileSync(join(dir, 'row-7.txt'), 'utf8'), 'To: +33612345678\n\nsecond\n');
  });
});
