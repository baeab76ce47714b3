import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { createSmtpMailer, relayUrl } from '../../src/adapters/mail/smtp-mailer.ts';
import type { MailMessage } from '../../src/ports/mailer.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const FROM = 'Créneau <ne-pas-repondre@creneau.localhost>';
const message = (to: string): MailMessage => ({
  to,
  subject: 'Votre code Créneau / Your Créneau code: 1234 5678',
  text: 'Bonjour, voici votre code : 1234 5678\nÀ bientôt — Créneau',
  attachments: [
    { filename: 'rendez-vous.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' },
  ],
});

describe('SMTP mailer', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(async () => {
    await smtp.close();
  });

  it('hands the message to the SMTP server, accents and attachments intact', async () => {
    const mailer = createSmtpMailer({ smtpUrl: smtp.url, from: FROM });
    try {
      await mailer.send(message('fatou.sow@example.org'));
      const mail = await smtp.waitForMessage((m) => m.recipients.includes('fatou.sow@example.org'));
      assert.equal(mail.parsed.subject, 'Votre code Créneau / Your Créneau code: 1234 5678');
      assert.equal(mail.parsed.from?.value[0]?.address, 'ne-pas-repondre@creneau.localhost');
      assert.equal(mail.parsed.from?.value[0]?.name, 'Créneau');
      assert.match(mail.parsed.text ?? '', /À bientôt — Créneau/);
      assert.equal(mail.parsed.attachments.length, 1);
      assert.equal(mail.parsed.attachments[0]?.filename, 'rendez-vous.ics');
      assert.match(mail.parsed.attachments[0]?.content.toString('utf8') ?? '', /BEGIN:VCALENDAR/);
    } finally {
      mailer.close();
    }
  });

  it('reuses its connections: 20 messages, a burst then one after the other, over at most 5', async () => {
    const own = await startTestSmtpServer();
    const mailer = createSmtpMailer({ smtpUrl: own.url, from: FROM });
    try {
      await Promise.all(Array.from({ length: 10 }, (_, i) => mailer.send(message(`burst.${i}@example.org`))));
      for (let i = 0; i < 10; i++) await mailer.send(message(`next.${i}@example.org`));
      assert.equal(own.messages.length, 20);
      assert.ok(own.connections >= 1 && own.connections <= 5, `${own.connections} connections`);
    } finally {
      mailer.close();
      await own.close();
    }
  });

  it('adds the pool and the short timeouts to SMTP_URL, leaving what the URL sets and its credentials', () => {
    const url = new URL(relayUrl('smtps://relay%40prefecture:p%3Ass@relay.example.org:465?maxConnections=2'));
    assert.equal(url.protocol, 'smtps:');
    assert.equal(url.host, 'relay.example.org:465');
    assert.equal(decodeURIComponent(url.username), 'relay@prefecture');
    assert.equal(decodeURIComponent(url.password), 'p:ss');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      maxConnections: '2',
      pool: 'true',
      connectionTimeout: '10000',
      greetingTimeout: '10000',
      socketTimeout: '30000',
    });
  });

  it('rejects when the server refuses the recipient', async () => {
    smtp.rejectRecipients.add('nobody@example.org');
    const mailer = createSmtpMailer({ smtpUrl: smtp.url, from: FROM });
    try {
      await assert.rejects(mailer.send(message('nobody@example.org')));
    } finally {
      mailer.close();
    }
  });

  it('rejects when no server listens', async () => {
    const closed = await startTestSmtpServer();
    await closed.close();
    const mailer = createSmtpMailer({ smtpUrl: closed.url, from: FROM });
    await assert.rejects(mailer.send(message('fatou.sow@example.org')));
    mailer.close();
  });
});

describe('outbox mailer', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'creneau-outbox-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one parseable .eml per message, named by time, with nothing left half-written', async () => {
    const outbox = join(dir, 'outbox'); // created on first use
    const mailer = createOutboxMailer({ dir: outbox, from: FROM, now: () => new Date('2026-06-01T08:00:00.000Z') });
    await mailer.send(message('fatou.sow@example.org'));
    await mailer.send(message('awa.ba@example.org'));
    const files = (await readdir(outbox)).sort();
    assert.equal(files.length, 2, files.join(', '));
    for (const file of files) assert.match(file, /^2026-06-01T08-00-00\.000Z-[0-9a-f]{12}\.eml$/);
    assert.ok(mailer.lastPath && files.includes(mailer.lastPath.slice(outbox.length + 1)));

    const raw = await readFile(join(outbox, files[0]!));
    assert.ok(raw.includes('\r\n'), 'RFC 5322 line ends (CRLF)');
    const parsed = await simpleParser(raw);
    assert.equal(parsed.subject, 'Votre code Créneau / Your Créneau code: 1234 5678');
    assert.equal(parsed.from?.value[0]?.address, 'ne-pas-repondre@creneau.localhost');
    assert.match(parsed.text ?? '', /voici votre code : 1234 5678/);
    assert.equal(parsed.attachments[0]?.contentType, 'text/calendar');
    const recipients = await Promise.all(
      files.map(async (f) => {
        const to = (await simpleParser(await readFile(join(outbox, f)))).to;
        return (Array.isArray(to) ? to[0] : to)?.value[0]?.address;
      }),
    );
    assert.deepEqual(recipients.sort(), ['awa.ba@example.org', 'fatou.sow@example.org']);
  });

  it('names a message with a Message-ID after it, so writing it again replaces the same file', async () => {
    const outbox = join(dir, 'by-id');
    const mailer = createOutboxMailer({ dir: outbox, from: FROM });
    const withId = {
      ...message('fatou.sow@example.org'),
      messageId: '<outbox.6f1c2a4e-5d1a-4c1f-9a53-0b9d2f6e4a11@creneau>',
    };
    await mailer.send(withId);
    await mailer.send({ ...withId, subject: 'the same message, sent again after a crash' });
    const files = await readdir(outbox);
    assert.deepEqual(files, ['outbox.6f1c2a4e-5d1a-4c1f-9a53-0b9d2f6e4a11@creneau.eml']);
    const parsed = await simpleParser(await readFile(join(outbox, files[0]!)));
    assert.equal(parsed.messageId, withId.messageId);
    assert.equal(parsed.subject, 'the same message, sent again after a crash');
  });
});
