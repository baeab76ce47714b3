-- prefectures.list
select "id", "name", "time_zone" from "prefecture" order by "id";
-- params: []

-- prefectures.get
select "id", "name", "time_zone" from "prefecture" where "id" = $1;
-- params: ["93"]

-- capacity.readings
select "time_zone" from "prefecture" where "id" = $1;
-- params: ["93"]
select "slot_minutes" from "procedure" where "id" = $1;
-- params: ["titre-sejour"]

-- capacity.sites
select "id", "name" from "site" where "prefecture_id" = $1 order by "name", "id";
-- params: ["93"]

-- capacity.procedures
select "id", "name_fr", "name_en" from "procedure" order by "name_fr", "id";
-- params: []

-- callerSearch.search
select "a"."id", "a"."reference", "a"."status", "si"."prefecture_id", "p"."time_zone", "a"."surname", "a"."given_names", "a"."birth_date", "a"."email", "a"."phone", "a"."channel", "a"."procedure_id", "pr"."name_fr", "pr"."name_en", "a"."site_id", "si"."name" as "site_name", "s"."starts_at", "s"."ends_at", "a"."created_at" from "appointment" as "a" inner join "slot" as "s" on "s"."id" = "a"."slot_id" inner join "site" as "si" on "si"."id" = "a"."site_id" inner join "prefecture" as "p" on "p"."id" = "si"."prefecture_id" inner join "procedure" as "pr" on "pr"."id" = "a"."procedure_id" where ("a"."reference" in ($1) or "a"."phone" in ($2) or "a"."email_key" in ($3) or "a"."agdref_number" in ($4) or "a"."passport_number" in ($5) or (regexp_replace(translate(lower("a"."surname" || "a"."given_names"), $6, $7), '[^[:alnum:]]', '', 'g') like $8 and regexp_replace(translate(lower("a"."surname" || "a"."given_names"), $9, $10), '[^[:alnum:]]', '', 'g') like $11)) and "si"."prefecture_id" = $12 order by upper(a.surname) collate "C", upper(a.given_names) collate "C", a.reference collate "C" limit $13;
-- params: ["K7M4-9XQ2-HT","0612345678","adupont@gmail.com","0751234567","AB123456","àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűýÿžźżš","aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuyyzzzs","%diallo%","àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűýÿžźżš","aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuyyzzzs","%aminata%","93",41]
select "r"."id", "r"."reference", (case when "r"."status" = 'waiting' and exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending') then 'offered' else "r"."status" end) as "status", "r"."prefecture_id", "p"."time_zone", "r"."surname", "r"."given_names", "r"."birth_date", "r"."email", "r"."phone", "r"."channel", "r"."procedure_id", "pr"."name_fr", "pr"."name_en", "r"."filed_at" from "allocation_request" as "r" inner join "prefecture" as "p" on "p"."id" = "r"."prefecture_id" inner join "procedure" as "pr" on "pr"."id" = "r"."procedure_id" where ("r"."reference" in ($1) or "r"."phone" in ($2) or "r"."email_key" in ($3) or "r"."agdref_number" in ($4) or "r"."passport_number" in ($5) or (regexp_replace(translate(lower("r"."surname" || "r"."given_names"), $6, $7), '[^[:alnum:]]', '', 'g') like $8 and regexp_replace(translate(lower("r"."surname" || "r"."given_names"), $9, $10), '[^[:alnum:]]', '', 'g') like $11)) and "r"."prefecture_id" = $12 order by upper(r.surname) collate "C", upper(r.given_names) collate "C", r.reference collate "C" limit $13;
-- params: ["K7M4-9XQ2-HT","0612345678","adupont@gmail.com","0751234567","AB123456","àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűýÿžźżš","aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuyyzzzs","%diallo%","àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűýÿžźżš","aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuyyzzzs","%aminata%","93",41]

-- callerSearch.findAppointment
select "a"."id", "a"."reference", "a"."status", "si"."prefecture_id", "p"."time_zone", "a"."surname", "a"."given_names", "a"."birth_date", "a"."email", "a"."phone", "a"."channel", "a"."procedure_id", "pr"."name_fr", "pr"."name_en", "a"."site_id", "si"."name" as "site_name", "s"."starts_at", "s"."ends_at", "a"."created_at" from "appointment" as "a" inner join "slot" as "s" on "s"."id" = "a"."slot_id" inner join "site" as "si" on "si"."id" = "a"."site_id" inner join "prefecture" as "p" on "p"."id" = "si"."prefecture_id" inner join "procedure" as "pr" on "pr"."id" = "a"."procedure_id" where "a"."id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- audit.insertAuditEvent
insert into "audit_event" ("at", "agent_id", "prefecture_id", "action", "target_type", "target_id", "before", "after", "ip") values ($1, $2, $3, $4, $5, $6, $7, $8, $9);
-- params: ["2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001","93","site.update","site","site-93","{\"a\":1}","{\"a\":2}","192.0.2.1"]

-- auditTrail.list
select "p"."time_zone", "e"."id", "e"."at", "e"."agent_id", "e"."prefecture_id", "e"."action", "e"."target_type", "e"."target_id", "e"."before", "e"."after", "e"."ip", "a"."email" as "agent_email", "a"."display_name" as "agent_name", case e.target_type when 'appointment' then (select x.reference from appointment x where x.id = e.target_id::uuid) when 'allocation_request' then (select x.reference from allocation_request x where x.id = e.target_id::uuid) when 'agent' then (select x.display_name from agent x where x.id = e.target_id::uuid) when 'site' then (select x.name from site x where x.id = e.target_id) when 'counter' then (select x.name from counter x where x.id = e.target_id) when 'procedure' then (select x.name_fr from procedure x where x.id = e.target_id) end as "target_label" from "audit_event" as "e" left join "agent" as "a" on "a"."id" = "e"."agent_id" left join "prefecture" as "p" on "p"."id" = "e"."prefecture_id" where "e"."prefecture_id" = $1 and "e"."at" >= $2 and "e"."at" < $3 and "e"."id" < $4 and e.agent_id::text = $5 and "e"."action" = $6 order by "e"."id" desc limit $7;
-- params: ["93","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","42","00000000-0000-4000-8000-000000000001","appointment.cancel_for_caller",50]

-- auditTrail.facets
select distinct "a"."id", "a"."display_name" from "audit_event" as "e" inner join "agent" as "a" on "a"."id" = "e"."agent_id" where "e"."prefecture_id" = $1 order by "a"."display_name", "a"."id";
-- params: ["93"]
select distinct "e"."action" from "audit_event" as "e" where "e"."prefecture_id" = $1 order by "e"."action";
-- params: ["93"]

-- sites.listInPrefecture
select * from "site" where "prefecture_id" = $1 order by "name";
-- params: ["93"]

-- sites.get
select * from "site" where "id" = $1;
-- params: ["site-93"]

-- sites.update
update "site" set "name" = $1, "address" = $2, "phone" = $3, "public_hours" = $4 where "id" = $5;
-- params: ["Bobigny","1 rue",null,null,"site-93"]

-- counters.listAtSite
select "c"."id", "c"."site_id", "s"."prefecture_id", "c"."name", "c"."active" from "counter" as "c" inner join "site" as "s" on "s"."id" = "c"."site_id" where "c"."site_id" = $1 order by "c"."name";
-- params: ["site-93"]

-- counters.get
select "c"."id", "c"."site_id", "s"."prefecture_id", "c"."name", "c"."active" from "counter" as "c" inner join "site" as "s" on "s"."id" = "c"."site_id" where "c"."id" = $1;
-- params: ["c-1"]

-- counters.insert
insert into "counter" ("id", "site_id", "name") values ('c-' || substr(md5(gen_random_uuid()::text), 1, 12), $1, $2) returning "id";
-- params: ["site-93","Guichet 3"]
-- stops: Error: no result

-- counters.update
update "counter" set "name" = $1, "active" = $2 where "id" = $3;
-- params: ["Guichet 1",false,"c-1"]

-- procedures.list
select "id", "name_fr", "name_en", "slot_minutes", "channel", "release_days_ahead", "release_time", "offer_hours", "max_ignored_offers", "max_declines" from "procedure" order by "name_fr";
-- params: []

-- procedures.get
select "id", "name_fr", "name_en", "slot_minutes", "channel", "release_days_ahead", "release_time", "offer_hours", "max_ignored_offers", "max_declines" from "procedure" where "id" = $1;
-- params: ["titre-sejour"]

-- procedures.updatePolicy
update "procedure" set "release_days_ahead" = $1, "release_time" = $2, "offer_hours" = $3, "max_ignored_offers" = $4, "max_declines" = $5 where "id" = $6;
-- params: [30,"08:00",48,2,3,"titre-sejour"]

-- siteOffers.listAtSite
select * from "site_procedure" where "site_id" = $1;
-- params: ["site-93"]

-- siteOffers.upsert
insert into "site_procedure" ("site_id", "procedure_id", "offered", "reserved_percent") values ($1, $2, $3, $4) on conflict ("site_id", "procedure_id") do update set "offered" = $5, "reserved_percent" = $6;
-- params: ["site-93","titre-sejour",true,20,true,20]

-- openingRules.listAtCounter
select "r"."id", "r"."counter_id", "c"."site_id", "s"."prefecture_id", "r"."procedure_id", "r"."weekdays", "r"."valid_from", "r"."valid_until", "r"."windows", "r"."slot_minutes" from "opening_rule" as "r" inner join "counter" as "c" on "c"."id" = "r"."counter_id" inner join "site" as "s" on "s"."id" = "c"."site_id" where "r"."counter_id" = $1 order by "r"."valid_from", "r"."procedure_id";
-- params: ["c-1"]

-- openingRules.get
select "r"."id", "r"."counter_id", "c"."site_id", "s"."prefecture_id", "r"."procedure_id", "r"."weekdays", "r"."valid_from", "r"."valid_until", "r"."windows", "r"."slot_minutes" from "opening_rule" as "r" inner join "counter" as "c" on "c"."id" = "r"."counter_id" inner join "site" as "s" on "s"."id" = "c"."site_id" where "r"."id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- openingRules.insert
insert into "opening_rule" ("counter_id", "procedure_id", "weekdays", "valid_from", "valid_until", "windows", "slot_minutes") values ($1, $2, $3, $4, $5, $6, $7) returning "id";
-- params: ["c-1","titre-sejour",[1,2],"2026-07-01",null,"[{\"start\":\"09:00\",\"end\":\"12:00\"}]",20]
-- stops: Error: no result

-- openingRules.setEnd
update "opening_rule" set "valid_until" = $1 where "id" = $2;
-- params: ["2026-08-01","00000000-0000-4000-8000-000000000001"]

-- openingRules.delete
delete from "opening_rule" where "id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- exceptionalOpenings.listAtCounterFrom
select "e"."id", "e"."counter_id", "c"."site_id", "s"."prefecture_id", "e"."procedure_id", "e"."date", "e"."windows", "e"."slot_minutes" from "exceptional_opening" as "e" inner join "counter" as "c" on "c"."id" = "e"."counter_id" inner join "site" as "s" on "s"."id" = "c"."site_id" where "e"."counter_id" = $1 and "e"."date" >= $2 order by "e"."date";
-- params: ["c-1","2026-07-01"]

-- exceptionalOpenings.get
select "e"."id", "e"."counter_id", "c"."site_id", "s"."prefecture_id", "e"."procedure_id", "e"."date", "e"."windows", "e"."slot_minutes" from "exceptional_opening" as "e" inner join "counter" as "c" on "c"."id" = "e"."counter_id" inner join "site" as "s" on "s"."id" = "c"."site_id" where "e"."id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- exceptionalOpenings.insert
insert into "exceptional_opening" ("counter_id", "procedure_id", "date", "windows", "slot_minutes") values ($1, $2, $3, $4, $5) returning "id";
-- params: ["c-1","titre-sejour","2026-07-04","[{\"start\":\"09:00\",\"end\":\"12:00\"}]",20]
-- stops: Error: no result

-- exceptionalOpenings.delete
delete from "exceptional_opening" where "id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- closures.listAtSiteFrom
select * from "closure" where "site_id" = $1 and "date_to" >= $2 order by "date_from";
-- params: ["site-93","2026-07-01"]

-- closures.insert
insert into "closure" ("site_id", "counter_id", "date_from", "date_to", "reason") values ($1, $2, $3, $4, $5) returning "id";
-- params: ["site-93",null,"2026-07-01","2026-07-02","Travaux"]
-- stops: Error: no result

-- drawSchedules.get
select * from "draw_schedule" where "prefecture_id" = $1;
-- params: ["93"]

-- drawSchedules.upsert
insert into "draw_schedule" ("prefecture_id", "daily_at") values ($1, $2) on conflict ("prefecture_id") do update set "daily_at" = $3;
-- params: ["93","06:00","06:00"]

-- drawCadences.listInPrefecture
select "prefecture_id", "procedure_id", "every_minutes", "from_time", "until_time" from "draw_cadence" where "prefecture_id" = $1 order by "procedure_id";
-- params: ["93"]

-- drawCadences.get
select "prefecture_id", "procedure_id", "every_minutes", "from_time", "until_time" from "draw_cadence" where "prefecture_id" = $1 and "procedure_id" = $2;
-- params: ["93","titre-sejour"]

-- drawCadences.upsert
insert into "draw_cadence" ("prefecture_id", "procedure_id", "every_minutes", "from_time", "until_time") values ($1, $2, $3, $4, $5) on conflict ("prefecture_id", "procedure_id") do update set "every_minutes" = $6, "from_time" = $7, "until_time" = $8;
-- params: ["93","titre-sejour",60,"09:00","18:00",60,"09:00","18:00"]

-- drawCadences.delete
delete from "draw_cadence" where "prefecture_id" = $1 and "procedure_id" = $2;
-- params: ["93","titre-sejour"]

-- settings.emailCap
select "value" from "app_setting" where "name" = $1;
-- params: ["max_active_appointments_per_email"]

-- settings.setEmailCap
update "app_setting" set "value" = $1, "edited_at" = $2 where "name" = $3;
-- params: [3,"2026-07-01T08:00:00.000Z","max_active_appointments_per_email"]

-- futureSlots.loadSchedule
select "time_zone" from "prefecture" where "id" = $1;
-- params: ["93"]
-- stops: Error: no result

-- futureSlots.listFrom
select s.id, s.counter_id, s.procedure_id, s.starts_at, s.ends_at, s.released_at, s.status, s.reserved_for_agents, (exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled') or exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')) as held from slot s join site si on si.id = s.site_id where si.prefecture_id = $1 and s.local_date between $2::date and $3::date and s.starts_at > $4 for update of s;
-- params: ["93","2026-07-01","2026-07-14","2026-07-01T08:00:00.000Z"]

