/**
 * How the receiving commands (`watch`, `history`, `chat`) print one message. A message is
 * written by a stranger: it must not drive the terminal (C0 and C1 controls, DEL, and with them
 * every escape sequence) nor fake another line (continuation lines are indented).
 */
import { fromHex } from './format.ts'

/** C0 controls other than tab and newline, DEL, and C1 controls (U+0080–U+009F, CSI among them). */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/** `text` with each control character replaced by U+FFFD and continuation lines indented by `indent`. */
function terminalSafe(text: string, indent: string): string {
  return text.replace(CONTROLS, '\ufffd').replaceAll('\n', `\n${indent}`)
}

/** How `chat` prints a message from the other person: `peer> <text>`, terminal-safe. */
export function formatPeerLine(payload: Uint8Array): string {
  return `peer> ${terminalSafe(new TextDecoder().decode(payload), '      ')}`
}

/** The RPC `Message` fields printed. */
export interface RpcMessageLine {
  sig?: string
  timestamp: number
  topic: string
  payload: string
  pow: number
  hash: string
}

/** A payload as text when it is printable UTF-8 (continuation lines indented), else as hex. */
function show(payloadHex: string): string {
  const bytes = fromHex(payloadHex, 'payload')
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  // Control characters (other than tab and newline) or undecodable bytes: show hex instead.
  CONTROLS.lastIndex = 0
  return CONTROLS.test(text) || text.includes('\ufffd') ? payloadHex : terminalSafe(text, '  ')
}

/**
 * `<ISO time> <topic> <unsigned | from 0x04…> pow <pow>: <payload>`; the topic by the name in
 * `topicNames` (keyed by lowercase `0x` hex) when it has one.
 */
export function formatMessageLine(m: RpcMessageLine, topicNames?: ReadonlyMap<string, string>): string {
  const from = m.sig === undefined ? 'unsigned' : `from ${m.sig.slice(0, 12)}…`
  const topic = topicNames?.get(m.topic.toLowerCase()) ?? m.topic
  return `${new Date(m.timestamp * 1000).toISOString()} ${terminalSafe(topic, '')} ${from} pow ${m.pow.toFixed(3)}: ${show(m.payload)}`
}
