import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { DEFAULT_FRAUD_THRESHOLDS } from '../src/domain/fraud-signals.ts';

describe('configuration', () => {
  it('defaults to the embedded database with demo seeding', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.deepEqual(c.database, { kind: 'pglite', dataDir: './data/pglite' });
    assert.equal(c.seedDemoOnFirstStart, true);
    assert.equal(c.booking.maxActivePerEmail, 2);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.deepEqual(c.mail.sender, { name: 'Créneau', email: 'ne-pas-repondre@creneau.localhost' });
    assert.ok(Object.isFrozen(c));
  });

  it('takes the public address of the links in emails, and the sender of MAIL_FROM', () => {
    const c = loadConfig({
      PUBLIC_URL: 'https://rdv.seine-saint-denis.gouv.fr/',
      MAIL_FROM: 'rdv@seine-saint-denis.gouv.fr',
    });
    assert.equal(c.publicUrl, 'https://rdv.seine-saint-denis.gouv.fr');
    assert.deepEqual(c.mail.sender, { name: 'rdv@seine-saint-denis.gouv.fr', email: 'rdv@seine-saint-denis.gouv.fr' });
    assert.throws(() => loadConfig({ PUBLIC_URL: 'ftp://x' }), /PUBLIC_URL/);
  });

  it('sends text messages as files by default, through the gateway with its key, at most SMS_DAILY_LIMIT a day', () => {
    const files = loadConfig({ DATA_DIR: '/srv/creneau' });
    assert.deepEqual(files.sms, { gatewayUrl: null, gatewayKey: null, dir: '/srv/creneau/sms', dailyLimit: 5 });
    const gateway = loadConfig({
      SMS_GATEWAY_URL: 'https://sms.example.fr/v1/messages',
      SMS_GATEWAY_KEY: 'k'.repeat(16),
      SMS_DAILY_LIMIT: '3',
    });
    assert.deepEqual(
      [gateway.sms.gatewayUrl, gateway.sms.gatewayKey, gateway.sms.dailyLimit],
      ['https://sms.example.fr/v1/messages', 'k'.repeat(16), 3],
    );
    assert.throws(() => loadConfig({ SMS_GATEWAY_URL: 'https://sms.example.fr' }), /SMS_GATEWAY_KEY/);
    assert.throws(() => loadConfig({ SMS_DAILY_LIMIT: '0' }), /SMS_DAILY_LIMIT/);
  });

  it('switches to PostgreSQL with DATABASE_URL', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/creneau',
      PORT: '8080',
      MAX_ACTIVE_APPOINTMENTS_PER_EMAIL: '3',
    });
    assert.deepEqual(c.database, { kind: 'postgres', url: 'postgres://u@db:5432/creneau', poolSize: 10 });
    assert.equal(c.seedDemoOnFirstStart, false);
    assert.equal(c.port, 8080);
    assert.equal(c.booking.maxActivePerEmail, 3);
  });

  it('names every invalid variable, and demands a secret in production', () => {
    assert.throws(
      () => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' }),
      (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message) && /DATABASE_URL/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        ['IDENTITY_KEY_SECRET', 'POW_HMAC_KEY', 'CONVOCATION_SIGNING_KEY'].every((name) => e.message.includes(name)),
    );
    const secrets = {
      IDENTITY_KEY_SECRET: 'x'.repeat(32),
      POW_HMAC_KEY: 'y'.repeat(32),
      CONVOCATION_SIGNING_KEY: 'z'.repeat(40),
    };
    assert.equal(loadConfig({ NODE_ENV: 'production', ...secrets }).identityKeySecret, 'x'.repeat(32));
    assert.throws(() => loadConfig({ POW_MIN_MAX_NUMBER: '900000', POW_MAX_MAX_NUMBER: '1000' }), /POW_MIN_MAX_NUMBER/);
  });
});

