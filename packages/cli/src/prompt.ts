/**
 * Asking for a password on the terminal: the question goes to stderr (so `hush … > file` and
 * `hush … | other` still work), and the answer is read with the terminal in raw mode and nothing
 * echoed, not even stars (their count would tell the length).
 */
import { StringDecoder } from 'node:string_decoder'
import { CliError, EXIT } from './errors.ts'

/** Whether `hush` may ask: stdin and stderr are both terminals. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true
}

/** How a typed line ended. */
type LineEnd = 'enter' | 'interrupt' | 'eof'

/** What typing some input after a line so far gives. */
export interface LineEdit {
  /** The line so far (or, once ended, the whole line). */
  line: string
  /** How the line ended, once it has: Enter, Ctrl-C, or Ctrl-D on an empty line. */
  end?: LineEnd
  /** The input after the end, which belongs to the next question. */
  rest: string
}

/**
 * Applies raw terminal input to a line being typed: Enter (CR or LF) ends it; Ctrl-C interrupts;
 * Ctrl-D ends the input on an empty line (and is ignored on a non-empty one); Backspace (DEL or
 * BS) removes the last character, Ctrl-U the whole line; escape sequences (arrow keys, bracketed
 * paste marks) and control characters other than tab are dropped.
 */
export function editLine(line: string, input: string): LineEdit {
  const chars = [...line]
  const typed = [...input]
  for (let i = 0; i < typed.length; i++) {
    const c = typed[i] as string
    if (c === '\r' || c === '\n') {
      const next = c === '\r' && typed[i + 1] === '\n' ? i + 2 : i + 1
      return { line: chars.join(''), end: 'enter', rest: typed.slice(next).join('') }
    }
    if (c === '\x03') return { line: '', end: 'interrupt', rest: '' }
    if (c === '\x04') {
      if (chars.length === 0) return { line: '', end: 'eof', rest: '' }
    } else if (c === '\x7f' || c === '\b') chars.pop()
    else if (c === '\x15') chars.length = 0
    else if (c === '\x1b') i = escapeEnd(typed, i)
    else if (c === '\t' || !/^[\x00-\x1f\x80-\x9f]$/.test(c)) chars.push(c)
  }
  return { line: chars.join(''), rest: '' }
}

/** The index of the last character of the escape sequence starting at `typed[start]` (ESC). */
function escapeEnd(typed: readonly string[], start: number): number {
  const kind = typed[start + 1]
  // SS3 (ESC O x: F1–F4, keypad): one more character.
  if (kind === 'O') return Math.min(start + 2, typed.length - 1)
  if (kind !== '[') return Math.min(start + 1, typed.length - 1)
  // CSI (ESC [ parameters final): the final character is in @–~.
  let i = start + 2
  while (i < typed.length && !/^[@-~]$/.test(typed[i] as string)) i++
  return Math.min(i, typed.length - 1)
}

/** Options of {@link promptPassword}. */
export interface PromptPasswordOptions {
  /** Ask twice and refuse a mismatch: for a password being chosen. */
  confirm?: boolean
}

/**
 * Asks for a password on the terminal without echoing it: `question` and `: ` on stderr, the
 * answer from stdin in raw mode; with `confirm`, `question (again): ` too. The terminal is left
 * as it was, and stdin paused, for whatever reads it next.
 * @throws {CliError} when interrupted with Ctrl-C (`cancelled`, exit 130), for no password (an
 *   empty line, or Ctrl-D), and when the two answers differ
 */
export async function promptPassword(question: string, options: PromptPasswordOptions = {}): Promise<string> {
  const input = process.stdin
  const output = process.stderr
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let line = ''
  let waiting: ((value: LineEdit) => void) | undefined
  const feed = (): void => {
    if (waiting === undefined) return
    const edit = editLine(line, pending)
    line = edit.line
    pending = edit.rest
    if (edit.end === undefined) return
    line = ''
    const done = waiting
    waiting = undefined
    done(edit)
  }
  const onData = (chunk: Buffer): void => {
    pending += decoder.write(chunk)
    feed()
  }
  const onEnd = (): void => {
    pending += '\x04'
    feed()
  }
  const ask = async (text: string): Promise<string> => {
    output.write(text)
    const edit = await new Promise<LineEdit>((resolve) => {
      waiting = resolve
      feed()
    })
    // Enter was not echoed: end the question's line.
    output.write('\n')
    if (edit.end === 'interrupt') throw new CliError('cancelled', { exitCode: EXIT.interrupted })
    if (edit.end === 'eof' || edit.line === '') throw new CliError('no password given', { exitCode: EXIT.failure })
    return edit.line
  }
  // Raw before the question is shown, so nothing typed after it is ever echoed.
  input.setRawMode(true)
  input.on('data', onData)
  input.on('end', onEnd)
  input.resume()
  try {
    const password = await ask(`${question}: `)
    if (options.confirm === true && (await ask(`${question} (again): `)) !== password) throw new CliError('the passwords do not match', { exitCode: EXIT.failure })
    return password
  } finally {
    input.off('data', onData)
    input.off('end', onEnd)
    input.setRawMode(false)
    input.pause()
  }
}
