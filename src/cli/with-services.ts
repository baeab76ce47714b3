// What every `creneau …` command that works on the data does: load the configuration, open
// and migrate the database, build the services, run the work, and close everything; a coded
// refusal is printed as `CODE: message` with exit code 1, anything else is a crash. The log goes
// to standard error: standard output is the command's answer (`--json` piped to jq, a file).
import pino from 'pino';
import type { OpenDatabase } from '../adapters/db/database.ts';
import { isDomainError } from '../domain/errors.ts';
import { configFromEnvironment, createLogger, createServices, prepareDatabase, type Services } from '../main.ts';

export async function withServices(work: (services: Services, database: OpenDatabase) => Promise<void>): Promise<void> {
  const config = configFromEnvironment();
  const logger = createLogger(config, pino.destination(2));
  const database = await prepareDatabase(config, logger);
  const services = await createServices(config, database, logger);
  try {
    await work(services, database);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    console.error(`${error.code}: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await services.close();
    await database.close();
  }
}