-- futureSlots.applyPlan
update "slot" set "status" = $1 where "id" in ($2) and "status" = $3;
-- params: ["withdrawn","00000000-0000-4000-8000-000000000001","open"]
update "slot" set "status" = $1, "procedure_id" = $2, "ends_at" = $3, "released_at" = $4, "local_date" = $5, "reserved_for_agents" = $6 where "id" = $7;
-- params: ["open","titre-sejour","2026-07-01T08:20:00.000Z","2026-07-01T08:00:00.000Z","2026-07-01",false,"00000000-0000-4000-8000-000000000002"]
insert into "slot" ("site_id", "counter_id", "procedure_id", "starts_at", "ends_at", "local_date", "released_at", "reserved_for_agents") values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing;
-- params: ["site-93","c-1","titre-sejour","2026-07-01T08:00:00.000Z","2026-07-01T08:20:00.000Z","2026-07-01","2026-07-01T08:00:00.000Z",false]

-- futureSlots.withdrawInRange
update "slot" set "status" = $1 where "site_id" = $2 and "status" = $3 and "local_date" >= $4 and "local_date" <= $5 and "counter_id" = $6 returning "id";
-- params: ["withdrawn","site-93","open","2026-07-01","2026-07-02","c-1"]

-- appointments.bookedOnSlots
select a.id, a.reference, a.slot_id, s.counter_id, a.procedure_id, s.starts_at, s.ends_at, p.time_zone, a.surname, a.given_names, a.email, a.phone, a.language, a.reschedule_count, a.site_id, si.name as site_name, si.address as site_address, pr.name_fr, pr.name_en, o.request_id, r.reference as request_reference from appointment a join slot s on s.id = a.slot_id join site si on si.id = a.site_id join prefecture p on p.id = si.prefecture_id join procedure pr on pr.id = a.procedure_id left join offer o on o.appointment_id = a.id and o.status = 'confirmed' left join allocation_request r on r.id = o.request_id where a.status = 'booked' and a.slot_id = any($1::uuid[]) order by s.starts_at, s.counter_id for update of a;
-- params: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"]]

