/**
 * Code the Hush web apps (apps/board, apps/messenger) share: the JSON-RPC 2.0 WebSocket client
 * to the local node that web3-shh and the apps' own `hush_*` calls go through.
 *
 * @packageDocumentation
 */
export { RpcError, type RpcPayload, RpcSocket, type RunningCall } from './rpc.ts'
