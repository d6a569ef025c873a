/**
 * The friends screen: add a friend by name and public key, rename, remove, and start a
 * conversation. Friends are kept in the account file on the node.
 */
import { type FormEvent, useState } from 'react'
import { errorText, shortKey } from './format.ts'
import type { MessengerNode } from './node.ts'
import type { Friend } from './types.ts'

interface FriendsProps {
  node: MessengerNode
  friends: readonly Friend[]
  /** Reload the friends (and the conversations, whose names follow them). */
  onChanged: () => Promise<void>
  /** Go to the conversation with this friend, opening one when none is live. */
  onMessage: (friend: Friend) => Promise<void>
}

/** The friends list and its forms. */
export function Friends({ node, friends, onChanged, onMessage }: FriendsProps) {
  const [name, setName] = useState('')
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [adding, setAdding] = useState(false)
  const [renaming, setRenaming] = useState<{ publicKey: string; name: string } | null>(null)

  async function attempt(task: () => Promise<unknown>): Promise<boolean> {
    setError(null)
    try {
      await task()
      return true
    } catch (err) {
      setError(errorText(err))
      return false
    }
  }

  async function add(event: FormEvent) {
    event.preventDefault()
    setAdding(true)
    if (await attempt(async () => node.addFriend(name.trim(), key.trim()))) {
      setName('')
      setKey('')
    }
    await onChanged()
    setAdding(false)
  }

  async function rename(event: FormEvent) {
    event.preventDefault()
    if (renaming === null) return
    if (await attempt(async () => node.renameFriend(renaming.publicKey, renaming.name.trim()))) setRenaming(null)
    await onChanged()
  }

  return (
    <section className="friends" aria-label="Friends">
      <h2>Friends</h2>
      <form className="add" onSubmit={add}>
        <label>
          Name
          <input aria-label="Friend name" value={name} maxLength={256} onChange={(e) => setName(e.target.value)} placeholder="Bob" />
        </label>
        <label className="grow">
          Public key
          <input aria-label="Friend public key" value={key} onChange={(e) => setKey(e.target.value)} placeholder="0x04… (their key, as their app shows it)" />
        </label>
        <button type="submit" disabled={adding}>
          Add friend
        </button>
      </form>
      {error !== null && (
        <p className="error" role="alert" data-testid="friends-error">
          {error}
        </p>
      )}
      {friends.length === 0 && <p className="empty">No friends yet. Ask a friend for their public key and add them here; give them yours.</p>}
      <ul>
        {friends.map((f) => (
          <li key={f.publicKey} data-testid="friend">
            {renaming?.publicKey === f.publicKey ? (
              <form className="rename" onSubmit={rename}>
                <input aria-label="New name" value={renaming.name} maxLength={256} onChange={(e) => setRenaming({ ...renaming, name: e.target.value })} />
                <button type="submit">Save</button>
                <button type="button" onClick={() => setRenaming(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <strong className="name" data-testid="friend-name">
                  {f.name}
                </strong>{' '}
                <code title={f.publicKey}>{shortKey(f.publicKey)}</code>
                <span className="actions">
                  <button type="button" onClick={() => attempt(() => onMessage(f))}>
                    Message
                  </button>
                  <button type="button" onClick={() => setRenaming({ publicKey: f.publicKey, name: f.name })}>
                    Rename
                  </button>
                  <button type="button" onClick={() => attempt(() => node.removeFriend(f.publicKey)).then(onChanged)}>
                    Remove
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
