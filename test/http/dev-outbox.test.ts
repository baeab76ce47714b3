// /dev/outbox, outside production: lists the `.eml` outbox newest first, shows a message and
// its attachments, refuses any file name outside the outbox, and does not exist without it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

const HTML = { accept: 'text/html' };

describeEachEngine('development outbox page', (database) => {
  const dir = mkdtempSync(join(tmpdir(), 'creneau-dev-outbox-'));
  let app: FastifyInstance;
  let without: FastifyInstance;
  before(async () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
    const mailer = createOutboxMailer({ dir, from: 'Créneau <test@creneau.localhost>' });
    // An older message, written by hand with its Date header; its name sorts after the newer one's.
    writeFileSync(join(dir, 'zz-older.eml'), 'From: test@creneau.localhost\r\nTo: older@example.org\r\nSubject: Older message\r\nDate: Mon, 01 Jun 2026 08:00:00 +0000\r\n\r\nfirst\r\n');
    await mailer.send({
      to: 'amina@example.org', subject: 'Votre rendez-vous', text: 'Bonjour Amina, code 1234 5678',
      attachments: [{ filename: 'rendez-vous.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' }],
      messageId: '<outbox.2@creneau>',
    });
    writeFileSync(join(dir, 'notes.txt'), 'not a message');
    app = await testServer(database(), clock, { devOutboxDir: dir });
    without = await testServer(database(), clock);
  });
  after(async () => {
    await app?.close();
    await without?.close();
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

  it('opens nothing outside the outbox', async () => {
    for (const url of ['/dev/outbox/..%2Fpasswd', '/dev/outbox/notes.txt', '/dev/outbox/missing.eml', '/dev/outbox/outbox.2%40creneau.eml/attachments/9']) {
      const response = await app.inject({ url, headers: HTML });
      assert.equal(response.statusCode, 404, url);
      assert.match(response.body, /data-error-code="ROUTE_NOT_FOUND"/, url);
    }
  });

  it('does not exist without an outbox directory (production, or SMTP)', async () => {
    const response = await without.inject({ url: '/dev/outbox', headers: HTML });
    assert.equal(response.statusCode, 404);
  });
});