describe('TRUST_PROXY', () => {
  it('trusts nobody by default', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
  });

  it('refuses true, saying to name the proxies or the hop count', () => {
    for (const value of ['true', 'yes']) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: value }),
        (e: unknown) =>
          e instanceof ConfigError &&
          /TRUST_PROXY/.test(e.message) &&
          /name the proxies/.test(e.message) &&
          /hops/.test(e.message),
        value,
      );
    }
  });

  it('takes a hop count', () => {
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  });

  it('takes proxy addresses and CIDRs, IPv4 and IPv6, separated by commas', () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: '127.0.0.1' }).trustProxy, ['127.0.0.1']);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1,fd00::/8,loopback' }).trustProxy, [
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses what is no address, and a range that trusts everyone', () => {
    for (const value of [
      '10.0.0.300',
      'proxy.example.org',
      '10.0.0.0/33',
      'fd00::/129',
      '0.0.0.0/0',
      '::/0',
      '10.0.0.1,',
      '10.0.0.0/8/1',
      '-1',
      '1.5',
    ]) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: value }),
        (e: unknown) => e instanceof ConfigError && /TRUST_PROXY/.test(e.message),
        value,
      );
    }
  });

  it('keeps closed requests and past appointments RETENTION_RECORDS_MONTHS (24 by default), refusing an out-of-range value at startup', () => {
    assert.deepEqual(loadConfig({}).retention, { securityEventMonths: 6, recordsMonths: 24, callbackDays: 90 });
    assert.equal(loadConfig({ RETENTION_RECORDS_MONTHS: '36' }).retention.recordsMonths, 36);
    for (const bad of ['2', '121', '12.5', 'two years'])
      assert.throws(
        () => loadConfig({ RETENTION_RECORDS_MONTHS: bad }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /RETENTION_RECORDS_MONTHS/);
          return true;
        },
      );
  });

  it('recomputes a calendar query at most every CALENDAR_RECOMPUTE_MS (250 by default, 0 to 500: within the 1 s bound)', () => {
    assert.equal(loadConfig({}).calendar.recomputeEveryMs, 250);
    assert.equal(loadConfig({ CALENDAR_RECOMPUTE_MS: '0' }).calendar.recomputeEveryMs, 0);
    for (const bad of ['-1', '501', '2.5', 'fast'])
      assert.throws(
        () => loadConfig({ CALENDAR_RECOMPUTE_MS: bad }),
        (error: unknown) => error instanceof ConfigError && /CALENDAR_RECOMPUTE_MS/.test(error.message),
      );
  });

  it('renders emails on a thread of their own unless MAIL_RENDER_THREAD is off', () => {
    assert.equal(loadConfig({}).mail.renderThread, true);
    assert.equal(loadConfig({ MAIL_RENDER_THREAD: 'off' }).mail.renderThread, false);
    assert.throws(
      () => loadConfig({ MAIL_RENDER_THREAD: 'yes' }),
      (error: unknown) => error instanceof ConfigError && /MAIL_RENDER_THREAD/.test(error.message),
    );
  });

  it('reads FRAUD_HOLD_SCORE, FRAUD_HOLD_HOURS and FRAUD_SIGNAL_RULES (overrides field by field), refusing a bad value at startup', () => {
    assert.deepEqual(loadConfig({}).fraud, DEFAULT_FRAUD_THRESHOLDS);
    const tuned = loadConfig({
      FRAUD_HOLD_SCORE: '80',
      FRAUD_HOLD_HOURS: '48',
      FRAUD_SIGNAL_RULES: '{"network_burst":{"from":30,"strong":150},"churn":{"points":20}}',
    }).fraud;
    assert.deepEqual([tuned.holdScore, tuned.holdHours], [80, 48]);
    // The fields given replace the default's; the others stay (the defaults of src/domain/fraud-signals.ts).
    const { network_burst: burst, churn } = DEFAULT_FRAUD_THRESHOLDS.rules;
    assert.deepEqual(tuned.rules.network_burst, { ...burst, from: 30, strong: 150 });
    assert.notDeepEqual([burst.from, burst.strong], [30, 150]);
    assert.deepEqual(tuned.rules.churn, { ...churn, points: 20 });
    assert.notEqual(churn.points, 20);
    assert.deepEqual(tuned.rules.shared_phone, DEFAULT_FRAUD_THRESHOLDS.rules.shared_phone);
    const refusals: [Record<string, string>, RegExp][] = [
      [{ FRAUD_HOLD_SCORE: '0' }, /FRAUD_HOLD_SCORE/],
      [{ FRAUD_HOLD_HOURS: 'three days' }, /FRAUD_HOLD_HOURS/],
      [{ FRAUD_SIGNAL_RULES: '{not json' }, /FRAUD_SIGNAL_RULES: not JSON/],
      [{ FRAUD_SIGNAL_RULES: '{"network_bursts":{"from":3}}' }, /FRAUD_SIGNAL_RULES/],
      [{ FRAUD_SIGNAL_RULES: '{"churn":{"from":3,"ceiling":4}}' }, /FRAUD_SIGNAL_RULES/],
      [
        { FRAUD_SIGNAL_RULES: '{"churn":{"from":10}}' },
        /FRAUD_SIGNAL_RULES: churn: "strong" \(6\) must not be below "from" \(10\)/,
      ],
    ];
    for (const [env, message] of refusals)
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          return true;
        },
      );
  });
});
