// Agent accounts, sessions and the audit trail, on both engines: the store, the log-in (right
// and wrong password and code, reused code, lock-out, disabled account, no enumeration),
// immediate revocation, and an audit table the database itself keeps append-only.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import { authenticateSession } from '../../src/app/agents/authenticate-session.ts';
import { createAgent } from '../../src/app/agents/create-agent.ts';
import { disableAgent } from '../../src/app/agents/disable-agent.ts';
import { checkPassword, checkSecondFactor } from '../../src/app/agents/log-in.ts';
import { logOut } from '../../src/app/agents/log-out.ts';
import { emailHashForEvents } from '../../src/app/applicants/email-verification.ts';
import { listAudit } from '../../src/app/audit/list-audit.ts';
import { recordAudit } from '../../src/app/audit/record-audit.ts';
import { givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { codeOf } from '../support/outcome.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const ORIGIN = { ip: '192.0.2.1', userAgent: 'test' };

describeEachEngine('agent accounts', (database) => {
  const clock = new TestClock(NOW);
  const ctx = () => testAgentContext(database().db, clock);
  let site93: string;
  let site973: string;
  before(async () => {
    site93 = (await createScenario(database().db, { prefectureId: '93' })).siteId;
    site973 = (await createScenario(database().db, { prefectureId: '973', timeZone: 'America/Cayenne' })).siteId;
  });

  async function logIn(agent: TestAgent, code = agent.code()) {
    const step = await checkPassword(ctx(), { email: agent.email, password: agent.password }, ORIGIN);
    return checkSecondFactor(ctx(), { ticket: step.ticket, code }, ORIGIN);
  }

  it('stores the account: argon2id hash, sealed TOTP secret, sites of its prefecture only', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    const row = await database()
      .db.selectFrom('agent')
      .selectAll()
      .where('id', '=', agent.agent.id)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^\$argon2id\$/);
    assert.ok(!row.totp_secret.includes(agent.totpSecret), 'the TOTP secret is encrypted at rest');
    assert.deepEqual((await ctx().agents.accounts.findByEmail(agent.email.toUpperCase()))?.siteIds, [site93]);
    assert.equal(await codeOf(givenAgent(ctx(), 'counter', '93', [site973])), 'SITE_NOT_FOUND');
    assert.equal(
      await codeOf(
        createAgent(ctx(), null, {
          email: agent.email.toUpperCase(),
          displayName: 'Twin',
          password: agent.password,
          role: 'supervisor',
          prefectureId: '93',
          siteIds: [],
        }),
      ),
      'AGENT_EMAIL_TAKEN',
    );
    const created = await createAgent(ctx(), null, {
      email: 'x@y.fr',
      displayName: 'X',
      password: 'long enough password',
      role: 'admin',
      prefectureId: null,
      siteIds: [],
    });
    assert.match(created.totpUri, /^otpauth:\/\/totp\/.*secret=/);
    // The database refuses an administrator tied to a prefecture, whatever the code does.
    assert.equal(
      await codeOf(sql`update agent set prefecture_id = '93' where id = ${created.agent.id}`.execute(database().db)),
      'db:23514',
    );
  });

  it('logs in with the right password and code, and audits it', async () => {
    const agent = await givenAgent(ctx(), 'supervisor', '93');
    const session = await logIn(agent);
    const who = await authenticateSession(ctx(), session.token);
    assert.equal(who.agent.id, agent.agent.id);
    const stored = await database()
      .db.selectFrom('agent_session')
      .select('id')
      .where('agent_id', '=', agent.agent.id)
      .execute();
    assert.deepEqual(
      stored.map((s) => s.id),
      [ctx().hasher.tokenDigest(session.token)],
      'only the digest of the token is stored',
    );
    const audit = await listAudit(ctx(), who.agent, { prefectureId: null });
    assert.ok(audit.events.some((e) => e.action === 'agent.login' && e.agentId === agent.agent.id));
  });

  it('refuses a wrong code, a reused code and a code of another secret, alike', async () => {
    const agent = await givenAgent(ctx(), 'supervisor', '93');
    const step = await checkPassword(ctx(), { email: agent.email, password: agent.password }, ORIGIN);
    assert.equal(
      await codeOf(
        checkSecondFactor(
          ctx(),
          { ticket: step.ticket, code: '000000' === agent.code() ? '111111' : '000000' },
          ORIGIN,
        ),
      ),
      'AGENT_LOGIN_FAILED',
    );
    assert.equal(
      await codeOf(
        checkSecondFactor(
          ctx(),
          { ticket: step.ticket, code: currentTotpCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', NOW) },
          ORIGIN,
        ),
      ),
      'AGENT_LOGIN_FAILED',
    );
    assert.equal(await codeOf(checkSecondFactor(ctx(), { ticket: step.ticket, code: agent.code() }, ORIGIN)), 'ok');
    assert.equal(
      await codeOf(checkSecondFactor(ctx(), { ticket: step.ticket, code: agent.code() }, ORIGIN)),
      'AGENT_LOGIN_FAILED',
      'the same code twice',
    );
    // The code of the previous step (30 s ago) is within the window but older than the one used.
    assert.equal(
      await codeOf(
        checkSecondFactor(ctx(), { ticket: step.ticket, code: agent.code(new Date(NOW.getTime() - 30_000)) }, ORIGIN),
      ),
      'AGENT_LOGIN_FAILED',
    );
    // A forged or expired ticket.
    assert.equal(
      await codeOf(
        checkSecondFactor(
          ctx(),
          { ticket: `${agent.agent.id}.${NOW.getTime() + 60_000}.forged`, code: agent.code() },
          ORIGIN,
        ),
      ),
      'AGENT_LOGIN_FAILED',
    );
    clock.set(new Date(NOW.getTime() + 6 * 60_000));
    try {
      assert.equal(
        await codeOf(checkSecondFactor(ctx(), { ticket: step.ticket, code: agent.code() }, ORIGIN)),
        'AGENT_LOGIN_FAILED',
      );
    } finally {
      clock.set(NOW);
    }
  });

  const from = (ip: string) => ({ ip, userAgent: 'test', route: '/api/agent/sessions' });

  async function logInFrom(agent: TestAgent, ip: string, password = agent.password) {
    const step = await checkPassword(ctx(), { email: agent.email, password }, from(ip));
    return checkSecondFactor(ctx(), { ticket: step.ticket, code: agent.code() }, from(ip));
  }

  it('never locks the account: 5 wrong passwords from 5 addresses, then the right password and code from a 6th get in', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    for (let i = 1; i <= 5; i++)
      assert.equal(await codeOf(logInFrom(agent, `198.51.100.${i}`, 'wrong password')), 'AGENT_LOGIN_FAILED');
    assert.equal(await codeOf(logInFrom(agent, '198.51.100.6')), 'ok');
    // Nothing was blocked: five addresses with one failure each.
    const lockouts = await database()
      .db.selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'agent.lockout')
      .where('target_id', '=', agent.agent.id)
      .execute();
    assert.equal(lockouts.length, 0);
  });

  it('under pressure the password alone says nothing: a wrong one, an unknown address and a right one all reach the code step', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    assert.equal(
      await codeOf(checkPassword(ctx(), { email: agent.email, password: 'wrong password' }, from('198.51.100.20'))),
      'AGENT_LOGIN_FAILED',
      'refused at once before any pressure',
    );
    for (let i = 21; i <= 24; i++)
      assert.equal(await codeOf(logInFrom(agent, `198.51.100.${i}`, 'wrong password')), 'AGENT_LOGIN_FAILED');
    // 5 failures from 5 addresses: a wrong password now goes on to the code, and fails there.
    const blind = await checkPassword(ctx(), { email: agent.email, password: 'wrong password' }, from('198.51.100.25'));
    const open = await checkPassword(ctx(), { email: agent.email, password: agent.password }, from('198.51.100.25'));
    assert.equal(blind.ticket.split('.').length, open.ticket.split('.').length);
    assert.equal(blind.ticket.split('.')[0], agent.agent.id, 'the same id as a good ticket');
    assert.equal(
      await codeOf(checkSecondFactor(ctx(), { ticket: blind.ticket, code: agent.code() }, from('198.51.100.25'))),
      'AGENT_LOGIN_FAILED',
      'the right code does not open a wrong password',
    );
    assert.equal(
      await codeOf(checkSecondFactor(ctx(), { ticket: open.ticket, code: agent.code() }, from('198.51.100.25'))),
      'ok',
    );
    // An address without an account under pressure looks the same: a ticket with a UUID, refused at the code.
    const stranger = `nobody-${Math.random().toString(36).slice(2)}@interieur.gouv.fr`;
    for (let i = 31; i <= 35; i++)
      assert.equal(
        await codeOf(checkPassword(ctx(), { email: stranger, password: 'guess' }, from(`198.51.100.${i}`))),
        'AGENT_LOGIN_FAILED',
      );
    const unknown = await checkPassword(ctx(), { email: stranger, password: 'guess' }, from('198.51.100.36'));
    assert.match(
      unknown.ticket.split('.')[0]!,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(
      await codeOf(checkSecondFactor(ctx(), { ticket: unknown.ticket, code: '123456' }, from('198.51.100.36'))),
      'AGENT_LOGIN_FAILED',
    );
  });

  it('blocks one address after 5 failures on one account for 15 minutes; another address gets in; the lock-out is recorded', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    const attacker = '203.0.113.66';
    for (let i = 0; i < 6; i++)
      assert.equal(await codeOf(logInFrom(agent, attacker, 'wrong password')), 'AGENT_LOGIN_FAILED');
    // Only someone who gave the right password and the right code learns of the block, which they do not lift.
    assert.equal(await codeOf(logInFrom(agent, attacker)), 'AGENT_LOCKED');
    // A guesser learns nothing from it: a wrong password reaches the code step like a right one,
    // and the right password with a wrong code is refused like anything else.
    const guess = await checkPassword(ctx(), { email: agent.email, password: 'another guess' }, from(attacker));
    assert.equal(
      await codeOf(checkSecondFactor(ctx(), { ticket: guess.ticket, code: agent.code() }, from(attacker))),
      'AGENT_LOGIN_FAILED',
    );
    const right = await checkPassword(ctx(), { email: agent.email, password: agent.password }, from(attacker));
    assert.equal(
      await codeOf(
        checkSecondFactor(
          ctx(),
          { ticket: right.ticket, code: agent.code() === '000000' ? '111111' : '000000' },
          from(attacker),
        ),
      ),
      'AGENT_LOGIN_FAILED',
    );
    assert.equal(await codeOf(logInFrom(agent, '198.51.100.77')), 'ok');
    clock.set(new Date(NOW.getTime() + 60_000));
    try {
      // A ticket won elsewhere does not get through the blocked address either.
      const step = await checkPassword(ctx(), { email: agent.email, password: agent.password }, from('198.51.100.77'));
      assert.equal(
        await codeOf(checkSecondFactor(ctx(), { ticket: step.ticket, code: agent.code() }, from(attacker))),
        'AGENT_LOCKED',
      );
    } finally {
      clock.set(NOW);
    }
    await ctx().securityEvents.flush();
    const events = await database()
      .db.selectFrom('security_event')
      .selectAll()
      .where('ip', '=', attacker)
      .where('reason', '=', 'agent_lockout')
      .execute();
    assert.equal(events.length, 1, 'one lock-out, not one per refusal');
    assert.equal(events[0]!.route, '/api/agent/sessions');
    assert.equal(events[0]!.email_hash, emailHashForEvents(ctx().hasher, agent.email));
    assert.ok(!JSON.stringify(events[0]).includes(agent.email), 'the address is hashed');
    const audit = await database()
      .db.selectFrom('audit_event')
      .select(['action', 'ip'])
      .where('action', '=', 'agent.lockout')
      .where('target_id', '=', agent.agent.id)
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.action, a.ip]),
      [['agent.lockout', attacker]],
    );
    clock.set(new Date(NOW.getTime() + 15 * 60_000 + 2000));
    try {
      assert.equal(await codeOf(logInFrom(agent, attacker)), 'ok', 'the block ends after 15 minutes');
    } finally {
      clock.set(NOW);
    }
  });

  it('blocks an address without an account alike: the uniform refusal, and a lock-out event', async () => {
    const stranger = `nobody-${Math.random().toString(36).slice(2)}@interieur.gouv.fr`;
    const attacker = '203.0.113.67';
    const bothSteps = async () => {
      const step = await checkPassword(ctx(), { email: stranger, password: 'guess' }, from(attacker));
      return checkSecondFactor(ctx(), { ticket: step.ticket, code: '123456' }, from(attacker));
    };
    for (let i = 0; i < 7; i++) assert.equal(await codeOf(bothSteps()), 'AGENT_LOGIN_FAILED');
    await ctx().securityEvents.flush();
    const events = await database()
      .db.selectFrom('security_event')
      .select('reason')
      .where('ip', '=', attacker)
      .execute();
    assert.deepEqual(
      events.map((e) => e.reason),
      ['agent_lockout'],
    );
  });

  it('refuses a disabled agent like a wrong password, and ends its sessions at once', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    const session = await logIn(agent);
    const supervisor = await givenAgent(ctx(), 'supervisor', '973');
    assert.equal(
      await codeOf(disableAgent(ctx(), supervisor.agent, agent.email)),
      'FORBIDDEN_SCOPE',
      'a supervisor of 973 cannot disable an agent of 93',
    );
    assert.equal(await codeOf(authenticateSession(ctx(), session.token)), 'ok');
    const boss = await givenAgent(ctx(), 'supervisor', '93');
    assert.deepEqual(await disableAgent(ctx(), boss.agent, agent.email), { revokedSessions: 1 });
    assert.equal(await codeOf(authenticateSession(ctx(), session.token)), 'AGENT_SESSION_INVALID');
    assert.equal(
      await codeOf(checkPassword(ctx(), { email: agent.email, password: agent.password }, ORIGIN)),
      'AGENT_LOGIN_FAILED',
    );
    const audit = await listAudit(ctx(), boss.agent, { prefectureId: null });
    const event = audit.events.find((e) => e.action === 'agent.disable' && e.targetId === agent.agent.id);
    assert.deepEqual(event?.before, { disabledAt: null });
    assert.equal((event!.after as { revokedSessions: number }).revokedSessions, 1);
  });

  it('ends a session at log-out and keeps a disabled account out even with a live session row', async () => {
    const agent = await givenAgent(ctx(), 'supervisor', '93');
    const session = await logIn(agent);
    const who = await authenticateSession(ctx(), session.token);
    await logOut(ctx(), who, ORIGIN);
    assert.equal(await codeOf(authenticateSession(ctx(), session.token)), 'AGENT_SESSION_INVALID');
    assert.equal(await codeOf(authenticateSession(ctx(), 'not a token')), 'AGENT_SESSION_INVALID');
    assert.equal(await codeOf(authenticateSession(ctx(), undefined)), 'AGENT_SESSION_INVALID');
  });

  it('answers an unknown address like a wrong password, after the same Argon2 verification', async () => {
    const agent = await givenAgent(ctx(), 'supervisor', '93');
    // The real credentials, counting the Argon2 verifications they run (what costs the time).
    const verified: string[] = [];
    const counting = {
      ...ctx(),
      credentials: {
        ...ctx().credentials,
        verifyPassword: async (hash: string, password: string) => {
          verified.push(hash);
          return ctx().credentials.verifyPassword(hash, password);
        },
      },
    };
    assert.equal(
      await codeOf(checkPassword(counting, { email: 'nobody@interieur.gouv.fr', password: 'some password' }, ORIGIN)),
      'AGENT_LOGIN_FAILED',
    );
    assert.equal(
      await codeOf(checkPassword(counting, { email: agent.email, password: 'some password' }, ORIGIN)),
      'AGENT_LOGIN_FAILED',
    );
    assert.equal(verified.length, 2, 'one verification each: the unknown address is not answered sooner');
    assert.match(
      verified[0]!,
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
      'the unknown address is checked against an Argon2id hash of the same cost',
    );
    assert.equal(verified[0]!.split('$')[3], verified[1]!.split('$')[3], 'same parameters as a real account');
  });

  it('keeps the audit trail append-only: the database refuses UPDATE and DELETE', async () => {
    const supervisor = await givenAgent(ctx(), 'supervisor', '973');
    await ctx().agents.transaction((tx) =>
      recordAudit(tx.audit, {
        agent: supervisor.agent,
        action: 'test.change',
        at: NOW,
        before: { a: 1 },
        after: { a: 2 },
      }),
    );
    const db = database().db;
    assert.match(await codeOf(sql`update audit_event set action = 'rewritten'`.execute(db)), /^db:P0001$/);
    assert.match(await codeOf(sql`delete from audit_event`.execute(db)), /^db:P0001$/);
    assert.match(await codeOf(sql`truncate audit_event`.execute(db)), /^db:P0001$/);
    const events = await listAudit(ctx(), supervisor.agent, { prefectureId: null });
    assert.ok(events.events.every((e) => e.prefectureId === '973'));
    assert.deepEqual(events.events.find((e) => e.action === 'test.change')?.after, { a: 2 });
    // An event written in a transaction that rolls back is not kept.
    await assert.rejects(
      ctx().agents.transaction(async (tx) => {
        await recordAudit(tx.audit, { agent: supervisor.agent, action: 'test.rolled_back', at: NOW });
        throw new Error('rollback');
      }),
    );
    assert.ok(
      !(await listAudit(ctx(), supervisor.agent, { prefectureId: null })).events.some(
        (e) => e.action === 'test.rolled_back',
      ),
    );
  });

  it('scopes the audit: supervisors their prefecture, counter agents nothing, pages newest first', async () => {
    const s93 = await givenAgent(ctx(), 'supervisor', '93');
    const counter = await givenAgent(ctx(), 'counter', '93', [site93]);
    assert.equal(await codeOf(listAudit(ctx(), s93.agent, { prefectureId: '973' })), 'FORBIDDEN_SCOPE');
    assert.equal(await codeOf(listAudit(ctx(), counter.agent, { prefectureId: null })), 'FORBIDDEN_SCOPE');
    for (let i = 0; i < 5; i++)
      await ctx().agents.transaction((tx) =>
        recordAudit(tx.audit, { agent: s93.agent, action: `page.${i}`, at: new Date(NOW.getTime() + i * 1000) }),
      );
    const first = await listAudit(ctx(), s93.agent, { prefectureId: '93' }, 2);
    assert.deepEqual(
      first.events.map((e) => e.action),
      ['page.4', 'page.3'],
    );
    const second = await listAudit(ctx(), s93.agent, { prefectureId: '93', beforeId: first.nextBeforeId! }, 2);
    assert.deepEqual(
      second.events.map((e) => e.action),
      ['page.2', 'page.1'],
    );
    assert.ok(second.events.every((e) => e.prefectureId === '93'));
  });
});
