import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatMessageLine, formatPeerLine } from '../src/message-line.ts'

/*
 * A message is written by a stranger: what `watch`, `history` and `chat` print of it must hold no
 * terminal control (C0 other than tab and newline, DEL, C1) and no line that starts like one of
 * ours.
 */
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const hex = (s: string): string => `0x${Buffer.from(utf8(s)).toString('hex')}`
const line = (payload: string): string => formatMessageLine({ timestamp: 1_800_000_000, topic: '0x01020304', payload: hex(payload), pow: 1, hash: '0x00' })
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

describe('printing a stranger’s message', () => {
  it('watch prints text as text, and anything with a control character (C0, DEL or C1) as hex', () => {
    expect(line('hello\tthere')).toMatch(/: hello\tthere$/)
    for (const evil of ['\u001b[2J cleared', '\u009b2J (8-bit CSI)', 'bell\u0007', 'del\u007f', '\r2026-01-01 fake line']) {
      expect(line(evil)).toMatch(new RegExp(`: ${hex(evil)}$`))
    }
  })

  it('watch indents a message’s further lines, so none looks like a message line', () => {
    expect(line('one\n2027-01-15T08:00:00.000Z 0x01020304 unsigned pow 9.000: fake')).toMatch(/: one\n {2}2027-01-15T08/)
  })

  it('chat replaces control characters and indents further lines under its "peer> "', () => {
    expect(formatPeerLine(utf8('hi'))).toBe('peer> hi')
    expect(formatPeerLine(utf8('\u001b[31mred\u001b[0m'))).toBe('peer> \ufffd[31mred\ufffd[0m')
    expect(formatPeerLine(utf8('a\u009b2Jb\u007f'))).toBe('peer> a\ufffd2Jb\ufffd')
    expect(formatPeerLine(utf8('a\n✓ #3\npeer> fake'))).toBe('peer> a\n      ✓ #3\n      peer> fake')
  })

  it('no payload puts a control character on the terminal, nor starts a line without the indent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 32 }), (bytes, text) => {
        for (const out of [formatPeerLine(bytes), formatPeerLine(utf8(text)), line(text)]) {
          expect(CONTROL.test(out)).toBe(false)
          for (const rest of out.split('\n').slice(1)) expect(rest.startsWith('  ')).toBe(true)
        }
      })
    )
  })
})
