/**
 * Requests: someone who is not a friend asked to talk. Accepting joins their invitation (the
 * conversation opens); rejecting forgets it and sends nothing. A friend's request never shows
 * here: the node accepts it at once.
 */
import { useState } from 'react'
import { errorText, shortKey } from './format.ts'
import type { MessengerNode } from './node.ts'
import type { Request } from './types.ts'

interface RequestsProps {
  node: MessengerNode
  requests: readonly Request[]
  onAccepted: (conversation: string) => Promise<void>
  onRejected: () => Promise<void>
}

/** The requests waiting. */
export function Requests({ node, requests, onAccepted, onRejected }: RequestsProps) {
  const [error, setError] = useState<string | null>(null)

  async function answer(request: Request, accept: boolean) {
    setError(null)
    try {
      if (accept) await onAccepted((await node.accept(request.id)).id)
      else {
        await node.reject(request.id)
        await onRejected()
      }
    } catch (err) {
      setError(errorText(err))
    }
  }

  return (
    <section className="requests" aria-label="Requests">
      <h2>Requests</h2>
      {error !== null && (
        <p className="error" role="alert" data-testid="requests-error">
          {error}
        </p>
      )}
      {requests.length === 0 && <p className="empty">No requests. Someone who is not your friend and writes to you shows up here first.</p>}
      <ul>
        {requests.map((r) => (
          <li key={r.id} data-testid="request">
            <p>
              <strong>{r.name ?? 'Someone not in your friends'}</strong> wants to talk: <code title={r.from}>{shortKey(r.from)}</code>
            </p>
            <p className="hint">
              Received {new Date(r.receivedAtMs).toLocaleString()} · expires {new Date(r.expiresAtMs).toLocaleString()}
            </p>
            <details>
              <summary>Their public key</summary>
              <code className="key" data-testid="request-key">
                {r.from}
              </code>
            </details>
            <span className="actions">
              <button type="button" onClick={() => answer(r, true)}>
                Accept
              </button>
              <button type="button" onClick={() => answer(r, false)}>
                Reject
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
