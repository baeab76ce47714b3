// What an evidence pack holds, read for its scope (ports/evidence-pack.ts, domain/evidence-pack.ts):
//   * security events of the period — when the scope names anything, only those from its address
//     prefixes or carrying the identity key of a request or appointment it names (security
//     events have no prefecture: with nothing named, the whole period's);
//   * the prefecture's audit events of the period — when the scope names anything, those about a
//     named request or appointment or from a named prefix;
//   * the prefecture's finished draws and draw commitments of the period (digests, no inputs);
//   * the requests and appointments named, with the identity as stored.
// Each chained row comes with its link's number and its content text as the chain hashed it
// (migration 0016's evidence_*_text functions).
import { sql } from 'kysely';
import type { AgentRole } from '../../domain/agent-rules.ts';
import { contentDigest } from '../../domain/evidence-chain.ts';
import { type PackEvent, type PackScope, scopeIsNarrowed } from '../../domain/evidence-pack.ts';
import type { EvidencePackStore, ListedHold, PackContents } from '../../ports/evidence-pack.ts';
import type { Db } from './database.ts';
import { requestStatus } from './request-status.ts';
import { HOLD_COLUMNS, type HoldRow, holdOf } from './retention-store.ts';

const iso = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());
const json = (value: unknown) => JSON.stringify(value);
const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The identity of a request or appointment, as stored. */
interface IdentityRow {
  id: string;
  reference: string;
  status: string;
  procedure_id: string;
  surname: string;
  given_names: string;
  birth_date: string;
  nationality: string;
  email: string | null;
  agdref_number: string | null;
  passport_number: string | null;
  identity_key: string;
  channel: string;
}

const identityOf = (r: IdentityRow) => ({
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  nationality: r.nationality,
  email: r.email,
  agdrefNumber: r.agdref_number,
  passportNumber: r.passport_number,
  identityKey: r.identity_key,
  procedureId: r.procedure_id,
  channel: r.channel,
});

/** A chained row's common part: its link and content. */
function chained(row: { seq: string | null; content: string }) {
  return {
    seq: row.seq === null ? null : Number(row.seq),
    contentSha256: contentDigest(row.content),
    content: row.content,
  };
}

