/**
 * The account screen: create an account (the password asked twice) or unlock the one the node
 * keeps. The account lives on the node, encrypted at rest under this password.
 */
import { type FormEvent, useState } from 'react'
import { errorText } from './format.ts'
import type { MessengerNode } from './node.ts'
import type { AccountInfo } from './types.ts'

interface AccountProps {
  node: MessengerNode
  exists: boolean
  onUnlocked: (info: AccountInfo) => void
}

/** Create or unlock. */
export function Account({ node, exists, onUnlocked }: AccountProps) {
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setError(null)
    if (password === '') return setError('Enter a password.')
    if (!exists && password !== repeat) return setError('The two passwords differ: type the same password twice.')
    setBusy(true)
    try {
      onUnlocked(exists ? await node.unlock(password) : await node.create(password))
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }

  return (
    <section className="account" aria-label="Account">
      <form onSubmit={submit}>
        {exists ? (
          <>
            <h2>Unlock your account</h2>
            <p className="hint">Your node keeps your account, friends and conversations encrypted under your password.</p>
          </>
        ) : (
          <>
            <h2>Create your account</h2>
            <p className="hint">
              Your node makes a key pair and keeps it, with your friends and conversations, encrypted under this password. Friends add you by your
              public key.
            </p>
          </>
        )}
        <label>
          Password
          <input aria-label="Password" type="password" autoComplete={exists ? 'current-password' : 'new-password'} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {!exists && (
          <label>
            Password again
            <input aria-label="Password again" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </label>
        )}
        <button type="submit" disabled={busy}>
          {exists ? (busy ? 'Unlocking…' : 'Unlock') : busy ? 'Creating…' : 'Create account'}
        </button>
        {error !== null && (
          <p className="error" role="alert" data-testid="account-error">
            {error}
          </p>
        )}
      </form>
    </section>
  )
}
