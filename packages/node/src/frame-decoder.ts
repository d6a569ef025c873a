/**
 * Incremental decoder for unsigned-varint length-prefixed frames with a hard size limit.
 * libp2p stream chunks are not frame-aligned and yamux can deliver MiBs in one event
 * (deps.md §5), so the decoder buffers at most one frame plus one prefix and never throws
 * anything but {@link InvalidFrameError}.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { InvalidFrameError } from './errors.ts'

/** Number of bytes an unsigned varint needs for `value`. */
export function varintLength(value: number): number {
  let n = 1
  while (value >= 0x80) {
    n++
    value = Math.floor(value / 0x80)
  }
  return n
}

/** Encodes `length` as an unsigned varint (LEB128), the frame length prefix. */
export function encodeLengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(varintLength(length))
  let i = 0
  while (length >= 0x80) {
    out[i++] = (length & 0x7f) | 0x80
    length = Math.floor(length / 0x80)
  }
  out[i] = length
  return out
}

/** Prefixes `frame` with its varint length. */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const prefix = encodeLengthPrefix(frame.length)
  const out = new Uint8Array(prefix.length + frame.length)
  out.set(prefix)
  out.set(frame, prefix.length)
  return out
}

/** Splits a byte stream into frames of at most `maxFrameBytes` each. */
export class FrameDecoder {
  private readonly buffer = new Uint8ArrayList()
  private readonly maxFrameBytes: number
  private readonly maxPrefixBytes: number
  private pending = -1

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
    this.maxPrefixBytes = varintLength(maxFrameBytes)
  }

  /**
   * Adds a chunk and returns every frame it completes (copies, independent of the chunk).
   * @throws {InvalidFrameError} on an oversized frame, a non-minimal varint, or a varint longer
   * than the limit needs; the caller aborts the stream
   */
  push(chunk: Uint8Array | Uint8ArrayList): Uint8Array[] {
    this.buffer.append(chunk)
    const frames: Uint8Array[] = []
    for (;;) {
      if (this.pending < 0 && !this.readPrefix()) break
      if (this.buffer.byteLength < this.pending) break
      frames.push(this.buffer.subarray(0, this.pending))
      this.buffer.consume(this.pending)
      this.pending = -1
    }
    return frames
  }

  /** Bytes buffered but not yet returned as a frame. */
  get bufferedBytes(): number {
    return this.buffer.byteLength
  }

  private readPrefix(): boolean {
    let value = 0
    let scale = 1
    const available = this.buffer.byteLength
    for (let i = 0; i < this.maxPrefixBytes; i++) {
      if (i >= available) return false
      const byte = this.buffer.get(i)
      value += (byte & 0x7f) * scale
      scale *= 0x80
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) throw new InvalidFrameError('non-minimal varint length prefix')
        if (value > this.maxFrameBytes) {
          throw new InvalidFrameError(`frame of ${value} bytes exceeds the limit of ${this.maxFrameBytes}`)
        }
        if (value === 0) throw new InvalidFrameError('empty frame')
        this.buffer.consume(i + 1)
        this.pending = value
        return true
      }
    }
    throw new InvalidFrameError('varint length prefix longer than the frame limit needs')
  }
}