export function createEvidencePackStore(db: Db): EvidencePackStore {
  return {
    async agentByEmail(email) {
      const row = await db
        .selectFrom('agent')
        .select(['id', 'email', 'role', 'prefecture_id'])
        .where('email', '=', email)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!row) return null;
      const sites = await db.selectFrom('agent_site').select('site_id').where('agent_id', '=', row.id).execute();
      return {
        id: row.id,
        email: row.email,
        role: row.role as AgentRole,
        prefectureId: row.prefecture_id,
        siteIds: sites.map((s) => s.site_id),
      };
    },

    async prefectureName(id) {
      const row = await db.selectFrom('prefecture').select('name').where('id', '=', id).executeTakeFirst();
      return row?.name ?? null;
    },

    async read(scope: PackScope): Promise<PackContents> {
      const { prefectureId: p, from, to } = scope;
      const narrowed = scopeIsNarrowed(scope);
      const requestIds = [...scope.requestIds];
      const appointmentIds = [...scope.appointmentIds];
      const prefixes = [...scope.ipPrefixes];
      const ipMatches = (column: string) =>
        sql`exists (select 1 from unnest(${prefixes}::text[]) p where starts_with(${sql.ref(column)}, p))`;

      const requests = await sql<
        IdentityRow & {
          site_ids: string[];
          phone: string | null;
          document_country: string | null;
          filed_at: Date;
          closed_at: Date | null;
        }
      >`
        select r.id::text, r.reference, ${requestStatus('r')} as status, r.procedure_id, r.site_ids, r.surname, r.given_names,
               r.birth_date::text as birth_date, r.nationality, r.email, r.phone, r.agdref_number,
               r.passport_number, r.document_country, r.identity_key, r.channel, r.filed_at, r.closed_at
          from allocation_request r
         where r.id = any(${requestIds}::uuid[]) and r.prefecture_id = ${p}`.execute(db);
      const appointments = await sql<
        IdentityRow & { site_id: string; starts_at: Date | null; created_at: Date; cancelled_at: Date | null }
      >`
        select a.id::text, a.reference, a.status, a.procedure_id, a.site_id, sl.starts_at, a.surname, a.given_names,
               a.birth_date::text as birth_date, a.nationality, a.email, a.agdref_number, a.passport_number,
               a.identity_key, a.channel, a.created_at, a.cancelled_at
          from appointment a join site s on s.id = a.site_id left join slot sl on sl.id = a.slot_id
         where a.id = any(${appointmentIds}::uuid[]) and s.prefecture_id = ${p}`.execute(db);
      const identityKeys = [...requests.rows, ...appointments.rows].map((r) => r.identity_key);
      const namedIds = [...requestIds, ...appointmentIds];

      const security = await sql<{
        id: string;
        at: Date;
        ip: string | null;
        route: string;
        reason: string;
        email_hash: string | null;
        identity_key: string | null;
        details: string | null;
        content: string;
        seq: string | null;
      }>`
        select s.id::text, s.at, s.ip, s.route, s.reason, s.email_hash, s.identity_key, s.details::text as details,
               evidence_security_text(s) as content, l.seq::text as seq
          from security_event s
          left join evidence_link l on l.kind = 'security' and l.ref_id = s.id::text
         where s.at >= ${from} and s.at < ${to}
           and (${!narrowed} or ${ipMatches('s.ip')} or s.identity_key = any(${identityKeys}::text[]))`.execute(db);

      const audit = await sql<{
        id: string;
        at: Date;
        ip: string | null;
        agent_email: string | null;
        action: string;
        target_type: string | null;
        target_id: string | null;
        before: string | null;
        after: string | null;
        content: string;
        seq: string | null;
      }>`
        select a.id::text, a.at, a.ip, g.email as agent_email, a.action, a.target_type, a.target_id,
               a.before::text as before, a.after::text as after, evidence_audit_text(a) as content, l.seq::text as seq
          from audit_event a
          left join agent g on g.id = a.agent_id
          left join evidence_link l on l.kind = 'audit' and l.ref_id = a.id::text
         where a.prefecture_id = ${p} and a.at >= ${from} and a.at < ${to}
           and (${!narrowed} or a.target_id = any(${namedIds}::text[]) or ${ipMatches('a.ip')})`.execute(db);

      const draws = await sql<{
        id: string;
        finished_at: Date;
        procedure_id: string;
        tick: Date;
        trigger: string;
        allocation_order: string;
        seed: string;
        input_digest: string;
        result_digest: string;
        commitment: string | null;
        closing_digest: string | null;
        requests_count: number;
        slots_count: number;
        assigned_count: number;
        opened_count: number;
        content: string;
        seq: string | null;
      }>`
        select d.id::text, d.finished_at, d.procedure_id, d.tick, d.trigger, d.allocation_order, d.seed,
               d.input_digest, d.result_digest, d.commitment, d.closing_digest, d.requests_count, d.slots_count,
               d.assigned_count, d.opened_count, evidence_draw_text(d) as content, l.seq::text as seq
          from draw d
          left join evidence_link l on l.kind = 'draw' and l.ref_id = d.id::text
         where d.prefecture_id = ${p} and d.result_digest <> '' and d.finished_at >= ${from} and d.finished_at < ${to}`.execute(
        db,
      );

      const commitments = await sql<{
        id: string;
        committed_at: Date;
        procedure_id: string;
        tick: Date;
        commitment: string;
        content: string;
        seq: string | null;
      }>`
        select c.id::text, c.committed_at, c.procedure_id, c.tick, c.commitment,
               evidence_commitment_text(c) as content, l.seq::text as seq
          from draw_commitment c
          left join evidence_link l on l.kind = 'commitment' and l.ref_id = c.id::text
         where c.prefecture_id = ${p} and c.committed_at >= ${from} and c.committed_at < ${to}`.execute(db);

      const record = { seq: null, ip: null, contentSha256: null, content: null };
      const events: PackEvent[] = [
        ...security.rows.map((r) => ({
          kind: 'security' as const,
          id: r.id,
          at: iso(r.at)!,
          ip: r.ip,
          subject: r.route,
          action: r.reason,
          details: json({ emailHash: r.email_hash, identityKey: r.identity_key, details: parsed(r.details) }),
          ...chained(r),
        })),
        ...audit.rows.map((r) => ({
          kind: 'audit' as const,
          id: r.id,
          at: iso(r.at)!,
          ip: r.ip,
          subject: r.agent_email,
          action: r.action,
          details: json({
            target: r.target_type === null ? null : { type: r.target_type, id: r.target_id },
            before: parsed(r.before),
            after: parsed(r.after),
          }),
          ...chained(r),
        })),
        ...draws.rows.map((r) => ({
          kind: 'draw' as const,
          id: r.id,
          at: iso(r.finished_at)!,
          ip: null,
          subject: r.procedure_id,
          action: `${r.trigger}/${r.allocation_order}`,
          details: json({
            tick: iso(r.tick),
            seed: r.seed,
            inputDigest: r.input_digest,
            resultDigest: r.result_digest,
            commitment: r.commitment,
            closingDigest: r.closing_digest,
            requests: r.requests_count,
            slots: r.slots_count,
            assigned: r.assigned_count,
            opened: r.opened_count,
          }),
          ...chained(r),
        })),
        ...commitments.rows.map((r) => ({
          kind: 'commitment' as const,
          id: r.id,
          at: iso(r.committed_at)!,
          ip: null,
          subject: r.procedure_id,
          action: 'commit',
          details: json({ tick: iso(r.tick), commitment: r.commitment }),
          ...chained(r),
        })),
        ...requests.rows.map((r) => ({
          kind: 'request' as const,
          id: r.id,
          at: iso(r.filed_at)!,
          subject: r.reference,
          action: r.status,
          details: json({
            ...identityOf(r),
            phone: r.phone,
            documentCountry: r.document_country,
            siteIds: r.site_ids,
            closedAt: iso(r.closed_at),
          }),
          ...record,
        })),
        ...appointments.rows.map((r) => ({
          kind: 'appointment' as const,
          id: r.id,
          at: iso(r.created_at)!,
          subject: r.reference,
          action: r.status,
          details: json({
            ...identityOf(r),
            siteId: r.site_id,
            startsAt: iso(r.starts_at),
            cancelledAt: iso(r.cancelled_at),
          }),
          ...record,
        })),
      ];
      const found = new Set(events.map((e) => `${e.kind}:${e.id}`));
      return {
        events,
        unknownRequestIds: requestIds.filter((id) => !found.has(`request:${id.toLowerCase()}`)),
        unknownAppointmentIds: appointmentIds.filter((id) => !found.has(`appointment:${id.toLowerCase()}`)),
      };
    },

    async chainFrom(fromSeq) {
      const head = await db.selectFrom('evidence_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
      const links =
        fromSeq === null
          ? []
          : (
              await sql<{
                seq: string;
                kind: string;
                ref_id: string;
                at: Date;
                content_hash: string;
                prev_hash: string;
                hash: string;
              }>`
                select l.seq::text as seq, l.kind, l.ref_id, l.at, l.content_hash, l.prev_hash, l.hash
                  from evidence_link l
                 where l.seq >= ${fromSeq} and l.seq <= ${head.seq} order by l.seq`.execute(db)
            ).rows;
      return {
        head: { seq: Number(head.seq), hash: head.hash },
        links: links.map((l) => ({
          seq: Number(l.seq),
          kind: l.kind,
          refId: l.ref_id,
          at: iso(l.at)!,
          contentHash: l.content_hash,
          prevHash: l.prev_hash,
          hash: l.hash,
        })),
      };
    },

    async activeHolds(prefectureId) {
      let query = db
        .selectFrom('evidence_hold as h')
        .innerJoin('agent as g', 'g.id', 'h.created_by')
        .select(HOLD_COLUMNS.map((c) => `h.${c}` as const))
        .select(['h.created_at', 'g.email', 'g.prefecture_id'])
        .where('h.released_at', 'is', null)
        .orderBy('h.id', 'desc');
      if (prefectureId !== null) query = query.where('g.prefecture_id', '=', prefectureId);
      const rows = await query.execute();
      return rows.map(
        (r): ListedHold => ({
          ...holdOf(r as HoldRow),
          createdByEmail: r.email,
          createdAt: new Date(r.created_at),
          prefectureId: r.prefecture_id,
        }),
      );
    },
  };
}
