// GET /api/evidence/head: the head of the evidence chain, to keep and check later
// (`creneau audit verify --expect-head`); GET /api/evidence/public-key: the key evidence packs
// are signed with (`creneau evidence verify-pack --public-key`).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { parseChainPoint } from '../../src/domain/evidence-chain.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';

describeEachEngine('evidence head over HTTP', (database) => {
  let app: FastifyInstance;
  const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
  before(async () => {
    app = await testServer(database(), clock);
  });
  after(async () => app?.close());

  it('gives the live head, which moves with every recorded action, never cached', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/evidence/head' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const before = first.json() as { seq: number; hash: string; point: string };
    assert.deepEqual(parseChainPoint(before.point), { seq: before.seq, hash: before.hash });

    await sql`insert into audit_event (at, action) values (now(), 'agent.log_in')`.execute(database().db);
    const after = (await app.inject({ method: 'GET', url: '/api/evidence/head' })).json() as typeof before;
    assert.equal(after.seq, before.seq + 1);
    assert.notEqual(after.hash, before.hash);
    const stored = await sql<{ hash: string }>`select hash from evidence_link where seq = ${after.seq}`.execute(
      database().db,
    );
    assert.equal(stored.rows[0]?.hash, after.hash);
  });

  it('publishes the public key packs are signed with, as PEM, with its identifier', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/evidence/public-key' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/x-pem-file');
    const { signer } = testServices(database().db, clock).ports;
    assert.equal(response.body, signer.publicKeyPem);
    assert.match(response.body, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    assert.equal(response.headers['x-key-id'], signer.keyId);
  });
});
