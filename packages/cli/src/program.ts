/**
 * The `hush` command line: commander wiring only; each command lives in `commands/`.
 */
import { Command } from 'commander'
import { accountAddFriend, accountCreate, accountPassword, accountRemoveFriend, accountShow } from './commands/account.ts'
import { runChat } from './commands/chat.ts'
import { runDemo } from './commands/demo.ts'
import { runHistory } from './commands/history.ts'
import { keysDelete, keysExport, keysFromPassword, keysImport, keysList, keysNew } from './commands/keys.ts'
import { readMessage, runPost } from './commands/post.ts'
import { MAIL_PASSWORD_ENV, type StartOptions, runStart } from './commands/start.ts'
import { peerIds, statusLines } from './commands/status.ts'
import { type NamedTopic, runWatch } from './commands/watch.ts'
import { CliError, EXIT } from './errors.ts'
import { type AccountFlags, type RpcFlags, accountAt, accountFlags, namedTopicFlag, nodeFlags, numberFlag, rpcOptions, target, topicFlag } from './flags.ts'
import { untilInterrupted } from './interrupt.ts'
import { DEFAULT_METRICS_HOST } from './metrics.ts'
import { dataDir, parseKeyId, parsePeer, parsePublicKey, parseTime, readPassword } from './options.ts'
import { createProgressLine } from './progress-line.ts'

/** Prints each line on stdout. */
function printLines(lines: Iterable<string>): void {
  for (const line of lines) console.log(line)
}

