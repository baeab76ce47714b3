// Agent accounts for tests: the real store, real Argon2 and TOTP, a known password and
// secret, and the code of the moment computed like an authenticator app does.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import type { AgentContext } from '../../src/app/agents/agent-context.ts';
import { type AgentUseCases, agentUseCases } from '../../src/app/agents/agent-use-cases.ts';
import { createAgent } from '../../src/app/agents/create-agent.ts';
import {
  type CreatedDemoAgent,
  DEMO_AGENT_PROFILES,
  type DemoAgentCredentials,
  seedDemoAgents as seedDemoAgentsWith,
} from '../../src/demo/demo-seed.ts';
import type { AgentRole } from '../../src/domain/agent-rules.ts';
import { agentContextOf } from '../../src/features/agents.ts';
import type { Agent } from '../../src/ports/agent-store.ts';
import { PageClient } from './page-client.ts';
import type { TestClock } from './scenario.ts';
import { testServices } from './services.ts';

export const TEST_AGENT_PASSWORD = 'correct horse battery staple';

/** One per database and clock, like testContext (the same services: test/support/services.ts). */
export function testAgentContext(db: Db, clock: TestClock): AgentContext {
  return agentContextOf(testServices(db, clock).ports);
}

/** The agents feature's use cases over the same services. */
export function testAgentUseCases(db: Db, clock: TestClock): AgentUseCases {
  return testServices(db, clock).features.agents.useCases;
}

/** Known credentials of the demo agents in tests (a real demo generates and prints them once). */
const DEMO_TEST_CREDENTIALS: Record<(typeof DEMO_AGENT_PROFILES)[number]['email'], DemoAgentCredentials> = {
  'guichet.bobigny@demo.creneau.fr': {
    password: 'test-guichet-bobigny',
    totpSecret: 'TESTGUICHETBOBIGNYAAAAAAAAAAAAAA',
  },
  'superviseur.93@demo.creneau.fr': { password: 'test-superviseur-93', totpSecret: 'TESTSUPERVISEURSEINESTDENISAAAAA' },
  'admin@demo.creneau.fr': { password: 'test-admin-national', totpSecret: 'TESTADMINNATIONALAAAAAAAAAAAAAAA' },
};

export const demoAgentTestCredentials = (email: string): DemoAgentCredentials =>
  DEMO_TEST_CREDENTIALS[email as keyof typeof DEMO_TEST_CREDENTIALS];

/** The demo agents as tests log in with them. */
export const DEMO_AGENTS = DEMO_AGENT_PROFILES.map((profile) => ({
  ...profile,
  ...DEMO_TEST_CREDENTIALS[profile.email],
}));

/** Creates the demo agents with the credentials of DEMO_AGENTS. */
export function seedDemoAgents(ctx: AgentContext): Promise<CreatedDemoAgent[]> {
  return seedDemoAgentsWith(agentUseCases(ctx), demoAgentTestCredentials);
}

export interface TestAgent {
  agent: Agent;
  email: string;
  password: string;
  totpSecret: string;
  /** The code an authenticator app shows at `at` (default: the context's clock). */
  code(at?: Date): string;
}

let counter = 0;

export async function givenAgent(
  ctx: AgentContext,
  role: AgentRole,
  prefectureId: string | null,
  siteIds: string[] = [],
): Promise<TestAgent> {
  const email = `agent-${role}-${++counter}-${Math.random().toString(36).slice(2, 8)}@interieur.gouv.fr`;
  const created = await createAgent(ctx, null, {
    email,
    displayName: `Agent ${counter}`,
    password: TEST_AGENT_PASSWORD,
    role,
    prefectureId,
    siteIds,
  });
  return {
    agent: created.agent,
    email,
    password: TEST_AGENT_PASSWORD,
    totpSecret: created.totpSecret,
    code: (at = ctx.clock.now()) => currentTotpCode(created.totpSecret, at),
  };
}

/**
 * A browser-like client logged in to the back-office (password, then code). A TOTP code
 * opens one session only: log the same agent in twice within 30 s of the test clock and the
 * second attempt fails — advance the clock between them.
 */
export async function logInAgentPages(app: FastifyInstance, agent: TestAgent): Promise<PageClient> {
  const client = new PageClient(app);
  await client.get('/agent/login');
  const password = await client.post('/agent/login', { email: agent.email, password: agent.password });
  assert.equal(password.statusCode, 303);
  assert.equal(password.headers.location, '/agent/login/code');
  await client.get('/agent/login/code');
  const code = await client.post('/agent/login/code', { code: agent.code() });
  assert.equal(code.statusCode, 303);
  assert.equal(code.headers.location, '/agent');
  return client;
}

/** A bearer token of the JSON API for `agent` (same one-code-per-step rule as above). */
export async function agentApiToken(app: FastifyInstance, agent: TestAgent): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/agent/sessions',
    payload: { email: agent.email, password: agent.password, code: agent.code() },
  });
  assert.equal(response.statusCode, 201, response.body);
  return (response.json() as { token: string }).token;
}
