// The agent log-in, in two forms (app/agents/log-in.ts):
//   GET  /agent/login          email and password
//   POST /agent/login          → 303 /agent/login/code with the signed "password ok" ticket
//                                in a 5-minute cookie (never the password)
//   GET  /agent/login/code     the 6-digit code of the authenticator app
//   POST /agent/login/code     → 303 /agent with the session cookie
// A refusal shows the form again with one message (AGENT_LOGIN_FAILED for every cause).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentOrigin } from '../../../app/agents/agent-context.ts';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { WebSettings } from '../../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../../rate-limit.ts';
import { languageOf, sendPage } from '../../web/render.ts';
import { fieldError, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { clearAgentCookie, SESSION_COOKIE, STEP_COOKIE, STEP_PATH, setAgentCookie } from './agent-cookies.ts';

export function originOf(request: FastifyRequest): AgentOrigin {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    route: request.routeOptions.url ?? request.url,
  };
}

export const agentLoginPages =
  (agents: Pick<AgentUseCases, 'checkPassword' | 'checkSecondFactor'>, web: WebSettings): FastifyPluginAsync =>
  async (app) => {
    const secure = web.secureCookies;
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent');

    function showPassword(
      request: FastifyRequest,
      reply: FastifyReply,
      email = '',
      errors: ReturnType<typeof fieldError>[] = [],
      status = 200,
    ) {
      return sendPage(request, reply, 'agent/login', { title: t(request)('login.title'), email, errors }, status);
    }
    function showCode(
      request: FastifyRequest,
      reply: FastifyReply,
      errors: ReturnType<typeof fieldError>[] = [],
      status = 200,
    ) {
      return sendPage(request, reply, 'agent/login-code', { title: t(request)('login.codeTitle'), errors }, status);
    }

    app.get('/agent/login', async (request, reply) => showPassword(request, reply));

    app.post('/agent/login', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const form = formOf(request);
      const email = (form.email ?? '').slice(0, 320);
      try {
        const step = await agents.checkPassword({ email, password: form.password ?? '' }, originOf(request));
        setAgentCookie(reply, secure, STEP_COOKIE, step.ticket, STEP_PATH, step.expiresAt, step.issuedAt);
        return reply.redirect('/agent/login/code', 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.code !== 'AGENT_LOGIN_FAILED' && refusal.code !== 'AGENT_LOCKED') throw refusal;
        return showPassword(
          request,
          reply,
          email,
          [fieldError(request, refusal.code, 'email')],
          statusOf(refusal.code),
        );
      }
    });

    app.get('/agent/login/code', async (request, reply) => {
      if (!request.cookies[STEP_COOKIE]) return reply.redirect('/agent/login', 303);
      return showCode(request, reply);
    });

    app.post('/agent/login/code', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const form = formOf(request);
      try {
        const session = await agents.checkSecondFactor(
          { ticket: request.cookies[STEP_COOKIE] ?? '', code: (form.code ?? '').slice(0, 20) },
          originOf(request),
        );
        clearAgentCookie(reply, secure, STEP_COOKIE, STEP_PATH);
        setAgentCookie(reply, secure, SESSION_COOKIE, session.token, '/agent', session.expiresAt, session.issuedAt);
        return reply.redirect('/agent', 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.code !== 'AGENT_LOGIN_FAILED' && refusal.code !== 'AGENT_LOCKED') throw refusal;
        return showCode(request, reply, [fieldError(request, refusal.code, 'code')], statusOf(refusal.code));
      }
    });
  };
