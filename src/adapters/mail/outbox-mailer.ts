// Without SMTP_URL, messages are written as RFC 5322 `.eml` files under DATA_DIR/outbox
// (open them with any mail client). Each file appears whole: written under a temporary
// name, then renamed — a reader never sees half a message.
//
// A message with a Message-ID (every message of the transactional outbox) is named after it,
// so writing it again (a delivery retried after a crash) replaces the same file instead of
// adding a second one: outbox.6f1c…@creneau.eml. The others (email codes) are named by time.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer } from '../../ports/mailer.ts';
import { systemClock } from '../system-clock.ts';
import { toNodemailerMessage } from './smtp-mailer.ts';

export interface OutboxMailerOptions {
  dir: string;
  from: string;
  /** For file names; the wall clock by default. */
  now?: () => Date;
}

export interface OutboxMailer extends Mailer {
  /** Path of the last file written (handy in logs and tests). */
  readonly lastPath: string | null;
}

export function createOutboxMailer(options: OutboxMailerOptions): OutboxMailer {
  // Builds the exact MIME message SMTP would carry, with CRLF line ends as RFC 5322 wants.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const now = options.now ?? (() => systemClock.now());
  let lastPath: string | null = null;
  return {
    get lastPath() {
      return lastPath;
    },
    async send(message) {
      const info = await composer.sendMail(toNodemailerMessage(options.from, message));
      const raw = info.message as Buffer;
      await mkdir(options.dir, { recursive: true });
      // 2026-06-01T08-00-00.000Z-1a2b3c4d5e6f.eml: sorts by time, no ':' (invalid on some file systems).
      const name = message.messageId
        ? `${message.messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_')}.eml`
        : `${now().toISOString().replace(/:/g, '-')}-${randomBytes(6).toString('hex')}.eml`;
      const tmp = join(options.dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
      const path = join(options.dir, name);
      try {
        await writeFile(tmp, raw, { flag: 'wx', mode: 0o600 });
        await rename(tmp, path);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      lastPath = path;
    },
  };
}
