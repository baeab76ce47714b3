// Kysely implementation of the outbox, the same on PostgreSQL and PGlite.
//
// Writers: every store's transaction object extends KyselyOutboxWriter, so a use case enqueues
// its messages through the very transaction that books, cancels or offers (a rollback leaves
// no message). Each store runs its transactions through runTransaction, which tells this
// process's workers, after the commit, that messages are waiting (they poll anyway: another
// instance may have written them).
//
// The worker's side: claims are one UPDATE over a `FOR UPDATE SKIP LOCKED` subquery, so
// concurrent workers (several instances) take disjoint rows without waiting for each other,
// and each claim sets a lease and a fresh claim token; only the holder of the current token
// can mark the row sent or failed. Instants come from the caller's clock, not the database's,
// so tests can move time (a lease running out, a retry coming due).
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Language } from '../../domain/language.ts';
import {
  type ClaimedMessage,
  type NewOutboxMessage,
  type OutboxChannel,
  type OutboxContent,
  type OutboxStore,
  type OutboxWriter,
  SECRET_PAYLOAD_KEYS,
} from '../../ports/outbox.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

/** Rows per INSERT when many messages are enqueued at once (a draw with thousands of offers). */
const CHUNK = 5000;

const enqueuedIn = new WeakSet<Transaction<Database>>();
const commitListeners = new WeakMap<Db, Set<() => void>>();

/** A transaction of `db`; after it commits, if it enqueued messages, this process's outbox listeners hear of it. */
export async function runTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  let used: Transaction<Database> | undefined;
  const result = await db.transaction().execute((trx) => {
    used = trx;
    return work(trx);
  });
  if (used && enqueuedIn.has(used)) {
    for (const listener of commitListeners.get(db) ?? []) {
      try {
        listener();
      } catch {
        // A listener's trouble is not the committed transaction's.
      }
    }
  }
  return result;
}

const secretKeys = () => sql`${[...SECRET_PAYLOAD_KEYS]}::text[]`;

/** The outbox half of every store's transaction object. */
export class KyselyOutboxWriter implements OutboxWriter {
  constructor(protected readonly trx: Transaction<Database>) {}

  enqueueMessages(messages: readonly NewOutboxMessage[], now: Date): Promise<void> {
    return this.insertMessages(messages, now, sql`do nothing`);
  }

  rewriteCancelledMessages(messages: readonly NewOutboxMessage[], now: Date): Promise<void> {
    return this.insertMessages(
      messages,
      now,
      sql`do update set channel = excluded.channel, recipient = excluded.recipient, language = excluded.language,
            payload = excluded.payload, deliver_after = excluded.deliver_after, next_attempt_at = excluded.next_attempt_at,
            status = 'pending', attempts = 0, last_error = null, updated_at = excluded.updated_at
          where outbox.status = 'cancelled'`,
    );
  }

  private async insertMessages(messages: readonly NewOutboxMessage[], now: Date, onConflict: RawBuilder<unknown>) {
    for (let i = 0; i < messages.length; i += CHUNK) {
      // One JSON document per statement: the payloads are JSON already, and as elements of text
      // arrays each needed quoting here and unquoting there (a draw's 500,000 offer emails:
      // half the time of their insert).
      const part = messages.slice(i, i + CHUNK).map((m) => ({
        channel: m.channel ?? 'email',
        kind: m.kind,
        recipient: m.recipient,
        language: m.language,
        payload: m.payload,
        dedupe_key: m.dedupeKey,
        deliver_after: m.deliverAfter,
      }));
      await sql`
        insert into outbox (channel, kind, recipient, language, payload, dedupe_key, deliver_after, next_attempt_at, created_at, updated_at)
        select t.channel, t.kind, t.recipient, t.language, t.payload, t.dedupe_key, t.deliver_after, t.deliver_after, ${now}::timestamptz, ${now}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(part)}::jsonb)
               as t(channel text, kind text, recipient text, language text, payload jsonb, dedupe_key text, deliver_after timestamptz)
        on conflict (dedupe_key) ${onConflict}`.execute(this.trx);
    }
    if (messages.length > 0) enqueuedIn.add(this.trx);
  }

  async cancelMessages(dedupeKeys: readonly string[], now: Date): Promise<number> {
    if (dedupeKeys.length === 0) return 0;
    const result = await sql`
      update outbox
         set status = 'cancelled', claim_token = null, claimed_until = null, updated_at = ${now}, payload = payload - ${secretKeys()}
       where dedupe_key = any(${[...dedupeKeys]}::text[]) and status = 'pending'`.execute(this.trx);
    return Number(result.numAffectedRows ?? 0);
  }

  optOutOfTextMessages(phoneKeys: readonly string[], now: Date): Promise<void> {
    return optOutIn(this.trx, phoneKeys, now);
  }
}

