// The SQL of every repository query, compared with a reviewed snapshot
// (__snapshots__/repositories.sql): a change to a query shows up in review as a diff of SQL,
// not only of TypeScript. No database: each method runs once with representative arguments on
// a Kysely whose driver answers every statement with no rows, and the statements it sent are
// recorded (whitespace collapsed, with their parameters). A method whose code needs a row to
// go on stops there; the snapshot says so ("-- stops: …"), which is part of what is reviewed.
// After a deliberate change: UPDATE_SQL_SNAPSHOTS=1 node --import tsx test/all.ts sql-snapshots
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { it } from 'node:test';
import { Kysely, type Transaction } from 'kysely';
import { agentAccountRepository } from '../../src/adapters/db/agents/accounts.ts';
import { assignedCallbackRepository } from '../../src/adapters/db/agents/assigned-callbacks.ts';
import { agentSessionRepository } from '../../src/adapters/db/agents/sessions.ts';
import { auditTrailReader, auditWriter } from '../../src/adapters/db/audit-repository.ts';
import { createCallerSearch } from '../../src/adapters/db/caller-search.ts';
import { createCapacityStore } from '../../src/adapters/db/capacity-store.ts';
import {
  affectedAppointmentRepository,
  pendingOfferRepository,
  requeueRepository,
} from '../../src/adapters/db/configuration/closure-fallout.ts';
import { drawCadenceRepository, drawScheduleRepository } from '../../src/adapters/db/configuration/draw-settings.ts';
import { futureSlotRepository } from '../../src/adapters/db/configuration/future-slots.ts';
import {
  closureRepository,
  exceptionalOpeningRepository,
  openingRuleRepository,
} from '../../src/adapters/db/configuration/opening-hours.ts';
import { counterRepository, siteRepository } from '../../src/adapters/db/configuration/places.ts';
import { procedureRepository, siteOfferRepository } from '../../src/adapters/db/configuration/procedures.ts';
import { settingsRepository } from '../../src/adapters/db/configuration/settings.ts';
import { SQL_ONLY_DIALECT } from '../../src/adapters/db/database.ts';
import { offerAppointmentRepository } from '../../src/adapters/db/draws/appointments.ts';
import { drawRepository } from '../../src/adapters/db/draws/draw-records.ts';
import { offerRepository } from '../../src/adapters/db/draws/offers.ts';
import { drawProcedureReader, drawQueueReader } from '../../src/adapters/db/draws/queues.ts';
import { drawRequestRepository } from '../../src/adapters/db/draws/requests.ts';
import { drawSlotRepository } from '../../src/adapters/db/draws/slots.ts';
import { fraudSignals } from '../../src/adapters/db/fraud-signals-store.ts';
import { prefectureRepository } from '../../src/adapters/db/prefecture-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';

const SNAPSHOT = new URL('./__snapshots__/repositories.sql', import.meta.url);

const statements: string[] = [];
const db = new Kysely<Database>({
  dialect: SQL_ONLY_DIALECT,
  log: (event) => {
    const text = event.query.sql.replace(/\s+/g, ' ').trim();
    statements.push(`${text};\n-- params: ${JSON.stringify(event.query.parameters)}`);
  },
});
// Slot writes are only handed out in a transaction; the builder is all they use.
const trx = db as unknown as Transaction<Database>;

const AT = new Date('2026-07-01T08:00:00.000Z');
const ID = '00000000-0000-4000-8000-000000000001';
const ID2 = '00000000-0000-4000-8000-000000000002';
const WINDOW = { tick: AT, availableBy: AT, freedBy: AT, startsFrom: AT };
const SLOT = {
  counterId: 'c-1',
  procedureId: 'titre-sejour',
  startsAt: AT,
  endsAt: new Date(AT.getTime() + 20 * 60_000),
  releasedAt: AT,
  localDate: '2026-07-01',
  reservedForAgents: false,
};
const REQUEST_CHANGES = { status: 'waiting' as const, declinedCount: 1, queuedOn: '2026-07-01', pausedAt: null };
const box = { seal: (plain: string) => `sealed:${plain}`, open: (sealed: string) => sealed };

