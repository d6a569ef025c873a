/**
 * @packageDocumentation
 * The `hush` command: run a node with shh JSON-RPC (and a mail server), manage keys, post and watch
 * messages, fetch history from mail servers, chat over a session, and `hush demo`. This entry
 * exposes the pieces for embedding and tests.
 */
export { createProgram } from './program.ts'
export { runDemo } from './commands/demo.ts'
export type { DemoOptions, DemoSummary } from './commands/demo.ts'
export { CliError } from './errors.ts'
export { rpcCall } from './rpc-client.ts'
export type { RpcTarget } from './rpc-client.ts'
