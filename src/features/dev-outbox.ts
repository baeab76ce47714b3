// /dev/outbox: the `.eml` files the demo writes instead of sending mail, and the `.txt` files
// it writes instead of sending text messages, readable from the machine itself. Built only in
// demo mode, when mail goes to files (devOutboxDirOf).
import { type Config, isDemoMode } from '../config.ts';
import { lazyPlugin } from '../http/feature-plugins.ts';
import type { Feature } from './feature.ts';

/** The `.eml` outbox shown at /dev/outbox: in demo mode, when mail is written there (no SMTP_URL); otherwise none. */
export function devOutboxDirOf(config: Config): string | null {
  return isDemoMode(config) && !config.mail.smtpUrl ? config.mail.outboxDir : null;
}

/** The `.txt` text messages shown beside them: in demo mode, when no SMS gateway is set. */
export function devSmsDirOf(config: Config): string | null {
  return isDemoMode(config) && !config.sms.gatewayUrl ? config.sms.dir : null;
}

export function createDevOutboxFeature(dir: string, smsDir: string | null = null) {
  return {
    name: 'devOutbox',
    useCases: {},
    pages: lazyPlugin(async () => (await import('../http/pages/dev-outbox.ts')).devOutboxPages(dir, smsDir)),
  } satisfies Feature;
}
