import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createAgendaStore } from '../../src/adapters/db/agenda-store.ts';
import { createConvocationStore } from '../../src/adapters/db/convocation-store.ts';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { agendaUseCases } from '../../src/app/agenda/agenda-use-cases.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { convocationUseCases } from '../../src/app/convocations/convocation-use-cases.ts';
import {
  convocationOfManagementToken,
  convocationToken,
  issueConvocation,
} from '../../src/app/convocations/issue-convocation.ts';
import {
  type ConvocationContext,
  type ConvocationProof,
  verifyConvocation,
} from '../../src/app/convocations/verify-convocation.ts';
import type { AppContext } from '../../src/app/shared/context.ts';
import type { AgentScope } from '../../src/domain/agent-rules.ts';
import { parseToken } from '../../src/domain/convocation.ts';
import { DomainError, ERROR_CATALOGUE } from '../../src/domain/errors.ts';
import { problem, sendProblem, toProblem } from '../../src/http/problem.ts';
import { agendaApiRoutes } from '../../src/http/routes/agent/agenda.ts';
import { agentApi } from '../../src/http/routes/agent/agent-api.ts';
import { convocationRoutes } from '../../src/http/routes/convocations.ts';
import type { SecurityEvent, SecurityEventLog } from '../../src/ports/security-events.ts';
import { agentApiToken, givenAgent, testAgentContext, testAgentUseCases } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z'); // 09:00 in Paris; the slot ends 09:30 (07:30Z)
const SLOT_END = new Date('2026-06-02T07:30:00Z');
const END_OF_LOCAL_DAY = new Date('2026-06-02T22:00:00Z'); // midnight in Paris
const SECRET = 'test-identity-secret-0123456789abcdef';
/** Who verifies in the use-case tests: a supervisor of 93, where the scenarios are. */
const SUPERVISOR_93: AgentScope = { role: 'supervisor', prefectureId: '93', siteIds: [] };
const VERIFY_ROUTE = { ip: '203.0.113.7', route: '/api/convocations/verify' };

const signer = signerFromConfig({ convocationSigningKey: null, identityKeySecret: SECRET });
const otherSigner = signerFromConfig({ convocationSigningKey: null, identityKeySecret: `${SECRET}-another-key` });

/** The security log as an array. */
class RecordedEvents implements SecurityEventLog {
  events: SecurityEvent[] = [];
  record(event: SecurityEvent): void {
    this.events.push(event);
  }
  async flush(): Promise<void> {}
}

/** Changes one symbol of a token's payload (at < 44) or signature (46 ≤ at < 148), keeping it well formed. */
const tamper = (token: string, at: number) =>
  token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

/** The refusal thrown by `attempt`, reduced to what a caller can see. */
async function refusalOf(attempt: Promise<unknown>) {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof DomainError, `expected a refusal, got ${String(error)}`);
  return { code: error.code, message: error.message, details: error.details };
}
const UNIFORM_REFUSAL = {
  code: 'CONVOCATION_INVALID',
  message: ERROR_CATALOGUE.CONVOCATION_INVALID,
  details: undefined,
};

async function bookedAppointment(ctx: AppContext, db: OpenDatabase['db']) {
  const s = await createScenario(db);
  const [slotId] = await s.addSlots(1, TOMORROW_9H);
  const person = applicant({ surname: 'Ndiaye', givenNames: 'Awa Marie' });
  const { confirmation } = await bookSlot(ctx, {
    slotId: slotId!,
    applicant: person,
    emailProof: await knownEmailProof(ctx, person.email),
  });
  const stored = await createConvocationStore(db).findAppointmentByReference(confirmation.appointment.reference);
  assert.ok(stored);
  return { ...confirmation, id: stored.id, person, scenario: s };
}