/** The outbox half's opt-outs (sms_opt_out, migration 0019), in the transaction of the booking that asked. */
async function optOutIn(trx: Transaction<Database>, phoneKeys: readonly string[], now: Date): Promise<void> {
  if (phoneKeys.length === 0) return;
  await trx
    .insertInto('sms_opt_out')
    .values(phoneKeys.map((phone_key) => ({ phone_key, opted_out_at: now })))
    .onConflict((oc) => oc.column('phone_key').doNothing())
    .execute();
}

/** Cancels every pending message: the demo's applicants are fictitious, their messages go nowhere. */
export async function cancelAllPendingMessages(db: Db, now: Date): Promise<number> {
  const result = await sql`
    update outbox set status = 'cancelled', claim_token = null, claimed_until = null, updated_at = ${now}, payload = payload - ${secretKeys()}
     where status = 'pending'`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

interface ClaimedRow {
  id: string;
  channel: OutboxChannel;
  kind: string;
  recipient: string;
  language: Language;
  payload: unknown;
  attempts: number;
  claim_token: string;
  claimed_until: Date;
  created_at: Date;
}

const toClaimed = (r: ClaimedRow): ClaimedMessage => ({
  // The kind and payload were written together from an OutboxContent (enqueueMessages).
  ...({ kind: r.kind, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload } as OutboxContent),
  id: r.id,
  channel: r.channel,
  recipient: r.recipient,
  language: r.language,
  attempts: Number(r.attempts),
  claimToken: r.claim_token,
  claimedUntil: new Date(r.claimed_until),
  createdAt: new Date(r.created_at),
});

export function createOutboxStore(db: Db): OutboxStore {
  return {
    enqueue: (messages, now) => runTransaction(db, (trx) => new KyselyOutboxWriter(trx).enqueueMessages(messages, now)),

    async claimDue(now, limit, leaseMs) {
      const until = new Date(now.getTime() + leaseMs);
      // A row another worker is claiming right now is skipped (SKIP LOCKED); one it claimed
      // and committed is no longer due (its lease is ahead), re-checked under the row lock.
      const { rows } = await sql<ClaimedRow>`
        update outbox o
           set attempts = o.attempts + 1, claim_token = gen_random_uuid(), claimed_until = ${until}, updated_at = ${now}
         where o.id in (
                 select id from outbox
                  where status = 'pending' and next_attempt_at <= ${now} and (claimed_until is null or claimed_until <= ${now})
                  order by next_attempt_at, id
                  limit ${limit}
                  for update skip locked)
        returning o.id, o.channel, o.kind, o.recipient, o.language, o.payload, o.attempts, o.claim_token, o.claimed_until, o.created_at`.execute(
        db,
      );
      return rows.map(toClaimed).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },

    async renewClaims(claims, now, leaseMs) {
      if (claims.length === 0) return [];
      const { rows } = await sql<{ id: string }>`
        update outbox o
           set claimed_until = ${new Date(now.getTime() + leaseMs)}
          from unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.claimToken)}::uuid[]) as held(id, claim_token)
         where o.id = held.id and o.claim_token = held.claim_token and o.status = 'pending'
        returning o.id`.execute(db);
      return rows.map((r) => r.id);
    },

    async markSent(claim, now) {
      const result = await sql`
        update outbox
           set status = 'sent', sent_at = ${now}, updated_at = ${now}, claim_token = null, claimed_until = null, last_error = null,
               payload = payload - ${secretKeys()}
         where id = ${claim.id} and claim_token = ${claim.claimToken} and status = 'pending'`.execute(db);
      return Number(result.numAffectedRows ?? 0) === 1;
    },

    async markFailed(claim, error, now, retryAt) {
      const result = retryAt
        ? await sql`
            update outbox
               set next_attempt_at = ${retryAt}, last_error = ${error}, updated_at = ${now}, claim_token = null, claimed_until = null
             where id = ${claim.id} and claim_token = ${claim.claimToken} and status = 'pending'`.execute(db)
        : await sql`
            update outbox
               set status = 'failed', last_error = ${error}, updated_at = ${now}, claim_token = null, claimed_until = null,
                   payload = payload - ${secretKeys()}
             where id = ${claim.id} and claim_token = ${claim.claimToken} and status = 'pending'`.execute(db);
      return Number(result.numAffectedRows ?? 0) === 1;
    },

    async releaseClaims(claims, now) {
      if (claims.length === 0) return 0;
      const result = await sql`
        update outbox o
           set attempts = greatest(o.attempts - 1, 0), claim_token = null, claimed_until = null, updated_at = ${now}
          from unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.claimToken)}::uuid[]) as held(id, claim_token)
         where o.id = held.id and o.claim_token = held.claim_token and o.status = 'pending'`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },

    async purgeFinished(before) {
      const result = await db
        .deleteFrom('outbox')
        .where('status', '<>', 'pending')
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    onCommitted(listener) {
      let listeners = commitListeners.get(db);
      if (!listeners) commitListeners.set(db, (listeners = new Set()));
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
