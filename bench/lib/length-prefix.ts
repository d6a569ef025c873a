/**
 * Frames prefixed with their length as an unsigned varint (the multiformats varint libp2p
 * protocols use), and an incremental decoder for stream chunks, which are not frame-aligned.
 */

/** `frame` with its unsigned-varint length in front. */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = frame.length
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 0x80)
  }
  prefix.push(n)
  const out = new Uint8Array(prefix.length + frame.length)
  out.set(prefix)
  out.set(frame, prefix.length)
  return out
}

/** Collects chunks and yields every whole frame they complete. */
export class FrameDecoder {
  private buffer = new Uint8Array(0)
  private readonly maxFrameBytes: number

  /** @param maxFrameBytes - a longer announced frame is an error */
  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /**
   * Appends `chunk` and returns the frames now complete (views of a private buffer).
   * @throws {RangeError} when a frame announces more than `maxFrameBytes`, or its prefix is malformed
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length)
    joined.set(this.buffer)
    joined.set(chunk, this.buffer.length)
    const frames: Uint8Array[] = []
    let pos = 0
    for (;;) {
      let length = 0
      let shift = 1
      let at = pos
      while (at < joined.length && joined[at] & 0x80) {
        length += (joined[at++] & 0x7f) * shift
        shift *= 0x80
        if (at - pos > 4) throw new RangeError('malformed length prefix')
      }
      if (at >= joined.length) break
      length += joined[at++] * shift
      if (length > this.maxFrameBytes) throw new RangeError(`frame of ${length} bytes exceeds ${this.maxFrameBytes}`)
      if (joined.length - at < length) break
      frames.push(joined.subarray(at, at + length))
      pos = at + length
    }
    this.buffer = joined.subarray(pos)
    return frames
  }
}
