/**
 * The mail-server mode of `hush start --mail`: a LevelDB archive under the data directory, a mail
 * server on the node, and an `archived <n>` line whenever the durable count changed (checked
 * every second).
 */
import { symKeyFromPasswordAsync } from '@hush/envelope'
import { type Archive, createMailServer, type MailRetention, type MailServer, type MailServerHost, openLevelArchive, openPostgresArchive } from '@hush/mail'
import { CliError } from '../errors.ts'

/** The environment variable holding the PostgreSQL connection string (it may carry a password). */
const MAIL_POSTGRES_ENV = 'HUSH_MAIL_POSTGRES_URL'

/** Settings of the mail mode. */
export interface MailModeOptions {
  /** Where the archive lives: LevelDB in `path`, or PostgreSQL at `$HUSH_MAIL_POSTGRES_URL`. */
  store: 'leveldb' | 'postgres'
  /** The archive directory (LevelDB). */
  path: string
  /** Retention: age and byte bounds, pruned every minute. */
  retention?: MailRetention
  password: string
  /** Least PoW of a history request. */
  minPow?: number
  /** How often the `archived <n>` line is considered. @default 1000 */
  reportIntervalMs?: number
}

/** A running mail mode. */
export interface MailMode {
  readonly server: MailServer
  /** Stops answering, writes what is pending, closes the archive, prints the last count. */
  stop(): Promise<void>
}

/**
 * Opens the archive and starts the mail server on `host` (`node.services.shh`).
 * @throws {CliError} when the archive cannot be opened (another process holds it, no permission)
 */
export async function startMailMode(host: MailServerHost, options: MailModeOptions, print: (line: string) => void): Promise<MailMode> {
  const { archive, where, durable } = await openArchive(options)
  const symKey = await symKeyFromPasswordAsync(options.password)
  let server: MailServer
  try {
    server = createMailServer(host, {
      archive,
      symKey,
      ...(options.minPow !== undefined && { minPow: options.minPow }),
      ...(options.retention !== undefined && { retention: options.retention }),
    })
  } catch (err) {
    await archive.close()
    throw new CliError(`cannot start the mail server: ${(err as Error).message}`, { cause: err })
  }
  server.start()
  const { count } = await archive.stats()
  print(`mail: archive ${where} (${archive.kind === 'leveldb' ? 'LevelDB' : 'PostgreSQL'}, ${count} envelopes; ${durable})`)
  let reported = 0
  const report = (): void => {
    const { archived } = server.stats()
    if (archived === reported) return
    reported = archived
    // The contract of this line: these `archived` envelopes (since this start) are durable.
    print(`archived ${archived}`)
  }
  const timer = setInterval(report, options.reportIntervalMs ?? 1000)
  const db = archive
  return {
    server,
    async stop() {
      clearInterval(timer)
      await server.stop()
      report()
      await db.close()
    },
  }
}

/** Opens the archive the options name; a CliError says why it cannot be. */
async function openArchive(options: MailModeOptions): Promise<{ archive: Archive; where: string; durable: string }> {
  if (options.store === 'postgres') {
    const url = process.env[MAIL_POSTGRES_ENV]
    if (url === undefined || url === '') throw new CliError(`--mail-store postgres needs the connection string in $${MAIL_POSTGRES_ENV}`)
    // The connection string may hold a password: show only where it points.
    let where = 'postgres'
    try {
      const u = new URL(url)
      where = `postgres://${u.host}${u.pathname}`
    } catch {}
    try {
      return { archive: await openPostgresArchive({ connectionString: url }), where, durable: 'each write is committed before it counts as archived' }
    } catch (err) {
      throw new CliError(`cannot open the mail archive at ${where}: ${(err as Error).message}`, { cause: err })
    }
  }
  try {
    return { archive: await openLevelArchive({ path: options.path }), where: options.path, durable: 'each write is fsynced before it counts as archived' }
  } catch (err) {
    const reason = (err as { code?: string }).code === 'LEVEL_LOCKED' ? 'another process holds it' : (err as Error).message
    throw new CliError(`cannot open the mail archive at ${options.path}: ${reason}`, { cause: err })
  }
}
