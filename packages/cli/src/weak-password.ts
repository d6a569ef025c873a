/**
 * The weak-password rule: where a password is chosen (`account create`, `keys new --sym
 * --from-password`, `start --mail`), `hush` warns about one anyone could guess, and goes on.
 * Account files and password-derived keys can be attacked offline, where only the password's
 * length and unpredictability count. The rule is deliberately simple (no dictionary package):
 * the README's "Passwords" bullet states it.
 */

/** Fewer characters than this is weak. */
const MIN_PASSWORD_CHARS = 12

/** A password of one kind of character only (all lowercase, all digits, …) needs at least this many. */
const MIN_ONE_KIND_CHARS = 16

/** Fewer different characters than this is weak (`aaaa…`, `abab…`). */
const MIN_DISTINCT_CHARS = 6

/**
 * Among the most common passwords in public breach lists (SecLists' top 100), those that are
 * words rather than digit runs or keyboard runs (which the sequence check finds), lowercase.
 */
const COMMON = [
  'password', 'qwerty', 'iloveyou', 'admin', 'welcome', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess',
  'trustno', 'letmein', 'master', 'shadow', 'superman', 'batman', 'login', 'hello', 'starwars', 'whatever', 'freedom', 'secret',
  'changeme', 'passphrase', 'michael', 'jordan', 'charlie', 'computer', 'hunter', 'soccer', 'killer', 'mustang', 'access',
]

/** Runs typed on a keyboard or recited: a password inside one of them (or its reverse) is weak. */
const RUNS = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', 'qazwsxedcrfvtgbyhnujmikolp'].flatMap(
  (run) => [run.repeat(3), [...run.repeat(3)].reverse().join('')]
)

/** Look-alike digits and symbols for letters (`p@ssw0rd`). */
const LOOK_ALIKE: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' }

/** The kinds of character the one-kind check tells apart. */
const KINDS: readonly (readonly [string, RegExp])[] = [
  ['lowercase letters', /^\p{Ll}+$/u],
  ['uppercase letters', /^\p{Lu}+$/u],
  ['digits', /^\p{Nd}+$/u],
]

/** `text` without digits and symbols at its ends. */
const trimEnds = (text: string): string => text.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '')

/** `text` with look-alikes read as the letters they stand for. */
const readAlike = (text: string): string => [...text].map((c) => LOOK_ALIKE[c] ?? c).join('')

const isRun = (text: string): boolean => RUNS.some((run) => run.includes(text))

/** `text` is one common password, once or repeated (`passwordpassword`). */
const isCommon = (text: string): boolean => COMMON.some((word) => text.startsWith(word) && text.replaceAll(word, '') === '')

/**
 * Why `password` is weak, or `undefined` when it is not. Weak is, checked in this order:
 * one of the most common passwords, once or repeated, ignoring case, digits and symbols at
 * its ends, and look-alikes (`P@ssw0rd123!`); a run on the keyboard or the alphabet, or
 * of digits (`123456789012`, `qwertyuiop`), also with digits and symbols at its ends; fewer
 * than 12 characters; fewer than 6 different characters; one kind of character only
 * (lowercase letters, uppercase letters, or digits) and fewer than 16 characters.
 * @example passwordWeakness('hunter2') // 'one of the most common passwords'
 */
export function passwordWeakness(password: string): string | undefined {
  const chars = [...password]
  const lower = password.toLowerCase()
  // The word inside: digits and symbols at the ends dropped, look-alikes read as letters (before
  // or after the dropping: `5ecret` and `passw0rd1` are both common).
  const core = trimEnds(lower)
  if (isCommon(readAlike(core)) || isCommon(trimEnds(readAlike(lower)))) return 'one of the most common passwords'
  if (isRun(lower) || (core.length >= MIN_DISTINCT_CHARS && isRun(core))) return 'a run of keys on the keyboard, letters or digits'
  if (chars.length < MIN_PASSWORD_CHARS) return `shorter than ${MIN_PASSWORD_CHARS} characters`
  const distinct = new Set(chars).size
  if (distinct < MIN_DISTINCT_CHARS) return `only ${distinct} different character${distinct === 1 ? '' : 's'}`
  const kind = KINDS.find(([, pattern]) => pattern.test(password))
  if (kind !== undefined && chars.length < MIN_ONE_KIND_CHARS) return `only ${kind[0]}, and shorter than ${MIN_ONE_KIND_CHARS} characters`
  return undefined
}

/** Writes `! weak password: <why>` with `write` when {@link passwordWeakness} finds `password` weak. */
export function warnIfWeak(password: string, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  const why = passwordWeakness(password)
  if (why !== undefined) write(`! weak password: ${why}`)
}
