import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canManageAgent, groupSecret, isSelf, passwordFromBytes } from '../../src/domain/agent-admin-rules.ts';
import {
  bookingAuditRecord,
  callerEmailOf,
  isAgentChannel,
  RESERVE_DAYS_AHEAD,
  requestAuditRecord,
  reserveRange,
} from '../../src/domain/agent-channel-rules.ts';

describe('who manages which agent account', () => {
  const admin = { id: 'a', role: 'admin' as const, prefectureId: null, siteIds: [] };
  const supervisor93 = { id: 's93', role: 'supervisor' as const, prefectureId: '93', siteIds: [] };
  const counter93 = { id: 'c93', role: 'counter' as const, prefectureId: '93', siteIds: ['bobigny'] };

  it('an administrator manages every account; a supervisor only the counter agents of their prefecture; a counter agent nobody', () => {
    const targets = [
      admin,
      supervisor93,
      { id: 's2', role: 'supervisor' as const, prefectureId: '93' },
      counter93,
      { id: 'c94', role: 'counter' as const, prefectureId: '94' },
      { id: 'cx', role: 'counter' as const, prefectureId: null },
    ];
    assert.deepEqual(
      targets.map((t) => canManageAgent(admin, t)),
      [true, true, true, true, true, true],
    );
    assert.deepEqual(
      targets.map((t) => canManageAgent(supervisor93, t)),
      [false, false, false, true, false, false],
    );
    assert.deepEqual(
      targets.map((t) => canManageAgent(counter93, t)),
      [false, false, false, false, false, false],
    );
    // A supervisor without a prefecture manages nobody, not even a counter agent without one.
    const unscoped = { id: 'sx', role: 'supervisor' as const, prefectureId: null, siteIds: [] };
    assert.equal(canManageAgent(unscoped, { id: 'cx', role: 'counter', prefectureId: null }), false);
  });

  it('a self-action is one on the same id', () => {
    assert.deepEqual([isSelf({ id: 'a' }, { id: 'a' }), isSelf({ id: 'a' }, { id: 'b' })], [true, false]);
  });

  it('groups a TOTP secret by four, ignoring the spaces typed', () => {
    assert.equal(groupSecret('JBSWY3DPEHPK3PXP'), 'JBSW Y3DP EHPK 3PXP');
    assert.equal(groupSecret(' JBSW Y3\tDPE '), 'JBSW Y3DP E');
    assert.equal(groupSecret(''), '');
  });

  it('makes a password of four groups of five from 20 random bytes, from 31 unambiguous characters', () => {
    const bytes = Uint8Array.from({ length: 24 }, (_, i) => i * 11);
    // 0 → a, 11 → n, 22 → z, 33 mod 31 = 2 → c, …
    const password = passwordFromBytes(bytes);
    assert.equal(password, 'anzcq-3es5g-u7jw9-mybp2');
    // Only the first 20 bytes count.
    assert.equal(passwordFromBytes(bytes.slice(0, 20)), password);
    assert.throws(() => passwordFromBytes(new Uint8Array(19)), /20 random bytes/);
    assert.equal(passwordFromBytes(new Uint8Array(20)), 'aaaaa-aaaaa-aaaaa-aaaaa');
    assert.equal(passwordFromBytes(new Uint8Array(20).fill(30)), '99999-99999-99999-99999');
    assert.equal(passwordFromBytes(new Uint8Array(20).fill(31)), 'aaaaa-aaaaa-aaaaa-aaaaa');
  });
});

describe("the agents' channel", () => {
  it('phone and counter are the only agent channels', () => {
    assert.deepEqual(['phone', 'counter', 'online', '', null].map(isAgentChannel), [true, true, false, false, false]);
  });

  it('lists the coming four weeks of the reserve, today included', () => {
    assert.equal(RESERVE_DAYS_AHEAD, 28);
    assert.deepEqual(reserveRange('2026-03-02'), { fromDate: '2026-03-02', toDate: '2026-03-29' });
  });

  it('a blank email means the caller has none', () => {
    assert.deepEqual(
      [callerEmailOf(undefined), callerEmailOf(null), callerEmailOf(''), callerEmailOf('   ')],
      [null, null, null, null],
    );
    assert.equal(callerEmailOf('  awa@example.org '), 'awa@example.org');
  });

  it('the audit keeps where, when and how — never the identity', () => {
    const booking = { reference: 'K7M4-9XQ2-HT', slotId: 'slot', siteId: 'site', procedureId: 'proc', surname: 'Diop' };
    assert.deepEqual(bookingAuditRecord(booking, 'phone', false), {
      reference: 'K7M4-9XQ2-HT',
      slotId: 'slot',
      siteId: 'site',
      procedureId: 'proc',
      channel: 'phone',
      withEmail: false,
    });
    const siteIds = ['a', 'b'];
    const record = requestAuditRecord({ reference: 'R1', procedureId: 'proc', siteIds }, 'counter');
    assert.deepEqual(record, { reference: 'R1', procedureId: 'proc', siteIds: ['a', 'b'], channel: 'counter' });
    assert.notEqual(record.siteIds, siteIds);
  });
});
