/**
 * @hush/mail: offline delivery for Hush. A durable archive of envelopes (LevelDB by default,
 * PostgreSQL for operators who outgrow one machine) with paged history queries and range digests.
 */
export type { Archive, ArchiveEntry, ArchiveStats, HistoryPage, HistoryQuery, PruneResult, RetentionPolicy } from './archive.ts'
export { ArchiveClosedError, MAX_PAGE_LIMIT } from './archive.ts'
export { rangeDigest } from './digest.ts'
export { type ArchiveKey, decodeKey, encodeKey, KEY_BYTES } from './key.ts'
export { type LevelArchiveInit, openLevelArchive } from './level-archive.ts'
export { openPostgresArchive, type PostgresArchiveInit } from './postgres-archive.ts'
export { MAX_QUERY_TOPICS } from './query.ts'
