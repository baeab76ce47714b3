// The `creneau` command. `npm start` runs `creneau serve`.
import { Command } from 'commander';
import { ConfigError } from '../config.ts';
import { hasCatalogue, seedDemo } from '../demo/demo-seed.ts';
import {
  configFromEnvironment,
  createLogger,
  createServices,
  prepareDatabase,
  printDemoAgents,
  VERSION,
} from '../main.ts';
import { registerAgentCommand } from './agent-command.ts';
import { registerAuditCommand } from './audit-command.ts';
import { registerDrawCommand } from './draw-command.ts';
import { registerQueueTallyCommand } from './queue-tally-command.ts';
import { registerRetentionCommands } from './retention-command.ts';
import { registerServeCommands } from './serve-command.ts';
import { registerSimulateCommand } from './simulate-command.ts';

const program = new Command()
  .name('creneau')
  .description("Créneau — fair, scalping-proof appointments for the foreigners' services of French prefectures")
  .version(VERSION);

registerServeCommands(program);

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => {
    const config = configFromEnvironment();
    const logger = createLogger(config);
    const database = await prepareDatabase(config, logger);
    await database.close();
    logger.info('database is up to date');
  });

program
  .command('seed')
  .description('load data into the database')
  .option('--demo', 'the demo prefecture (Seine-Saint-Denis), its procedures, opening rules, slots and some bookings')
  .action(async (options: { demo?: boolean }) => {
    if (!options.demo) {
      program.error('nothing to seed: pass --demo');
    }
    const config = configFromEnvironment();
    if (config.env === 'production') program.error('the demo is never seeded in production: its data is fictitious');
    const logger = createLogger(config);
    const database = await prepareDatabase(config, logger);
    const services = await createServices(config, database, logger);
    try {
      if (await hasCatalogue(database.db))
        logger.info('a catalogue already exists; the demo seed only adds what is missing');
      const { createdAgents, ...report } = await seedDemo(database.db, services.ctx, {
        horizonDays: config.slots.horizonDays,
        agents: services.features.agents.useCases,
      });
      logger.info({ report }, report.skipped ? 'demo data already present' : 'demo data seeded');
      printDemoAgents(createdAgents, logger);
    } finally {
      await services.close();
      await database.close();
    }
  });

registerSimulateCommand(program);
registerDrawCommand(program);
registerAgentCommand(program);
registerAuditCommand(program);
registerQueueTallyCommand(program);
registerRetentionCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  const unreadable = unreadableFile(error);
  if (unreadable) {
    console.error(unreadable);
    process.exit(2);
  }
  throw error;
}

/** A file named on the command line (a draw to verify, a pack, a key) that cannot be read: one line, no stack trace. */
function unreadableFile(error: unknown): string | null {
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (!path || !syscall || !code || !['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR'].includes(code)) return null;
  return `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code}`;
}