/** Each repository method, called once: `name` is how the snapshot titles it. */
const calls: [name: string, call: () => Promise<unknown>][] = [
  // Shared
  ['prefectures.list', () => prefectureRepository(db).list()],
  ['prefectures.get', () => prefectureRepository(db).get('93')],
  // Capacity planning (the driver answers no prefecture: the readings stop after the first two)
  [
    'capacity.readings',
    () =>
      createCapacityStore(db).readings({
        prefectureId: '93',
        procedureId: 'titre-sejour',
        since: new Date(AT.getTime() - 56 * 86_400_000),
        now: AT,
      }),
  ],
  ['capacity.sites', () => createCapacityStore(db).sites('93')],
  ['capacity.procedures', () => createCapacityStore(db).procedures()],
  // The agents' search for people
  [
    'callerSearch.search',
    () =>
      createCallerSearch(db).search({
        prefectureId: '93',
        criteria: {
          references: ['K7M4-9XQ2-HT'],
          phones: ['0612345678'],
          emailKeys: ['adupont@gmail.com'],
          agdrefNumbers: ['0751234567'],
          passportNumbers: ['AB123456'],
          nameWords: ['diallo', 'aminata'],
        },
        limit: 21,
        offset: 20,
      }),
  ],
  ['callerSearch.findAppointment', () => createCallerSearch(db).findAppointment(ID)],
  [
    'audit.insertAuditEvent',
    () =>
      auditWriter(db).insertAuditEvent({
        at: AT,
        agentId: ID,
        prefectureId: '93',
        action: 'site.update',
        targetType: 'site',
        targetId: 'site-93',
        before: { a: 1 },
        after: { a: 2 },
        ip: '192.0.2.1',
      }),
  ],
  [
    'auditTrail.list',
    () =>
      auditTrailReader(db).list({
        prefectureId: '93',
        from: AT,
        to: AT,
        limit: 50,
        beforeId: '42',
        agentId: ID,
        action: 'appointment.cancel_for_caller',
      }),
  ],
  ['auditTrail.facets', () => auditTrailReader(db).facets('93')],
  // Configuration
  ['sites.listInPrefecture', () => siteRepository(db).listInPrefecture('93')],
  ['sites.get', () => siteRepository(db).get('site-93')],
  [
    'sites.update',
    () => siteRepository(db).update('site-93', { name: 'Bobigny', address: '1 rue', phone: null, publicHours: null }),
  ],
  ['counters.listAtSite', () => counterRepository(db).listAtSite('site-93')],
  ['counters.get', () => counterRepository(db).get('c-1')],
  ['counters.insert', () => counterRepository(db).insert('site-93', 'Guichet 3')],
  ['counters.update', () => counterRepository(db).update('c-1', { name: 'Guichet 1', active: false })],
  ['procedures.list', () => procedureRepository(db).list()],
  ['procedures.get', () => procedureRepository(db).get('titre-sejour')],
  [
    'procedures.updatePolicy',
    () =>
      procedureRepository(db).updatePolicy('titre-sejour', {
        releaseDaysAhead: 30,
        releaseTime: '08:00',
        offerHours: 48,
        maxIgnoredOffers: 2,
        maxDeclines: 3,
      }),
  ],
  ['siteOffers.listAtSite', () => siteOfferRepository(db).listAtSite('site-93')],
  [
    'siteOffers.upsert',
    () =>
      siteOfferRepository(db).upsert({
        siteId: 'site-93',
        procedureId: 'titre-sejour',
        offered: true,
        reservedPercent: 20,
      }),
  ],
  ['openingRules.listAtCounter', () => openingRuleRepository(db).listAtCounter('c-1')],
  ['openingRules.get', () => openingRuleRepository(db).get(ID)],
  [
    'openingRules.insert',
    () =>
      openingRuleRepository(db).insert({
        counterId: 'c-1',
        procedureId: 'titre-sejour',
        weekdays: [1, 2],
        validFrom: '2026-07-01',
        validUntil: null,
        windows: [{ start: '09:00', end: '12:00' }],
        slotMinutes: 20,
      }),
  ],
  ['openingRules.setEnd', () => openingRuleRepository(db).setEnd(ID, '2026-08-01')],
  ['openingRules.delete', () => openingRuleRepository(db).delete(ID)],
  [
    'exceptionalOpenings.listAtCounterFrom',
    () => exceptionalOpeningRepository(db).listAtCounterFrom('c-1', '2026-07-01'),
  ],
  ['exceptionalOpenings.get', () => exceptionalOpeningRepository(db).get(ID)],
  [
    'exceptionalOpenings.insert',
    () =>
      exceptionalOpeningRepository(db).insert({
        counterId: 'c-1',
        procedureId: 'titre-sejour',
        date: '2026-07-04',
        windows: [{ start: '09:00', end: '12:00' }],
        slotMinutes: 20,
      }),
  ],
  ['exceptionalOpenings.delete', () => exceptionalOpeningRepository(db).delete(ID)],
  ['closures.listAtSiteFrom', () => closureRepository(db).listAtSiteFrom('site-93', '2026-07-01')],
  [
    'closures.insert',
    () =>
      closureRepository(db).insert({
        siteId: 'site-93',
        counterId: null,
        dateFrom: '2026-07-01',
        dateTo: '2026-07-02',
        reason: 'Travaux',
      }),
  ],
  ['drawSchedules.get', () => drawScheduleRepository(db).get('93')],
  ['drawSchedules.upsert', () => drawScheduleRepository(db).upsert({ prefectureId: '93', dailyAt: '06:00' })],
  ['drawCadences.listInPrefecture', () => drawCadenceRepository(db).listInPrefecture('93')],
  ['drawCadences.get', () => drawCadenceRepository(db).get('93', 'titre-sejour')],
  [
    'drawCadences.upsert',
    () =>
      drawCadenceRepository(db).upsert({
        prefectureId: '93',
        procedureId: 'titre-sejour',
        everyMinutes: 60,
        fromTime: '09:00',
        untilTime: '18:00',
      }),
  ],
  ['drawCadences.delete', () => drawCadenceRepository(db).delete('93', 'titre-sejour')],
  ['settings.emailCap', () => settingsRepository(db).emailCap()],
  ['settings.setEmailCap', () => settingsRepository(db).setEmailCap(3, AT)],
  ['futureSlots.loadSchedule', () => futureSlotRepository(db).loadSchedule('93', '2026-07-01', '2026-07-14')],
  ['futureSlots.listFrom', () => futureSlotRepository(db).listFrom('93', '2026-07-01', '2026-07-14', AT)],
  [
    'futureSlots.applyPlan',
    () =>
      futureSlotRepository(db).applyPlan(new Map([['c-1', 'site-93']]), {
        withdraw: [ID],
        update: [{ id: ID2, slot: SLOT }],
        insert: [SLOT],
      }),
  ],
  [
    'futureSlots.withdrawInRange',
    () => futureSlotRepository(db).withdrawInRange('site-93', 'c-1', '2026-07-01', '2026-07-02'),
  ],
  ['appointments.bookedOnSlots', () => affectedAppointmentRepository(db).bookedOnSlots([ID, ID2])],
  ['appointments.cancel', () => affectedAppointmentRepository(db).cancel([ID], AT)],
  ['appointments.moveToOtherCounters', () => affectedAppointmentRepository(trx).moveToOtherCounters([ID, ID2], AT)],
  ['offers.withdrawOnSlots', () => pendingOfferRepository(db).withdrawOnSlots([ID], AT)],
  ['requests.requeueAfterClosure', () => requeueRepository(db).requeueAfterClosure(ID, '2026-06-30', AT)],
  [
    'requests.fileAfterClosure',
    () =>
      requeueRepository(db).fileAfterClosure({
        appointmentId: ID,
        reference: 'ABCD-EFGH-JK',
        managementTokenHash: 'hash',
        urgencyDate: '2026-06-30',
        queuedOn: '2026-07-01',
        now: AT,
      }),
  ],
  // Agents
  ['accounts.findByEmail', () => agentAccountRepository(db, box).findByEmail('Agent@Example.org')],
  ['accounts.findById', () => agentAccountRepository(db, box).findById(ID)],
  [
    'accounts.list',
    () => agentAccountRepository(db, box).list({ prefectureId: '93', includeDisabled: false, limit: 100 }),
  ],
  [
    'accounts.insert',
    () =>
      agentAccountRepository(db, box).insert({
        email: 'agent@example.org',
        displayName: 'Agent',
        passwordHash: '$argon2id$hash',
        totpSecret: 'SECRET',
        role: 'counter',
        prefectureId: '93',
        siteIds: ['site-93'],
        createdAt: AT,
      }),
  ],
  ['accounts.recordLoginSuccess', () => agentAccountRepository(db, box).recordLoginSuccess(ID, 42)],
  ['accounts.disable', () => agentAccountRepository(db, box).disable(ID, AT)],
  ['accounts.replaceTotpSecret', () => agentAccountRepository(db, box).replaceTotpSecret(ID, 'SECRET')],
  ['sessions.find', () => agentSessionRepository(db).find('digest')],
  ['sessions.touch', () => agentSessionRepository(db).touch('digest', AT)],
  [
    'sessions.insert',
    () =>
      agentSessionRepository(db).insert({
        id: 'digest',
        agentId: ID,
        createdAt: AT,
        lastSeenAt: AT,
        expiresAt: AT,
        revokedAt: null,
        ip: '192.0.2.1',
        userAgent: 'test',
      }),
  ],
  ['sessions.revoke', () => agentSessionRepository(db).revoke('digest', AT)],
  ['sessions.revokeAllOf', () => agentSessionRepository(db).revokeAllOf(ID, AT)],
  ['callbacks.releaseAssignedTo', () => assignedCallbackRepository(db).releaseAssignedTo(ID, AT)],
  // Draws and offers
  ['queues.listScheduled', () => drawQueueReader(db).listScheduled()],
  ['queues.get', () => drawQueueReader(db).get('93', 'titre-sejour')],
  ['drawProcedures.get', () => drawProcedureReader(db).get('titre-sejour')],
  ['draws.exists', () => drawRepository(db).exists('93', 'titre-sejour', AT)],
  ['draws.get', () => drawRepository(db).get(ID)],
  ['draws.assignments', () => drawRepository(db).assignments(ID)],
  [
    'draws.claimTick',
    () =>
      drawRepository(db).claimTick({
        prefectureId: '93',
        procedureId: 'titre-sejour',
        tick: AT,
        trigger: 'daily',
        seed: 'seed',
        startedAt: AT,
      }),
  ],
  ['draws.published', () => drawRepository(db).published('93', 20)],
  ['draws.upcomingCommitments', () => drawRepository(db).upcomingCommitments('93', AT)],
  ['draws.drawsOfRequest', () => drawRepository(db).drawsOfRequest('digest', 20)],
  [
    'draws.ensure',
    () =>
      drawRepository(db).ensure({
        prefectureId: '93',
        procedureId: 'titre-sejour',
        tick: AT,
        secret: 'a'.repeat(64),
        commitment: 'b'.repeat(64),
        committedAt: AT,
      }),
  ],
  ['draws.lockQueue', () => drawRepository(db).lockQueue('93', 'titre-sejour')],
  ['draws.previousStart', () => drawRepository(db).previousStart('93', 'titre-sejour', ID)],
  [
    'draws.finish',
    () =>
      drawRepository(db).finish(ID, {
        seed: 'seed',
        commitment: 'c',
        secret: 's',
        committedAt: AT,
        closingDigest: 'closed',
        inputDigest: 'in',
        resultDigest: 'out',
        inputSnapshot: new Uint8Array(),
        requestsCount: 1,
        slotsCount: 1,
        assignedCount: 1,
        openedCount: 0,
        finishedAt: AT,
      }),
  ],
  ['requests.findByToken', () => drawRequestRepository(db).findByToken('digest')],
  ['requests.waiting', () => drawRequestRepository(db).waiting('93', 'titre-sejour', AT, AT)],
  ['requests.lockByToken', () => drawRequestRepository(db).lockByToken('digest')],
  ['requests.update', () => drawRequestRepository(db).update(ID, REQUEST_CHANGES, AT)],
  ['requests.settle', () => drawRequestRepository(db).settle([{ id: ID, ...REQUEST_CHANGES }], AT)],
  ['slots.freeForDraw', () => drawSlotRepository(trx).freeForDraw('93', 'titre-sejour', WINDOW)],
  ['slots.settleLeftovers', () => drawSlotRepository(trx).settleLeftovers(ID, '93', 'titre-sejour', WINDOW, AT)],
  ['slots.free', () => drawSlotRepository(trx).free(ID, AT)],
  ['offers.latestOf', () => offerRepository(db).latestOf(ID)],
  ['offers.lockLatestOf', () => offerRepository(db).lockLatestOf(ID)],
  ['offers.record', () => offerRepository(db).record(ID, [{ requestId: ID, slotId: ID2, expiresAt: AT }], AT)],
  ['fraud.requestFacts', () => fraudSignals(trx).requestFacts(ID, AT)],
  ['fraud.appointmentFacts', () => fraudSignals(trx).appointmentFacts(ID, AT)],
  ['fraud.lockScoredRequest', () => fraudSignals(trx).lockScoredRequest(ID)],
  [
    'fraud.recordRequestScore',
    () =>
      fraudSignals(trx).recordRequestScore(ID, {
        event: 'filed',
        at: AT,
        score: 60,
        reasons: [{ kind: 'identity_refused', count: 1, points: 60 }],
        hold: { lapsesAt: AT },
      }),
  ],
  ['fraud.sharingOf', () => fraudSignals(trx).sharingOf('appointment', ID)],
  [
    'fraud.liveRequestsSharing',
    () =>
      fraudSignals(trx).liveRequestsSharing({
        identityKey: 'identity-key',
        emailKey: 'email-key',
        phone: '0612345678',
        network: '203.0.113.0/24',
      }),
  ],
  ['offers.notices', () => offerRepository(db).notices(ID)],
  ['offers.update', () => offerRepository(db).update(ID, { status: 'declined', decidedAt: AT })],
  ['offers.lockExpired', () => offerRepository(db).lockExpired(AT, 500)],
  ['offers.expire', () => offerRepository(db).expire([ID], AT)],
  [
    'offerAppointments.insert',
    () =>
      offerAppointmentRepository(db).insert(
        {
          reference: 'ABCD-EFGH',
          slotId: ID2,
          procedureId: 'titre-sejour',
          surname: 'Dupont',
          givenNames: 'Marie',
          birthDate: '1990-01-01',
          nationality: 'FR',
          email: 'marie@example.org',
          emailKey: 'email-key',
          agdrefNumber: '1234567890',
          passportNumber: null,
          identityKey: 'identity-key',
          managementTokenHash: 'digest',
          channel: 'online',
          language: 'fr',
        },
        AT,
      ),
  ],
];

async function render(): Promise<string> {
  const sections: string[] = [];
  for (const [name, call] of calls) {
    statements.length = 0;
    let stop = '';
    try {
      await call();
    } catch (error) {
      stop = `\n-- stops: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    }
    sections.push(`-- ${name}\n${statements.join('\n')}${stop}\n`);
  }
  return sections.join('\n');
}

it('every repository query matches its reviewed SQL (UPDATE_SQL_SNAPSHOTS=1 rewrites the snapshot)', async () => {
  const actual = await render();
  if (process.env.UPDATE_SQL_SNAPSHOTS === '1') writeFileSync(SNAPSHOT, actual);
  assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'));
});
