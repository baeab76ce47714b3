// /dev/outbox, in demo mode: lists the `.eml` outbox newest first, shows a message and its
// attachments, refuses any file name outside the outbox, does not exist without it, and
// answers requests made on this machine only (the socket's address, never X-Forwarded-For).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { createFileSmsSender } from '../../src/adapters/sms/file-sms-sender.ts';
import { completeConfig, loadConfig } from '../../src/config.ts';
import { devOutboxDirOf } from '../../src/main.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

const HTML = { accept: 'text/html' };

describeEachEngine('development outbox page', (database) => {
  const dir = mkdtempSync(join(tmpdir(), 'creneau-dev-outbox-'));
  const smsDir = mkdtempSync(join(tmpdir(), 'creneau-dev-sms-'));
  let app: FastifyInstance;
  let without: FastifyInstance;
  let behindProxy: FastifyInstance;
  before(async () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
    const mailer = createOutboxMailer({ dir, from: 'Créneau <test@creneau.localhost>' });
    // An older message, written by hand with its Date header; its name sorts after the newer one's.
    writeFileSync(
      join(dir, 'zz-older.eml'),
      'From: test@creneau.localhost\r\nTo: older@example.org\r\nSubject: Older message\r\nDate: Mon, 01 Jun 2026 08:00:00 +0000\r\n\r\nfirst\r\n',
    );
    await mailer.send({
      to: 'amina@example.org',
      subject: 'Votre rendez-vous',
      text: 'Bonjour Amina, code 1234 5678',
      attachments: [
        { filename: 'rendez-vous.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' },
      ],
      messageId: '<outbox.2@creneau>',
    });
    writeFileSync(join(dir, 'notes.txt'), 'not a message');
    const texts = createFileSmsSender(smsDir);
    await texts.send({ id: 'outbox-7', to: '+33611223344', text: 'Créneau : rappel <b>demain</b> 9h00' });
    app = await testServer(database(), clock, { devOutboxDir: dir, devSmsDir: smsDir });
    without = await testServer(database(), clock);
    behindProxy = await testServer(database(), clock, {
      devOutboxDir: dir,
      trustProxy: ['203.0.113.0/24', '127.0.0.1'],
    });
  });
  after(async () => {
    await app?.close();
    await without?.close();
    await behindProxy?.close();
  });

  it('lists the messages newest first and opens one with its attachment', async () => {
    const list = await app.inject({ url: '/dev/outbox', headers: HTML });
    assert.equal(list.statusCode, 200);
    const newer = list.body.indexOf('Votre rendez-vous');
    const older = list.body.indexOf('Older message');
    assert.ok(newer > 0 && older > newer, 'newest first');
    assert.doesNotMatch(list.body, /notes\.txt/);
    const link = /href="(\/dev\/outbox\/[^"]+)">Votre rendez-vous/.exec(list.body)?.[1];
    assert.ok(link, 'a link to the message');
    const message = await app.inject({ url: link, headers: HTML });
    assert.equal(message.statusCode, 200);
    assert.match(message.body, /Bonjour Amina, code 1234 5678/);
    assert.match(message.body, /rendez-vous\.ics/);
    const attachment = await app.inject({ url: `${link}/attachments/0` });
    assert.equal(attachment.statusCode, 200);
    assert.match(attachment.headers['content-type'] as string, /^text\/calendar/);
    assert.match(attachment.body, /BEGIN:VCALENDAR/);
  });

  it('shows the text messages the file sender wrote, escaped', async () => {
    const list = await app.inject({ url: '/dev/outbox', headers: HTML });
    assert.match(list.body, /<td>\+33611223344<\/td>\s*<td>Créneau : rappel &lt;b&gt;demain&lt;\/b&gt; 9h00<\/td>/);
    const withoutTexts = await behindProxy.inject({ url: '/dev/outbox', headers: HTML, remoteAddress: '127.0.0.1' });
    assert.doesNotMatch(withoutTexts.body, /Text messages/, 'no SMS directory, no section');
  });

  it('opens nothing outside the outbox', async () => {
    for (const url of [
      '/dev/outbox/..%2Fpasswd',
      '/dev/outbox/notes.txt',
      '/dev/outbox/missing.eml',
      '/dev/outbox/outbox.2%40creneau.eml/attachments/9',
    ]) {
      const response = await app.inject({ url, headers: HTML });
      assert.equal(response.statusCode, 404, url);
      assert.match(response.body, /data-error-code="ROUTE_NOT_FOUND"/, url);
    }
  });

  it('does not exist without an outbox directory (production, or SMTP)', async () => {
    const response = await without.inject({ url: '/dev/outbox', headers: HTML });
    assert.equal(response.statusCode, 404);
  });

  /** The answer a route that does not exist gives (HTML and JSON), to compare with. */
  async function absent(url: string, accept?: string) {
    const response = await without.inject({ url, ...(accept ? { headers: { accept } } : {}) });
    return {
      status: response.statusCode,
      code: /data-error-code="(\w+)"/.exec(response.body)?.[1] ?? response.json().code,
    };
  }

  it('answers requests from elsewhere as if it did not exist', async () => {
    for (const url of ['/dev/outbox', '/dev/outbox/outbox.2%40creneau.eml']) {
      for (const accept of ['text/html', undefined]) {
        const response = await app.inject({
          url,
          remoteAddress: '203.0.113.9',
          ...(accept ? { headers: { accept } } : {}),
        });
        const code = /data-error-code="(\w+)"/.exec(response.body)?.[1] ?? response.json().code;
        assert.deepEqual({ status: response.statusCode, code }, await absent(url, accept), `${url} ${accept}`);
        assert.deepEqual({ status: response.statusCode, code }, { status: 404, code: 'ROUTE_NOT_FOUND' });
        assert.doesNotMatch(response.body, /amina@example\.org|Votre rendez-vous/);
      }
    }
  });

  it('answers this machine, IPv4 or IPv6', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await app.inject({ url: '/dev/outbox', remoteAddress, headers: HTML });
      assert.equal(response.statusCode, 200, remoteAddress);
      assert.match(response.body, /Votre rendez-vous/);
    }
  });

  it('is not fooled by X-Forwarded-For, and refuses what a local reverse proxy forwards', async () => {
    // A trusted proxy's header makes request.ip 127.0.0.1: the socket still says 203.0.113.9.
    const forged = await behindProxy.inject({
      url: '/dev/outbox',
      remoteAddress: '203.0.113.9',
      headers: { ...HTML, 'x-forwarded-for': '127.0.0.1' },
    });
    assert.equal(forged.statusCode, 404);
    // nginx on this machine connects from 127.0.0.1 for anyone, and says so in the header.
    for (const header of [
      { 'x-forwarded-for': '192.0.2.4' },
      { forwarded: 'for=192.0.2.4' },
      { 'x-real-ip': '192.0.2.4' },
    ]) {
      const proxied = await behindProxy.inject({
        url: '/dev/outbox',
        remoteAddress: '127.0.0.1',
        headers: { ...HTML, ...header },
      });
      assert.equal(proxied.statusCode, 404, JSON.stringify(header));
    }
    assert.equal(
      (await behindProxy.inject({ url: '/dev/outbox', remoteAddress: '127.0.0.1', headers: HTML })).statusCode,
      200,
    );
  });
});

