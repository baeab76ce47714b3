// The only reader of process.env: every setting is parsed and validated here, then frozen.
// Each variable is documented in .env.example.
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  DEFAULT_FRAUD_THRESHOLDS,
  FRAUD_SIGNAL_KINDS,
  type FraudThresholds,
  type SignalRule,
  signalRulesProblem,
} from './domain/fraud-signals.ts';
import {
  DEFAULT_RECORDS_RETENTION_MONTHS,
  RECORDS_RETENTION_MONTHS_RANGE,
  type RetentionPolicy,
  retentionPolicy,
} from './domain/retention.ts';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const Points = z.number().int().min(0).max(1000);
const Count = z.number().int().min(1).max(1_000_000);
/** FRAUD_SIGNAL_RULES: JSON overriding some signals' rules, e.g. {"network_burst":{"from":30,"strong":150}}. */
const SignalRulesOverride = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.partialRecord(
      z.enum(FRAUD_SIGNAL_KINDS),
      z.strictObject({ from: Count, points: Points, strong: Count, strongPoints: Points }).partial(),
    ),
  );

/** Names proxy-addr (Fastify's trustProxy) understands for private ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;

/** Why `entry` is no proxy address or CIDR, or null when it is one (e.g. "10.0.0.1", "10.0.0.0/8", "fd00::/8"). */
function proxyEntryProblem(entry: string): string | null {
  if ((PROXY_RANGE_NAMES as readonly string[]).includes(entry)) return null;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR`;
  if (prefix === undefined) return null;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  // A /0 would trust every address on earth: exactly what naming the proxies is for avoiding.
  if (!(bits >= 1 && bits <= (family === 4 ? 32 : 128)))
    return `"${entry}": prefix length 1 to ${family === 4 ? 32 : 128}`;
  return null;
}

/**
 * TRUST_PROXY: `false` (default: X-Forwarded-For ignored), a hop count ("1": the address the
 * nearest proxy saw), or the proxies' addresses and CIDRs ("127.0.0.1", "10.0.0.0/8,fd00::/8").
 * `true` would let any client choose its address by sending X-Forwarded-For: refused.
 */
const trustProxyFromEnv = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (['false', '0', 'no', ''].includes(value)) return false;
    if (['true', 'yes'].includes(value)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'true would trust X-Forwarded-For from anyone: name the proxies (TRUST_PROXY=127.0.0.1, or addresses/CIDRs separated by commas) or their number of hops (TRUST_PROXY=1)',
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    for (const entry of entries) {
      const problem = proxyEntryProblem(entry);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: `${problem}: expected false, a hop count, or proxy addresses/CIDRs separated by commas`,
        });
    }
    return entries;
  });

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().min(1).default('./data'),
    SEED_DEMO_ON_FIRST_START: booleanFromEnv.optional(),
    IDENTITY_KEY_SECRET: z.string().min(32).optional(),
    MAX_ACTIVE_APPOINTMENTS_PER_EMAIL: z.coerce.number().int().min(1).max(20).default(2),
    MAX_RESCHEDULES: z.coerce.number().int().min(0).max(10).default(2),
    SLOT_HORIZON_DAYS: z.coerce.number().int().min(1).max(366).default(60),
    SLOT_MATERIALISE_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
    TRUST_PROXY: trustProxyFromEnv.default(false),
    // Where people reach Créneau: the base of the links in emails.
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
    // Mail: SMTP when set, otherwise .eml files under DATA_DIR/outbox.
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    MAIL_FROM: z.string().min(3).default('Créneau <ne-pas-repondre@creneau.localhost>'),
    // How often a process running the jobs looks at the outbox unasked (on PostgreSQL it is
    // also woken at once by NOTIFY when another process commits a message).
    OUTBOX_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    CALENDAR_RECOMPUTE_MS: z.coerce.number().int().min(0).max(500).default(250),
    // Where a process runs the jobs, emails are rendered on a thread of their own (off: on the
    // jobs' own thread, which on the embedded database also answers requests).
    MAIL_RENDER_THREAD: z.enum(['on', 'off']).default('on'),
    // Who receives the evidence chain's head once a day (comma-separated addresses: a notary,
    // an inspector's mailbox), so that a rewrite of the record shows against a copy kept outside.
    EVIDENCE_HEAD_RECIPIENTS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.email()).max(20)),
    // Text messages: an HTTP gateway (POST {to, text}, the key as a bearer token; it calls
    // POST /api/sms/inbound with the same key for STOP) when set, otherwise .txt files under
    // DATA_DIR/sms. At most SMS_DAILY_LIMIT messages to one number a day.
    SMS_GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
    SMS_GATEWAY_KEY: z.string().min(16).optional(),
    SMS_DAILY_LIMIT: z.coerce.number().int().min(1).max(50).default(5),
    // Shared state for several instances: rate limits and proof-of-work replay store.
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    // AGDREF registry: the embedded table by default, an HTTP gateway when set.
    REGISTRY_URL: z.url({ protocol: /^https?$/ }).optional(),
    REGISTRY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
    // Email one-time codes.
    EMAIL_CODE_TTL_MINUTES: z.coerce.number().int().min(1).max(10).default(10),
    EMAIL_CODE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
    EMAIL_CODE_SENDS_PER_EMAIL_PER_HOUR: z.coerce.number().int().min(1).max(100).default(5),
    EMAIL_CODE_SENDS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(30),
    // Proof of work (ALTCHA): HMAC key of challenges, and the bounds of the adaptive difficulty.
    POW_HMAC_KEY: z.string().min(32).optional(),
    POW_MIN_MAX_NUMBER: z.coerce.number().int().min(1000).max(10_000_000).default(50_000),
    POW_MAX_MAX_NUMBER: z.coerce.number().int().min(1000).max(10_000_000).default(1_000_000),
    // Rate limits per IP and route (requests per minute).
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
    RATE_LIMIT_SENSITIVE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
    // Registry checks: attempts per IP and per AGDREF number per hour.
    REGISTRY_ATTEMPTS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
    REGISTRY_ATTEMPTS_PER_NUMBER_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(5),
    // Convocations: Ed25519 private key (PKCS#8 PEM, or its base64) that signs them.
    CONVOCATION_SIGNING_KEY: z.string().min(40).optional(),
    // Retention (domain/retention.ts): closed requests and past appointments, in months.
    RETENTION_RECORDS_MONTHS: z.coerce
      .number()
      .int()
      .min(RECORDS_RETENTION_MONTHS_RANGE.min)
      .max(RECORDS_RETENTION_MONTHS_RANGE.max)
      .default(DEFAULT_RECORDS_RETENTION_MONTHS),
    // Fraud signals (domain/fraud-signals.ts, README "Fraud signals and review").
    FRAUD_HOLD_SCORE: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_FRAUD_THRESHOLDS.holdScore),
    FRAUD_HOLD_HOURS: z.coerce.number().int().min(1).max(720).default(DEFAULT_FRAUD_THRESHOLDS.holdHours),
    FRAUD_SIGNAL_RULES: SignalRulesOverride.optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      for (const name of ['IDENTITY_KEY_SECRET', 'POW_HMAC_KEY', 'CONVOCATION_SIGNING_KEY'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required in production' });
      }
    }
    if (env.SMS_GATEWAY_URL && !env.SMS_GATEWAY_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SMS_GATEWAY_KEY'], message: 'required with SMS_GATEWAY_URL' });
    }
    const rulesProblem = signalRulesProblem(fraudRulesOf(env.FRAUD_SIGNAL_RULES));
    if (rulesProblem) ctx.addIssue({ code: 'custom', path: ['FRAUD_SIGNAL_RULES'], message: rulesProblem });
    if (env.POW_MIN_MAX_NUMBER > env.POW_MAX_MAX_NUMBER) {
      ctx.addIssue({ code: 'custom', path: ['POW_MIN_MAX_NUMBER'], message: 'must not exceed POW_MAX_MAX_NUMBER' });
    }
  });

/** The default rules with the environment's overrides, signal by signal and field by field. */
function fraudRulesOf(
  overrides: Partial<Record<(typeof FRAUD_SIGNAL_KINDS)[number], Partial<SignalRule>>> | undefined,
) {
  const rules = { ...DEFAULT_FRAUD_THRESHOLDS.rules };
  for (const kind of FRAUD_SIGNAL_KINDS) rules[kind] = { ...rules[kind], ...overrides?.[kind] };
  return rules;
}

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: string;
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string };
  dataDir: string;
  seedDemoOnFirstStart: boolean;
  identityKeySecret: string;
  booking: { maxActivePerEmail: number; maxReschedules: number };
  slots: { horizonDays: number; materialiseIntervalMinutes: number };
  /** The free-slot calendar's cache: the least time between two computations of one query (adapters/db/free-slot-cache.ts). */
  calendar: { recomputeEveryMs: number };
  /** Whose X-Forwarded-For to believe: nobody (false), the nearest N hops, or these proxies (addresses, CIDRs). */
  trustProxy: false | number | readonly string[];
  /** Without a trailing slash: "https://rdv.seine-saint-denis.gouv.fr". */
  publicUrl: string;
  /** `sender`: MAIL_FROM's display name and address (the calendar events' organiser). */
  mail: {
    smtpUrl: string | null;
    from: string;
    sender: { name: string; email: string };
    outboxDir: string;
    /** The outbox worker's polling interval: the fallback when no notification comes. */
    pollIntervalMs: number;
    /** Who is sent the evidence chain's head every day (none: only GET /api/evidence/head publishes it). */
    evidenceHeadRecipients: readonly string[];
    /** Emails rendered (templates, calendar, QR code) on a thread of their own (adapters/mail/render-thread.ts). */
    renderThread: boolean;
  };
  /** Text messages: the gateway (null: files under `dir`), its key (also what the gateway's inbound calls present), the per-number daily limit. */
  sms: { gatewayUrl: string | null; gatewayKey: string | null; dir: string; dailyLimit: number };
  redisUrl: string | null;
  registry: { url: string | null; timeoutMs: number; attemptsPerIpPerHour: number; attemptsPerNumberPerHour: number };
  emailCodes: { ttlMinutes: number; maxAttempts: number; sendsPerEmailPerHour: number; sendsPerIpPerHour: number };
  pow: { hmacKey: string; minMaxNumber: number; maxMaxNumber: number };
  rateLimit: { perMinute: number; sensitivePerMinute: number };
  convocationSigningKey: string | null;
  /** How long personal data is kept (domain/retention.ts; only the records' period is configurable). */
  retention: RetentionPolicy;
  /** The fraud signals' rules, the hold score and how long a hold lasts (FRAUD_*). */
  fraud: FraudThresholds;
}>;

/**
 * The secrets that, outside production, may be missing from the environment: then they are
 * generated at first start and kept in DATA_DIR (adapters/generated-secrets.ts), never taken
 * from the source, so identity keys stay stable across restarts and nobody can forge with them.
 * Production refuses to start without them (see superRefine above).
 */
export interface GeneratedSecrets {
  identityKeySecret: string;
  powHmacKey: string;
}

/** What the environment alone says: the secrets of GeneratedSecrets may still be missing (null). */
export type EnvironmentConfig = Readonly<
  Omit<Config, 'identityKeySecret' | 'pow'> & {
    identityKeySecret: string | null;
    pow: Omit<Config['pow'], 'hmacKey'> & { hmacKey: string | null };
  }
>;

export class ConfigError extends Error {}

/**
 * Demo mode: not production, and the demo is seeded on the first start (SEED_DEMO_ON_FIRST_START,
 * on by default with the embedded database). Only then does /dev/outbox exist.
 */
export function isDemoMode(config: Pick<Config, 'env' | 'seedDemoOnFirstStart'>): boolean {
  return config.env !== 'production' && config.seedDemoOnFirstStart;
}

/** "Créneau <ne-pas-repondre@x.fr>" → { name: 'Créneau', email: 'ne-pas-repondre@x.fr' }; a bare address names itself. */
function senderOf(from: string): { name: string; email: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  if (match) return { name: match[1]!.trim() || match[2]!.trim(), email: match[2]!.trim() };
  return { name: from.trim(), email: from.trim() };
}

/** The environment → the configuration, validated and frozen; see completeConfig for the missing secrets. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const database = e.DATABASE_URL
    ? ({ kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE } as const)
    : ({ kind: 'pglite', dataDir: `${e.DATA_DIR}/pglite` } as const);
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    database,
    dataDir: e.DATA_DIR,
    seedDemoOnFirstStart: e.SEED_DEMO_ON_FIRST_START ?? database.kind === 'pglite',
    identityKeySecret: e.IDENTITY_KEY_SECRET ?? null,
    booking: { maxActivePerEmail: e.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL, maxReschedules: e.MAX_RESCHEDULES },
    slots: { horizonDays: e.SLOT_HORIZON_DAYS, materialiseIntervalMinutes: e.SLOT_MATERIALISE_INTERVAL_MINUTES },
    calendar: { recomputeEveryMs: e.CALENDAR_RECOMPUTE_MS },
    trustProxy: e.TRUST_PROXY,
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM,
      sender: senderOf(e.MAIL_FROM),
      outboxDir: `${e.DATA_DIR}/outbox`,
      pollIntervalMs: e.OUTBOX_POLL_SECONDS * 1000,
      evidenceHeadRecipients: e.EVIDENCE_HEAD_RECIPIENTS,
      renderThread: e.MAIL_RENDER_THREAD === 'on',
    },
    sms: {
      gatewayUrl: e.SMS_GATEWAY_URL ?? null,
      gatewayKey: e.SMS_GATEWAY_KEY ?? null,
      dir: `${e.DATA_DIR}/sms`,
      dailyLimit: e.SMS_DAILY_LIMIT,
    },
    redisUrl: e.REDIS_URL ?? null,
    registry: {
      url: e.REGISTRY_URL ?? null,
      timeoutMs: e.REGISTRY_TIMEOUT_MS,
      attemptsPerIpPerHour: e.REGISTRY_ATTEMPTS_PER_IP_PER_HOUR,
      attemptsPerNumberPerHour: e.REGISTRY_ATTEMPTS_PER_NUMBER_PER_HOUR,
    },
    emailCodes: {
      ttlMinutes: e.EMAIL_CODE_TTL_MINUTES,
      maxAttempts: e.EMAIL_CODE_MAX_ATTEMPTS,
      sendsPerEmailPerHour: e.EMAIL_CODE_SENDS_PER_EMAIL_PER_HOUR,
      sendsPerIpPerHour: e.EMAIL_CODE_SENDS_PER_IP_PER_HOUR,
    },
    pow: { hmacKey: e.POW_HMAC_KEY ?? null, minMaxNumber: e.POW_MIN_MAX_NUMBER, maxMaxNumber: e.POW_MAX_MAX_NUMBER },
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, sensitivePerMinute: e.RATE_LIMIT_SENSITIVE_PER_MINUTE },
    // Without a configured key (never in production), convocations are signed with a key derived from the identity secret.
    convocationSigningKey: e.CONVOCATION_SIGNING_KEY ?? null,
    retention: retentionPolicy(e.RETENTION_RECORDS_MONTHS),
    fraud: {
      rules: fraudRulesOf(e.FRAUD_SIGNAL_RULES),
      holdScore: e.FRAUD_HOLD_SCORE,
      holdHours: e.FRAUD_HOLD_HOURS,
    },
  });
}

/**
 * Fills the secrets the environment left out with `generated(dataDir)` — called only then,
 * so a configuration that names every secret (production always does) touches no file.
 */
export function completeConfig(config: EnvironmentConfig, generated: (dataDir: string) => GeneratedSecrets): Config {
  const { identityKeySecret, pow } = config;
  if (identityKeySecret !== null && pow.hmacKey !== null) return config as Config;
  if (config.env === 'production')
    throw new ConfigError('Invalid configuration:\n  IDENTITY_KEY_SECRET, POW_HMAC_KEY: required in production');
  const secrets = generated(config.dataDir);
  return Object.freeze({
    ...config,
    identityKeySecret: identityKeySecret ?? secrets.identityKeySecret,
    pow: { ...pow, hmacKey: pow.hmacKey ?? secrets.powHmacKey },
  });
}
