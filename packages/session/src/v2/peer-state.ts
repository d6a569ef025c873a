/**
 * A v2 peer's side of the state store (docs/SESSION.md §12): the `.inv` snapshot of each invitation,
 * the persistence each conversation commits through, and the load at restore that completes a
 * consumption cut off between its two writes (§12.3).
 */
import { wipe } from '../assert.ts'
import { type SessionCoreValue, decodeSessionCore } from './core-value.ts'
import type { ConversationPersistence } from './journal.ts'
import { type IdentityKind, type InvitationValue, decodeInvitationValue, encodeInvitationValue } from './invitation-value.ts'
import type { SkippedKeyBudget } from './ratchet-state.ts'
import type { StateStore } from './state-store.ts'

/** Writes an invitation's value (nothing without a store). */
export async function writeInvitation(store: StateStore | undefined, id: string, value: InvitationValue): Promise<void> {
  if (store === undefined) return
  const bytes = encodeInvitationValue(value)
  try {
    await store.commit({ snapshots: [{ id, kind: 1, value: bytes }] })
  } finally {
    wipe(bytes)
  }
}

/** The persistence of a conversation whose files are named `id` (none without a store). */
export function conversationPersistence(
  store: StateStore | undefined,
  id: string,
  identityKind: IdentityKind,
  invitationHash: Uint8Array,
  consumed: SessionCoreValue['consumed']
): ConversationPersistence | undefined {
  if (store === undefined) return undefined
  return {
    identityKind,
    invitationHash,
    consumed,
    commit: (c) =>
      store.commit({
        appends: c.appends.length > 0 ? [{ id, entries: c.appends }] : [],
        rewrites: c.rewrite === undefined ? [] : [{ id, entries: c.rewrite }],
        snapshots: c.core === undefined ? [] : [{ id, kind: 2, value: c.core }],
        removals: c.remove ? [id] : [],
      }),
  }
}

/** What a peer brings back from its store, by state id. */
export interface LoadedPeerState {
  readonly invitations: Map<string, InvitationValue>
  readonly cores: Map<string, SessionCoreValue>
  readonly outs: Map<string, Uint8Array[]>
}

/**
 * Reads the store and decodes every snapshot (wiping the bytes). A core that names an invitation
 * still pending means the tombstone was not written yet (§12.3): it is written now, and the
 * invitation's keys wiped.
 * @throws {StateCorruptedError} when a state file does not read back
 */
export async function loadPeerState(store: StateStore, limits: { budget: SkippedKeyBudget; maxSkippedKeys: number }): Promise<LoadedPeerState> {
  const { snapshots, outs } = await store.load()
  const invitations = new Map<string, InvitationValue>()
  const cores = new Map<string, SessionCoreValue>()
  for (const [id, snapshot] of snapshots) {
    if (snapshot.kind === 1) invitations.set(id, decodeInvitationValue(snapshot.value))
    else cores.set(id, decodeSessionCore(snapshot.value, limits))
    wipe(snapshot.value)
  }
  for (const [sessionId, core] of cores) {
    const consumed = core.consumed
    const invitation = consumed === undefined ? undefined : invitations.get(consumed.inviteId)
    if (consumed === undefined || invitation?.state !== 'pending') continue
    wipe(invitation.oneTimePrivateKey, invitation.staticPrivateKey)
    const tombstone: InvitationValue = { state: 'consumed', topic: consumed.topic, expirySeconds: consumed.expirySeconds, initHash: consumed.initHash, sessionId }
    invitations.set(consumed.inviteId, tombstone)
    await writeInvitation(store, consumed.inviteId, tombstone)
  }
  return { invitations, cores, outs }
}
