/**
 * A progress line on stderr that lines printed on stdout do not garble: on a terminal it is
 * redrawn in place (and moved out of the way of each printed line); otherwise only the final one
 * is written.
 */

/** The two writers of a command that prints lines while it shows progress. */
export interface ProgressLine {
  /** Shows `line` as the progress; `final` ends it with a newline. */
  progress(line: string, final: boolean): void
  /** Prints a line on stdout. */
  print(line: string): void
}

/** A progress line for this process's stderr (a TTY or not) and stdout. */
export function createProgressLine(): ProgressLine {
  const tty = process.stderr.isTTY === true
  let shown = ''
  return {
    progress(line, final) {
      if (tty) process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`)
      else if (final) process.stderr.write(`${line}\n`)
      shown = final ? '' : line
    },
    print(line) {
      if (tty && shown !== '') process.stderr.write('\r\x1b[2K')
      process.stdout.write(`${line}\n`)
      if (tty && shown !== '') process.stderr.write(shown)
    },
  }
}
