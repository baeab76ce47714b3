// Agents' sessions (ports/agents/sessions.ts).
import type { AgentSessionLookup, AgentSessionRepository } from '../../../ports/agents/sessions.ts';
import type { Executor } from '../kysely-helpers.ts';
import { siteIdsOf, toAgent } from './accounts.ts';

export function agentSessionRepository(db: Executor): AgentSessionLookup & AgentSessionRepository {
  return {
    async find(id) {
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
      return {
        agent: toAgent({ ...row, id: row.agent_id, created_at: row.agent_created_at }, sites),
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

    async touch(id, at) {
      await db
        .updateTable('agent_session')
        .set({ last_seen_at: at })
        .where('id', '=', id)
        .where('last_seen_at', '<', at)
        .execute();
    },

    async insert(s) {
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

    async revoke(id, at) {
      const result = await db
        .updateTable('agent_session')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async revokeAllOf(agentId, at) {
      const result = await db
        .updateTable('agent_session')
        .set({ revoked_at: at })
        .where('agent_id', '=', agentId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
