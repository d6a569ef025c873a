/**
 * The measured inputs of the scale model (issue 16): the shape of `measured.json`, which the network
 * bench (`bench/network.bench.ts`) writes too, and its loader. Every figure carries its source, so
 * the model's tables can say where each input came from.
 */
import { readFileSync } from 'node:fs'

/**
 * The routers the network bench compares on one seeded topology (`gossipsub-sign`, gossipsub's
 * default StrictSign, only with `BENCH_SIGNED=1`).
 */
export type RouterName = 'hush' | 'gossipsub-nosign' | 'gossipsub-sign' | 'naive-flood'

const ROUTERS: readonly RouterName[] = ['hush', 'gossipsub-nosign', 'gossipsub-sign', 'naive-flood']

/**
 * One measured run of one router at one network size and envelope size. A figure the run did not
 * measure is `null` (never a guess); the model skips it.
 */
export interface MeasuredPoint {
  /** Which router carried the traffic. */
  router: RouterName
  /** Nodes in the network. */
  nodes: number
  /** Average degree of the seeded topology (`randomRegularish(nodes, degree, seed)`). */
  degree: number
  /** Length of each envelope's data field in bytes (the bench's `DATA_BYTES`); the wire adds the envelope's RLP. */
  envelopeBytes: number
  /** Envelopes sent per second during the run, network-wide (the network bench writes it; older points lack it). */
  rate?: number
  /** Envelopes measured, warm-up excluded (the network bench writes it; older points lack it). */
  messages?: number
  /** Deliveries seen ÷ deliveries expected (every node but the sender, every envelope). */
  deliveryRatio: number | null
  /** Median latency from the send call to the subscriber's event, in milliseconds. */
  p50Ms: number | null
  /** 99th-percentile latency, in milliseconds. */
  p99Ms: number | null
  /** Protocol bytes (on `/shh/` or `/meshsub/`, without Noise and muxer framing) per delivery. */
  bytesPerDelivery: number | null
  /** Copies of an envelope received per delivery, duplicates included (1 = no duplicate at all). */
  copiesPerDelivery: number | null
  /** Process CPU time per delivery in microseconds (the whole process, all nodes in it). */
  cpuUsPerDelivery: number | null
  /** Memory per node in bytes (heap and array buffers after GC, divided by the node count). */
  memoryPerNodeBytes: number | null
  /** Where the figures come from: a file and section, or the bench run that wrote them. */
  source: string
}

/** What the network bench writes: when, where, and one point per router, size and envelope size. */
export interface NetworkMeasurements {
  /** When the run was made (ISO 8601 date or date-time). */
  measuredAt: string
  /** CPU, core count, Node version and load, as the bench prints them. */
  machine: string
  /** The measured points. */
  points: MeasuredPoint[]
}

/** A single measured or specified number with its unit and source. */
interface SourcedValue {
  /** The number. */
  value: number
  /** Its unit, spelled out (`µs per envelope`, `nonces per second`). */
  unit: string
  /** Where it comes from: a bench section, a spec section, or a source file. */
  source: string
}

/** The per-message costs the model needs besides the network points. */
interface PerMessageCosts {
  /** Marginal CPU of a new envelope through a node's full peer path with Noise, the whole process. */
  ingestCpuUsPerEnvelope: SourcedValue
  /** CPU of a duplicate copy that a node drops after its hash lookup. */
  duplicateCpuUsPerCopy: SourcedValue
  /** Pool memory (heap plus array buffers) per raw envelope byte held. */
  poolMemoryPerRawByte: SourcedValue
  /** PoW nonces per second on one desktop core (the WASM kernel). */
  nonceRatePerCore: SourcedValue
  /** The node's default minimum PoW. */
  minPow: SourcedValue
  /** The default envelope TTL in seconds. */
  ttlSeconds: SourcedValue
  /** Envelopes with data below this many bytes are not announced with known-hashes notices. */
  noticeMinBytes: SourcedValue
  /** Bytes an envelope's RLP adds to its data (TTL 50, a 4-byte expiry, a small nonce). */
  envelopeOverheadBytes: SourcedValue
}

