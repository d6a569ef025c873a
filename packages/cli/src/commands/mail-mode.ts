/**
 * The mail-server mode of `hush start --mail`: a LevelDB archive under the data directory, a mail
 * server on the node, and an `archived <n>` line whenever the durable count changed (checked
 * every second).
 */
import { symKeyFromPasswordAsync } from '@hush/envelope'
import { createMailServer, type MailServer, type MailServerHost, openLevelArchive } from '@hush/mail'
import { CliError } from '../errors.ts'

/** Settings of the mail mode. */
export interface MailModeOptions {
  /** The archive directory. */
  path: string
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
  let archive
  try {
    archive = await openLevelArchive({ path: options.path })
  } catch (err) {
    const reason = (err as { code?: string }).code === 'LEVEL_LOCKED' ? 'another process holds it' : (err as Error).message
    throw new CliError(`cannot open the mail archive at ${options.path}: ${reason}`, { cause: err })
  }
  const symKey = await symKeyFromPasswordAsync(options.password)
  let server: MailServer
  try {
    server = createMailServer(host, { archive, symKey, ...(options.minPow !== undefined && { minPow: options.minPow }) })
  } catch (err) {
    await archive.close()
    throw new CliError(`cannot start the mail server: ${(err as Error).message}`, { cause: err })
  }
  server.start()
  const { count } = await archive.stats()
  print(`mail: archive ${options.path} (LevelDB, ${count} envelopes; each write is fsynced before it counts as archived)`)
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
