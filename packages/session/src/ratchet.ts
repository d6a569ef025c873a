/**
 * The per-direction hash ratchet (design.md §7): message key n = HMAC(chain key n−1, 1), chain
 * key n = HMAC(chain key n−1, 2). A key is used once and overwritten; the receiver keeps a
 * bounded cache of keys it skipped over, for messages that arrive out of order, and refuses
 * numbers more than `maxGap` ahead.
 */
import { wipe } from './assert.ts'
import { MAX_MESSAGE_NUMBER } from './constants.ts'
import { chainStep } from './kdf.ts'

/** The sending half: hands out each message key once, in order from 1. */
export class SendingChain {
  private chainKey: Uint8Array
  private nextNumber = 1

  constructor(chainKey: Uint8Array) {
    this.chainKey = chainKey.slice()
  }

  /** The number the next call to {@link SendingChain.next} will use. */
  get peekNumber(): number {
    return this.nextNumber
  }

  /**
   * The next message number and its key; the chain advances and the old chain key is wiped.
   * @throws {RangeError} when the uint32 number space is exhausted
   */
  next(): { number: number; messageKey: Uint8Array } {
    if (this.nextNumber > MAX_MESSAGE_NUMBER) throw new RangeError('message numbers exhausted')
    const { messageKey, nextChainKey } = chainStep(this.chainKey)
    wipe(this.chainKey)
    this.chainKey = nextChainKey
    return { number: this.nextNumber++, messageKey }
  }

  /** Overwrites the chain key. */
  wipe(): void {
    wipe(this.chainKey)
  }
}

/**
 * A message key found for a number, applied to the chain state only on {@link KeyCandidate.commit};
 * call {@link KeyCandidate.discard} instead when the record does not open.
 */
export interface KeyCandidate {
  readonly messageKey: Uint8Array
  /** Accepts the key: advances the chain or removes it from the skipped cache. */
  commit(): void
  /** Refuses the key: overwrites everything derived for it (the chain state stays as it was). */
  discard(): void
}

/** Limits of a receiving chain. */
export interface ReceivingChainInit {
  /** Largest accepted distance between the next expected number and a received one. */
  maxGap: number
  /** Bound of the skipped-key cache (oldest evicted first). */
  maxSkipped: number
}

/** The receiving half: keys for in-order, late (skipped) and bounded-ahead numbers. */
export class ReceivingChain {
  private chainKey: Uint8Array
  private nextNumber = 1
  private readonly skipped = new Map<number, Uint8Array>()
  private readonly init: ReceivingChainInit

  constructor(chainKey: Uint8Array, init: ReceivingChainInit) {
    this.chainKey = chainKey.slice()
    this.init = init
  }

  /** How many skipped keys are held. */
  get skippedCount(): number {
    return this.skipped.size
  }

  /**
   * The key for `number` without changing state, or undefined when it was used already, was
   * evicted, or lies more than `maxGap` ahead. Only `commit()` changes the chain, so a record
   * that then fails to authenticate leaves the state as it was; `discard()` then overwrites the
   * keys derived on the way.
   */
  peek(number: number): KeyCandidate | undefined {
    if (!Number.isInteger(number) || number < 1 || number > MAX_MESSAGE_NUMBER) return undefined
    if (number < this.nextNumber) {
      const messageKey = this.skipped.get(number)
      if (messageKey === undefined) return undefined
      return {
        messageKey: messageKey.slice(),
        commit: () => {
          wipe(this.skipped.get(number))
          this.skipped.delete(number)
        },
        discard: () => {}, // a copy: the caller wipes messageKey
      }
    }
    if (number - this.nextNumber >= this.init.maxGap) return undefined
    const start = this.nextNumber
    const passed: Uint8Array[] = []
    let chainKey = this.chainKey
    let messageKey: Uint8Array = new Uint8Array(0)
    for (let n = start; n <= number; n++) {
      const step = chainStep(chainKey)
      if (chainKey !== this.chainKey) wipe(chainKey)
      chainKey = step.nextChainKey
      if (n < number) passed.push(step.messageKey)
      else messageKey = step.messageKey
    }
    let settled = false
    return {
      messageKey,
      commit: () => {
        if (settled) return
        settled = true
        passed.forEach((key, i) => this.remember(start + i, key))
        wipe(this.chainKey)
        this.chainKey = chainKey
        this.nextNumber = number + 1
      },
      discard: () => {
        if (settled) return
        settled = true
        wipe(messageKey, chainKey, ...passed)
      },
    }
  }

  /** Drops the skipped key of `number` (the message was given up), if held. */
  forget(number: number): void {
    wipe(this.skipped.get(number))
    this.skipped.delete(number)
  }

  /** Overwrites the chain key and every skipped key. */
  wipe(): void {
    wipe(this.chainKey)
    for (const key of this.skipped.values()) wipe(key)
    this.skipped.clear()
  }

  private remember(number: number, key: Uint8Array): void {
    this.skipped.set(number, key)
    while (this.skipped.size > this.init.maxSkipped) {
      const oldest = this.skipped.keys().next().value as number
      this.forget(oldest)
    }
  }
}
