// Kysely implementation of the way back in (ports/access-store.ts), the same on PostgreSQL
// and PGlite. A reference leads to a booked appointment, a live request, or — a request whose
// offer was accepted — the appointment made from it (people keep the first reference they got).
import type { Transaction } from 'kysely';
import { LIVE_REQUEST_STATUSES } from '../../domain/request-rules.ts';
import type { AccessHolder, AccessStore, AccessTransaction } from '../../ports/access-store.ts';
import type { EmailCodeAttempt } from '../../ports/email-verification-store.ts';
import type { Db } from './database.ts';
import { consumeEmailVerification } from './email-verification-store.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import type { Database } from './schema.ts';

const HOLDER_COLUMNS = ['id', 'reference', 'email', 'birth_date', 'given_names', 'surname', 'language'] as const;

interface HolderRow {
  id: string;
  reference: string;
  email: string | null;
  birth_date: string;
  given_names: string;
  surname: string;
  language: 'fr' | 'en';
}

const holderOf = (kind: AccessHolder['kind'], row: HolderRow): AccessHolder => ({
  kind,
  id: row.id,
  reference: row.reference,
  email: row.email,
  birthDate: row.birth_date,
  givenNames: row.given_names,
  surname: row.surname,
  language: row.language,
});

class KyselyAccessTransaction extends KyselyOutboxWriter implements AccessTransaction {
  constructor(trx: Transaction<Database>) {
    super(trx);
  }

  consumeEmailVerification(attempt: EmailCodeAttempt): Promise<boolean> {
    return consumeEmailVerification(this.trx, attempt);
  }

  async replaceManagementToken(holder: Pick<AccessHolder, 'kind' | 'id'>, tokenHash: string, now: Date) {
    const updated =
      holder.kind === 'appointment'
        ? await this.trx
            .updateTable('appointment')
            .set({ management_token_hash: tokenHash, updated_at: now })
            .where('id', '=', holder.id)
            .where('status', '=', 'booked')
            .executeTakeFirst()
        : await this.trx
            .updateTable('allocation_request')
            .set({ management_token_hash: tokenHash, updated_at: now })
            .where('id', '=', holder.id)
            .where('status', 'in', LIVE_REQUEST_STATUSES)
            .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }
}

export function createAccessStore(db: Db): AccessStore {
  return {
    async findHolder(reference) {
      const appointment = await db
        .selectFrom('appointment')
        .select(HOLDER_COLUMNS)
        .where('reference', '=', reference)
        .where('status', '=', 'booked')
        .executeTakeFirst();
      if (appointment) return holderOf('appointment', appointment);
      const request = await db
        .selectFrom('allocation_request')
        .select([...HOLDER_COLUMNS, 'status'])
        .where('reference', '=', reference)
        .executeTakeFirst();
      if (!request) return null;
      if (LIVE_REQUEST_STATUSES.includes(request.status)) return holderOf('request', request);
      if (request.status !== 'booked') return null;
      const made = await db
        .selectFrom('offer as o')
        .innerJoin('appointment as a', 'a.id', 'o.appointment_id')
        .select(['a.id', 'a.reference', 'a.email', 'a.birth_date', 'a.given_names', 'a.surname', 'a.language'])
        .where('o.request_id', '=', request.id)
        .where('o.status', '=', 'confirmed')
        .where('a.status', '=', 'booked')
        .executeTakeFirst();
      return made ? holderOf('appointment', made) : null;
    },
    transaction: (work) => runTransaction(db, (trx) => work(new KyselyAccessTransaction(trx))),
  };
}
