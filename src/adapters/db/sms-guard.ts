// The opt-outs and the per-number daily counter of text messages (migration 0019). The
// limit is the CHECK `sms_daily_count_within_cap`: one statement adds one to the day's row,
// and the statement that would pass the cap fails on it, whatever else runs at the time.
import { sql } from 'kysely';
import type { SmsGuard } from '../../ports/sms.ts';
import type { Db } from './database.ts';

const isCapViolation = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === '23514' &&
  String((error as { constraint?: unknown }).constraint ?? (error as Error).message).includes(
    'sms_daily_count_within_cap',
  );

export function createSmsGuard(db: Db): SmsGuard {
  return {
    async optOut(phoneKey, now) {
      await db
        .insertInto('sms_opt_out')
        .values({ phone_key: phoneKey, opted_out_at: now })
        .onConflict((oc) => oc.column('phone_key').doNothing())
        .execute();
    },

    async optIn(phoneKey) {
      const result = await db.deleteFrom('sms_opt_out').where('phone_key', '=', phoneKey).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async isOptedOut(phoneKey) {
      const row = await db
        .selectFrom('sms_opt_out')
        .select('phone_key')
        .where('phone_key', '=', phoneKey)
        .executeTakeFirst();
      return row !== undefined;
    },

    async countSend(phoneKey, day, cap) {
      try {
        await sql`
          insert into sms_daily_count (phone_key, day, sent, cap) values (${phoneKey}, ${day}::date, 1, ${cap})
          on conflict (phone_key, day) do update set sent = sms_daily_count.sent + 1, cap = excluded.cap`.execute(db);
        return true;
      } catch (error) {
        if (isCapViolation(error)) return false;
        throw error;
      }
    },
  };
}