describeEachEngine('convocations', (database) => {
  const clock = new TestClock(NOW);
  const log = new RecordedEvents();
  beforeEach(() => {
    clock.set(NOW);
    log.events = [];
  });
  const ctx = () => testContext(database().db, clock);
  const convocations = (): ConvocationContext => ({
    store: createConvocationStore(database().db),
    signer,
    clock,
    securityEvents: log,
  });
  const verify = (proof: ConvocationProof, agent: AgentScope = SUPERVISOR_93) =>
    verifyConvocation(convocations(), agent, proof, VERIFY_ROUTE);

  it('finds an appointment by id and by reference, with its slot and time zone', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const store = createConvocationStore(database().db);
    const byId = await store.findAppointmentById(booked.id);
    assert.deepEqual(byId, await store.findAppointmentByReference(booked.appointment.reference));
    assert.equal(byId?.startsAt.toISOString(), TOMORROW_9H.toISOString());
    assert.equal(byId?.endsAt.toISOString(), SLOT_END.toISOString());
    assert.equal(byId?.timeZone, 'Europe/Paris');
    assert.equal(byId?.birthDate, booked.person.birthDate);
    assert.equal(await store.findAppointmentById('00000000-0000-4000-8000-000000000000'), null);
    assert.equal(await store.findAppointmentByReference('2222-2222-22'), null);
  });

  it('verifies an issued convocation by token and by typed short code, returning the identity', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const issued = await issueConvocation(signer, {
      id: booked.id,
      ...booked.appointment,
      endsAt: new Date(booked.appointment.endsAt),
    });
    assert.equal(issued.shortCode, booked.appointment.reference);
    const expected = {
      id: booked.id,
      reference: booked.appointment.reference,
      surname: 'Ndiaye',
      givenNames: 'Awa Marie',
      birthDate: booked.person.birthDate,
      nationality: 'SEN',
      procedureId: booked.scenario.procedureId,
      siteId: booked.scenario.siteId,
      startsAt: TOMORROW_9H.toISOString(),
      endsAt: SLOT_END.toISOString(),
      status: 'booked',
    };
    assert.deepEqual(await verify({ token: issued.token }), expected);
    const typed = booked.appointment.reference.toLowerCase().replace(/-/g, ' ');
    assert.deepEqual(await verify({ shortCode: typed }), expected);
    assert.deepEqual(log.events, []);
  });

  it('gives one uniform refusal for an altered payload, an altered signature, another key or garbage', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const { token } = convocationToken(signer, {
      id: booked.id,
      reference: booked.appointment.reference,
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    const { token: foreign } = convocationToken(otherSigner, {
      id: booked.id,
      reference: booked.appointment.reference,
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    for (const proof of [
      { token: tamper(token, 3) },
      { token: tamper(token, 30) },
      { token: tamper(token, 100) },
      { token: foreign },
      { token: 'hello' },
      { shortCode: 'not a code' },
    ]) {
      assert.deepEqual(await refusalOf(verify(proof)), UNIFORM_REFUSAL, JSON.stringify(proof));
    }
    assert.deepEqual(
      log.events.map((e) => e.details?.why),
      ['bad_signature', 'bad_signature', 'bad_signature', 'bad_signature', 'malformed', 'malformed'],
    );
    assert.ok(
      log.events.every(
        (e) => e.reason === 'convocation_invalid' && e.ip === VERIFY_ROUTE.ip && e.route === VERIFY_ROUTE.route,
      ),
    );
    // The log never holds the token itself.
    assert.ok(!JSON.stringify(log.events).includes(token.slice(0, 45)));
  });

  it('refuses a cancelled appointment the same way, by token and by short code', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const issued = await issueConvocation(signer, {
      id: booked.id,
      reference: booked.appointment.reference,
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    await cancelAppointment(ctx(), booked.managementToken);
    assert.deepEqual(await refusalOf(verify({ token: issued.token })), UNIFORM_REFUSAL);
    assert.deepEqual(await refusalOf(verify({ shortCode: issued.shortCode })), UNIFORM_REFUSAL);
    assert.deepEqual(
      log.events.map((e) => [e.details?.via, e.details?.why, e.details?.reference]),
      [
        ['token', 'not_honoured', booked.appointment.reference],
        ['short_code', 'not_honoured', booked.appointment.reference],
      ],
    );
  });

  it('refuses once the slot is over, unless the person has checked in that day; never after the expiry', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const { token } = convocationToken(signer, {
      id: booked.id,
      reference: booked.appointment.reference,
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    clock.set(new Date(SLOT_END.getTime() - 1000));
    assert.equal((await verify({ token })).status, 'booked');
    clock.set(SLOT_END);
    assert.deepEqual(await refusalOf(verify({ token })), UNIFORM_REFUSAL);
    assert.deepEqual(await refusalOf(verify({ shortCode: booked.appointment.reference })), UNIFORM_REFUSAL);

    // Checked in on time, still waiting for a counter after 09:30: still valid until midnight.
    await database().db.updateTable('appointment').set({ status: 'arrived' }).where('id', '=', booked.id).execute();
    clock.set(new Date(END_OF_LOCAL_DAY.getTime() - 1000));
    assert.equal((await verify({ token })).status, 'arrived');
    assert.equal((await verify({ shortCode: booked.appointment.reference })).status, 'arrived');
    clock.set(END_OF_LOCAL_DAY);
    assert.deepEqual(await refusalOf(verify({ token })), UNIFORM_REFUSAL);
    assert.deepEqual(await refusalOf(verify({ shortCode: booked.appointment.reference })), UNIFORM_REFUSAL);
    assert.deepEqual(
      log.events.map((e) => e.details?.why),
      ['not_honoured', 'not_honoured', 'expired', 'not_honoured'],
    );

    // Served: refused even within the day.
    await database().db.updateTable('appointment').set({ status: 'served' }).where('id', '=', booked.id).execute();
    clock.set(new Date(SLOT_END.getTime() - 1000));
    assert.deepEqual(await refusalOf(verify({ token })), UNIFORM_REFUSAL);
  });

  it('refuses a signed token whose expiry has passed, even if the appointment is still ahead', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    // A token issued for an earlier time (as after a reschedule to a later day).
    const { token } = convocationToken(signer, {
      id: booked.id,
      reference: booked.appointment.reference,
      endsAt: new Date('2026-05-30T08:00:00Z'),
      timeZone: 'Europe/Paris',
    });
    assert.deepEqual(await refusalOf(verify({ token })), UNIFORM_REFUSAL);
    assert.equal(log.events[0]?.details?.why, 'expired');
  });

  it('refuses unknown references and validly signed tokens of unknown appointments alike', async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const { token: ghost } = convocationToken(signer, {
      id: '00000000-0000-4000-8000-000000000000',
      reference: booked.appointment.reference,
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    const { token: swapped } = convocationToken(signer, {
      id: booked.id,
      reference: '2222-2222-22',
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    assert.deepEqual(await refusalOf(verify({ shortCode: '2222-2222-22' })), UNIFORM_REFUSAL);
    assert.deepEqual(await refusalOf(verify({ token: ghost })), UNIFORM_REFUSAL);
    assert.deepEqual(await refusalOf(verify({ token: swapped })), UNIFORM_REFUSAL);
    assert.deepEqual(
      log.events.map((e) => e.details?.why),
      ['unknown', 'unknown', 'mismatch'],
    );
  });

  it("gives the applicant their own appointment's convocation, while it is active", async () => {
    const a = await bookedAppointment(ctx(), database().db);
    const b = await bookedAppointment(ctx(), database().db);
    const ofA = await convocationOfManagementToken(ctx(), signer, a.managementToken);
    const ofB = await convocationOfManagementToken(ctx(), signer, b.managementToken);
    assert.equal(parseToken(ofA.token)?.payload.aid, a.id);
    assert.equal(parseToken(ofB.token)?.payload.aid, b.id);
    assert.equal(ofA.shortCode, a.appointment.reference);
    // Deterministic: asking twice gives the same convocation.
    assert.deepEqual(await convocationOfManagementToken(ctx(), signer, a.managementToken), ofA);
    await cancelAppointment(ctx(), a.managementToken);
    assert.equal(
      (await refusalOf(convocationOfManagementToken(ctx(), signer, a.managementToken))).code,
      'APPOINTMENT_NOT_ACTIVE',
    );
    assert.equal(
      (await refusalOf(convocationOfManagementToken(ctx(), signer, 'x'.repeat(43)))).code,
      'APPOINTMENT_NOT_FOUND',
    );
  });

  it("refuses another prefecture's or another site's convocation exactly like an unknown one", async () => {
    const booked = await bookedAppointment(ctx(), database().db);
    const { token } = convocationToken(signer, {
      id: booked.id,
      reference: booked.appointment.reference,
      endsAt: SLOT_END,
      timeZone: 'Europe/Paris',
    });
    const of973: AgentScope = { role: 'supervisor', prefectureId: '973', siteIds: [] };
    const otherSite: AgentScope = { role: 'counter', prefectureId: '93', siteIds: ['some-other-site'] };
    const ownSite: AgentScope = { role: 'counter', prefectureId: '93', siteIds: [booked.scenario.siteId] };
    for (const agent of [of973, otherSite]) {
      assert.deepEqual(await refusalOf(verify({ token }, agent)), UNIFORM_REFUSAL);
      assert.deepEqual(await refusalOf(verify({ shortCode: booked.appointment.reference }, agent)), UNIFORM_REFUSAL);
    }
    assert.deepEqual(
      log.events.map((e) => e.details?.why),
      ['out_of_scope', 'out_of_scope', 'out_of_scope', 'out_of_scope'],
    );
    assert.equal((await verify({ token }, ownSite)).surname, 'Ndiaye');
    assert.equal((await verify({ token }, { role: 'admin', prefectureId: null, siteIds: [] })).surname, 'Ndiaye');
  });

  describe('over HTTP', () => {
    let app: FastifyInstance;
    let supervisorToken: string;
    let supervisor973Token: string;
    const routes: RouteOptions[] = [];
    before(async () => {
      app = await convocationServer(ctx(), convocations(), database().db, clock, routes);
      const agents = testAgentContext(database().db, clock);
      await createScenario(database().db, { prefectureId: '973', timeZone: 'America/Cayenne' });
      supervisorToken = await agentApiToken(app, await givenAgent(agents, 'supervisor', '93'));
      supervisor973Token = await agentApiToken(app, await givenAgent(agents, 'supervisor', '973'));
    });
    after(async () => {
      await app?.close();
    });
    const verifyOverHttp = (payload: unknown, authorization: string | null = `Bearer ${supervisorToken}`) =>
      app.inject({
        method: 'POST',
        url: '/api/convocations/verify',
        payload: payload as object,
        headers: authorization ? { authorization } : {},
      });
    const convocationOf = (managementToken?: string) =>
      app.inject({
        method: 'GET',
        url: '/api/appointment/convocation',
        headers: managementToken ? { authorization: `Bearer ${managementToken}` } : {},
      });

    it('marks both routes for the sensitive rate-limit budget', () => {
      const marked = routes
        .filter(
          (r) =>
            r.method !== 'HEAD' && r.config && (r.config as { rateLimitClass?: string }).rateLimitClass === 'sensitive',
        )
        .map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(marked.filter((r) => r.includes('convocation')).sort(), [
        'GET /api/appointment/convocation',
        'POST /api/convocations/verify',
      ]);
    });

    it('requires an agent session', async () => {
      const booked = await bookedAppointment(ctx(), database().db);
      for (const authorization of [
        null,
        'Bearer',
        `Bearer ${supervisorToken}x`,
        `Basic ${supervisorToken}`,
        `Bearer ${supervisorToken.slice(0, -1)}`,
        `Bearer ${booked.managementToken}`,
      ]) {
        const res = await verifyOverHttp({ shortCode: booked.appointment.reference }, authorization);
        assert.equal(res.statusCode, 401, String(authorization));
        assert.equal(res.json().code, 'AGENT_SESSION_INVALID');
      }
      const ok = await verifyOverHttp({ shortCode: booked.appointment.reference });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().surname, 'Ndiaye');
      assert.equal(ok.json().id, booked.id);
      assert.equal(ok.headers['cache-control'], 'no-store');
    });

    it("answers another prefecture's agent the same 404 as for an unknown code", async () => {
      const booked = await bookedAppointment(ctx(), database().db);
      const foreign = await verifyOverHttp({ shortCode: booked.appointment.reference }, `Bearer ${supervisor973Token}`);
      const unknown = await verifyOverHttp({ shortCode: '2222-2222-22' }, `Bearer ${supervisor973Token}`);
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.body, unknown.body);
      assert.ok(!foreign.body.includes('Ndiaye'));
    });

    it('answers every invalid convocation with the same 404 body', async () => {
      const booked = await bookedAppointment(ctx(), database().db);
      const cancelled = await bookedAppointment(ctx(), database().db);
      const cancelledConvocation = (await convocationOf(cancelled.managementToken)).json();
      await cancelAppointment(ctx(), cancelled.managementToken);
      const { token } = (await convocationOf(booked.managementToken)).json();
      const refusals = [];
      for (const payload of [
        { token: tamper(token, 10) },
        { token: tamper(token, 120) },
        { token: cancelledConvocation.token },
        { shortCode: cancelledConvocation.shortCode },
        { shortCode: '2222-2222-22' },
        { shortCode: 'K7M4' },
        { token: '' },
      ]) {
        const res = await verifyOverHttp(payload);
        assert.equal(res.statusCode, 404, JSON.stringify(payload));
        refusals.push(res.body);
      }
      assert.equal(new Set(refusals).size, 1);
      assert.deepEqual(JSON.parse(refusals[0]!), problem('CONVOCATION_INVALID'));
      assert.equal(log.events.length, refusals.length);
      // The valid one still passes.
      assert.equal((await verifyOverHttp({ token })).statusCode, 200);
    });

    it('refuses a body that is neither a token nor a short code', async () => {
      for (const payload of [{}, { token: 'a', shortCode: 'b' }, { token: 42 }, { reference: 'K7M4-9XQ2-HT' }]) {
        const res = await verifyOverHttp(payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        assert.equal(res.json().code, 'VALIDATION_FAILED');
      }
    });

    it('serves the applicant their own convocation with the management token', async () => {
      const a = await bookedAppointment(ctx(), database().db);
      const res = await convocationOf(a.managementToken);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'qrSvg', 'shortCode', 'token']);
      assert.equal(parseToken(body.token)?.payload.aid, a.id);
      assert.match(body.qrSvg, /^<svg /);
      assert.equal((await convocationOf()).json().code, 'MANAGEMENT_TOKEN_MISSING');
      assert.equal((await convocationOf('y'.repeat(43))).json().code, 'APPOINTMENT_NOT_FOUND');
      await cancelAppointment(ctx(), a.managementToken);
      const after = await convocationOf(a.managementToken);
      assert.equal(after.statusCode, 409);
      assert.equal(after.json().code, 'APPOINTMENT_NOT_ACTIVE');
    });
  });
});

/**
 * The convocation routes on a Fastify instance of their own, with the server's validation
 * and error mapping: the applicant's route, and the agent API with the verification route.
 */
async function convocationServer(
  ctx: AppContext,
  convocations: ConvocationContext,
  db: OpenDatabase['db'],
  clock: TestClock,
  routes: RouteOptions[] = [],
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url}`)),
  );
  app.addHook('onRoute', (route) => {
    routes.push(route as RouteOptions);
  });
  await app.register(convocationRoutes(convocationUseCases({ booking: ctx, convocations })));
  const agenda = agendaUseCases({ agenda: createAgendaStore(db), convocations, clock: ctx.clock });
  await app.register(agentApi(testAgentUseCases(db, clock), [agendaApiRoutes(agenda)]));
  await app.ready();
  return app as unknown as FastifyInstance;
}
