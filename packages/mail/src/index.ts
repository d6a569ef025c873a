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
export type { Completion, HistoryRequest } from './protocol.ts'
export { decodeCompletion, decodeHistoryRequest, encodeCompletion, encodeHistoryRequest } from './protocol.ts'
export { HistoryMismatchError, HistoryTimeoutError, InvalidCompletionError, InvalidHistoryRequestError } from './errors.ts'
export type { HistoryClientHost, MailServerHost, P2PCompleteLike, P2PMessageLike, P2PRequestLike, PeerRef, PooledEnvelope } from './host.ts'
export { createMailServer, type MailRetention, type MailServer, type MailServerInit, type MailServerStats } from './mail-server.ts'
export { type HistoryPageResult, type HistoryRequestOptions, requestHistory } from './history-client.ts'
export { compareHistory, type HistoryDifference } from './compare.ts'
export { type FetchRange, type HistoryFetcherInit, historyFetcher } from './fetcher.ts'
