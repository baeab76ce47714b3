// Kysely implementation of the agent store, the same on PostgreSQL and PGlite. TOTP secrets
// are sealed before they are written and opened when read (adapters/agent-credentials.ts).
// The audit table refuses UPDATE and DELETE by itself (trigger, migration 0006): this file
// only ever inserts into it.
import { type Kysely, sql, type Transaction } from 'kysely';
import { DomainError } from '../../domain/errors.ts';
import { NATIONAL_TIME_ZONE } from '../../domain/local-time.ts';
import type {
  Agent,
  AgentCredentialsRecord,
  AgentStore,
  AgentTransaction,
  AuditEvent,
} from '../../ports/agent-store.ts';
import type { SecretBox } from '../agent-credentials.ts';
import { insertAuditEvent } from './audit-repository.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

interface PgError {
  code?: string;
  constraint?: string;
}

type Executor = Kysely<Database> | Transaction<Database>;

async function siteIdsOf(db: Executor, agentIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (agentIds.length === 0) return map;
  const rows = await db
    .selectFrom('agent_site')
    .select(['agent_id', 'site_id'])
    .where('agent_id', 'in', agentIds)
    .orderBy('site_id')
    .execute();
  for (const r of rows) map.set(r.agent_id, [...(map.get(r.agent_id) ?? []), r.site_id]);
  return map;
}

