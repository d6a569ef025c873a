/**
 * Reading one peer's stream to us: chunks are split into frames (with the frame limit), and frames
 * are handed on one by one, unless reading is paused for flow control (design.md §4: a peer over
 * its budget waits, nothing is dropped). While paused, the stream is paused too, so the muxer stops
 * granting the peer send window; frames already decoded wait here.
 */
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { FrameDecoder } from './frame-decoder.ts'

/** Where an inbox hands what it reads. */
export interface InboxHandlers {
  /** A complete frame, in order. */
  onFrame(frame: Uint8Array): void
  /** Bytes that are not frames (oversized, bad prefix): the stream is to be dropped. */
  onMalformed(err: Error): void
  /** Whether frames may still be handed on (false once the peer is gone). */
  isOpen(): boolean
}

const EMPTY = new Uint8Array(0)

/** Frames from a peer's stream, handed on in order, pausable. */
export class FrameInbox {
  private readonly maxFrameBytes: number
  private readonly handlers: InboxHandlers
  private decoder: FrameDecoder
  private stream: Stream | undefined
  /** Frames decoded but not yet handled, from `head` on. */
  private frames: Uint8Array[] = []
  private head = 0
  private isPaused = false
  private resumeTimer: ReturnType<typeof setTimeout> | undefined

  constructor(maxFrameBytes: number, handlers: InboxHandlers) {
    this.maxFrameBytes = maxFrameBytes
    this.handlers = handlers
    this.decoder = new FrameDecoder(maxFrameBytes)
  }

  /** Reads from `stream` from now on (a new stream starts a new frame sequence). */
  attach(stream: Stream): void {
    this.stream = stream
    this.decoder = new FrameDecoder(this.maxFrameBytes)
    this.frames = []
    this.head = 0
    if (this.isPaused) pause(stream)
  }

  /** Stops reading `stream` (it closed). */
  detach(stream: Stream): void {
    if (this.stream === stream) this.stream = undefined
  }

  /** Adds a chunk of the stream; hands on the frames it completes unless paused. */
  push(chunk: Uint8Array | Uint8ArrayList): void {
    let frames: Uint8Array[]
    try {
      frames = this.decoder.push(chunk)
    } catch (err) {
      this.handlers.onMalformed(err as Error)
      return
    }
    if (frames.length === 0) return
    if (this.head === this.frames.length) {
      this.frames = frames
      this.head = 0
    } else {
      for (const f of frames) this.frames.push(f)
    }
    this.drain()
  }

  /** Stops handing on frames (and reading the stream) for `delayMs`. */
  pauseFor(delayMs: number): void {
    if (this.isPaused) return
    this.isPaused = true
    if (this.stream !== undefined) pause(this.stream)
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined
      this.isPaused = false
      const stream = this.stream
      if (stream !== undefined && stream.readStatus === 'paused') {
        try {
          stream.resume()
        } catch {
          // closing: its close listener cleans up
        }
      }
      this.drain()
    }, delayMs)
    this.resumeTimer.unref?.()
  }

  /** Clears the resume timer (the peer is gone). */
  close(): void {
    if (this.resumeTimer !== undefined) clearTimeout(this.resumeTimer)
    this.resumeTimer = undefined
    this.stream = undefined
  }

  private drain(): void {
    while (this.head < this.frames.length && !this.isPaused && this.handlers.isOpen()) {
      const frame = this.frames[this.head]
      this.frames[this.head++] = EMPTY
      this.handlers.onFrame(frame)
    }
    if (this.head === this.frames.length) {
      this.frames = []
      this.head = 0
    }
  }
}

function pause(stream: Stream): void {
  if (stream.readStatus !== 'readable') return
  try {
    stream.pause()
  } catch {
    // closing: its close listener cleans up
  }
}
