// The back-office's shared settings of a site and procedure, and the agents' reserve:
//   * site_procedure: a procedure offered at a site (no row = offered, nothing reserved;
//     offered = false stops new slots of that procedure at that site — booked ones stay), and
//     the share of its new slots reserved for the phone / counter channel (0–100 %);
//   * slot.reserved_for_agents: set when the slot is created, never by the public journey —
//     online listing, booking and draws skip these slots, agents book them for callers.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table site_procedure (
      site_id text not null references site(id),
      procedure_id text not null references procedure(id),
      offered boolean not null default true,
      reserved_percent smallint not null default 0 check (reserved_percent between 0 and 100),
      primary key (site_id, procedure_id)
    )`.execute(db);
  await sql`alter table slot add column reserved_for_agents boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table slot drop column if exists reserved_for_agents`.execute(db);
  await sql`drop table if exists site_procedure`.execute(db);
}