function transactionOn(db: Executor, box: SecretBox): AgentTransaction {
  async function findAgent(column: 'id' | 'email', value: string): Promise<AgentCredentialsRecord | null> {
    let query = db.selectFrom('agent').selectAll();
    query =
      column === 'id'
        ? query.where('id', '=', value)
        : query.where(sql<string>`lower(email)`, '=', value.toLowerCase());
    const row = await query.executeTakeFirst();
    if (!row) return null;
    const sites = await siteIdsOf(db, [row.id]);
    return {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      prefectureId: row.prefecture_id,
      siteIds: sites.get(row.id) ?? [],
      disabledAt: row.disabled_at ? new Date(row.disabled_at) : null,
      createdAt: new Date(row.created_at),
      passwordHash: row.password_hash,
      totpSecret: box.open(row.totp_secret),
      lastTotpStep: row.last_totp_step === null ? null : Number(row.last_totp_step),
      failedAttempts: row.failed_attempts,
      lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
    };
  }

  return {
    findAgentByEmail: (email) => findAgent('email', email),
    // A malformed id is no agent (rather than a uuid cast error).
    findAgentById: (id) => (/^[0-9a-f-]{36}$/i.test(id) ? findAgent('id', id) : Promise.resolve(null)),

    async insertAgent(a) {
      try {
        const row = await db
          .insertInto('agent')
          .values({
            email: a.email,
            display_name: a.displayName,
            password_hash: a.passwordHash,
            totp_secret: box.seal(a.totpSecret),
            role: a.role,
            prefecture_id: a.prefectureId,
            created_at: a.createdAt,
          })
          .returning(['id'])
          .executeTakeFirstOrThrow();
        if (a.siteIds.length > 0) {
          // Only sites of the agent's prefecture: the INSERT … SELECT writes nothing for the others.
          const inserted = await db
            .insertInto('agent_site')
            .columns(['agent_id', 'site_id'])
            .expression(
              db
                .selectFrom('site')
                .select([sql.lit(row.id).as('agent_id'), 'id as site_id'])
                .where('id', 'in', a.siteIds)
                .where('prefecture_id', '=', a.prefectureId ?? ''),
            )
            .returning('site_id')
            .execute();
          if (inserted.length !== new Set(a.siteIds).size) throw new DomainError('SITE_NOT_FOUND');
        }
        return {
          id: row.id,
          email: a.email,
          displayName: a.displayName,
          role: a.role,
          prefectureId: a.prefectureId,
          siteIds: [...new Set(a.siteIds)].sort(),
          disabledAt: null,
          createdAt: a.createdAt,
        };
      } catch (error) {
        const pg = error as PgError | undefined;
        if (pg?.code === '23505' && pg.constraint === 'agent_email_unique') throw new DomainError('AGENT_EMAIL_TAKEN');
        if (pg?.code === '23503') throw new DomainError('PREFECTURE_NOT_FOUND');
        throw error;
      }
    },

    async recordLoginSuccess(agentId, totpStep) {
      const result = await db
        .updateTable('agent')
        .set({ failed_attempts: 0, locked_until: null, last_totp_step: totpStep })
        .where('id', '=', agentId)
        .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', String(totpStep))]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async insertSession(s) {
      await db
        .insertInto('agent_session')
        .values({
          id: s.id,
          agent_id: s.agentId,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
          revoked_at: s.revokedAt,
          ip: s.ip,
          user_agent: s.userAgent,
        })
        .execute();
    },

    async revokeSession(id, at) {
      const result = await db
        .updateTable('agent_session')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async revokeAgentSessions(agentId, at) {
      const result = await db
        .updateTable('agent_session')
        .set({ revoked_at: at })
        .where('agent_id', '=', agentId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async releaseCallbacks(agentId, at) {
      const result = await db
        .updateTable('callback_request')
        .set((eb) => ({ assigned_agent: null, version: eb('version', '+', 1), updated_at: at }))
        .where('assigned_agent', '=', agentId)
        .where('status', 'in', ['to_call', 'called'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async disableAgent(agentId, at) {
      const result = await db
        .updateTable('agent')
        .set({ disabled_at: at })
        .where('id', '=', agentId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async replaceTotpSecret(agentId, totpSecret) {
      const result = await db
        .updateTable('agent')
        .set({ totp_secret: box.seal(totpSecret), last_totp_step: null, failed_attempts: 0, locked_until: null })
        .where('id', '=', agentId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    insertAuditEvent: (e) => insertAuditEvent(db, e),
  };
}

export function createAgentStore(db: Db, box: SecretBox): AgentStore {
  return {
    ...transactionOn(db, box),
    transaction: (work) => db.transaction().execute((trx) => work(transactionOn(trx, box))),

    async findSession(id) {
      const row = await db
        .selectFrom('agent_session as s')
        .innerJoin('agent as a', 'a.id', 's.agent_id')
        .select([
          's.id',
          's.agent_id',
          's.created_at',
          's.last_seen_at',
          's.expires_at',
          's.revoked_at',
          's.ip',
          's.user_agent',
          'a.email',
          'a.display_name',
          'a.role',
          'a.prefecture_id',
          'a.disabled_at',
          'a.created_at as agent_created_at',
        ])
        .where('s.id', '=', id)
        .executeTakeFirst();
      if (!row) return null;
      const sites = await siteIdsOf(db, [row.agent_id]);
      const agent: Agent = {
        id: row.agent_id,
        email: row.email,
        displayName: row.display_name,
        role: row.role,
        prefectureId: row.prefecture_id,
        siteIds: sites.get(row.agent_id) ?? [],
        disabledAt: row.disabled_at ? new Date(row.disabled_at) : null,
        createdAt: new Date(row.agent_created_at),
      };
      return {
        agent,
        session: {
          id: row.id,
          agentId: row.agent_id,
          createdAt: new Date(row.created_at),
          lastSeenAt: new Date(row.last_seen_at),
          expiresAt: new Date(row.expires_at),
          revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
          ip: row.ip,
          userAgent: row.user_agent,
        },
      };
    },

    async touchSession(id, at) {
      await db
        .updateTable('agent_session')
        .set({ last_seen_at: at })
        .where('id', '=', id)
        .where('last_seen_at', '<', at)
        .execute();
    },

    async listAuditEvents(q) {
      let query = db
        .selectFrom('audit_event as e')
        .leftJoin('agent as a', 'a.id', 'e.agent_id')
        .leftJoin('prefecture as p', 'p.id', 'e.prefecture_id')
        .select([
          'p.time_zone',
          'e.id',
          'e.at',
          'e.agent_id',
          'e.prefecture_id',
          'e.action',
          'e.target_type',
          'e.target_id',
          'e.before',
          'e.after',
          'e.ip',
          'a.email as agent_email',
        ]);
      if (q.prefectureId !== null) query = query.where('e.prefecture_id', '=', q.prefectureId);
      if (q.from) query = query.where('e.at', '>=', q.from);
      if (q.to) query = query.where('e.at', '<', q.to);
      if (q.beforeId && /^\d{1,18}$/.test(q.beforeId)) query = query.where('e.id', '<', q.beforeId);
      const rows = await query.orderBy('e.id', 'desc').limit(q.limit).execute();
      return rows.map(
        (r): AuditEvent => ({
          id: String(r.id),
          at: new Date(r.at),
          agentId: r.agent_id,
          agentEmail: r.agent_email,
          prefectureId: r.prefecture_id,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          before: r.before ?? null,
          after: r.after ?? null,
          ip: r.ip,
          timeZone: r.time_zone ?? NATIONAL_TIME_ZONE,
        }),
      );
    },

    async prefectureTimeZone(id) {
      return (
        (await db.selectFrom('prefecture').select('time_zone').where('id', '=', id).executeTakeFirst())?.time_zone ??
        null
      );
    },

    async listAgents(q) {
      let query = db
        .selectFrom('agent')
        .select(['id', 'email', 'display_name', 'role', 'prefecture_id', 'disabled_at', 'created_at']);
      if (q.prefectureId !== null) query = query.where('prefecture_id', '=', q.prefectureId);
      if (!q.includeDisabled) query = query.where('disabled_at', 'is', null);
      const rows = await query
        .orderBy(sql`case role when 'admin' then 0 when 'supervisor' then 1 else 2 end`)
        .orderBy('display_name')
        .orderBy('id')
        .limit(q.limit)
        .execute();
      const sites = await siteIdsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map(
        (r): Agent => ({
          id: r.id,
          email: r.email,
          displayName: r.display_name,
          role: r.role,
          prefectureId: r.prefecture_id,
          siteIds: sites.get(r.id) ?? [],
          disabledAt: r.disabled_at ? new Date(r.disabled_at) : null,
          createdAt: new Date(r.created_at),
        }),
      );
    },

    async prefectureExists(id) {
      return (await db.selectFrom('prefecture').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
  };
}
