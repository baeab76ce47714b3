// The agent back-office's cookies. Both httpOnly, SameSite=Strict (a link from another site
// never arrives logged in), Secure in production, and scoped to the back-office's paths:
//   creneau_agent       the session token (its digest is the agent_session row), path /agent;
//   creneau_agent_step  the signed "password ok" ticket between the two log-in steps, 5 min,
//                       path /agent/login.
import type { FastifyReply } from 'fastify';

export const SESSION_COOKIE = 'creneau_agent';
export const STEP_COOKIE = 'creneau_agent_step';
export const STEP_PATH = '/agent/login';

/** `expiresAt` on the server's clock, sent as Max-Age (a browser's own clock may be off). */
export function setAgentCookie(
  reply: FastifyReply,
  secure: boolean,
  name: string,
  value: string,
  path: string,
  expiresAt: Date,
  now: Date,
): void {
  const maxAge = Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  reply.setCookie(name, value, { path, httpOnly: true, sameSite: 'strict', secure, maxAge });
}

export function clearAgentCookie(reply: FastifyReply, secure: boolean, name: string, path: string): void {
  reply.clearCookie(name, { path, httpOnly: true, sameSite: 'strict', secure });
}
