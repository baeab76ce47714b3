// Kysely implementation of the idempotent answers (table http_idempotency, migration 0013),
// the same on PostgreSQL and PGlite.
import type { Selectable } from 'kysely';
import type {
  IdempotencyClaim,
  IdempotencyEntry,
  IdempotentResponseStore,
} from '../../ports/idempotent-response-store.ts';
import type { Db } from './database.ts';
import type { HttpIdempotencyTable } from './schema.ts';

function toEntry(row: Selectable<HttpIdempotencyTable>): IdempotencyEntry {
  return {
    keyDigest: row.key_digest,
    clientDigest: row.client_digest,
    route: row.route,
    fingerprint: row.fingerprint,
    claimedAt: row.claimed_at,
    response:
      row.status === null || row.body === null
        ? null
        : { status: row.status, contentType: row.content_type, body: row.body },
  };
}

/** A released claim can vanish between the conflict and the read: claim again, a few times. */
const CLAIM_ATTEMPTS = 3;

export function createIdempotentResponseStore(db: Db): IdempotentResponseStore {
  async function find(keyDigest: string): Promise<IdempotencyEntry | null> {
    const row = await db
      .selectFrom('http_idempotency')
      .selectAll()
      .where('key_digest', '=', keyDigest)
      .executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  return {
    find,

    async claim(request, now, staleBefore): Promise<IdempotencyClaim> {
      for (let attempt = 1; ; attempt++) {
        // Of simultaneous claims, one inserts; the others wait for it to commit and see its row.
        // The update branch only takes over the same request's unanswered, stale claim.
        const claimed = await db
          .insertInto('http_idempotency')
          .values({
            key_digest: request.keyDigest,
            client_digest: request.clientDigest,
            route: request.route,
            fingerprint: request.fingerprint,
            claimed_at: now,
            created_at: now,
          })
          .onConflict((oc) =>
            oc
              .column('key_digest')
              .doUpdateSet({ claimed_at: now })
              .where('http_idempotency.status', 'is', null)
              .where('http_idempotency.claimed_at', '<', staleBefore)
              .where('http_idempotency.client_digest', '=', request.clientDigest)
              .where('http_idempotency.route', '=', request.route)
              .where('http_idempotency.fingerprint', '=', request.fingerprint),
          )
          .returning('key_digest')
          .executeTakeFirst();
        if (claimed) return { kind: 'claimed' };
        const entry = await find(request.keyDigest);
        if (entry) return { kind: 'existing', entry };
        if (attempt >= CLAIM_ATTEMPTS) throw new Error('idempotency claim kept vanishing');
      }
    },

    async saveResponse(keyDigest, response) {
      await db
        .updateTable('http_idempotency')
        .set({ status: response.status, content_type: response.contentType, body: response.body })
        .where('key_digest', '=', keyDigest)
        .execute();
    },

    async release(keyDigest) {
      await db.deleteFrom('http_idempotency').where('key_digest', '=', keyDigest).where('status', 'is', null).execute();
    },

    async purge(before) {
      const result = await db.deleteFrom('http_idempotency').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