/** Builds the `hush` program. */
export function createProgram(): Command {
  const program = new Command('hush')
    .description('Hush: a Whisper v6 gossip messaging node')
    .version('0.1.0')
    // Usage errors are one line on stderr and exit 2, like CliErrors: bin.ts prints them.
    .configureOutput({ outputError: () => undefined })
    .exitOverride()

  const start = program
    .command('start')
    .description('run a node with the shh JSON-RPC endpoint (until Ctrl-C)')
    .option('--data-dir <dir>', 'directory for the persistent peer key (default: $HUSH_DIR, else ~/.hush); one hush start per directory')
  nodeFlags(start)
  start
    .option('--discover <list>', 'peer discovery besides --bootstrap: dht, mdns (comma-separated) or none (default: dht, plus mdns when listening beyond loopback)')
    .option('--light', 'light mode: ask only for watched topics, relay nothing')
    .option('--rpc-host <host>', 'RPC bind address', '127.0.0.1')
    .option('--rpc-port <port>', 'RPC port (0 picks a free one)', numberFlag('--rpc-port', { min: 0, integer: true }), 8545)
    .option('--token <token>', 'require this bearer token on RPC requests (shows in `ps`: prefer --token-file or $HUSH_TOKEN)')
    .option('--token-file <file>', 'require the bearer token on the first line of this file')
    .option('--insecure', 'allow --rpc-host beyond loopback without a token (anyone who reaches it can use the keys)')
    .option('--ui <dir>', 'also serve this built web app on the RPC port (e.g. apps/board/dist), for a browser on this machine')
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .option('--mail', 'also run a mail server: archive every envelope the node accepts, answer history requests')
    .option('--mail-dir <dir>', 'the mail archive (LevelDB) directory (default: <data dir>/mail)')
    .option('--mail-password-file <file>', `file holding the mail password (else $${MAIL_PASSWORD_ENV}; there is no password flag, as flag values show in \`ps\`)`)
    .option('--mail-min-pow <pow>', 'least PoW of a history request', numberFlag('--mail-min-pow', { min: 0 }))
    .option('--mail-store <store>', 'leveldb (under --mail-dir) or postgres (connection string in $HUSH_MAIL_POSTGRES_URL)')
    .option('--mail-max-age <age>', 'retention: drop archived envelopes sent longer ago than this (e.g. 30d; pruned every minute)')
    .option('--mail-max-bytes <size>', 'retention: keep at most this many envelope bytes, oldest dropped first (e.g. 50G)')
    .option('--messenger', 'also serve the messenger (hush_* RPC methods: account, friends, sessions), its account under <data dir>/messenger')
    .option('--messenger-mail <multiaddr>', 'a mail server (…/p2p/<id>) the messenger catches up from when unlocked; password as for --mail')
    .option('--metrics <port>', 'serve Prometheus metrics on http://<metrics host>:<port>/metrics (0 picks a free one)', numberFlag('--metrics', { min: 0, integer: true }))
    .option('--metrics-host <host>', 'metrics bind address', DEFAULT_METRICS_HOST)
    .action(async (opts: StartOptions, command: Command) => {
      const given = new Set(Object.keys(opts).filter((k) => command.getOptionValueSource(k) === 'cli'))
      await runStart(opts, given)
    })

  rpcOptions(program.command('status').description('whether the node is connected: its peers, pool and minimum PoW')).action(async (opts: RpcFlags) => {
    printLines(await statusLines(target(opts)))
  })
  rpcOptions(program.command('peers').description('the ids of the peers the node exchanges envelopes with, one per line')).action(async (opts: RpcFlags) => {
    printLines(await peerIds(target(opts)))
  })
  const keys = program.command('keys').description('manage keys on a running node')
  rpcOptions(
    keys
      .command('new')
      .description('create a key pair (or, with --sym, a symmetric key); prints its id')
      .option('--sym', 'a symmetric key instead of a key pair')
      .option('--password-file <file>', 'with --sym: derive the key from the password in this file; the same password gives the same key on every node')
      .option('--from-password', 'with --sym: derive the key from --password-file or $HUSH_KEY_PASSWORD')
      .option('--data-dir <dir>', 'where the list of created keys is kept')
  ).action(async (opts: RpcFlags & { sym?: boolean; passwordFile?: string; fromPassword?: boolean; dataDir?: string }) => {
    const derive = opts.fromPassword === true || opts.passwordFile !== undefined
    if (derive && opts.sym !== true) throw new CliError('--from-password and --password-file need --sym')
    const record = derive
      ? await keysFromPassword(target(opts), dataDir(opts.dataDir), await readPassword(opts.passwordFile, 'HUSH_KEY_PASSWORD', '--password-file', 'key password', { confirm: true }))
      : await keysNew(target(opts), dataDir(opts.dataDir), opts.sym === true)
    console.log(record.id)
    if (record.publicKey !== undefined) console.log(`public key: ${record.publicKey}`)
  })
  rpcOptions(
    keys
      .command('import')
      .description('hand the node a raw symmetric key, read from stdin or --file (never from the command line); prints its id')
      .option('--file <path>', 'read the key from this file instead of stdin')
      .option('--data-dir <dir>', 'where the list of keys is kept')
  ).action(async (opts: RpcFlags & { file?: string; dataDir?: string }) => {
    const text = await readMessage({ ...(opts.file === undefined ? { argument: '-' } : { file: opts.file }), allowEmpty: true })
    console.log((await keysImport(target(opts), dataDir(opts.dataDir), typeof text === 'string' ? text : new TextDecoder().decode(text))).id)
  })
  rpcOptions(
    keys
      .command('export <id>')
      .description('the raw symmetric key with this id, to stdout or (mode 0600) to --out')
      .option('--out <path>', 'write it to this new file instead of stdout')
  ).action(async (id: string, opts: RpcFlags & { out?: string }) => {
    const key = await keysExport(target(opts), parseKeyId(id), opts.out)
    if (key !== undefined) console.log(key)
  })
  rpcOptions(keys.command('list').description('list the keys created with `hush keys new`').option('--data-dir <dir>', 'where the list is kept')).action(
    async (opts: RpcFlags & { dataDir?: string }) => {
      const records = await keysList(target(opts), dataDir(opts.dataDir))
      printLines(records.map((r) => `${r.id} ${r.kind === 'sym' ? 'symmetric' : 'key pair '} ${r.onNode ? 'on node ' : 'gone    '} ${r.publicKey ?? ''}`.trimEnd()))
    }
  )
  rpcOptions(keys.command('delete <id>').description('delete a key from the node').option('--data-dir <dir>', 'where the list is kept')).action(
    async (id: string, opts: RpcFlags & { dataDir?: string }) => {
      if (!(await keysDelete(target(opts), dataDir(opts.dataDir), parseKeyId(id)))) throw new CliError(`the node holds no key ${id}`, { exitCode: EXIT.failure })
      console.log(`deleted ${id}`)
    }
  )

  rpcOptions(
    program
      .command('post [message]')
      .description('encrypt, seal and flood a message through a running node; prints the envelope hash (message - reads stdin)')
      .option('--file <path>', 'read the message from this file (its bytes as they are) instead of the argument')
      .option('--allow-empty', 'post an empty message (refused otherwise)')
      .option('--sym-key-id <id>', 'symmetric key id on the node')
      .option('--pub-key <hex>', 'the recipient\'s public key (asymmetric)')
      .option('--sig <id>', 'key pair id to sign with')
      .requiredOption('--topic <topic>', '0x and 8 hex digits, or a name', topicFlag)
      .option('--ttl <seconds>', 'time to live', numberFlag('--ttl', { min: 1, integer: true }), 50)
      .option('--pow-target <pow>', 'PoW to seal to', numberFlag('--pow-target', { min: 0 }), 0.2)
      .option('--pow-time <seconds>', 'most seconds to spend sealing', numberFlag('--pow-time', { min: 1, integer: true }), 10)
      .option('--padding <hex>', 'padding bytes to use')
      .option('--target-peer <peerId>', 'send directly to this trusted peer')
  ).action(async (argument: string | undefined, opts: RpcFlags & { symKeyId?: string; pubKey?: string; sig?: string; topic: Uint8Array[]; ttl: number; powTarget: number; powTime: number; padding?: string; targetPeer?: string; file?: string; allowEmpty?: boolean }) => {
    if ((opts.symKeyId === undefined) === (opts.pubKey === undefined)) throw new CliError('give exactly one of --sym-key-id and --pub-key')
    const message = await readMessage({ ...(argument !== undefined && { argument }), ...(opts.file !== undefined && { file: opts.file }), allowEmpty: opts.allowEmpty === true })
    const hash = await untilInterrupted((signal) => runPost(target(opts), {
      ...(opts.symKeyId !== undefined && { symKeyId: parseKeyId(opts.symKeyId) }),
      ...(opts.pubKey !== undefined && { pubKey: parsePublicKey(opts.pubKey, '--pub-key') }),
      ...(opts.sig !== undefined && { sig: parseKeyId(opts.sig) }),
      ...(opts.padding !== undefined && { padding: opts.padding }),
      ...(opts.targetPeer !== undefined && { targetPeer: opts.targetPeer }),
      topic: opts.topic[opts.topic.length - 1],
      ttl: opts.ttl,
      powTarget: opts.powTarget,
      powTime: opts.powTime,
      message,
      signal,
    }))
    console.log(hash)
  })

  rpcOptions(
    program
      .command('watch')
      .description('print the messages a filter on a running node receives')
      .option('--sym-key-id <id>', 'symmetric key id on the node')
      .option('--key-id <id>', 'key pair id on the node (asymmetric messages)')
      .option('--topic <topic>', 'topic to watch (repeatable; none = all); shown as you wrote it', namedTopicFlag)
      .option('--min-pow <pow>', 'minimum PoW', numberFlag('--min-pow', { min: 0 }))
      .option('--count <n>', 'exit after this many messages', numberFlag('--count', { min: 1, integer: true }))
      .option('--interval <ms>', 'polling interval', numberFlag('--interval', { min: 10, integer: true }), 250)
  ).action(async (opts: RpcFlags & { symKeyId?: string; keyId?: string; topic?: NamedTopic[]; minPow?: number; count?: number; interval: number }) => {
    if ((opts.symKeyId === undefined) === (opts.keyId === undefined)) throw new CliError('give exactly one of --sym-key-id and --key-id')
    await untilInterrupted((signal) =>
      runWatch(target(opts), {
        ...(opts.symKeyId !== undefined && { symKeyId: parseKeyId(opts.symKeyId) }),
        ...(opts.keyId !== undefined && { keyId: parseKeyId(opts.keyId) }),
        topics: opts.topic ?? [],
        ...(opts.minPow !== undefined && { minPow: opts.minPow }),
        ...(opts.count !== undefined && { count: opts.count }),
        intervalMs: opts.interval,
        signal,
        status: (line) => process.stderr.write(`${line}\n`),
      })
    )
  })

  rpcOptions(
    program
      .command('history')
      .description('fetch past messages from a mail server connected to a running node (shhext_requestMessages, page by page)')
      .requiredOption('--peer <peer>', 'the mail server: peer id, or multiaddr ending in /p2p/<peer id> (must be connected)')
      .option('--topic <topic>', 'topic to fetch (repeatable; none = all)', topicFlag)
      .option('--from <time>', 'earliest sent time: unix seconds, or an age like 90s, 30m, 2h, 7d', '24h')
      .option('--to <time>', 'latest sent time: unix seconds, an age, or now', 'now')
      .option('--password-file <file>', `file holding the mail password (else $${MAIL_PASSWORD_ENV}; no password flag, as flag values show in \`ps\`)`)
      .option('--sym-key-id <id>', 'symmetric key id on the node, to open and print the messages')
      .option('--key-id <id>', 'key pair id on the node, to open and print asymmetric messages')
      .option('--count-only', 'print only the number of envelopes received')
      .option('--page-size <n>', 'envelopes per page', numberFlag('--page-size', { min: 1, integer: true }), 100)
      .option('--pow <pow>', 'PoW of each request (at least the server\'s minimum)', numberFlag('--pow', { min: 0 }), 0.2)
      .option('--timeout <seconds>', 'most seconds one page may take', numberFlag('--timeout', { min: 1, integer: true }), 30)
  ).action(async (opts: RpcFlags & { peer: string; topic?: Uint8Array[]; from: string; to: string; passwordFile?: string; symKeyId?: string; keyId?: string; countOnly?: boolean; pageSize: number; pow: number; timeout: number }) => {
    const countOnly = opts.countOnly === true
    if (opts.symKeyId !== undefined && opts.keyId !== undefined) throw new CliError('give at most one of --sym-key-id and --key-id')
    if (!countOnly && opts.symKeyId === undefined && opts.keyId === undefined) throw new CliError('give --sym-key-id or --key-id to print the messages, or --count-only')
    if (opts.pageSize > 1000) throw new CliError(`--page-size must be at most 1000, got ${opts.pageSize}`)
    const now = Math.floor(Date.now() / 1000)
    const from = parseTime(opts.from, '--from', now)
    const to = parseTime(opts.to, '--to', now)
    if (to < from) throw new CliError(`--to (${to}) is before --from (${from})`)
    const peer = parsePeer(opts.peer, '--peer')
    const password = await readPassword(opts.passwordFile, MAIL_PASSWORD_ENV, '--password-file')
    const { print, progress } = createProgressLine()
    const result = await untilInterrupted((signal) =>
      runHistory(target(opts), {
        peer,
        password,
        from,
        to,
        topics: opts.topic ?? [],
        ...(!countOnly && opts.symKeyId !== undefined && { symKeyId: parseKeyId(opts.symKeyId) }),
        ...(!countOnly && opts.keyId !== undefined && { keyId: parseKeyId(opts.keyId) }),
        pageSize: opts.pageSize,
        pow: opts.pow,
        timeoutSeconds: opts.timeout,
        signal,
        print,
        progress,
      })
    )
    if (countOnly) console.log(result.envelopes)
  })

  const account = program.command('account').description('your identity and friends, encrypted at rest (`hush chat --identity account` uses its session identity)')
  accountFlags(account.command('create').description('create a new identity; prints its public key')).action(async (opts: AccountFlags) => {
    console.log(await accountCreate(opts.account, () => accountPassword(opts.password, opts.account, { confirm: true })))
  })
  accountFlags(account.command('add-friend <name> <publicKey>').description('add a friend by name and 0x public key'))
    .option('--replace', 'change the key of a friend already known by that name')
    .action(async (name: string, publicKey: string, opts: AccountFlags & { replace?: boolean }) => {
      await accountAddFriend(await accountAt(opts), name, publicKey, { replace: opts.replace === true })
      console.log(`added ${name}`)
    })
  accountFlags(account.command('remove-friend <name>').description('remove a friend')).action(async (name: string, opts: AccountFlags) => {
    await accountRemoveFriend(await accountAt(opts), name)
    console.log(`removed ${name}`)
  })
  accountFlags(account.command('show').description('print your public key and your friends')).action(async (opts: AccountFlags) => {
    printLines(await accountShow(await accountAt(opts)))
  })

  const chat = accountFlags(
    program
      .command('chat')
      .description('chat with one person over a forward-secure session (v2; runs its own node): one side invites, the other joins')
      .option('--invite', 'create an invitation (printed on its own line: hand it to one person out of band) and wait for the join')
      .option('--join <uri>', 'join an invitation (hush:invite?d=…); lines typed before it opens go out as early data')
      .option('--identity <choice>', 'per-contact (a fresh key, a new safety number each time) or account (the account\'s session identity: one safety number for every contact; needs --account)', 'per-contact')
  )
  nodeFlags(chat)
  chat.addHelpText(
    'after',
    `
Example:
  hush chat --invite                               # prints listening: <address> and hush:invite?d=…
  hush chat --join 'hush:invite?d=…' --bootstrap <address>   # <address>: a listening: line the inviter's chat printed

Both sides print the same safety number once the conversation opens: compare it over another
channel (in person, a call). Lines typed are sent; "peer> …" is a received line, "✓ #n" a receipt
for your n-th line. Ctrl-D closes the conversation.`
  )
  chat.action(async (opts: AccountFlags & { invite?: boolean; join?: string; identity: string; listen?: string[]; bootstrap?: string[]; minPow?: number }) => {
    if (opts.identity !== 'per-contact' && opts.identity !== 'account') throw new CliError(`--identity must be per-contact or account, got "${opts.identity}"`)
    await runChat({
      ...(opts.invite === true && { invite: true }),
      ...(opts.join !== undefined && { join: opts.join }),
      identity: opts.identity,
      ...(opts.identity === 'account' && { account: await accountAt(opts) }),
      ...(opts.listen !== undefined && { listen: opts.listen }),
      ...(opts.bootstrap !== undefined && { bootstrap: opts.bootstrap }),
      ...(opts.minPow !== undefined && { minPow: opts.minPow }),
    })
  })

  program
    .command('demo')
    .description('start a local network, let two people chat over a forward-secure session, print a summary')
    .option('--nodes <n>', 'nodes in the local network', numberFlag('--nodes', { min: 2, integer: true }), 5)
    .option('--messages <n>', 'messages each person sends (1-5)', numberFlag('--messages', { min: 1, integer: true }), 5)
    .option('--pow <pow>', 'PoW every envelope is sealed to', numberFlag('--pow', { min: 0 }), 0.2)
    .action(async (opts: { nodes: number; messages: number; pow: number }) => {
      if (opts.messages > 5) throw new CliError(`--messages must be at most 5, got ${opts.messages}`)
      const summary = await runDemo({ nodes: opts.nodes, messages: opts.messages, pow: opts.pow })
      if (summary.messagesDelivered !== summary.messagesSent) process.exitCode = 1
    })

  return program
}
