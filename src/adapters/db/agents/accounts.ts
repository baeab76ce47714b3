// Agents' accounts (ports/agents/accounts.ts). TOTP secrets are sealed before they are written
// and opened when read (adapters/agent-credentials.ts).
import { sql } from 'kysely';
import { DomainError } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/identifiers.ts';
import type { Agent, AgentCredentialsRecord } from '../../../ports/agent-store.ts';
import type { AgentAccountRepository } from '../../../ports/agents/accounts.ts';
import type { SecretBox } from '../../agent-credentials.ts';
import type { Executor } from '../kysely-helpers.ts';

interface PgError {
  code?: string;
  constraint?: string;
}

/** The sites of each agent, by site id. */
export async function siteIdsOf(db: Executor, agentIds: string[]): Promise<Map<string, string[]>> {
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

/** An account as shown, from its row and the sites of `siteIdsOf`. */
export const toAgent = (
  r: {
    id: string;
    email: string;
    display_name: string;
    role: Agent['role'];
    prefecture_id: string | null;
    disabled_at: Date | null;
    created_at: Date;
  },
  sites: Map<string, string[]>,
): Agent => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  prefectureId: r.prefecture_id,
  siteIds: sites.get(r.id) ?? [],
  disabledAt: r.disabled_at ? new Date(r.disabled_at) : null,
  createdAt: new Date(r.created_at),
});

export function agentAccountRepository(db: Executor, box: SecretBox): AgentAccountRepository {
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
      ...toAgent(row, sites),
      passwordHash: row.password_hash,
      totpSecret: box.open(row.totp_secret),
      lastTotpStep: row.last_totp_step === null ? null : Number(row.last_totp_step),
      failedAttempts: row.failed_attempts,
      lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
    };
  }

  return {
    findByEmail: (email) => findAgent('email', email),
    findById: (id) => (isUuid(id) ? findAgent('id', id) : Promise.resolve(null)),

    async list(q) {
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
      return rows.map((r) => toAgent(r, sites));
    },

    async insert(a) {
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

    async disable(agentId, at) {
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
  };
}