-- appointments.cancel
update "appointment" set "status" = $1, "cancelled_at" = $2, "updated_at" = $3 where "id" in ($4) and "status" = $5;
-- params: ["cancelled","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001","booked"]

-- appointments.moveToOtherCounters
select a.id, a.reference, a.slot_id, s.starts_at, p.time_zone, a.surname, a.given_names from appointment a join slot s on s.id = a.slot_id join site si on si.id = a.site_id join prefecture p on p.id = si.prefecture_id where a.status = 'booked' and a.slot_id = any($1::uuid[]) order by s.starts_at, a.reference for update of a;
-- params: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"]]

-- offers.withdrawOnSlots
with withdrawn as ( update offer set status = 'withdrawn', decided_at = $1 where slot_id = any($2::uuid[]) and status = 'pending' returning request_id) update allocation_request r set updated_at = $3 from withdrawn w where r.id = w.request_id and r.status = 'waiting' returning r.id as request_id;
-- params: ["2026-07-01T08:00:00.000Z",["00000000-0000-4000-8000-000000000001"],"2026-07-01T08:00:00.000Z"]

-- requests.requeueAfterClosure
update "allocation_request" set "status" = $1, "updated_at" = $2, "closed_at" = $3, "paused_at" = $4, "urgency_date" = $5, "urgency_source" = $6, "urgency_status" = $7, "urgency_reviewed_by" = $8, "urgency_reviewed_at" = $9, "urgency_review_reason" = $10 where "id" = $11;
-- params: ["waiting","2026-07-01T08:00:00.000Z",null,null,"2026-06-30","closure","confirmed",null,null,null,"00000000-0000-4000-8000-000000000001"]

-- requests.fileAfterClosure
insert into allocation_request (reference, prefecture_id, procedure_id, site_ids, surname, given_names, birth_date, nationality, email, email_key, agdref_number, passport_number, identity_key, management_token_hash, channel, language, queued_on, urgency_date, urgency_source, urgency_status, document_country, identity_attributes_hash, phone, name_key, filed_at, updated_at) select $1, si.prefecture_id, a.procedure_id, array[a.site_id], a.surname, a.given_names, a.birth_date, a.nationality, a.email, a.email_key, a.agdref_number, a.passport_number, a.identity_key, $2, a.channel, a.language, $3::date, $4::date, 'closure', 'confirmed', a.document_country, a.identity_attributes_hash, a.phone, a.name_key, $5, $6 from appointment a join site si on si.id = a.site_id where a.id = $7 and a.email is not null returning id;
-- params: ["ABCD-EFGH-JK","hash","2026-07-01","2026-06-30","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001"]
-- stops: TypeError: Cannot read properties of undefined (reading 'id')

-- accounts.findByEmail
select * from "agent" where lower(email) = $1;
-- params: ["agent@example.org"]

-- accounts.findById
select * from "agent" where "id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- accounts.list
select "id", "email", "display_name", "role", "prefecture_id", "disabled_at", "created_at" from "agent" where "prefecture_id" = $1 and "disabled_at" is null order by case role when 'admin' then 0 when 'supervisor' then 1 else 2 end, "display_name", "id" limit $2;
-- params: ["93",100]

-- accounts.insert
insert into "agent" ("email", "display_name", "password_hash", "totp_secret", "role", "prefecture_id", "created_at") values ($1, $2, $3, $4, $5, $6, $7) returning "id";
-- params: ["agent@example.org","Agent","$argon2id$hash","sealed:SECRET","counter","93","2026-07-01T08:00:00.000Z"]
-- stops: Error: no result

