// The page's language is remembered in the `lang` cookie (read back by the detector in
// src/i18n/i18n.ts: ?lang=, then this cookie, then Accept-Language). It is set here rather
// than by i18next-http-middleware's cookie cache, whose options belong to the one shared
// i18next instance, so that it carries Secure in production like every other cookie.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LANGUAGE_COOKIE } from '../../i18n/i18n.ts';
import { languageOf } from './render.ts';
import { isPagePath } from './web-plugin.ts';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** A preHandler (after the language detection) that remembers the page's language when it changed. */
export function rememberLanguage(secure: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!isPagePath(request.url)) return;
    const language = languageOf(request);
    if (request.cookies[LANGUAGE_COOKIE] === language) return;
    reply.setCookie(LANGUAGE_COOKIE, language, { path: '/', sameSite: 'lax', secure, maxAge: ONE_YEAR_SECONDS });
  };
}
