import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AgentPermission,
  type AgentScope,
  blocksPair,
  can,
  canAccessPrefecture,
  canAccessSite,
  isAgentRole,
  isSessionLive,
  isUnderPressure,
  needsTouch,
  normaliseAgentEmail,
  PAIR_BLOCK_MINUTES,
  scopedPrefecture,
  scopeProblem,
  sessionExpiry,
} from '../../src/domain/agent-rules.ts';

const counter: AgentScope = { role: 'counter', prefectureId: '93', siteIds: ['bobigny'] };
const supervisor: AgentScope = { role: 'supervisor', prefectureId: '93', siteIds: [] };
const admin: AgentScope = { role: 'admin', prefectureId: null, siteIds: [] };

describe('agent rules', () => {
  it('scopes agents to their prefecture, counter agents to their sites', () => {
    assert.equal(canAccessPrefecture(counter, '93'), true);
    assert.equal(canAccessPrefecture(supervisor, '973'), false);
    assert.equal(canAccessPrefecture(admin, '973'), true);
    assert.equal(canAccessSite(counter, { id: 'bobigny', prefectureId: '93' }), true);
    assert.equal(canAccessSite(counter, { id: 'saint-denis', prefectureId: '93' }), false);
    assert.equal(canAccessSite(counter, { id: 'bobigny', prefectureId: '973' }), false);
    assert.equal(canAccessSite(supervisor, { id: 'saint-denis', prefectureId: '93' }), true);
    assert.equal(canAccessSite(supervisor, { id: 'cayenne', prefectureId: '973' }), false);
    assert.equal(canAccessSite(admin, { id: 'cayenne', prefectureId: '973' }), true);
  });

  it('gives each role its permissions', () => {
    assert.equal(can(counter, 'audit.read'), false);
    assert.equal(can(supervisor, 'audit.read'), true);
    assert.equal(can(counter, 'agents.manage'), false);
    assert.equal(can(counter, 'checkin.write'), true);
    assert.equal(can(counter, 'configuration.edit'), false);
    assert.equal(can(supervisor, 'agents.manage'), true);
    assert.equal(can(supervisor, 'settings.national'), false);
    assert.equal(can(admin, 'settings.national'), true);
  });

  it('never widens a listing to another prefecture', () => {
    assert.equal(scopedPrefecture(supervisor, null), '93');
    assert.equal(scopedPrefecture(supervisor, '93'), '93');
    assert.equal(scopedPrefecture(supervisor, '973'), undefined);
    assert.equal(scopedPrefecture(admin, null), null);
    assert.equal(scopedPrefecture(admin, '973'), '973');
  });

  it('checks the shape of an account', () => {
    assert.equal(scopeProblem(counter), null);
    assert.equal(scopeProblem(admin), null);
    assert.match(scopeProblem({ role: 'admin', prefectureId: '93', siteIds: [] })!, /administrator/);
    assert.match(scopeProblem({ role: 'supervisor', prefectureId: null, siteIds: [] })!, /prefecture/);
    assert.match(scopeProblem({ role: 'counter', prefectureId: '93', siteIds: [] })!, /site/);
    assert.match(scopeProblem({ role: 'supervisor', prefectureId: '93', siteIds: ['x'] })!, /only counter/);
  });

  it('blocks a pair at its 5th failure (once per window); puts an account under pressure from its 5th, never blocks it', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(blocksPair), [false, false, false, false, true, false]);
    assert.deepEqual([0, 4, 5, 50].map(isUnderPressure), [false, false, true, true]);
    assert.equal(PAIR_BLOCK_MINUTES, 15);
  });

  it('ends sessions when revoked, expired or idle, and touches them at most once a minute', () => {
    const created = new Date('2026-06-01T08:00:00Z');
    const session = { expiresAt: sessionExpiry(created), lastSeenAt: created, revokedAt: null };
    assert.equal(isSessionLive(session, new Date('2026-06-01T09:00:00Z')), true);
    assert.equal(isSessionLive({ ...session, revokedAt: created }, created), false);
    assert.equal(isSessionLive(session, new Date('2026-06-01T10:00:01Z')), false); // idle 2 h
    assert.equal(
      isSessionLive({ ...session, lastSeenAt: new Date('2026-06-01T19:59:00Z') }, new Date('2026-06-01T20:00:00Z')),
      false,
    ); // 12 h
    assert.equal(needsTouch(created, new Date('2026-06-01T08:00:59Z')), false);
    assert.equal(needsTouch(created, new Date('2026-06-01T08:01:00Z')), true);
  });

  it("gives each role exactly its permissions, the counter's included in the supervisor's", () => {
    const all: AgentPermission[] = [
      'agenda.read',
      'checkin.write',
      'channel.book',
      'callbacks.handle',
      'stats.read',
      'audit.read',
      'configuration.edit',
      'agents.manage',
      'settings.national',
      'urgency.review',
      'duplicates.read',
      'evidence.export',
    ];
    const granted = (agent: AgentScope) => all.filter((p) => can(agent, p));
    assert.deepEqual(granted(counter), [
      'agenda.read',
      'checkin.write',
      'channel.book',
      'callbacks.handle',
      'urgency.review',
    ]);
    assert.deepEqual(granted(supervisor), [
      'agenda.read',
      'checkin.write',
      'channel.book',
      'callbacks.handle',
      'stats.read',
      'audit.read',
      'configuration.edit',
      'agents.manage',
      'urgency.review',
      'duplicates.read',
      'evidence.export',
    ]);
    assert.deepEqual(granted(admin), all);
  });

  it('keeps a session alive until exactly two idle hours', () => {
    const created = new Date('2026-06-01T08:00:00Z');
    const session = { expiresAt: sessionExpiry(created), lastSeenAt: created, revokedAt: null };
    assert.equal(isSessionLive(session, new Date('2026-06-01T09:59:59.999Z')), true);
    assert.equal(isSessionLive(session, new Date('2026-06-01T10:00:00Z')), false);
  });

  it('knows the three roles, and an account by its trimmed, lower-case email', () => {
    for (const role of ['counter', 'supervisor', 'admin']) assert.equal(isAgentRole(role), true, role);
    for (const other of ['', 'Admin', 'agent', null, undefined, 0])
      assert.equal(isAgentRole(other), false, String(other));
    assert.equal(normaliseAgentEmail('  Awa.Diop@Interieur.GOUV.fr '), 'awa.diop@interieur.gouv.fr');
  });
});
