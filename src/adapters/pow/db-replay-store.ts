// Used proof-of-work challenges, remembered in the `pow_replay` table until they expire
// (migration 0002). The primary key on challenge_key is the invariant: of any number of
// simultaneous claims of one key, exactly one inserts the row; the others hit the conflict
// and get no row back.

import type { Clock } from '../../ports/clock.ts';
import type { ReplayStore } from '../../ports/proof-of-work.ts';
import type { Db } from '../db/database.ts';

export interface DbReplayStore extends ReplayStore {
  /** Deletes the rows of challenges expired at `now`; returns how many. For the periodic upkeep. */
  purgeExpired(now: Date): Promise<number>;
}

export function createDbReplayStore(db: Db, clock: Clock): DbReplayStore {
  return {
    async claimOnce(key, expiresAt, owner = '') {
      // An expired challenge cannot be claimed (nor stored for nothing).
      if (expiresAt.getTime() <= clock.now().getTime()) return false;
      const row = await db
        .insertInto('pow_replay')
        .values({ challenge_key: key, owner, expires_at: expiresAt })
        .onConflict((conflict) => conflict.column('challenge_key').doNothing())
        .returning('challenge_key')
        .executeTakeFirst();
      if (row !== undefined) return true;
      if (owner === '') return false;
      const existing = await db
        .selectFrom('pow_replay')
        .select('owner')
        .where('challenge_key', '=', key)
        .executeTakeFirst();
      return existing?.owner === owner;
    },

    async purgeExpired(now) {
      const result = await db.deleteFrom('pow_replay').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
