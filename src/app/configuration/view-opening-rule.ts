// One opening rule, if the agent may configure its prefecture: what the page ending a rule
// needs to know (its counter) before the change is even tried.
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigOpeningRule } from '../../ports/configuration-store.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { openingRuleFor } from './configuration-scope.ts';

export const viewOpeningRule = (ctx: ConfigurationContext, agent: Agent, ruleId: string): Promise<ConfigOpeningRule> =>
  openingRuleFor(ctx.store, agent, ruleId);
