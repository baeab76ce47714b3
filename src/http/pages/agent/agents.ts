// Agent accounts in the back-office (inside agentArea), for 'agents.manage': supervisors see
// the accounts of their prefecture and manage its counter agents; national administrators
// every account (?prefecture= to filter).
//   GET  /agent/agents[?prefecture=]      the accounts in scope
//   GET  /agent/agents/new[?prefecture=]  the creation form
//   POST /agent/agents                    creates it → the enrolment page, ONCE: the generated
//                                         password, the TOTP secret (in groups), its otpauth://
//                                         URI and QR code (a data: image: the CSP allows them)
//   GET  /agent/agents/:id                one managed account, with its actions
//   POST /agent/agents/:id/disable        disables it, sessions revoked → 303 to its page
//   POST /agent/agents/:id/totp           a new second factor → the enrolment page, once
// The enrolment pages are answers to a POST (never at an address one could reopen), no-store.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import type { NewAgentField } from '../../../app/agents/create-agent.ts';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import { groupSecret } from '../../../domain/agent-admin-rules.ts';
import { AGENT_ROLES, type AgentRole, isAgentRole } from '../../../domain/agent-rules.ts';
import { DomainError } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/identifiers.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Agent } from '../../../ports/agent-store.ts';
import type { Prefecture, Site } from '../../../ports/booking-store.ts';
import { DepartementCode } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { type FieldError, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';
import { originOf } from './login.ts';

const ListQuery = z.object({ prefecture: DepartementCode.optional(), done: z.string().max(20).optional() });

/** The enrolment QR code: the otpauth:// URI as an SVG data: URL (no file, no inline script). */
export async function totpQrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function listQueryOf(raw: unknown): z.infer<typeof ListQuery> {
  const parsed = ListQuery.safeParse(raw ?? {});
  if (!parsed.success)
    throw new DomainError('VALIDATION_FAILED', undefined, {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return parsed.data;
}

interface AgentForm {
  email: string;
  displayName: string;
  role: string;
  prefectureId: string;
  siteIds: string[];
}

/** Every value of a repeated field (checkboxes), as strings. */
function allValues(request: FastifyRequest, name: string): string[] {
  const value = ((request.body ?? {}) as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .slice(0, 100)
    .map((v) => v.slice(0, 100));
}

export const agentAdminPages =
  (
    agents: AgentUseCases,
    catalogue: Pick<CatalogueUseCases, 'listPrefectures' | 'getPrefectureWithSites'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-admin');

    /** The prefectures whose accounts this agent may create, with their sites. */
    async function creationScope(
      agent: Agent,
      asked: string | null,
    ): Promise<{ prefecture: Prefecture; sites: Site[] }[]> {
      const all = await catalogue.listPrefectures();
      const shown =
        agent.role === 'admin'
          ? all.filter((p) => asked === null || p.id === asked)
          : all.filter((p) => p.id === agent.prefectureId);
      return Promise.all(
        shown.map(async (prefecture) => ({
          prefecture,
          sites: (await catalogue.getPrefectureWithSites(prefecture.id)).sites,
        })),
      );
    }

    async function showForm(
      request: FastifyRequest,
      reply: FastifyReply,
      form: AgentForm,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const agent = agentWith(request, 'agents.manage');
      const asked =
        agent.role === 'admin' && DepartementCode.safeParse(form.prefectureId).success ? form.prefectureId : null;
      const scope = await creationScope(agent, asked);
      const roles: AgentRole[] = agent.role === 'admin' ? [...AGENT_ROLES] : ['counter'];
      const fieldErrors = Object.fromEntries(errors.filter((e) => e.field).map((e) => [e.field!, e.message]));
      return sendAgentPage(
        request,
        reply,
        'agent/agents/new',
        {
          title: t(request)('new.title'),
          form,
          errors,
          fieldErrors,
          roles,
          scope,
          allPrefectures: agent.role === 'admin' ? await catalogue.listPrefectures() : [],
        },
        status,
      );
    }

    async function showEnrolment(
      request: FastifyRequest,
      reply: FastifyReply,
      data: { agent: Agent; totpSecret: string; totpUri: string; password?: string; reset: boolean },
    ) {
      const tr = t(request);
      return sendAgentPage(
        request,
        reply,
        'agent/agents/enrolment',
        {
          title: data.reset ? tr('enrolment.resetTitle') : tr('enrolment.title'),
          account: data.agent,
          password: data.password ?? null,
          reset: data.reset,
          secretGroups: groupSecret(data.totpSecret),
          totpUri: data.totpUri,
          qrDataUrl: await totpQrDataUrl(data.totpUri),
        },
        data.reset ? 200 : 201,
      );
    }

    app.get('/agent/agents', async (request, reply) => {
      const agent = agentWith(request, 'agents.manage');
      const query = listQueryOf(request.query);
      const listed = await agents.listAgentAccounts(agent, { prefectureId: query.prefecture ?? null });
      return sendAgentPage(request, reply, 'agent/agents/list', {
        title: t(request)('list.title'),
        prefectureId: listed.prefectureId,
        accounts: listed.agents,
        query,
        prefectures: agent.role === 'admin' ? await catalogue.listPrefectures() : [],
        newHref: `/agent/agents/new${query.prefecture ? `?prefecture=${query.prefecture}` : ''}`,
      });
    });

    app.get('/agent/agents/new', async (request, reply) => {
      const agent = agentWith(request, 'agents.manage');
      const query = listQueryOf(request.query);
      if (agent.role !== 'admin' && query.prefecture && query.prefecture !== agent.prefectureId)
        throw new DomainError('FORBIDDEN_SCOPE');
      return showForm(request, reply, {
        email: '',
        displayName: '',
        role: 'counter',
        prefectureId: query.prefecture ?? agent.prefectureId ?? '',
        siteIds: [],
      });
    });

    app.post('/agent/agents', async (request, reply) => {
      const agent = agentWith(request, 'agents.manage');
      const body = formOf(request);
      const form: AgentForm = {
        email: (body.email ?? '').slice(0, 400),
        displayName: (body.displayName ?? '').slice(0, 400),
        role: (body.role ?? '').slice(0, 20),
        // A supervisor's accounts belong to their prefecture, whatever the form says.
        prefectureId: agent.role === 'admin' ? (body.prefectureId ?? '').slice(0, 10) : (agent.prefectureId ?? ''),
        siteIds: allValues(request, 'siteIds'),
      };
      const tr = t(request);
      if (!isAgentRole(form.role))
        return showForm(request, reply, form, [{ field: 'role', message: tr('errors.role') }], 400);
      try {
        const created = await agents.createAgent(
          agent,
          {
            email: form.email,
            displayName: form.displayName,
            role: form.role,
            prefectureId: form.role === 'admin' ? null : form.prefectureId || null,
            siteIds: form.role === 'counter' ? form.siteIds : [],
          },
          originOf(request),
        );
        return showEnrolment(request, reply, { ...created, reset: false });
      } catch (error) {
        const refusal = refusalOf(error);
        const field: NewAgentField | null =
          refusal.code === 'VALIDATION_FAILED'
            ? (((refusal.details?.errors ?? []) as { path: NewAgentField }[])[0]?.path ?? null)
            : refusal.code === 'AGENT_EMAIL_TAKEN'
              ? 'email'
              : refusal.code === 'SITE_NOT_FOUND'
                ? 'siteIds'
                : refusal.code === 'PREFECTURE_NOT_FOUND'
                  ? 'prefectureId'
                  : null;
        if (!field) throw refusal;
        const key = refusal.code === 'VALIDATION_FAILED' ? field : refusal.code;
        return showForm(
          request,
          reply,
          form,
          [{ field: field === 'siteIds' ? 'sites' : field, message: tr(`errors.${key}`) }],
          statusOf(refusal.code),
        );
      }
    });

    const idOf = (request: FastifyRequest): string => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw new DomainError('AGENT_NOT_FOUND');
      return id;
    };

    app.get('/agent/agents/:id', async (request, reply) => {
      const agent = agentWith(request, 'agents.manage');
      const { agent: account, self } = await agents.viewManagedAgent(agent, idOf(request));
      const done = listQueryOf({ done: (request.query as { done?: unknown }).done }).done;
      return sendAgentPage(request, reply, 'agent/agents/account', {
        title: t(request)('account.title', { name: account.displayName }),
        account,
        self,
        done: done === 'disabled' ? done : null,
      });
    });

    app.post('/agent/agents/:id/disable', async (request, reply) => {
      const agent = agentWith(request, 'agents.manage');
      const id = idOf(request);
      await agents.disableAgentById(agent, id, originOf(request));
      return reply.redirect(`/agent/agents/${id}?done=disabled`, 303);
    });

    app.post('/agent/agents/:id/totp', async (request, reply) => {
      const agent = agentWith(request, 'agents.manage');
      const reset = await agents.resetAgentTotp(agent, idOf(request), originOf(request));
      return showEnrolment(request, reply, { ...reset, reset: true });
    });
  };
