/** How the receiving commands (`watch`, `history`) print one message. */
import { fromHex } from './format.ts'

/** The RPC `Message` fields printed. */
export interface RpcMessageLine {
  sig?: string
  timestamp: number
  topic: string
  payload: string
  pow: number
  hash: string
}

/** A payload as text when it is printable UTF-8, else as hex. */
function show(payloadHex: string): string {
  const bytes = fromHex(payloadHex, 'payload')
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  // Control characters (other than tab and newline) or undecodable bytes: show hex instead.
  return /[\u0000-\u0008\u000b-\u001f\ufffd]/.test(text) ? payloadHex : text
}

/** `<ISO time> <topic> <unsigned | from 0x04…> pow <pow>: <payload>` */
export function formatMessageLine(m: RpcMessageLine): string {
  const from = m.sig === undefined ? 'unsigned' : `from ${m.sig.slice(0, 12)}…`
  return `${new Date(m.timestamp * 1000).toISOString()} ${m.topic} ${from} pow ${m.pow.toFixed(3)}: ${show(m.payload)}`
}
