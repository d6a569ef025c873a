import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))
const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
// The web apps with tests (their browser tests build the app with Vite, start nodes and Chromium).
const apps = ['board', 'messenger']
// The bench code with tests of its own (the scale model's pure functions).
const benches = ['bench/model']
// A project's name is its folder's, with `-app` added to an app named as a package (`messenger-app`).
const projectName = (dir: string): string => {
  const name = dir.slice(dir.indexOf('/') + 1)
  return dir.startsWith('apps/') && packages.includes(name) ? `${name}-app` : name
}

// Tests run against sources: every `@hush/<name>` import resolves to its `src/index.ts`,
// so no build is needed first (house-style §3.8). Tests that spawn workers or the CLI load `dist`.
// Subpath aliases come first: `@hush/envelope` would otherwise also capture `@hush/envelope/keccak`.
const alias = {
  '@hush/envelope/keccak': `${root}packages/envelope/src/keccak-pow.ts`,
  ...Object.fromEntries(packages.map((name) => [`@hush/${name}`, `${root}packages/${name}/src/index.ts`])),
}

// `npm run test:slow` sets HUSH_SLOW=1: long soaks and large simulated networks live in *.slow.test.ts.
const slow = process.env.HUSH_SLOW === '1'

export default defineConfig({
  resolve: { alias },
  test: {
    // libp2p 3 needs Promise.withResolvers, which Node 20 lacks: the node package's polyfill.
    setupFiles: [`${root}packages/node/src/polyfill.ts`],
    projects: [...packages.map((name) => `packages/${name}`), ...apps.map((name) => `apps/${name}`), ...benches].map((dir) => ({
      extends: true,
      test: {
        name: projectName(dir),
        root: `${root}${dir}`,
        include: slow ? ['test/**/*.slow.test.ts'] : ['test/**/*.test.ts'],
        exclude: slow ? [] : ['test/**/*.slow.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
})
