// The box "no text messages" ticked when booking or filing: the number is opted out in the
// transaction that stores it (as if it had answered STOP), and no text message is written.
import { smsPhoneMaterial } from '../../domain/sms-rules.ts';
import type { OutboxWriter } from '../../ports/outbox.ts';
import type { Hasher } from '../../ports/secrets.ts';

/** Opts `phone` out when the person refused text messages; returns the number messages may go to (null: none). */
export async function numberForTextMessages(
  hasher: Pick<Hasher, 'identityKey'>,
  tx: Pick<OutboxWriter, 'optOutOfTextMessages'>,
  person: { phone: string | null; textMessages: boolean },
  now: Date,
): Promise<string | null> {
  if (person.phone === null) return null;
  if (person.textMessages) return person.phone;
  await tx.optOutOfTextMessages([hasher.identityKey(smsPhoneMaterial(person.phone))], now);
  return null;
}
