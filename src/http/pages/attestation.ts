// Checking an attestation, for anyone who holds one — a judge, a lawyer, an association —
// without an API: paste the token printed on it, read the answer in words.
//   GET  /attestation/verify   the form (a textarea: the token, as printed, line breaks and all)
//   POST /attestation/verify   valid (the attested facts, and whether the request is still in
//                              that situation) or invalid (one answer for anything not signed here)
// No proof of work (the people who check may have no JavaScript); the strict rate limit.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import type { VerifiedAttestation } from '../../app/requests/verify-attestation.ts';
import { REQUEST_STATUS_TEXT } from '../../domain/attestation.ts';
import { translator } from '../../i18n/i18n.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { formatDateFor, languageOf, sendPage } from '../web/render.ts';
import { formOf, refusalOf, statusOf } from './page-forms.ts';

const TOKEN_MAX_LENGTH = 4000;

export const attestationPages =
  (requests: Pick<RequestUseCases, 'verifyAttestation'>): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'request');

    function show(
      request: FastifyRequest,
      reply: FastifyReply,
      data: { token: string; verdict: 'valid' | 'invalid' | 'missing' | null; checked?: VerifiedAttestation },
      status = 200,
    ) {
      const lang = languageOf(request);
      const day = (date: string) => formatDateFor(lang)(date, 'UTC', 'date');
      const when = (instant: string) => formatDateFor(lang)(instant, 'Europe/Paris', 'datetime');
      const a = data.checked?.attested;
      return sendPage(
        request,
        reply,
        'attestation/verify',
        {
          title: t(request)('verify.title'),
          token: data.token,
          verdict: data.verdict,
          errors: data.verdict === 'missing' ? [{ field: 'token', message: t(request)('verify.missing') }] : [],
          facts: a && [
            [t(request)('verify.fact.reference'), a.reference],
            [t(request)('verify.fact.applicant'), `${a.givenNames} ${a.surname.toUpperCase()}`],
            [t(request)('verify.fact.birthDate'), day(a.birthDate)],
            [t(request)('verify.fact.procedure'), lang === 'fr' ? a.procedureNameFr : a.procedureNameEn],
            [t(request)('verify.fact.prefecture'), a.prefectureName],
            [t(request)('verify.fact.filedAt'), when(a.filedAt)],
            [t(request)('verify.fact.status'), REQUEST_STATUS_TEXT[a.status][lang]],
            [t(request)('verify.fact.issuedAt'), when(a.issuedAt)],
          ],
          current: data.checked && {
            stillCurrent: data.checked.stillCurrent,
            deleted: data.checked.current === null,
            status: data.checked.current ? REQUEST_STATUS_TEXT[data.checked.current.status][lang] : null,
          },
        },
        status,
      );
    }

    app.get('/attestation/verify', async (request, reply) => show(request, reply, { token: '', verdict: null }));

    app.post('/attestation/verify', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const token = (formOf(request).token ?? '').slice(0, TOKEN_MAX_LENGTH);
      // As printed: cut into lines, maybe copied with spaces; the token itself has none.
      const compact = token.replace(/\s+/g, '');
      if (compact === '') return show(request, reply, { token, verdict: 'missing' }, 400);
      try {
        const checked = await requests.verifyAttestation(compact, {
          ip: request.ip,
          route: 'POST /attestation/verify',
        });
        return await show(request, reply, { token, verdict: 'valid', checked });
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.code !== 'ATTESTATION_INVALID' && refusal.code !== 'VALIDATION_FAILED') throw refusal;
        return show(request, reply, { token, verdict: 'invalid' }, statusOf('ATTESTATION_INVALID'));
      }
    });
  };
