// The outbox in tests: a delivery context over a test database (real store, real signer, a
// mailer of the test's choosing — usually nodemailer to the in-process SMTP server), the rows
// as they are, and the iCalendar attachment read back by a real parser (ical.js).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import type { Db } from '../../src/adapters/db/database.ts';
import { createOutboxStore } from '../../src/adapters/db/outbox-store.ts';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import { createSmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import type { DeliveryContext } from '../../src/app/notifications/deliver-outbox.ts';
import type { Mailer } from '../../src/ports/mailer.ts';
import type { AppointmentNotice } from '../../src/ports/outbox.ts';
import { TEST_IDENTITY_SECRET, type TestClock } from './scenario.ts';
import type { TestSmtpServer } from './smtp.ts';

/** An appointment in Cayenne: 12:00 UTC is 09:00 there (UTC−3), 13:00 in Paris (UTC+1 in November). */
export const CAYENNE: AppointmentNotice = {
  appointmentId: '6f1c2a4e-5d1a-4c1f-9a53-0b9d2f6e4a11',
  reference: 'K7M4-9XQ2-HT',
  givenNames: 'Awa',
  surname: 'Diallo',
  startsAt: '2026-11-09T12:00:00.000Z',
  endsAt: '2026-11-09T12:30:00.000Z',
  timeZone: 'America/Cayenne',
  siteName: 'Préfecture de la Guyane',
  siteAddress: 'Rue Fiedmond, 97300 Cayenne',
  procedureName: { fr: 'Renouvellement', en: 'Renewal' },
  sequence: 0,
};

export const TEST_PUBLIC_URL = 'https://rdv.example.gouv.fr';
export const TEST_FROM = 'Créneau <ne-pas-repondre@creneau.localhost>';
export const TEST_ORGANIZER = { name: 'Créneau', email: 'ne-pas-repondre@creneau.localhost' };
export const testSigner = signerFromConfig({ convocationSigningKey: null, identityKeySecret: TEST_IDENTITY_SECRET });

/** nodemailer to the in-process SMTP server (close it after use). */
export const smtpMailer = (smtp: TestSmtpServer) => createSmtpMailer({ smtpUrl: smtp.url, from: TEST_FROM });

/** The worker's context over a test database; mail to .eml files in a temporary directory unless `mailer` is given. */
export function testDelivery(
  db: Db,
  clock: TestClock,
  overrides: Partial<DeliveryContext> & { mailer?: Mailer } = {},
): DeliveryContext {
  return {
    outbox: createOutboxStore(db),
    mailer: createOutboxMailer({ dir: mkdtempSync(join(tmpdir(), 'creneau-outbox-')), from: TEST_FROM }),
    clock,
    signer: testSigner,
    publicUrl: TEST_PUBLIC_URL,
    organizer: TEST_ORGANIZER,
    ...overrides,
  };
}

/** The outbox rows addressed to `recipient`, in the order they were written, then due. */
export function outboxRowsTo(db: Db, recipient: string) {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('recipient', '=', recipient)
    .orderBy('created_at')
    .orderBy('deliver_after')
    .orderBy('kind')
    .execute();
}

export interface ParsedCalendar {
  method: string;
  uid: string;
  sequence: number;
  summary: string;
  location: string;
  status: string;
  /** DTSTART's TZID and local wall time ("2026-06-08T09:00:00"). */
  startZone: string | null;
  startLocal: string;
  /** DTSTART as an instant, computed by ical.js from the calendar's own VTIMEZONE. */
  start: Date;
  end: Date;
}

/** Reads an .ics text with ical.js, registering its VTIMEZONEs (ical.js has no zone database: it uses the file's). */
export function parseCalendar(ics: string): ParsedCalendar {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT');
  const event = new ICAL.Event(vevent);
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    summary: event.summary,
    location: event.location,
    status: String(vevent.getFirstPropertyValue('status')),
    startZone: vevent.getFirstProperty('dtstart')?.getParameter('tzid')?.toString() ?? null,
    startLocal: event.startDate.toString(),
    start: event.startDate.toJSDate(),
    end: event.endDate.toJSDate(),
  };
}
