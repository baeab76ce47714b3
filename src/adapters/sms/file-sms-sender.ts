// Without SMS_GATEWAY_URL (development), text messages are written as .txt files under
// DATA_DIR/sms, like the email outbox's .eml files: named after the outbox row, so a retried
// delivery replaces its file; written under a temporary name, then renamed.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SmsSender } from '../../ports/sms.ts';

export interface FileSmsSender extends SmsSender {
  readonly lastPath: string | null;
}

export function createFileSmsSender(dir: string): FileSmsSender {
  let lastPath: string | null = null;
  return {
    get lastPath() {
      return lastPath;
    },
    async send(message) {
      await mkdir(dir, { recursive: true });
      const name = `${(message.id ?? `${Date.now()}-${randomBytes(6).toString('hex')}`).replace(/[^A-Za-z0-9._-]/g, '_')}.txt`;
      const path = join(dir, name);
      const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await writeFile(tmp, `To: ${message.to}\n\n${message.text}\n`, { flag: 'wx', mode: 0o600 });
        await rename(tmp, path);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      lastPath = path;
      return { status: 'sent' };
    },
  };
}
