/**
 * One conversation: messages both ways by message number, our delivery ticks, lost messages as
 * a line, the close ("closed, keys wiped"), and the box to write in.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react'
import { clock, closeText, errorText, stateText, who } from './format.ts'
import type { CloseReason, Conversation } from './types.ts'
import { gapText, type Item, type OutState } from './timeline.ts'

interface ChatProps {
  conversation: Conversation
  items: readonly Item[]
  closeReason: CloseReason | undefined
  onSend: (text: string) => void
  onClose: () => Promise<void>
  /** Posts the request again while the friend has not accepted (`hush_open` on an inviting conversation). */
  onResend: () => Promise<void>
}

const TICKS: Record<OutState, [string, string]> = {
  sending: ['…', 'sending'],
  sent: ['✓', 'sent'],
  delivered: ['✓✓', 'delivered'],
  undelivered: ['✗', 'not delivered'],
  failed: ['✗', 'not sent'],
}

/** The most UTF-8 bytes a message may have (session v2). */
const MAX_TEXT_BYTES = 4051

function Line({ item }: { item: Item }) {
  switch (item.kind) {
    case 'gap':
      return (
        <li className="gap" data-testid="gap">
          {gapText(item.from, item.to)}
        </li>
      )
    case 'in':
      return (
        <li className="message in" data-testid="message" data-direction="in" data-seq={item.seq}>
          <p className="text">{item.text}</p>
          <span className="meta">
            #{item.seq} · {clock(item.atMs)}
          </span>
        </li>
      )
    case 'out': {
      const [tick, label] = TICKS[item.state]
      return (
        <li className={`message out ${item.state}`} data-testid="message" data-direction="out" data-seq={item.seq ?? ''} data-state={item.state}>
          <p className="text">{item.text}</p>
          <span className="meta">
            {item.seq !== undefined && `#${item.seq} · `}
            {clock(item.atMs)}{' '}
            <span className="tick" title={label} data-testid="tick">
              {tick}
            </span>
            {(item.state === 'undelivered' || item.state === 'failed') && (
              <span className="warn">
                {' '}
                {label}
                {item.error !== undefined && `: ${item.error}`}
              </span>
            )}
          </span>
        </li>
      )
    }
  }
}

/** The conversation screen. */
export function Chat({ conversation, items, closeReason, onSend, onClose, onResend }: ChatProps) {
  const [text, setText] = useState('')
  const [closing, setClosing] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [resent, setResent] = useState(false)
  const end = useRef<HTMLLIElement>(null)
  const name = who(conversation)
  const canSend = conversation.state === 'open' || conversation.state === 'pending'
  const live = conversation.state !== 'closed'
  const tooLong = new TextEncoder().encode(text).length > MAX_TEXT_BYTES

  // Keep the newest line in view.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' })
  }, [items.length])

  function submit(event?: FormEvent) {
    event?.preventDefault()
    if (!canSend || text.trim() === '' || tooLong) return
    onSend(text)
    setText('')
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault()
      submit()
    }
  }

  async function resend() {
    setError(null)
    try {
      await onResend()
      setResent(true)
    } catch (err) {
      setError(errorText(err))
    }
  }

  async function close() {
    setClosing(true)
    setError(null)
    try {
      await onClose()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setClosing(false)
    }
  }

  return (
    <section className="chat" aria-label={`Conversation with ${name}`}>
      <header>
        <div>
          <h2 data-testid="chat-name">{name}</h2>
          <p className="hint">
            <span className={`state ${conversation.state}`} data-testid="chat-state">
              {stateText(conversation.state, name)}
            </span>
            {conversation.safetyNumber !== undefined && (
              <>
                {' '}
                · safety number <code data-testid="safety-number">{conversation.safetyNumber}</code>
              </>
            )}
          </p>
        </div>
        {live && (
          <button type="button" onClick={close} disabled={closing || conversation.state === 'closing'}>
            {closing ? 'Closing…' : 'Close'}
          </button>
        )}
      </header>
      {error !== null && (
        <p className="error" role="alert" data-testid="chat-error">
          {error}
        </p>
      )}
      <ol className="messages" data-testid="messages">
        {conversation.state === 'inviting' && (
          <li className="note">
            Your request is on its way to {name}. You can write once they accept.{' '}
            <button type="button" onClick={resend} disabled={resent}>
              {resent ? 'Sent again' : 'Send the request again'}
            </button>
          </li>
        )}
        {items.map((item) => (
          <Line key={item.key} item={item} />
        ))}
        {!live && (
          <li className="closed-line" data-testid="closed">
            {closeText(closeReason, name)}
          </li>
        )}
        <li ref={end} className="end" aria-hidden="true" />
      </ol>
      {live && (
        <form className="compose" onSubmit={submit}>
          <textarea
            aria-label="Message"
            rows={2}
            value={text}
            disabled={!canSend}
            placeholder={canSend ? `Write to ${name} (Enter sends, Shift+Enter for a new line)` : 'Waiting for the conversation to open…'}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="submit" disabled={!canSend || text.trim() === '' || tooLong}>
            Send
          </button>
          {tooLong && <span className="warn">At most {MAX_TEXT_BYTES} bytes of UTF-8 per message.</span>}
        </form>
      )}
    </section>
  )
}
