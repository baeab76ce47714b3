// GET /personal-data: who processes what, why, for how long (GDPR). The periods are those the
// purge applies (domain/retention.ts), RETENTION_RECORDS_MONTHS included.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { type RetentionPolicy, retentionTable } from '../../domain/retention.ts';
import { translator } from '../../i18n/i18n.ts';
import { languageOf, sendPage } from '../web/render.ts';

export const personalDataPages =
  (policy: RetentionPolicy, emailCodeTtlMinutes: number): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'information');
    const retention = retentionTable(policy, emailCodeTtlMinutes).map(({ key, values }) => ({ key, values }));
    app.get('/personal-data', async (request, reply) =>
      sendPage(request, reply, 'information/personal-data', { title: t(request)('personalData.title'), retention }),
    );
  };
