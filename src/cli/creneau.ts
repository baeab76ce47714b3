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
  startServer,
  VERSION,
} from '../main.ts';
import { registerAgentCommand } from './agent-command.ts';
import { registerDrawCommand } from './draw-command.ts';
import { registerSimulateCommand } from './simulate-command.ts';

const program = new Command()
  .name('creneau')
  .description("Créneau — fair, scalping-proof appointments for the foreigners' services of French prefectures")
  .version(VERSION);

program
  .command('serve')
  .description(
    'start the HTTP server (migrates the database first, waiting for it if need be; seeds the demo on the first embedded start)',
  )
  .action(async () => {
    const config = configFromEnvironment();
    const logger = createLogger(config);
    const server = await startServer(config, logger);
    let stopping = false;
    // The port is open at once (/health, /ready); the line below says every route is served.
    server.ready.then(
      () => logger.info(`Créneau listening on ${server.url} — API docs at ${server.url}/docs`),
      async (err: unknown) => {
        if (stopping) return;
        logger.fatal(
          { err },
          'cannot start: the database refused the migrations or the connection (waiting would not help)',
        );
        await server.close().catch(() => {});
        process.exit(1);
      },
    );
    // Graceful: Fastify stops accepting, finishes the requests in flight, then the jobs stop
    // and the database closes.
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
