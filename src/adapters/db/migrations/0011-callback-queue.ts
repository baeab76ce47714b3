// The agents' call-back queue (issue 6 §5). The invariants, as constraints:
//   * callback_request.assigned_agent references the agent who took it (a uuid, not a name),
//     and only an enabled agent of the call-back's prefecture (or a national administrator)
//     can be its assignee (trigger callback_assignee_in_prefecture) — whatever the code does;
//   * callback_request.version counts the changes: every assignment or status change is one
//     conditional UPDATE "… where version = <what the agent saw>", so of two agents taking the
//     same call-back at once one wins and the other is told (409), never silently overwritten;
//   * callback_note is the history of what agents did and said (who, when, status before and
//     after, the note): append-only in practice (the application only inserts), deleted with
//     its call-back when the retention period purges it (on delete cascade).
// Earlier data: the table is empty in practice; still, a text assignee that is not an agent's
// id is kept as a note (and cleared), and free-text notes become the first history entry.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table callback_request add column version integer not null default 0 check (version >= 0)`.execute(
    db,
  );
  await sql`
    create table callback_note (
      id bigserial primary key,
      callback_id uuid not null references callback_request(id) on delete cascade,
      agent_id uuid references agent(id),
      at timestamptz not null,
      status_before text check (status_before in ('to_call', 'called', 'resolved', 'unreachable')),
      status_after text check (status_after in ('to_call', 'called', 'resolved', 'unreachable')),
      text text not null check (char_length(text) <= 1000)
    )`.execute(db);
  await sql`create index callback_note_callback on callback_note (callback_id, id)`.execute(db);

  // Earlier free-text notes and text assignees → history entries (agent unknown).
  await sql`
    insert into callback_note (callback_id, agent_id, at, text)
    select id, null, updated_at, left(notes, 1000) from callback_request where notes <> ''`.execute(db);
  await sql`
    insert into callback_note (callback_id, agent_id, at, text)
    select c.id, null, c.updated_at, left('Assigned before the queue existed: ' || c.assigned_agent, 1000)
    from callback_request c
    where c.assigned_agent is not null and not exists (select 1 from agent a where a.id::text = c.assigned_agent)`.execute(
    db,
  );
  await sql`
    update callback_request c set assigned_agent = null
    where c.assigned_agent is not null and not exists (select 1 from agent a where a.id::text = c.assigned_agent)`.execute(
    db,
  );
  await sql`alter table callback_request alter column assigned_agent type uuid using assigned_agent::uuid`.execute(db);
  await sql`alter table callback_request add constraint callback_request_assigned_agent_fk foreign key (assigned_agent) references agent(id)`.execute(
    db,
  );

  await sql`
    create function callback_assignee_in_prefecture() returns trigger language plpgsql as $$
    begin
      -- Checked when the assignee is set or changed: a call-back already given to an agent
      -- disabled since then can still be updated (its status, or given to someone else).
      if new.assigned_agent is null then
        return new;
      end if;
      if tg_op = 'UPDATE' then
        if new.assigned_agent is not distinct from old.assigned_agent then
          return new;
        end if;
      end if;
      if not exists (
        select 1 from agent a
        where a.id = new.assigned_agent and a.disabled_at is null
          and (a.role = 'admin' or a.prefecture_id = new.prefecture_id)
        -- Locks the agent's row: an assignment and the agent's disabling, at the same moment,
        -- run one after the other, and the later one sees the other's outcome.
        for share
      ) then
        raise exception 'the assignee of a call-back is an enabled agent of its prefecture'
          using errcode = '23514', constraint = 'callback_assignee_in_prefecture';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger callback_assignee_in_prefecture before insert or update of assigned_agent on callback_request
    for each row execute function callback_assignee_in_prefecture()`.execute(db);

  // "Assigned to me", and the purge of closed call-backs by their last change.
  await sql`create index callback_request_assignee on callback_request (assigned_agent, status, created_at) where assigned_agent is not null`.execute(
    db,
  );
  await sql`create index callback_request_closed on callback_request (updated_at) where status in ('resolved', 'unreachable')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists callback_request_closed`.execute(db);
  await sql`drop index if exists callback_request_assignee`.execute(db);
  await sql`drop trigger if exists callback_assignee_in_prefecture on callback_request`.execute(db);
  await sql`drop function if exists callback_assignee_in_prefecture()`.execute(db);
  await sql`alter table callback_request drop constraint if exists callback_request_assigned_agent_fk`.execute(db);
  await sql`alter table callback_request alter column assigned_agent type text using assigned_agent::text`.execute(db);
  await sql`drop table if exists callback_note`.execute(db);
  await sql`alter table callback_request drop column if exists version`.execute(db);
}
