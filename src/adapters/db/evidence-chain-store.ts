// The evidence chain's reader (ports/evidence-chain.ts). A link's row content is read through
// the evidence_*_text functions of migration 0016 — the one definition the triggers hashed —
// and hashed again by the verification, not here.
import { sql } from 'kysely';
import type { ChainPoint, EvidenceKind, EvidenceLink, PurgeRecord } from '../../domain/evidence-chain.ts';
import type { EvidenceChainReader, UnchainedRow } from '../../ports/evidence-chain.ts';
import type { Db } from './database.ts';

export function createEvidenceChainReader(db: Db): EvidenceChainReader {
  return {
    async head(): Promise<ChainPoint> {
      const row = await db.selectFrom('evidence_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
      return { seq: Number(row.seq), hash: row.hash };
    },

    async firstSeqFrom(at: Date): Promise<number | null> {
      const row = await db
        .selectFrom('evidence_link')
        .select((eb) => eb.fn.min('seq').as('seq'))
        .where('at', '>=', at)
        .executeTakeFirst();
      return row?.seq == null ? null : Number(row.seq);
    },

    async point(seq: number): Promise<ChainPoint | null> {
      const row = await db
        .selectFrom('evidence_link')
        .select(['seq', 'hash'])
        .where('seq', '=', String(seq) as never)
        .executeTakeFirst();
      return row ? { seq: Number(row.seq), hash: row.hash } : null;
    },

    async links(fromSeq: number, limit: number): Promise<EvidenceLink[]> {
      // CASE evaluates one branch: a draw's uuid is never cast to bigint.
      const { rows } = await sql<{
        seq: string;
        kind: EvidenceKind;
        ref_id: string;
        at: Date;
        content_hash: string;
        prev_hash: string;
        hash: string;
        content: string | null;
      }>`
        select l.seq, l.kind, l.ref_id, l.at, l.content_hash, l.prev_hash, l.hash,
               case l.kind
                 when 'audit' then (select evidence_audit_text(a) from audit_event a where a.id = l.ref_id::bigint)
                 when 'security' then (select evidence_security_text(s) from security_event s where s.id = l.ref_id::bigint)
                 when 'draw' then (select evidence_draw_text(d) from draw d where d.id = l.ref_id::uuid)
                 when 'commitment' then (select evidence_commitment_text(c) from draw_commitment c where c.id = l.ref_id::uuid)
                 when 'purge' then (select evidence_purge_text(p) from evidence_purge p where p.id = l.ref_id::bigint)
               end as content
          from evidence_link l
         where l.seq >= ${fromSeq}
         order by l.seq
         limit ${limit}`.execute(db);
      return rows.map((r) => ({
        seq: Number(r.seq),
        kind: r.kind,
        refId: r.ref_id,
        at: new Date(r.at),
        contentHash: r.content_hash,
        prevHash: r.prev_hash,
        hash: r.hash,
        content: r.content,
      }));
    },

    async unchained(since: Date | null, limit: number): Promise<UnchainedRow[]> {
      const from = since ?? new Date(0);
      const { rows } = await sql<{ kind: EvidenceKind; ref_id: string; at: Date }>`
        select * from (
          select 'audit' as kind, a.id::text as ref_id, a.at from audit_event a
           where a.at >= ${from}
             and not exists (select 1 from evidence_link l where l.kind = 'audit' and l.ref_id = a.id::text)
          union all
          select 'security', s.id::text, s.at from security_event s
           where s.at >= ${from}
             and not exists (select 1 from evidence_link l where l.kind = 'security' and l.ref_id = s.id::text)
          union all
          select 'draw', d.id::text, d.finished_at from draw d
           where d.result_digest <> '' and d.finished_at >= ${from}
             and not exists (select 1 from evidence_link l where l.kind = 'draw' and l.ref_id = d.id::text)
          union all
          select 'commitment', c.id::text, c.committed_at from draw_commitment c
           where c.committed_at >= ${from}
             and not exists (select 1 from evidence_link l where l.kind = 'commitment' and l.ref_id = c.id::text)
          union all
          select 'purge', p.id::text, p.at from evidence_purge p
           where p.at >= ${from}
             and not exists (select 1 from evidence_link l where l.kind = 'purge' and l.ref_id = p.id::text)
        ) unchained
        order by at, ref_id
        limit ${limit}`.execute(db);
      return rows.map((r) => ({ kind: r.kind, refId: r.ref_id, at: new Date(r.at) }));
    },

    async purges(): Promise<PurgeRecord[]> {
      // Through the link: a purge row written with the triggers off accounts for nothing.
      const { rows } = await sql<{
        seq: string;
        kind: EvidenceKind;
        at: Date;
        cutoff: Date;
        seqs: string[];
        links_digest: string;
      }>`
        select l.seq, p.kind, l.at, p.cutoff, p.seqs::text[] as seqs, p.links_digest
          from evidence_purge p join evidence_link l on l.kind = 'purge' and l.ref_id = p.id::text
         order by l.seq`.execute(db);
      return rows.map((r) => ({
        seq: Number(r.seq),
        kind: r.kind,
        at: new Date(r.at),
        cutoff: new Date(r.cutoff),
        seqs: r.seqs.map(Number),
        linksDigest: r.links_digest,
      }));
    },
  };
}
