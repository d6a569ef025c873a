/*
 * The package's runtime dependencies (house style §3.5): rpc talks to a node through `ShhApi`,
 * an interface it defines itself, so `@hush/node` is at most a devDependency (integration tests).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}
const tsconfig = JSON.parse(readFileSync(new URL('tsconfig.json', root), 'utf8')) as { references?: { path: string }[] }
const sources = readdirSync(new URL('src/', root)).filter((f) => f.endsWith('.ts'))

describe('@hush/rpc dependencies', () => {
  it('does not depend on @hush/node at runtime (dev only)', () => {
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@hush/node')
    expect(Object.keys(manifest.devDependencies ?? {})).toContain('@hush/node')
  })

  it('imports nothing from another @hush package in src, not even types', () => {
    for (const file of sources) {
      const text = readFileSync(new URL(`src/${file}`, root), 'utf8')
      // Statements only: TSDoc examples may show @hush/node.
      expect({ file, imports: text.match(/^(?:import|export)\b.*from '@hush\/[a-z-]+'/gm) ?? [] }).toEqual({ file, imports: [] })
    }
  })

  it('builds without project references to other packages', () => {
    expect(tsconfig.references ?? []).toEqual([])
  })

  it('lists every runtime import it makes as a dependency', () => {
    const external = new Set<string>()
    for (const file of sources) {
      const text = readFileSync(new URL(`src/${file}`, root), 'utf8')
      for (const [, spec] of text.matchAll(/^import (?!type )[^'"]*'([^'.][^']*)'/gm)) {
        if (!spec.startsWith('node:')) external.add(spec)
      }
    }
    expect([...external].sort()).toEqual(Object.keys(manifest.dependencies ?? {}).sort())
  })
})
