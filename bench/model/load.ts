/**
 * The closed form of what one node carries (issue 16). In a flood every node receives every
 * envelope, so a node's traffic is the network's message rate times the bytes each delivery costs,
 * independent of N at a fixed degree; the network's rate is N × the per-user rate. A node that
 * carries only a share of the traffic (a gossipsub topic mesh, a shard, a light node's bloom) pays
 * that share.
 */
import { SECONDS_PER_MONTH } from './assumptions.ts'

/** What one kind of node pays per envelope it carries, and what share of the network's envelopes it carries. */
export interface NodeCostModel {
  /** Share of the network's envelopes this node receives, as a function of the network's rate (envelopes/s). */
  carriedRate: (globalRate: number) => number
  /** Protocol bytes received per envelope carried, duplicates and control traffic included. */
  bytesPerDelivery: number
  /** Bytes this node uploads per envelope it carries (a full flood node sends what it receives, on average). */
  uploadBytesPerDelivery: number
  /** CPU per envelope carried, in µs of a measured (desktop) core. */
  cpuUsPerDelivery: number
  /** Seconds an envelope stays in this node's memory (the TTL for a Whisper pool; gossipsub's message cache). */
  holdSeconds: number
  /** Wire bytes of one envelope (data plus RLP). */
  wireBytes: number
  /** Memory per raw envelope byte held. */
  memoryPerRawByte: number
}

/** One node's load at one network size and rate. */
export interface NodeLoad {
  /** Envelopes per second across the whole network. */
  globalRate: number
  /** Envelopes per second this node receives. */
  carriedRate: number
  /** Bytes per second received. */
  downBytesPerSecond: number
  /** Bytes per second sent. */
  upBytesPerSecond: number
  /** Bytes a month, both directions. */
  monthlyBytes: number
  /** Memory for the envelopes held. */
  poolBytes: number
  /** Desktop cores busy with the traffic (divide by a phone factor for a phone). */
  cpuCores: number
}

/**
 * One node's load: `carried = share(N × rate)`, bytes = carried × bytes per delivery, pool = carried ×
 * hold time × wire size × memory factor, CPU = carried × CPU per delivery.
 * @throws {RangeError} when `nodes` or `perUserRate` is negative
 */
export function nodeLoad(model: NodeCostModel, nodes: number, perUserRate: number): NodeLoad {
  if (!(nodes >= 0) || !(perUserRate >= 0)) throw new RangeError('nodes and perUserRate must be ≥ 0')
  const globalRate = nodes * perUserRate
  const carriedRate = model.carriedRate(globalRate)
  const downBytesPerSecond = carriedRate * model.bytesPerDelivery
  const upBytesPerSecond = carriedRate * model.uploadBytesPerDelivery
  return {
    globalRate,
    carriedRate,
    downBytesPerSecond,
    upBytesPerSecond,
    monthlyBytes: (downBytesPerSecond + upBytesPerSecond) * SECONDS_PER_MONTH,
    poolBytes: carriedRate * model.holdSeconds * model.wireBytes * model.memoryPerRawByte,
    cpuCores: (carriedRate * model.cpuUsPerDelivery) / 1e6,
  }
}

/** A node that carries everything (a full flood node, or gossipsub with one topic). */
export const carryAll = (globalRate: number): number => globalRate

/**
 * A node that carries `joined` of `parts` equal parts of the traffic (gossipsub topic meshes, or
 * shards of a flood split by topic).
 * @throws {RangeError} when `joined` is not in `[1, parts]`
 */
export function carryParts(joined: number, parts: number): (globalRate: number) => number {
  if (!(joined >= 1 && joined <= parts)) throw new RangeError(`joined must be in [1, ${parts}], got ${joined}`)
  return (globalRate) => (globalRate * joined) / parts
}

/**
 * A light node: its own conversations (`ownRate`, envelopes/s) plus the bloom's false positives
 * among everyone else's.
 */
export function carryBloom(ownRate: number, falsePositiveRate: number): (globalRate: number) => number {
  return (globalRate) => ownRate + falsePositiveRate * Math.max(0, globalRate - ownRate)
}
