// Who may configure what. Every configuration use case starts here: the permission, then the
// object's prefecture against the agent's (agent-rules.ts). A supervisor of 93 asking for a
// site, counter or rule of 973 gets FORBIDDEN_SCOPE (403) — never a field of it; an unknown
// id gets its NOT_FOUND (404), whoever asks. Counter agents hold no configuration permission.
import { type AgentPermission, can, canAccessPrefecture, scopedPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isSlug } from '../../domain/identifiers.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type {
  ConfigCounter,
  ConfigOpeningRule,
  ConfigPrefecture,
  ConfigSite,
  ConfigurationReaders,
} from '../../ports/configuration-store.ts';

export function requirePermission(agent: Agent, permission: AgentPermission = 'configuration.edit'): void {
  if (!can(agent, permission)) throw new DomainError('FORBIDDEN_SCOPE');
}

/**
 * The prefecture a page or call is about: a supervisor's own (asking for another is refused),
 * the one an administrator asks for, or — when they ask for none — the first one.
 */
export async function prefectureFor(
  store: Pick<ConfigurationReaders, 'prefectures'>,
  agent: Agent,
  asked: string | null,
): Promise<ConfigPrefecture> {
  requirePermission(agent);
  const scoped = scopedPrefecture(agent, asked);
  if (scoped === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  const id = scoped ?? (await store.prefectures.list())[0]?.id;
  const prefecture = id && /^[0-9AB]{2,3}$/.test(id) ? await store.prefectures.get(id) : null;
  if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND');
  return prefecture;
}

export async function siteFor(
  store: Pick<ConfigurationReaders, 'sites'>,
  agent: Agent,
  siteId: string,
): Promise<ConfigSite> {
  requirePermission(agent);
  const site = isSlug(siteId) ? await store.sites.get(siteId) : null;
  if (!site) throw new DomainError('SITE_NOT_FOUND');
  if (!canAccessPrefecture(agent, site.prefectureId)) throw new DomainError('FORBIDDEN_SCOPE');
  return site;
}

export async function counterFor(
  store: Pick<ConfigurationReaders, 'counters'>,
  agent: Agent,
  counterId: string,
): Promise<ConfigCounter> {
  requirePermission(agent);
  const counter = isSlug(counterId) ? await store.counters.get(counterId) : null;
  if (!counter) throw new DomainError('COUNTER_NOT_FOUND');
  if (!canAccessPrefecture(agent, counter.prefectureId)) throw new DomainError('FORBIDDEN_SCOPE');
  return counter;
}

export async function openingRuleFor(
  store: Pick<ConfigurationReaders, 'openingRules'>,
  agent: Agent,
  ruleId: string,
): Promise<ConfigOpeningRule> {
  requirePermission(agent);
  const rule = await store.openingRules.get(ruleId);
  if (!rule) throw new DomainError('OPENING_RULE_NOT_FOUND');
  if (!canAccessPrefecture(agent, rule.prefectureId)) throw new DomainError('FORBIDDEN_SCOPE');
  return rule;
}
