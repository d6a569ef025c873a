/**
 * The conversation lines (`src/timeline.ts`) without a browser: order by message number, ticks
 * whichever of `hush_send`'s answer and the receipt comes first, gaps, refusals, unread counts,
 * the node's memory after a reload.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { gapText, type Item, Timelines } from '../src/timeline.ts'

const ID = '0123456789abcdef'

/** A line as the page shows it: direction, number, text or gap text, tick. */
function show(items: readonly Item[]): string[] {
  return items.map((i) => (i.kind === 'gap' ? `gap ${gapText(i.from, i.to)}` : i.kind === 'in' ? `in #${i.seq} ${i.text}` : `out #${i.seq ?? '?'} ${i.text} ${i.state}`))
}

describe('Timelines', () => {
  it('places the friend messages by number, whatever order the page hears them in, once each', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 6 }), (order) => {
        const t = new Timelines()
        for (const seq of order) t.received(ID, seq, `m${seq}`, 0, true)
        expect(t.received(ID, order[0], 'again', 0, true)).toBe(false)
        expect(show(t.items(ID))).toEqual([1, 2, 3, 4, 5, 6].map((n) => `in #${n} m${n}`))
      }),
    )
  })

  it('ticks our message on its receipt, also when the receipt comes before the node answers the send', () => {
    const t = new Timelines()
    const first = t.sending(ID, 'one', 0)
    const second = t.sending(ID, 'two', 0)
    expect(show(t.items(ID))).toEqual(['out #? one sending', 'out #? two sending'])
    t.sent(ID, first, 1)
    t.settled(ID, 1, 'delivered')
    // The ack for 2 wins the race against hush_send's answer.
    t.settled(ID, 2, 'delivered')
    t.sent(ID, second, 2)
    expect(show(t.items(ID))).toEqual(['out #1 one delivered', 'out #2 two delivered'])
  })

  it('shows a message given up as undelivered, a refused one with the node error, and never undoes a delivery', () => {
    const t = new Timelines()
    const a = t.sending(ID, 'lost', 0)
    const b = t.sending(ID, 'refused', 0)
    const c = t.sending(ID, 'kept', 0)
    t.sent(ID, a, 1)
    t.settled(ID, 1, 'undelivered')
    t.failed(ID, b, 'conversation 0123456789abcdef is closed')
    t.sent(ID, c, 2)
    t.settled(ID, 2, 'delivered')
    t.settled(ID, 2, 'undelivered')
    expect(show(t.items(ID))).toEqual(['out #1 lost undelivered', 'out #? refused failed', 'out #2 kept delivered'])
    expect(t.items(ID)[1]).toMatchObject({ error: 'conversation 0123456789abcdef is closed' })
  })

  it('shows lost messages as one line where they would have been', () => {
    const t = new Timelines()
    t.received(ID, 1, 'first', 0, true)
    t.received(ID, 5, 'fifth', 0, true)
    t.gap(ID, 2, 4)
    t.gap(ID, 2, 4)
    t.gap(ID, 6, 6)
    expect(show(t.items(ID))).toEqual(['in #1 first', 'gap messages 2–4 were lost', 'in #5 fifth', 'gap message 6 was lost'])
  })

  it('counts messages received while the conversation is not shown, until it is', () => {
    const t = new Timelines()
    t.received(ID, 1, 'a', 0, false)
    t.received(ID, 2, 'b', 0, false)
    t.received(ID, 3, 'c', 0, true)
    expect(t.unread(ID)).toBe(2)
    t.seen(ID)
    expect(t.unread(ID)).toBe(0)
    expect(t.unread('fedcba9876543210')).toBe(0)
  })

  it('takes in the node memory after a reload, beside what the page heard meanwhile, and keeps the close reason until cleared', () => {
    const t = new Timelines()
    // Heard between the page's subscription and its hush_messages answer.
    t.received(ID, 2, 'hello again', 5, true)
    const pending = t.sending(ID, 'three', 6)
    t.restore(ID, [
      { direction: 'out', seq: 1, text: 'hi', atMs: 1, state: 'delivered' },
      { direction: 'in', seq: 1, text: 'hello', atMs: 2 },
      { direction: 'out', seq: 2, text: 'bye', atMs: 3 },
      { direction: 'in', seq: 2, text: 'hello again', atMs: 4 },
    ])
    t.sent(ID, pending, 3)
    expect(show(t.items(ID))).toEqual(['in #1 hello', 'in #2 hello again', 'out #1 hi delivered', 'out #2 bye sent', 'out #3 three sent'])
    t.restore(ID, [{ direction: 'out', seq: 1, text: 'hi', atMs: 1, state: 'delivered' }])
    expect(t.items(ID)).toHaveLength(5)
    t.closed(ID, 'remote')
    expect(t.closeReason(ID)).toBe('remote')
    t.clear()
    expect(t.items(ID)).toEqual([])
    expect(t.closeReason(ID)).toBeUndefined()
  })
})
