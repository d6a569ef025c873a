import { topicFromString } from '@hush/envelope'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TopicIndex } from '../src/topic-index.ts'

const a = topicFromString('a')
const b = topicFromString('b')

describe('TopicIndex', () => {
  it('finds the watchers of a topic, each once, and those of every topic', () => {
    const index = new TopicIndex<string>()
    index.add('x', [a, a, b])
    index.add('y', [b])
    index.add('all', [])
    expect([...index.watchersOf(a)]).toEqual(['x', 'all'])
    expect([...index.watchersOf(b)].sort()).toEqual(['all', 'x', 'y'])
    expect([...index.watchersOf(topicFromString('c'))]).toEqual(['all'])
    expect(index.watchesAll).toBe(true)
    index.remove('all', [])
    expect(index.watches(topicFromString('c'))).toBe(false)
    index.remove('x', [a, a, b])
    expect(index.watches(a)).toBe(false)
    expect(index.topics()).toEqual([b])
  })
  it('after any sequence of adds and removes, agrees with a plain model', () => {
    const topics = [a, b, topicFromString('c')]
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.subarray([0, 1, 2])), { maxLength: 40 }), (ops) => {
        const index = new TopicIndex<number>()
        const model = new Map<number, number[]>()
        for (const [isAdd, w, ts] of ops) {
          if (isAdd && !model.has(w)) {
            model.set(w, ts)
            index.add(w, ts.map((t) => topics[t]))
          } else if (!isAdd && model.has(w)) {
            index.remove(w, (model.get(w) as number[]).map((t) => topics[t]))
            model.delete(w)
          }
        }
        for (let t = 0; t < 3; t++) {
          const expected = [...model].filter(([, ts]) => ts.length === 0 || ts.includes(t)).map(([w]) => w).sort()
          expect([...index.watchersOf(topics[t])].sort()).toEqual(expected)
          expect(index.watches(topics[t])).toBe(expected.length > 0)
        }
      })
    )
  })
})
