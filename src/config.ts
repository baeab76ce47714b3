// The only reader of process.env: every setting is parsed and validated here, then frozen.
// Each variable is documented in .env.example.
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    DATA_DIR: z.string().min(1).default('./data'),
    SEED_DEMO_ON_FIRST_START: booleanFromEnv.optional(),
    IDENTITY_KEY_SECRET: z.string().min(32).optional(),
    MAX_ACTIVE_APPOINTMENTS_PER_EMAIL: z.coerce.number().int().min(1).max(20).default(2),
    MAX_RESCHEDULES: z.coerce.number().int().min(0).max(10).default(2),
    SLOT_HORIZON_DAYS: z.coerce.number().int().min(1).max(366).default(60),
    SLOT_MATERIALISE_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
    TRUST_PROXY: booleanFromEnv.default(false),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.IDENTITY_KEY_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['IDENTITY_KEY_SECRET'], message: 'required in production (32+ characters)' });
    }
  });

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
  trustProxy: boolean;
}>;

// A fixed development secret keeps identity keys stable across restarts of the demo;
// production refuses to start without a real one (see superRefine above).
const DEVELOPMENT_IDENTITY_SECRET = 'creneau-development-identity-secret-do-not-use-in-production';

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
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
    identityKeySecret: e.IDENTITY_KEY_SECRET ?? DEVELOPMENT_IDENTITY_SECRET,
    booking: { maxActivePerEmail: e.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL, maxReschedules: e.MAX_RESCHEDULES },
    slots: { horizonDays: e.SLOT_HORIZON_DAYS, materialiseIntervalMinutes: e.SLOT_MATERIALISE_INTERVAL_MINUTES },
    trustProxy: e.TRUST_PROXY,
  });
}