-- accounts.recordLoginSuccess
update "agent" set "failed_attempts" = $1, "locked_until" = $2, "last_totp_step" = $3 where "id" = $4 and ("last_totp_step" is null or "last_totp_step" < $5);
-- params: [0,null,42,"00000000-0000-4000-8000-000000000001","42"]

-- accounts.disable
update "agent" set "disabled_at" = $1 where "id" = $2 and "disabled_at" is null;
-- params: ["2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001"]

-- accounts.replaceTotpSecret
update "agent" set "totp_secret" = $1, "last_totp_step" = $2, "failed_attempts" = $3, "locked_until" = $4 where "id" = $5;
-- params: ["sealed:SECRET",null,0,null,"00000000-0000-4000-8000-000000000001"]

-- sessions.find
select "s"."id", "s"."agent_id", "s"."created_at", "s"."last_seen_at", "s"."expires_at", "s"."revoked_at", "s"."ip", "s"."user_agent", "a"."email", "a"."display_name", "a"."role", "a"."prefecture_id", "a"."disabled_at", "a"."created_at" as "agent_created_at" from "agent_session" as "s" inner join "agent" as "a" on "a"."id" = "s"."agent_id" where "s"."id" = $1;
-- params: ["digest"]

-- sessions.touch
update "agent_session" set "last_seen_at" = $1 where "id" = $2 and "last_seen_at" < $3;
-- params: ["2026-07-01T08:00:00.000Z","digest","2026-07-01T08:00:00.000Z"]

-- sessions.insert
insert into "agent_session" ("id", "agent_id", "created_at", "last_seen_at", "expires_at", "revoked_at", "ip", "user_agent") values ($1, $2, $3, $4, $5, $6, $7, $8);
-- params: ["digest","00000000-0000-4000-8000-000000000001","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z",null,"192.0.2.1","test"]

-- sessions.revoke
update "agent_session" set "revoked_at" = $1 where "id" = $2 and "revoked_at" is null;
-- params: ["2026-07-01T08:00:00.000Z","digest"]

-- sessions.revokeAllOf
update "agent_session" set "revoked_at" = $1 where "agent_id" = $2 and "revoked_at" is null;
-- params: ["2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001"]

-- callbacks.releaseAssignedTo
update "callback_request" set "assigned_agent" = $1, "version" = "version" + $2, "updated_at" = $3 where "assigned_agent" = $4 and "status" in ($5, $6);
-- params: [null,1,"2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001","to_call","called"]

