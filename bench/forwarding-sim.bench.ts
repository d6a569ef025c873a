/**
 * Forwarding simulation (issue 16): the node's forwarding rules on the network bench's seeded
 * graphs, with link latency instead of one shared process. What the in-memory bench cannot show:
 * on a real network a known-hashes notice stops a copy only if it arrives before the batch goes
 * out, so the batch window must be weighed against the link latency, and sending to a few peers
 * at once is what keeps the first copy fast.
 *
 * Rules simulated, per envelope, from a rotating source:
 * - naive flood: a node sends a new envelope at once to every peer but its sender;
 * - Hush: a relayed envelope goes at once to `eager` random peers among those that neither sent
 *   it nor told us they have it, a notice goes to the rest, and after `window` the envelope goes to
 *   every peer still not known to have it; the source sends to every peer at once.
 * Time is in units of one link latency (1 on every link, or uniform in [0.3, 1.7] per link);
 * processing takes no time. Copies and notices are counted per delivery.
 *
 * Run: `npx tsx bench/forwarding-sim.bench.ts` (a few seconds).
 */
import { randomRegularish } from '../packages/node/test/fixtures/topology.ts'

/** One forwarding rule: `eager` peers at once (Infinity: a naive flood), the rest after `window`. */
interface Rule {
  readonly label: string
  readonly eager: number
  readonly window: number
}

interface Event {
  readonly t: number
  readonly to: number
  readonly from: number
  readonly kind: 'copy' | 'notice' | 'batch'
}

/** A binary min-heap of events by time. */
class EventQueue {
  private readonly items: Event[] = []

  get size(): number {
    return this.items.length
  }

  push(e: Event): void {
    const a = this.items
    a.push(e)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (a[p].t <= a[i].t) break
      ;[a[p], a[i]] = [a[i], a[p]]
      i = p
    }
  }

  pop(): Event {
    const a = this.items
    const top = a[0]
    const last = a.pop() as Event
    if (a.length > 0) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && a[l].t < a[m].t) m = l
        if (r < a.length && a[r].t < a[m].t) m = r
        if (m === i) break
        ;[a[m], a[i]] = [a[i], a[m]]
        i = m
      }
    }
    return top
  }
}

/** A seeded generator in [0, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

interface Outcome {
  p50: number
  p99: number
  copies: number
  notices: number
}

/** Floods `messages` envelopes over the graph of `nodes` under `rule`. */
function simulate(nodes: number, rule: Rule, varied: boolean, messages: number): Outcome {
  const adj: number[][] = Array.from({ length: nodes }, () => [])
  const rand = seeded(7)
  const latency = new Map<number, number>()
  for (const [a, b] of randomRegularish(nodes, 6, 42)) {
    adj[a].push(b)
    adj[b].push(a)
    const l = varied ? 0.3 + rand() * 1.4 : 1
    latency.set(a * nodes + b, l)
    latency.set(b * nodes + a, l)
  }
  let copies = 0
  let notices = 0
  const latencies: number[] = []
  for (let m = 0; m < messages; m++) {
    const source = (m * 7919) % nodes
    const firstAt = new Float64Array(nodes).fill(-1)
    const knows = Array.from({ length: nodes }, () => new Set<number>())
    const sentTo = Array.from({ length: nodes }, () => new Set<number>())
    const queue = new EventQueue()
    const send = (t: number, from: number, to: number, kind: 'copy' | 'notice'): void => {
      if (kind === 'copy') {
        copies++
        sentTo[from].add(to)
      } else notices++
      queue.push({ t: t + (latency.get(from * nodes + to) as number), to, from, kind })
    }
    const receiveFirst = (n: number, t: number, from: number): void => {
      firstAt[n] = t
      if (n !== source) latencies.push(t)
      const open = adj[n].filter((p) => p !== from && !knows[n].has(p))
      const now = from < 0 || rule.eager === Number.POSITIVE_INFINITY ? open : sample(open, rule.eager, rand)
      for (const p of now) send(t, n, p, 'copy')
      if (rule.eager === Number.POSITIVE_INFINITY) return
      if (from >= 0) for (const p of open) if (!sentTo[n].has(p)) send(t, n, p, 'notice')
      queue.push({ t: t + rule.window, to: n, from: -1, kind: 'batch' })
    }
    receiveFirst(source, 0, -1)
    while (queue.size > 0) {
      const e = queue.pop()
      if (e.kind === 'batch') {
        for (const p of adj[e.to]) if (!knows[e.to].has(p) && !sentTo[e.to].has(p)) send(e.t, e.to, p, 'copy')
        continue
      }
      knows[e.to].add(e.from)
      if (e.kind === 'copy' && firstAt[e.to] < 0) receiveFirst(e.to, e.t, e.from)
    }
  }
  latencies.sort((a, b) => a - b)
  const deliveries = messages * (nodes - 1)
  return {
    p50: latencies[Math.floor(latencies.length / 2)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    copies: copies / deliveries,
    notices: notices / deliveries,
  }
}

/** `k` of `items` picked uniformly at random (all of them when there are no more). */
function sample<T>(items: T[], k: number, rand: () => number): T[] {
  const out = items.slice()
  const n = Math.min(k, out.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (out.length - i))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  out.length = n
  return out
}

const RULES: Rule[] = [
  { label: 'naive flood', eager: Number.POSITIVE_INFINITY, window: 0 },
  { label: 'eagerPeers 2, window 1', eager: 2, window: 1 },
  { label: 'eagerPeers 2, window 3', eager: 2, window: 3 },
  { label: 'eagerPeers 3, window 1', eager: 3, window: 1 },
  { label: 'eagerPeers 0, window 1', eager: 0, window: 1 },
  { label: 'eagerPeers 0, window 3', eager: 0, window: 3 },
]
const fmt = (n: number): string => n.toFixed(2)

for (const varied of [false, true]) {
  console.log(`\n### Link latency ${varied ? 'uniform in [0.3, 1.7] per link' : '1 on every link'} (40 envelopes per point)\n`)
  console.log('| N | rule | p50 | p99 | copies per delivery | notices per delivery |')
  console.log('| ---: | --- | ---: | ---: | ---: | ---: |')
  for (const nodes of [20, 50, 200, 1000]) {
    for (const rule of RULES) {
      const o = simulate(nodes, rule, varied, 40)
      console.log(`| ${nodes} | ${rule.label} | ${fmt(o.p50)} | ${fmt(o.p99)} | ${fmt(o.copies)} | ${fmt(o.notices)} |`)
    }
  }
}
