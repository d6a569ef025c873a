import { describe, expect, it } from 'vitest'
import { lengthPrefixed } from '../src/frame-decoder.ts'
import { FrameInbox } from '../src/frame-inbox.ts'

const frame = (n: number): Uint8Array => Uint8Array.of(0xc2, 0x01, n)

function inbox(isOpen = () => true) {
  const got: number[] = []
  const errors: string[] = []
  const box = new FrameInbox(1024, { onFrame: (f) => got.push(f[2]), onMalformed: (e) => errors.push(e.name), isOpen })
  return { box, got, errors }
}

describe('FrameInbox', () => {
  it('hands on frames in order, across chunk boundaries', () => {
    const { box, got } = inbox()
    const bytes = Uint8Array.of(...lengthPrefixed(frame(1)), ...lengthPrefixed(frame(2)), ...lengthPrefixed(frame(3)))
    box.push(bytes.subarray(0, 5))
    box.push(bytes.subarray(5))
    expect(got).toEqual([1, 2, 3])
  })
  it('while paused, keeps what it decodes and hands it on after the pause, in order', async () => {
    const { box, got } = inbox()
    box.push(lengthPrefixed(frame(1)))
    box.pauseFor(30)
    box.push(Uint8Array.of(...lengthPrefixed(frame(2)), ...lengthPrefixed(frame(3))))
    expect(got).toEqual([1])
    await new Promise((r) => setTimeout(r, 60))
    expect(got).toEqual([1, 2, 3])
    box.close()
  })
  it('reports bytes that are not frames, and hands nothing on once closed for the peer', () => {
    let open = true
    const { box, got, errors } = inbox(() => open)
    box.push(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01)) // a length prefix far over the limit
    expect(errors).toEqual(['InvalidFrameError'])
    const fresh = inbox(() => open)
    open = false
    fresh.box.push(lengthPrefixed(frame(9)))
    expect(fresh.got).toEqual([])
    expect(got).toEqual([])
  })
})
