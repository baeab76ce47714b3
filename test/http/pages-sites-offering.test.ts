// The procedure and booking pages list only the sites that offer the procedure; a site with
// nothing open says when its next slots are released; a prefecture where no site offers it
// says so, with the phone and reception link, and offers no booking button.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { freshDatabase } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { PageClient } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');

describe('sites that offer a procedure, on the pages', () => {
  let database: OpenDatabase;
  let app: FastifyInstance;
  let s: Awaited<ReturnType<typeof createScenario>>;
  before(async () => {
    database = await freshDatabase('pglite');
    s = await createScenario(database.db, { prefectureId: '93' });
    // Released in two days, nothing open yet.
    await s.addSlots(1, new Date('2026-06-10T07:00:00Z'), {
      releasedAt: new Date('2026-06-03T08:00:00Z'),
      drawFirst: true,
    });
    // Another site of 93 with nothing for the procedure, and a prefecture with no site offering it.
    await database.db
      .insertInto('site')
      .values({ id: 'elsewhere', prefecture_id: '93', kind: 'antenna', name: 'Antenne Ailleurs', address: '3 rue Y' })
      .execute();
    await database.db
      .insertInto('prefecture')
      .values({ id: '95', name: "Préfecture du Val-d'Oise", time_zone: 'Europe/Paris' })
      .execute();
    app = await testServer(database, new TestClock(NOW));
  });
  after(async () => {
    await app?.close();
    await database?.close();
  });

  it('lists only the offering site, with its next release, on the procedure page and the site choice', async () => {
    const client = new PageClient(app, 'en');
    const procedure = await client.get(`/procedure?procedure=${s.procedureId}&prefecture=93`);
    assert.match(procedure.body, new RegExp(`Site ${s.siteId.slice('site-'.length)}`));
    assert.doesNotMatch(procedure.body, /Antenne Ailleurs/);
    assert.match(procedure.body, /Next slots released on Wednesday 3 June 2026 at 10:00/);
    const booking = await client.get(`/book?procedure=${s.procedureId}&prefecture=93&site=elsewhere`);
    assert.equal(booking.statusCode, 200);
    assert.doesNotMatch(booking.body, /Antenne Ailleurs/, 'a site that does not offer it cannot be chosen');
    assert.match(booking.body, /Next slots released on Wednesday 3 June 2026 at 10:00/);
  });

  it('says the procedure is not offered where no site offers it, with no booking button', async () => {
    const client = new PageClient(app, 'fr');
    const procedure = await client.get(`/procedure?procedure=${s.procedureId}&prefecture=95`);
    assert.match(procedure.body, /Cette démarche n(&#39;|')est pas proposée dans ce département/);
    assert.match(procedure.body, /href="\/contact\?prefecture=95"/);
    assert.doesNotMatch(procedure.body, /href="\/book\?/);
    const booking = await client.get(`/book?procedure=${s.procedureId}&prefecture=95`);
    assert.match(booking.body, /Cette démarche n(&#39;|')est pas proposée dans ce département/);
    assert.doesNotMatch(booking.body, /name="site"/);
  });
});
