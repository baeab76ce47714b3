// The draws themselves (ports/draws/draw-records.ts): claimed first, finished with their outcome.
import { sql } from 'kysely';
import type { Assignment } from '../../../domain/allocation-draw.ts';
import type { DrawTrigger } from '../../../domain/draw-schedule.ts';
import { isUuid } from '../../../domain/identifiers.ts';
import type {
  DrawClaim,
  DrawCommitment,
  DrawOfRequest,
  DrawOutcome,
  PublicCommitment,
  PublicDraw,
  StoredDraw,
} from '../../../ports/draw-store.ts';
import type { DrawRepository } from '../../../ports/draws/draw-records.ts';
import type { Executor } from '../kysely-helpers.ts';

/** PostgreSQL bytea from either driver: pg gives a Buffer, PGlite a Uint8Array. */
const bytes = (value: Uint8Array): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array(value));

interface DrawRow {
  id: string;
  prefecture_id: string;
  procedure_id: string;
  tick: Date;
  trigger: DrawTrigger | 'release';
  seed: string;
  input_digest: string;
  result_digest: string;
  input_snapshot: Uint8Array;
  requests_count: number;
  slots_count: number;
  assigned_count: number;
  opened_count: number;
  started_at: Date;
  finished_at: Date;
  commitment: string | null;
  secret: string | null;
  committed_at: Date | null;
  closing_digest: string | null;
}

const toPublicDraw = (r: Omit<DrawRow, 'input_snapshot'>): PublicDraw => ({
  id: r.id,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  tick: new Date(r.tick),
  // Draws before migration 0012 could be triggered by a release; they read as scheduled ones.
  trigger: r.trigger === 'release' ? 'daily' : r.trigger,
  openedCount: r.opened_count,
  seed: r.seed,
  inputDigest: r.input_digest,
  resultDigest: r.result_digest,
  commitment: r.commitment,
  secret: r.secret,
  committedAt: r.committed_at ? new Date(r.committed_at) : null,
  closingDigest: r.closing_digest,
  requestsCount: r.requests_count,
  slotsCount: r.slots_count,
  assignedCount: r.assigned_count,
  startedAt: new Date(r.started_at),
  finishedAt: new Date(r.finished_at),
});

const toStoredDraw = (r: DrawRow): StoredDraw => ({ ...toPublicDraw(r), inputSnapshot: bytes(r.input_snapshot) });

/** Every column but the snapshot (tens of megabytes for a large draw). */
const PUBLIC_COLUMNS = [
  'id',
  'prefecture_id',
  'procedure_id',
  'tick',
  'trigger',
  'seed',
  'input_digest',
  'result_digest',
  'requests_count',
  'slots_count',
  'assigned_count',
  'opened_count',
  'started_at',
  'finished_at',
  'commitment',
  'secret',
  'committed_at',
  'closing_digest',
] as const;

const toCommitment = (r: {
  prefecture_id: string;
  procedure_id: string;
  tick: Date;
  commitment: string;
  committed_at: Date;
}): PublicCommitment => ({
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  tick: new Date(r.tick),
  commitment: r.commitment,
  committedAt: new Date(r.committed_at),
});

