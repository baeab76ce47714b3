// /dev/outbox: the `.eml` files the demo writes instead of sending mail, readable from the
// machine itself. Built only in demo mode, when mail goes to files (devOutboxDirOf).
import { type Config, isDemoMode } from '../config.ts';
import { devOutboxPages } from '../http/pages/dev-outbox.ts';
import type { Feature } from './feature.ts';

/** The `.eml` outbox shown at /dev/outbox: in demo mode, when mail is written there (no SMTP_URL); otherwise none. */
export function devOutboxDirOf(config: Config): string | null {
  return isDemoMode(config) && !config.mail.smtpUrl ? config.mail.outboxDir : null;
}

export function createDevOutboxFeature(dir: string) {
  return { name: 'devOutbox', useCases: {}, pages: devOutboxPages(dir) } satisfies Feature;
}
