// The demo agents' passwords and TOTP secrets are generated when the demo is seeded and
// printed once on the console: not in the source, not in the README, different every time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import type { Db, OpenDatabase } from '../../src/adapters/db/database.ts';
import {
  type CreatedDemoAgent,
  DEMO_AGENT_PROFILES,
  demoAgentsBanner,
  seedDemoAgents,
} from '../../src/demo/demo-seed.ts';
import { printDemoAgents } from '../../src/main.ts';
import { testAgentUseCases } from '../support/agents.ts';
import { describeEachEngine, freshDatabase } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

// What the README used to publish (issue 12 §3: the demo administrator logged in with them).
const FORMER_ADMIN = { password: 'demo-admin-national', totpSecret: 'DEMOADMINNATIONALAAAAAAAAAAAAAAA' };
const FORMER_PASSWORDS = ['demo-guichet-bobigny', 'demo-superviseur-93', FORMER_ADMIN.password];

/** The prefecture and site the demo agents belong to (the demo catalogue's 93 and Bobigny). */
async function demoScope(db: Db): Promise<void> {
  await db
    .insertInto('prefecture')
    .values({ id: '93', name: 'Préfecture de la Seine-Saint-Denis', time_zone: 'Europe/Paris' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('site')
    .values({
      id: 'bobigny',
      prefecture_id: '93',
      kind: 'prefecture',
      name: 'Bobigny',
      address: '1 esplanade Jean Moulin',
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

describeEachEngine('demo agents', (database, engine) => {
  const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
  let created: CreatedDemoAgent[];
  let other: OpenDatabase | undefined;
  let app: FastifyInstance;
  before(async () => {
    await demoScope(database().db);
    created = await seedDemoAgents(testAgentUseCases(database().db, clock));
    app = await testServer(database(), clock);
  });
  after(async () => {
    await app?.close();
    await other?.close();
  });

  it('are created with generated passwords and TOTP secrets, none of the former published ones', () => {
    assert.deepEqual(
      created.map((a) => a.email),
      DEMO_AGENT_PROFILES.map((p) => p.email),
    );
    for (const agent of created) {
      assert.ok(agent.password.length >= 12, agent.email);
      assert.ok(!FORMER_PASSWORDS.includes(agent.password));
      assert.match(agent.totpSecret, /^[A-Z2-7]{16,}$/);
      assert.doesNotMatch(agent.totpSecret, /^DEMO/);
      assert.ok(
        agent.totpUri.startsWith('otpauth://totp/') && agent.totpUri.includes(`secret=${agent.totpSecret}`),
        agent.totpUri,
      );
    }
  });

  it('get other credentials in another fresh demo', async () => {
    other = await freshDatabase(engine);
    await demoScope(other.db);
    const again = await seedDemoAgents(testAgentUseCases(other.db, clock));
    assert.equal(again.length, created.length);
    for (const [i, agent] of again.entries()) {
      assert.notEqual(agent.password, created[i]!.password, agent.email);
      assert.notEqual(agent.totpSecret, created[i]!.totpSecret, agent.email);
    }
  });

  it('are not created twice: a second seed creates nobody and prints nothing', async () => {
    assert.deepEqual(await seedDemoAgents(testAgentUseCases(database().db, clock)), []);
  });

  it("no longer open with the README's former credentials; the printed ones do", async () => {
    const admin = created.find((a) => a.role === 'admin')!;
    const logIn = (password: string, secret: string) =>
      app.inject({
        method: 'POST',
        url: '/api/agent/sessions',
        payload: { email: admin.email, password, code: currentTotpCode(secret, clock.now()) },
      });
    assert.equal((await logIn(FORMER_ADMIN.password, FORMER_ADMIN.totpSecret)).statusCode, 401);
    assert.equal((await logIn(FORMER_ADMIN.password, admin.totpSecret)).statusCode, 401);
    const printed = await logIn(admin.password, admin.totpSecret);
    assert.equal(printed.statusCode, 201, printed.body);
    assert.equal(printed.json().agent.email, admin.email);
  });

  it('are printed once as a banner, and the log line names the accounts only', () => {
    let console = '';
    let log = '';
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          log += chunk.toString();
          done();
        },
      }),
    );
    printDemoAgents(created, logger, (text) => {
      console += text;
    });
    assert.equal(console, `${demoAgentsBanner(created)}\n`);
    for (const agent of created) {
      for (const shown of [agent.email, agent.password, agent.totpUri]) assert.ok(console.includes(shown), shown);
      assert.ok(log.includes(agent.email));
      assert.ok(!log.includes(agent.password) && !log.includes(agent.totpSecret), 'no credential in the JSON log');
    }
    printDemoAgents([], logger, (text) => {
      console += text;
    });
    assert.equal(console, `${demoAgentsBanner(created)}\n`, 'nothing when nobody was created');
  });
});

it('the README publishes no demo password or TOTP secret', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const former of [...FORMER_PASSWORDS, FORMER_ADMIN.totpSecret, 'DEMOGUICHETBOBIGNY', 'DEMOSUPERVISEUR'])
    assert.ok(!readme.includes(former), former);
  assert.match(readme, /printed once on the console/);
});