export function drawRepository(db: Executor): DrawRepository {
  return {
    async exists(prefectureId, procedureId, tick): Promise<boolean> {
      const row = await db
        .selectFrom('draw')
        .select('id')
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', procedureId)
        .where('tick', '=', tick)
        .executeTakeFirst();
      return row !== undefined;
    },

    async get(drawId: string): Promise<StoredDraw | null> {
      if (!isUuid(drawId)) return null;
      const row = await db.selectFrom('draw').selectAll().where('id', '=', drawId).executeTakeFirst();
      return row ? toStoredDraw(row) : null;
    },

    async assignments(drawId: string): Promise<Assignment[]> {
      const rows = await db
        .selectFrom('offer')
        .select(['request_id', 'slot_id'])
        .where('draw_id', '=', drawId)
        .execute();
      return rows.map((r) => ({ requestId: r.request_id, slotId: r.slot_id }));
    },

    async published(prefectureId: string, limit: number): Promise<PublicDraw[]> {
      // Finished only: a claimed draw still running has neither digests nor a revealed secret.
      const rows = await db
        .selectFrom('draw')
        .select(PUBLIC_COLUMNS)
        .where('prefecture_id', '=', prefectureId)
        .where('result_digest', '<>', '')
        .orderBy('tick', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toPublicDraw);
    },

    async upcomingCommitments(prefectureId: string, since: Date): Promise<PublicCommitment[]> {
      // The secret column is not selected: it is never read for a tick not drawn.
      const rows = await db
        .selectFrom('draw_commitment as c')
        .select(['c.prefecture_id', 'c.procedure_id', 'c.tick', 'c.commitment', 'c.committed_at'])
        .where('c.prefecture_id', '=', prefectureId)
        .where('c.tick', '>=', since)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('draw as d')
                .select('d.id')
                .whereRef('d.prefecture_id', '=', 'c.prefecture_id')
                .whereRef('d.procedure_id', '=', 'c.procedure_id')
                .whereRef('d.tick', '=', 'c.tick'),
            ),
          ),
        )
        .orderBy('c.tick')
        .orderBy('c.procedure_id')
        .execute();
      return rows.map(toCommitment);
    },

    async drawsOfRequest(tokenHash: string, limit: number): Promise<DrawOfRequest[]> {
      const rows = await db
        .selectFrom('allocation_request as r')
        .innerJoin('draw as d', (join) =>
          join.onRef('d.prefecture_id', '=', 'r.prefecture_id').onRef('d.procedure_id', '=', 'r.procedure_id'),
        )
        .select(['r.id as request_id', 'd.id as draw_id', 'd.tick', 'd.secret'])
        .where('r.management_token_hash', '=', tokenHash)
        .where('d.result_digest', '<>', '')
        .whereRef('d.started_at', '>=', 'r.filed_at')
        .where((eb) => eb.or([eb('r.closed_at', 'is', null), eb('d.started_at', '<=', eb.ref('r.closed_at'))]))
        .orderBy('d.tick', 'desc')
        .orderBy('d.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        requestId: r.request_id,
        drawId: r.draw_id,
        tick: new Date(r.tick),
        secret: r.secret,
      }));
    },

    async ensure(commitment: DrawCommitment): Promise<DrawCommitment> {
      await db
        .insertInto('draw_commitment')
        .values({
          prefecture_id: commitment.prefectureId,
          procedure_id: commitment.procedureId,
          tick: commitment.tick,
          secret: commitment.secret,
          commitment: commitment.commitment,
          committed_at: commitment.committedAt,
        })
        .onConflict((oc) => oc.columns(['prefecture_id', 'procedure_id', 'tick']).doNothing())
        .execute();
      const row = await db
        .selectFrom('draw_commitment')
        .selectAll()
        .where('prefecture_id', '=', commitment.prefectureId)
        .where('procedure_id', '=', commitment.procedureId)
        .where('tick', '=', commitment.tick)
        .executeTakeFirstOrThrow();
      return { ...toCommitment(row), secret: row.secret };
    },

    async claimTick(claim: DrawClaim): Promise<string | null> {
      // ON CONFLICT waits for a concurrent claimer of the same tick to commit or roll back,
      // then skips (it committed: the tick is drawn) or inserts (it failed: we draw).
      const row = await db
        .insertInto('draw')
        .values({
          prefecture_id: claim.prefectureId,
          procedure_id: claim.procedureId,
          tick: claim.tick,
          trigger: claim.trigger,
          allocation_order: 'lottery',
          seed: claim.seed,
          input_digest: '',
          result_digest: '',
          input_snapshot: Buffer.alloc(0),
          requests_count: 0,
          slots_count: 0,
          assigned_count: 0,
          started_at: claim.startedAt,
          finished_at: claim.startedAt,
        })
        .onConflict((oc) => oc.constraint('draw_once_per_tick').doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    },

    async lockQueue(prefectureId: string, procedureId: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`creneau:draw:${prefectureId}:${procedureId}`}, 0))`.execute(
        db,
      );
    },

    async previousStart(prefectureId: string, procedureId: string, currentDrawId: string): Promise<Date | null> {
      const row = await db
        .selectFrom('draw')
        .select('started_at')
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', procedureId)
        .where('id', '<>', currentDrawId)
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? new Date(row.started_at) : null;
    },

    async finish(drawId: string, outcome: DrawOutcome): Promise<void> {
      await db
        .updateTable('draw')
        .set({
          seed: outcome.seed,
          commitment: outcome.commitment,
          secret: outcome.secret,
          committed_at: outcome.committedAt,
          closing_digest: outcome.closingDigest,
          input_digest: outcome.inputDigest,
          result_digest: outcome.resultDigest,
          input_snapshot: Buffer.from(outcome.inputSnapshot),
          requests_count: outcome.requestsCount,
          slots_count: outcome.slotsCount,
          assigned_count: outcome.assignedCount,
          opened_count: outcome.openedCount,
          finished_at: outcome.finishedAt,
        })
        .where('id', '=', drawId)
        .execute();
      // Housekeeping of the queue's tally (migration 0030): its connections' shards, this
      // draw's offers included, gathered into one row per batch; emptied batches dropped.
      await sql`select queue_tally_fold(prefecture_id, procedure_id) from draw where id = ${drawId}`.execute(db);
    },
  };
}