/** The whole of `measured.json`: the network points plus the per-message costs. */
export interface MeasuredInputs extends NetworkMeasurements {
  /** The PoW formula the model applies, as text (it calls `@hush/pow` to evaluate it). */
  powFormula: string
  /** Per-message costs with their sources. */
  costs: PerMessageCosts
}

/** Thrown when a measurements file does not have the documented shape. */
export class MeasuredFileError extends Error {
  static override name = 'MeasuredFileError'
  override name = 'MeasuredFileError'
}

const COST_KEYS: readonly (keyof PerMessageCosts)[] = [
  'ingestCpuUsPerEnvelope',
  'duplicateCpuUsPerCopy',
  'poolMemoryPerRawByte',
  'nonceRatePerCore',
  'minPow',
  'ttlSeconds',
  'noticeMinBytes',
  'envelopeOverheadBytes',
]

const NUMBER_FIELDS = ['deliveryRatio', 'p50Ms', 'p99Ms', 'bytesPerDelivery', 'copiesPerDelivery', 'cpuUsPerDelivery', 'memoryPerNodeBytes'] as const

/**
 * Checks one point's shape and returns it typed.
 * @throws {MeasuredFileError} when a field is missing or has the wrong type
 */
export function parsePoint(raw: unknown, where: string): MeasuredPoint {
  if (typeof raw !== 'object' || raw === null) throw new MeasuredFileError(`${where}: a point must be an object`)
  const p = raw as Record<string, unknown>
  if (!ROUTERS.includes(p.router as RouterName)) throw new MeasuredFileError(`${where}: router must be one of ${ROUTERS.join(', ')}`)
  for (const key of ['nodes', 'degree', 'envelopeBytes'] as const) {
    if (typeof p[key] !== 'number' || !(p[key] > 0)) throw new MeasuredFileError(`${where}: ${key} must be a positive number`)
  }
  for (const key of ['rate', 'messages'] as const) {
    if (key in p && (typeof p[key] !== 'number' || !(p[key] > 0))) throw new MeasuredFileError(`${where}: ${key}, when given, must be a positive number`)
  }
  for (const key of NUMBER_FIELDS) {
    if (p[key] !== null && (typeof p[key] !== 'number' || !Number.isFinite(p[key]))) {
      throw new MeasuredFileError(`${where}: ${key} must be a number or null`)
    }
  }
  if (typeof p.source !== 'string' || p.source === '') throw new MeasuredFileError(`${where}: source must name where the figures come from`)
  return p as unknown as MeasuredPoint
}

/**
 * Reads a file the network bench wrote (or `measured.json`) and checks every point.
 * @throws {MeasuredFileError} when the file is not JSON or a point is malformed
 */
export function readNetworkMeasurements(path: string): NetworkMeasurements {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new MeasuredFileError(`${path}: ${(err as Error).message}`)
  }
  const file = raw as Partial<NetworkMeasurements>
  if (typeof file.measuredAt !== 'string' || typeof file.machine !== 'string' || !Array.isArray(file.points)) {
    throw new MeasuredFileError(`${path}: needs measuredAt, machine and points`)
  }
  return { measuredAt: file.measuredAt, machine: file.machine, points: file.points.map((p, i) => parsePoint(p, `${path} points[${i}]`)) }
}

/**
 * Reads `measured.json`: the network points plus the per-message costs.
 * @throws {MeasuredFileError} when the file or one of its costs is malformed
 */
export function readMeasuredInputs(path: string): MeasuredInputs {
  const network = readNetworkMeasurements(path)
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<MeasuredInputs>
  const costs = raw.costs as unknown as Record<string, unknown> | undefined
  if (typeof raw.powFormula !== 'string' || typeof costs !== 'object' || costs === null) {
    throw new MeasuredFileError(`${path}: needs powFormula and costs`)
  }
  for (const key of COST_KEYS) {
    const v = (costs[key] ?? {}) as Partial<SourcedValue>
    if (typeof v.value !== 'number' || typeof v.unit !== 'string' || typeof v.source !== 'string') {
      throw new MeasuredFileError(`${path}: costs.${key} needs value, unit and source`)
    }
  }
  return { ...network, powFormula: raw.powFormula, costs: raw.costs as PerMessageCosts }
}