-- queues.listScheduled
select p.id as prefecture_id, p.time_zone, pr.id as procedure_id, ds.daily_at, dc.every_minutes, dc.from_time, dc.until_time from prefecture p cross join procedure pr left join draw_schedule ds on ds.prefecture_id = p.id left join draw_cadence dc on dc.prefecture_id = p.id and dc.procedure_id = pr.id where pr.channel = 'appointment' and (exists (select 1 from opening_rule o join counter c on c.id = o.counter_id join site si on si.id = c.site_id where si.prefecture_id = p.id and o.procedure_id = pr.id) or exists (select 1 from exceptional_opening e join counter c on c.id = e.counter_id join site si on si.id = c.site_id where si.prefecture_id = p.id and e.procedure_id = pr.id) or exists (select 1 from allocation_request r where r.prefecture_id = p.id and r.procedure_id = pr.id and ("r"."status" = 'waiting' and not exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending')))) order by p.id, pr.id;
-- params: []

-- queues.get
select p.id as prefecture_id, p.time_zone, pr.id as procedure_id, ds.daily_at, dc.every_minutes, dc.from_time, dc.until_time from prefecture p cross join procedure pr left join draw_schedule ds on ds.prefecture_id = p.id left join draw_cadence dc on dc.prefecture_id = p.id and dc.procedure_id = pr.id where pr.channel = 'appointment' and p.id = $1 and pr.id = $2 and (exists (select 1 from opening_rule o join counter c on c.id = o.counter_id join site si on si.id = c.site_id where si.prefecture_id = p.id and o.procedure_id = pr.id) or exists (select 1 from exceptional_opening e join counter c on c.id = e.counter_id join site si on si.id = c.site_id where si.prefecture_id = p.id and e.procedure_id = pr.id) or exists (select 1 from allocation_request r where r.prefecture_id = p.id and r.procedure_id = pr.id and ("r"."status" = 'waiting' and not exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending')))) order by p.id, pr.id;
-- params: ["93","titre-sejour"]

-- drawProcedures.get
select * from "procedure" where "id" = $1;
-- params: ["titre-sejour"]

-- draws.exists
select "id" from "draw" where "prefecture_id" = $1 and "procedure_id" = $2 and "tick" = $3;
-- params: ["93","titre-sejour","2026-07-01T08:00:00.000Z"]

-- draws.get
select * from "draw" where "id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- draws.assignments
select "request_id", "slot_id" from "offer" where "draw_id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- draws.claimTick
insert into "draw" ("prefecture_id", "procedure_id", "tick", "trigger", "allocation_order", "seed", "input_digest", "result_digest", "input_snapshot", "requests_count", "slots_count", "assigned_count", "started_at", "finished_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict on constraint "draw_once_per_tick" do nothing returning "id";
-- params: ["93","titre-sejour","2026-07-01T08:00:00.000Z","daily","lottery","seed","","",{"type":"Buffer","data":[]},0,0,0,"2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z"]

-- draws.published
select "id", "prefecture_id", "procedure_id", "tick", "trigger", "seed", "input_digest", "result_digest", "requests_count", "slots_count", "assigned_count", "opened_count", "started_at", "finished_at", "commitment", "secret", "committed_at", "closing_digest" from "draw" where "prefecture_id" = $1 and "result_digest" <> $2 order by "tick" desc, "id" limit $3;
-- params: ["93","",20]

-- draws.upcomingCommitments
select "c"."prefecture_id", "c"."procedure_id", "c"."tick", "c"."commitment", "c"."committed_at" from "draw_commitment" as "c" where "c"."prefecture_id" = $1 and "c"."tick" >= $2 and not exists (select "d"."id" from "draw" as "d" where "d"."prefecture_id" = "c"."prefecture_id" and "d"."procedure_id" = "c"."procedure_id" and "d"."tick" = "c"."tick") order by "c"."tick", "c"."procedure_id";
-- params: ["93","2026-07-01T08:00:00.000Z"]

-- draws.drawsOfRequest
select "r"."id" as "request_id", "d"."id" as "draw_id", "d"."tick", "d"."secret" from "allocation_request" as "r" inner join "draw" as "d" on "d"."prefecture_id" = "r"."prefecture_id" and "d"."procedure_id" = "r"."procedure_id" where "r"."management_token_hash" = $1 and "d"."result_digest" <> $2 and "d"."started_at" >= "r"."filed_at" and ("r"."closed_at" is null or "d"."started_at" <= "r"."closed_at") order by "d"."tick" desc, "d"."id" limit $3;
-- params: ["digest","",20]

-- draws.ensure
insert into "draw_commitment" ("prefecture_id", "procedure_id", "tick", "secret", "commitment", "committed_at") values ($1, $2, $3, $4, $5, $6) on conflict ("prefecture_id", "procedure_id", "tick") do nothing;
-- params: ["93","titre-sejour","2026-07-01T08:00:00.000Z","aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","2026-07-01T08:00:00.000Z"]
select * from "draw_commitment" where "prefecture_id" = $1 and "procedure_id" = $2 and "tick" = $3;
-- params: ["93","titre-sejour","2026-07-01T08:00:00.000Z"]
-- stops: Error: no result

-- draws.lockQueue
select pg_advisory_xact_lock(hashtextextended($1, 0));
-- params: ["creneau:draw:93:titre-sejour"]

-- draws.previousStart
select "started_at" from "draw" where "prefecture_id" = $1 and "procedure_id" = $2 and "id" <> $3 order by "started_at" desc limit $4;
-- params: ["93","titre-sejour","00000000-0000-4000-8000-000000000001",1]

-- draws.finish
update "draw" set "seed" = $1, "commitment" = $2, "secret" = $3, "committed_at" = $4, "closing_digest" = $5, "input_digest" = $6, "result_digest" = $7, "input_snapshot" = $8, "requests_count" = $9, "slots_count" = $10, "assigned_count" = $11, "opened_count" = $12, "finished_at" = $13 where "id" = $14;
-- params: ["seed","c","s","2026-07-01T08:00:00.000Z","closed","in","out",{"type":"Buffer","data":[]},1,1,1,0,"2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001"]
select queue_tally_fold(prefecture_id, procedure_id) from draw where id = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- requests.findByToken
select r.id as r_id, r.reference as r_reference, (case when "r"."status" = 'waiting' and exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending') then 'offered' else "r"."status" end) as r_status, r.prefecture_id as r_prefecture_id, r.procedure_id as r_procedure_id, r.surname as r_surname, r.given_names as r_given_names, r.birth_date as r_birth_date, r.nationality as r_nationality, r.email as r_email, r.phone as r_phone, r.email_key as r_email_key, r.agdref_number as r_agdref_number, r.passport_number as r_passport_number, r.identity_key as r_identity_key, r.management_token_hash as r_management_token_hash, r.channel as r_channel, r.language as r_language, r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, r.filed_at as r_filed_at, r.document_country as r_document_country, r.identity_attributes_hash as r_identity_attributes_hash from allocation_request r where r.management_token_hash = $1;
-- params: ["digest"]

-- requests.waiting
select o.request_id from offer o join allocation_request r on r.id = o.request_id where o.status = 'declined' and o.decided_at > $1 and r.prefecture_id = $2 and r.procedure_id = $3;
-- params: ["2026-07-01T08:00:00.000Z","93","titre-sejour"]
declare "draw_waiting_requests" no scroll cursor for select id, queued_on, case when urgency_status = 'confirmed' then urgency_date end as urgency_date, site_ids::text as sites, weekdays::text as days, half_days::text as halves from allocation_request r where prefecture_id = $1 and procedure_id = $2 and ("r"."status" = 'waiting' and not exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending')) and not (review_state = 'held' and lapses_at > $3);
-- params: ["93","titre-sejour","2026-07-01T08:00:00.000Z"]
fetch forward 20000 from "draw_waiting_requests";
-- params: []
close "draw_waiting_requests";
-- params: []

-- requests.lockByToken
select r.id as r_id, r.reference as r_reference, (case when "r"."status" = 'waiting' and exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending') then 'offered' else "r"."status" end) as r_status, r.prefecture_id as r_prefecture_id, r.procedure_id as r_procedure_id, r.surname as r_surname, r.given_names as r_given_names, r.birth_date as r_birth_date, r.nationality as r_nationality, r.email as r_email, r.phone as r_phone, r.email_key as r_email_key, r.agdref_number as r_agdref_number, r.passport_number as r_passport_number, r.identity_key as r_identity_key, r.management_token_hash as r_management_token_hash, r.channel as r_channel, r.language as r_language, r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, r.filed_at as r_filed_at, r.document_country as r_document_country, r.identity_attributes_hash as r_identity_attributes_hash from allocation_request r where r.management_token_hash = $1 for update;
-- params: ["digest"]

-- requests.update
update "allocation_request" set "status" = $1, "updated_at" = $2, "declined_count" = $3, "queued_on" = $4, "paused_at" = $5 where "id" = $6;
-- params: ["waiting","2026-07-01T08:00:00.000Z",1,"2026-07-01",null,"00000000-0000-4000-8000-000000000001"]

-- requests.settle
update allocation_request r set status = t.status, declined_count = coalesce(t.declined_count, r.declined_count), ignored_count = coalesce(t.ignored_count, r.ignored_count), closed_at = case when t.status = 'closed' then $1::timestamptz else r.closed_at end, paused_at = case when t.status = 'paused' then $2::timestamptz else r.paused_at end, updated_at = $3 from unnest($4::uuid[], $5::text[], $6::int[], $7::int[]) as t(id, status, declined_count, ignored_count) where r.id = t.id;
-- params: ["2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z",["00000000-0000-4000-8000-000000000001"],["waiting"],[1],[null]]

-- slots.freeForDraw
declare "draw_free_slots" no scroll cursor for select s.id, s.site_id, (extract(epoch from s.starts_at) * 1000)::float8 as starts_ms, extract(isodow from s.starts_at at time zone p.time_zone)::int as weekday, (extract(hour from s.starts_at at time zone p.time_zone) * 60 + extract(minute from s.starts_at at time zone p.time_zone))::int as minute from slot s join site si on si.id = s.site_id join prefecture p on p.id = si.prefecture_id where si.prefecture_id = $1 and s.procedure_id = $2 and s.status = 'open' and s.released_at <= $3 and (s.available_since <= $4 or (s.available_since > s.released_at and s.available_since <= $5)) and s.starts_at >= $6 and not s.reserved_for_agents -- the agents' reserve is booked by phone or at the counter, never drawn and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled') and not exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending');
-- params: ["93","titre-sejour","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z"]
fetch forward 20000 from "draw_free_slots";
-- params: []
close "draw_free_slots";
-- params: []

-- slots.settleLeftovers
select exists (select 1 from allocation_request r where prefecture_id = $1 and procedure_id = $2 and ("r"."status" = 'waiting' and not exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending'))) as waiting;
-- params: ["93","titre-sejour"]
-- stops: TypeError: Cannot read properties of undefined (reading 'waiting')

-- slots.free
update "slot" set "available_since" = $1, "opened_at" = $2, "opened_by_draw" = $3 where "id" = $4;
-- params: ["2026-07-01T08:00:00.000Z",null,null,"00000000-0000-4000-8000-000000000001"]

-- offers.latestOf
select o.id as o_id, o.draw_id as o_draw_id, o.request_id as o_request_id, o.status as o_status, o.expires_at as o_expires_at, o.extended as o_extended, o.created_at as o_created_at, o.decided_at as o_decided_at, o.appointment_id as o_appointment_id, s.id as s_id, s.starts_at as s_starts_at, s.ends_at as s_ends_at, s.local_date as s_local_date, si.id as si_id, si.name as si_name, si.address as si_address, p.time_zone as p_time_zone, pr.id as pr_id, pr.name_fr as pr_name_fr, pr.name_en as pr_name_en, pr.channel as pr_channel, pr.offer_hours as pr_offer_hours, pr.max_ignored_offers as pr_max_ignored_offers, pr.max_declines as pr_max_declines, pr.urgent_within_days as pr_urgent_within_days from offer o join slot s on s.id = o.slot_id join site si on si.id = s.site_id join prefecture p on p.id = si.prefecture_id join procedure pr on pr.id = s.procedure_id where o.request_id = $1 order by o.created_at desc, o.id desc limit 1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- offers.lockLatestOf
select o.id as o_id, o.draw_id as o_draw_id, o.request_id as o_request_id, o.status as o_status, o.expires_at as o_expires_at, o.extended as o_extended, o.created_at as o_created_at, o.decided_at as o_decided_at, o.appointment_id as o_appointment_id, s.id as s_id, s.starts_at as s_starts_at, s.ends_at as s_ends_at, s.local_date as s_local_date, si.id as si_id, si.name as si_name, si.address as si_address, p.time_zone as p_time_zone, pr.id as pr_id, pr.name_fr as pr_name_fr, pr.name_en as pr_name_en, pr.channel as pr_channel, pr.offer_hours as pr_offer_hours, pr.max_ignored_offers as pr_max_ignored_offers, pr.max_declines as pr_max_declines, pr.urgent_within_days as pr_urgent_within_days from offer o join slot s on s.id = o.slot_id join site si on si.id = s.site_id join prefecture p on p.id = si.prefecture_id join procedure pr on pr.id = s.procedure_id where o.request_id = $1 order by o.created_at desc, o.id desc limit 1 for update of o;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- offers.record
select set_config('work_mem', '128MB', true), set_config('plan_cache_mode', 'force_custom_plan', true);
-- params: []
insert into offer (id, draw_id, request_id, slot_id, expires_at, status, created_at) select ($1 || substr(n, 1, 3) || '8' || substr(n, 4, 4) || $2)::uuid, $3::uuid, request_id, slot_id, to_timestamp(expires_ms / 1000), 'pending', $4::timestamptz from (select still_waiting.*, lpad(to_hex(row_number() over (order by request_id)), 7, '0') as n from (select t.* from unnest($5::uuid[], $6::uuid[], $7::float8[]) as t(request_id, slot_id, expires_ms) join allocation_request r on r.id = t.request_id where r.status = 'waiting' for share of r) as still_waiting) as numbered order by request_id;
-- params: ["019f1cb128007","00000000001","00000000-0000-4000-8000-000000000001","2026-07-01T08:00:00.000Z","{00000000-0000-4000-8000-000000000001}","{00000000-0000-4000-8000-000000000002}","{1782892800000}"]
insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at, decided_at) select $1::uuid, t.request_id, t.slot_id, to_timestamp(t.expires_ms / 1000), 'withdrawn', $2::timestamptz, $3::timestamptz from unnest($4::uuid[], $5::uuid[], $6::float8[]) as t(request_id, slot_id, expires_ms) where not exists (select 1 from offer o where o.draw_id = $7::uuid and o.request_id = t.request_id);
-- params: ["00000000-0000-4000-8000-000000000001","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","{00000000-0000-4000-8000-000000000001}","{00000000-0000-4000-8000-000000000002}","{1782892800000}","00000000-0000-4000-8000-000000000001"]

-- fraud.requestFacts
with s as (select identity_key, email_key, network, email_domain, phone, device_digest, name_key from allocation_request where id = $1::uuid) select (select count(*)::int from (select 1 from allocation_request x, s where s.network is not null and x.network = s.network and x.channel = 'online' and x.filed_at > $2 and x.filed_at <= $3 limit $4) counted) as network_burst, (select least(count(distinct k), $5)::int from ( select x.identity_key as k from allocation_request x, s where s."email_domain" is not null and x."email_domain" = s."email_domain" and x.filed_at > $6 and x.filed_at <= $7 union all select a.identity_key from appointment a, s where s."email_domain" is not null and a."email_domain" = s."email_domain" and a.created_at > $8 and a.created_at <= $9 limit $10) counted) as email_domain_crowd, (select least(count(distinct k), $11)::int from ( select x.identity_key as k from allocation_request x, s where s."phone" is not null and x."phone" = s."phone" and x.filed_at > $12 and x.filed_at <= $13 union all select a.identity_key from appointment a, s where s."phone" is not null and a."phone" = s."phone" and a.created_at > $14 and a.created_at <= $15 limit $16) counted) as shared_phone, (select least(count(distinct k), $17)::int from ( select x.identity_key as k from allocation_request x, s where s."device_digest" is not null and x."device_digest" = s."device_digest" and x.filed_at > $18 and x.filed_at <= $19 union all select a.identity_key from appointment a, s where s."device_digest" is not null and a."device_digest" = s."device_digest" and a.created_at > $20 and a.created_at <= $21 limit $22) counted) as shared_device, (select count(*)::int from churn_event c, s where c.identity_key = s.identity_key and c.at > $23 and c.at <= $24) as churn, (select count(*)::int from offer o join allocation_request x on x.id = o.request_id, s where x.identity_key = s.identity_key and o.status = 'expired' and o.decided_at > $25 and o.decided_at <= $26) as ignored_offers, (select count(*)::int from (select 1 from appointment a, s where a.identity_refused_at > $27 and a.identity_refused_at <= $28 and (a.identity_key = s.identity_key or a.email_key = s.email_key or a.phone = s.phone or a.network = s.network) limit $29) counted) as identity_refused, (select count(*)::int from appointment a, s where a.identity_key = s.identity_key and a.no_show_at > $30 and a.no_show_at <= $31) as no_shows, (select least(count(distinct k), $32)::int from ( select x.identity_key as k from allocation_request x, s where x.name_key = s.name_key and x.status in ('waiting', 'offered', 'paused') and x.identity_key <> s.identity_key union all select a.identity_key from appointment a, s where a.name_key = s.name_key and a.status in ('booked', 'arrived') and a.identity_key <> s.identity_key limit $33) counted) as likely_duplicate from s;
-- params: ["00000000-0000-4000-8000-000000000001","2026-06-30T08:00:00.000Z","2026-07-01T08:00:00.000Z",200,200,"2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z",800,200,"2026-04-02T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-04-02T08:00:00.000Z","2026-07-01T08:00:00.000Z",800,200,"2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z",800,"2026-04-02T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-01-02T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-01-02T08:00:00.000Z","2026-07-01T08:00:00.000Z",200,"2026-01-02T08:00:00.000Z","2026-07-01T08:00:00.000Z",200,800]
-- stops: Error: no request 00000000-0000-4000-8000-000000000001

-- fraud.appointmentFacts
with s as (select identity_key, email_key, network, email_domain, phone, device_digest, name_key from appointment where id = $1::uuid) select (select count(*)::int from (select 1 from appointment x, s where s.network is not null and x.network = s.network and x.channel = 'online' and x.created_at > $2 and x.created_at <= $3 limit $4) counted) as network_burst, (select least(count(distinct k), $5)::int from ( select x.identity_key as k from allocation_request x, s where s."email_domain" is not null and x."email_domain" = s."email_domain" and x.filed_at > $6 and x.filed_at <= $7 union all select a.identity_key from appointment a, s where s."email_domain" is not null and a."email_domain" = s."email_domain" and a.created_at > $8 and a.created_at <= $9 limit $10) counted) as email_domain_crowd, (select least(count(distinct k), $11)::int from ( select x.identity_key as k from allocation_request x, s where s."phone" is not null and x."phone" = s."phone" and x.filed_at > $12 and x.filed_at <= $13 union all select a.identity_key from appointment a, s where s."phone" is not null and a."phone" = s."phone" and a.created_at > $14 and a.created_at <= $15 limit $16) counted) as shared_phone, (select least(count(distinct k), $17)::int from ( select x.identity_key as k from allocation_request x, s where s."device_digest" is not null and x."device_digest" = s."device_digest" and x.filed_at > $18 and x.filed_at <= $19 union all select a.identity_key from appointment a, s where s."device_digest" is not null and a."device_digest" = s."device_digest" and a.created_at > $20 and a.created_at <= $21 limit $22) counted) as shared_device, (select count(*)::int from churn_event c, s where c.identity_key = s.identity_key and c.at > $23 and c.at <= $24) as churn, (select count(*)::int from offer o join allocation_request x on x.id = o.request_id, s where x.identity_key = s.identity_key and o.status = 'expired' and o.decided_at > $25 and o.decided_at <= $26) as ignored_offers, (select count(*)::int from (select 1 from appointment a, s where a.identity_refused_at > $27 and a.identity_refused_at <= $28 and (a.identity_key = s.identity_key or a.email_key = s.email_key or a.phone = s.phone or a.network = s.network) limit $29) counted) as identity_refused, (select count(*)::int from appointment a, s where a.identity_key = s.identity_key and a.no_show_at > $30 and a.no_show_at <= $31) as no_shows, (select least(count(distinct k), $32)::int from ( select x.identity_key as k from allocation_request x, s where x.name_key = s.name_key and x.status in ('waiting', 'offered', 'paused') and x.identity_key <> s.identity_key union all select a.identity_key from appointment a, s where a.name_key = s.name_key and a.status in ('booked', 'arrived') and a.identity_key <> s.identity_key limit $33) counted) as likely_duplicate from s;
-- params: ["00000000-0000-4000-8000-000000000001","2026-06-30T08:00:00.000Z","2026-07-01T08:00:00.000Z",200,200,"2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z",800,200,"2026-04-02T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-04-02T08:00:00.000Z","2026-07-01T08:00:00.000Z",800,200,"2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-06-01T08:00:00.000Z","2026-07-01T08:00:00.000Z",800,"2026-04-02T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-01-02T08:00:00.000Z","2026-07-01T08:00:00.000Z","2026-01-02T08:00:00.000Z","2026-07-01T08:00:00.000Z",200,"2026-01-02T08:00:00.000Z","2026-07-01T08:00:00.000Z",200,800]
-- stops: Error: no appointment 00000000-0000-4000-8000-000000000001

-- fraud.lockScoredRequest
select "r"."id", "r"."reference", "r"."prefecture_id", "p"."name" as "prefecture_name", "p"."time_zone", (case when "r"."status" = 'waiting' and exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending') then 'offered' else "r"."status" end) as "status", "r"."review_state", "r"."cleared_kinds", "r"."lapses_at", "r"."fraud_score", "r"."email", "r"."language", "r"."given_names", "r"."surname", "pr"."name_fr", "pr"."name_en" from "allocation_request" as "r" inner join "prefecture" as "p" on "p"."id" = "r"."prefecture_id" inner join "procedure" as "pr" on "pr"."id" = "r"."procedure_id" where "r"."id" = $1 for update of "r";
-- params: ["00000000-0000-4000-8000-000000000001"]

-- fraud.recordRequestScore
with updated as (update allocation_request set fraud_score = $1, fraud_reasons = $2::jsonb , review_state = 'held', held_at = $3, lapses_at = $4 where id = $5::uuid returning prefecture_id) insert into fraud_observation (prefecture_id, "request_id", at, event, score, reasons, held) select prefecture_id, $6::uuid, $7, $8, $9, $10::jsonb, $11 from updated where $12 > 0;
-- params: [60,"[{\"kind\":\"identity_refused\",\"count\":1,\"points\":60}]","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000001","2026-07-01T08:00:00.000Z","filed",60,"[{\"kind\":\"identity_refused\",\"count\":1,\"points\":60}]",true,60]

-- fraud.sharingOf
select "identity_key", "email_key", "phone", "network" from "appointment" where "id" = $1;
-- params: ["00000000-0000-4000-8000-000000000001"]

-- fraud.liveRequestsSharing
select id from allocation_request where status in ('waiting', 'offered', 'paused') and (identity_key = $1 or email_key = $2 or phone = $3 or network = $4) order by filed_at, id;
-- params: ["identity-key","email-key","0612345678","203.0.113.0/24"]

-- offers.notices
declare "draw_offer_notices" no scroll cursor for select r.reference as r_reference, r.email as r_email, r.phone as r_phone, r.language as r_language, r.given_names as r_given_names, r.surname as r_surname, r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, o.id as o_id, o.draw_id as o_draw_id, o.request_id as o_request_id, o.status as o_status, o.expires_at as o_expires_at, o.extended as o_extended, o.created_at as o_created_at, o.decided_at as o_decided_at, o.appointment_id as o_appointment_id, s.id as s_id, s.starts_at as s_starts_at, s.ends_at as s_ends_at, s.local_date as s_local_date, si.id as si_id, si.name as si_name, si.address as si_address, p.time_zone as p_time_zone, pr.id as pr_id, pr.name_fr as pr_name_fr, pr.name_en as pr_name_en, pr.channel as pr_channel, pr.offer_hours as pr_offer_hours, pr.max_ignored_offers as pr_max_ignored_offers, pr.max_declines as pr_max_declines, pr.urgent_within_days as pr_urgent_within_days from offer o join allocation_request r on r.id = o.request_id join slot s on s.id = o.slot_id join site si on si.id = s.site_id join prefecture p on p.id = si.prefecture_id join procedure pr on pr.id = s.procedure_id where o.draw_id = $1 and o.status = 'pending';
-- params: ["00000000-0000-4000-8000-000000000001"]
fetch forward 20000 from "draw_offer_notices";
-- params: []
close "draw_offer_notices";
-- params: []

-- offers.update
update "offer" set "status" = $1, "decided_at" = $2 where "id" = $3;
-- params: ["declined","2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000001"]

-- offers.lockExpired
select r.id as r_id, r.reference as r_reference, (case when "r"."status" = 'waiting' and exists (select 1 from offer pending_offer where pending_offer.request_id = "r"."id" and pending_offer.status = 'pending') then 'offered' else "r"."status" end) as r_status, r.prefecture_id as r_prefecture_id, r.procedure_id as r_procedure_id, r.surname as r_surname, r.given_names as r_given_names, r.birth_date as r_birth_date, r.nationality as r_nationality, r.email as r_email, r.phone as r_phone, r.email_key as r_email_key, r.agdref_number as r_agdref_number, r.passport_number as r_passport_number, r.identity_key as r_identity_key, r.management_token_hash as r_management_token_hash, r.channel as r_channel, r.language as r_language, r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, r.filed_at as r_filed_at, r.document_country as r_document_country, r.identity_attributes_hash as r_identity_attributes_hash, o.id as o_id, o.draw_id as o_draw_id, o.request_id as o_request_id, o.status as o_status, o.expires_at as o_expires_at, o.extended as o_extended, o.created_at as o_created_at, o.decided_at as o_decided_at, o.appointment_id as o_appointment_id, s.id as s_id, s.starts_at as s_starts_at, s.ends_at as s_ends_at, s.local_date as s_local_date, si.id as si_id, si.name as si_name, si.address as si_address, p.time_zone as p_time_zone, pr.id as pr_id, pr.name_fr as pr_name_fr, pr.name_en as pr_name_en, pr.channel as pr_channel, pr.offer_hours as pr_offer_hours, pr.max_ignored_offers as pr_max_ignored_offers, pr.max_declines as pr_max_declines, pr.urgent_within_days as pr_urgent_within_days from offer o join allocation_request r on r.id = o.request_id join slot s on s.id = o.slot_id join site si on si.id = s.site_id join prefecture p on p.id = si.prefecture_id join procedure pr on pr.id = s.procedure_id where o.status = 'pending' and o.expires_at <= $1 order by o.expires_at, o.id limit $2 for update of o, r skip locked;
-- params: ["2026-07-01T08:00:00.000Z",500]

-- offers.expire
with expired as ( update offer set status = 'expired', decided_at = $1 where id in (select unnest($2::uuid[])) and status = 'pending' returning slot_id) update slot set available_since = $3, opened_at = null, opened_by_draw = null where id in (select slot_id from expired);
-- params: ["2026-07-01T08:00:00.000Z",["00000000-0000-4000-8000-000000000001"],"2026-07-01T08:00:00.000Z"]

-- offerAppointments.insert
with "bookable" as (select "s"."id", "s"."procedure_id", "s"."site_id", "s"."starts_at", "s"."ends_at", "p"."time_zone", "si"."name" as "site_name", "si"."address" as "site_address", "pr"."name_fr" as "procedure_name_fr", "pr"."name_en" as "procedure_name_en", "pr"."instructions_fr" as "procedure_instructions_fr", "pr"."instructions_en" as "procedure_instructions_en", "pr"."identity_proof" as "procedure_identity_proof" from "slot" as "s" inner join "site" as "si" on "si"."id" = "s"."site_id" inner join "prefecture" as "p" on "p"."id" = "si"."prefecture_id" inner join "procedure" as "pr" on "pr"."id" = "s"."procedure_id" where "s"."procedure_id" = $1 and "s"."status" = $2 and "s"."released_at" <= $3 and "s"."starts_at" > $4 and "s"."id" = $5), "inserted" as (insert into "appointment" ("reference", "slot_id", "procedure_id", "site_id", "surname", "given_names", "birth_date", "nationality", "email", "email_key", "agdref_number", "passport_number", "identity_key", "management_token_hash", "channel", "language", "document_country", "identity_attributes_hash", "phone", "network", "device_digest", "email_domain", "name_key", "created_at", "updated_at") select $6 as "reference", "id", "procedure_id", "site_id", $7 as "surname", $8 as "given_names", cast($9 as date) as "birth_date", $10 as "nationality", $11 as "email", $12 as "email_key", $13 as "agdref_number", $14 as "passport_number", $15 as "identity_key", $16 as "management_token_hash", $17 as "channel", $18 as "language", $19 as "document_country", $20 as "identity_attributes_hash", $21 as "phone", $22 as "network", $23 as "device_digest", $24 as "email_domain", $25 as "name_key", $26 as "created_at", $27 as "updated_at" from "bookable" on conflict ("slot_id") where "status" <> 'cancelled' do nothing returning "id", "reference", "status", "slot_id", "procedure_id", "site_id", "surname", "given_names", "birth_date", "nationality", "email", "phone", "reschedule_count", "created_at", "language") select "a"."id", "a"."reference", "a"."status", "a"."slot_id", "a"."procedure_id", "a"."site_id", "b"."starts_at", "b"."ends_at", "b"."time_zone", "a"."surname", "a"."given_names", "a"."birth_date", "a"."nationality", "a"."email", "a"."phone", "a"."phone", "a"."reschedule_count", "a"."created_at", "a"."language", "b"."site_name", "b"."site_address", "b"."procedure_name_fr", "b"."procedure_name_en", "b"."procedure_instructions_fr", "b"."procedure_instructions_en", "b"."procedure_identity_proof" from "bookable" as "b" left join "inserted" as "a" on true;
-- params: ["titre-sejour","open","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z","00000000-0000-4000-8000-000000000002","ABCD-EFGH","Dupont","Marie","1990-01-01","FR","marie@example.org","email-key","1234567890",null,"identity-key","digest","online","fr",null,null,null,null,null,null,"DUPONT MARIE|1990-01-01","2026-07-01T08:00:00.000Z","2026-07-01T08:00:00.000Z"]
