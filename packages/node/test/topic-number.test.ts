import fc from 'fast-check'
import { describe, it } from 'vitest'
import { topicNumber, topicOfNumber } from '../src/topic-number.ts'

describe('topic numbers', () => {
  it('topic numbers round-trip', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (t) => sameBytes(topicOfNumber(topicNumber(t)), t)))
  })
})

const sameBytes = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i])
