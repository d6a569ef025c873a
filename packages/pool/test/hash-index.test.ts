import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HashIndex, hashWords, keyWords, wordsKey } from '../src/hash-index.ts'
import { hashKey } from '../src/index.ts'

describe('hash index', () => {
  it('agrees with a Map under random inserts and deletes (probe runs, wrap-around, rehash)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ insert: fc.boolean(), n: fc.nat({ max: 299 }) }), { minLength: 50, maxLength: 600, size: 'max' }),
        (ops) => {
          const index = new HashIndex(4)
          const model = new Map<number, number>() // n → id
          const hashes = Array.from({ length: 300 }, (_, n) => {
            const h = new Uint8Array(32)
            h[0] = n & 0xff
            h[1] = n >> 8
            h[5] = 0x77
            return hashWords(h, new Int32Array(8))
          })
          const freeIds: number[] = []
          let nextId = 0
          for (const op of ops) {
            const id = model.get(op.n)
            if (op.insert && id === undefined) {
              const fresh = freeIds.pop() ?? nextId++
              index.reserve(fresh + 1)
              index.setWords(fresh, hashes[op.n])
              index.insert(fresh)
              model.set(op.n, fresh)
            } else if (!op.insert && id !== undefined) {
              index.delete(id)
              model.delete(op.n)
              freeIds.push(id)
            }
            expect(index.size).toBe(model.size)
          }
          for (let n = 0; n < 300; n++) expect(index.find(hashes[n])).toBe(model.get(n) ?? -1)
          index.clear()
          expect(index.find(hashes[0])).toBe(-1)
        }
      ),
      { numRuns: 100 }
    )
  })

  it('converts between hashes, keys and words', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (hash) => {
        const words = hashWords(hash, new Int32Array(8))
        expect(keyWords(hashKey(hash), new Int32Array(8))).toEqual(words)
        const slab = new Int32Array(24)
        slab.set(words, 8)
        expect(wordsKey(slab, 8)).toBe(hashKey(hash))
      })
    )
  })
})