describe('when /dev/outbox exists', () => {
  const outboxOf = (env: Record<string, string>) =>
    devOutboxDirOf(
      completeConfig(loadConfig({ DATA_DIR: '/srv/creneau', ...env }), () => ({
        identityKeySecret: 'i'.repeat(32),
        powHmacKey: 'p'.repeat(32),
      })),
    );
  const production = {
    NODE_ENV: 'production',
    IDENTITY_KEY_SECRET: 'x'.repeat(32),
    POW_HMAC_KEY: 'y'.repeat(32),
    CONVOCATION_SIGNING_KEY: 'z'.repeat(40),
  };

  it('only in demo mode: not production, the demo seeded at first start, mail written to files', () => {
    assert.equal(outboxOf({}), '/srv/creneau/outbox', 'embedded database: the demo is seeded by default');
    assert.equal(
      outboxOf({ DATABASE_URL: 'postgres://u@db/creneau', SEED_DEMO_ON_FIRST_START: 'true' }),
      '/srv/creneau/outbox',
    );
    assert.equal(outboxOf({ SEED_DEMO_ON_FIRST_START: 'false' }), null, 'a development server without the demo');
    assert.equal(outboxOf({ DATABASE_URL: 'postgres://u@db/creneau' }), null, 'PostgreSQL: no demo seed by default');
    assert.equal(outboxOf({ NODE_ENV: 'test' }), '/srv/creneau/outbox');
    assert.equal(outboxOf({ ...production, SEED_DEMO_ON_FIRST_START: 'true' }), null);
    assert.equal(outboxOf({ SMTP_URL: 'smtp://127.0.0.1:2525' }), null);
  });
});
