/**
 * The Vite config both web apps build with (each app's `vite.config.ts` exports it as is).
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import react from '@vitejs/plugin-react'
import { defineConfig, type UserConfig } from 'vite'

const require = createRequire(import.meta.url)

/**
 * React, plus what web3-shh 1.x needs in a browser bundle: it is CommonJS written for Node and
 * browserify, so it reads `global` (defined as `globalThis`), and its dependencies import Node's
 * `events` (aliased to the npm polyfill, a dependency of this package; `util` resolves to the npm
 * package of that name through web3's own dependencies).
 */
export const appViteConfig: UserConfig = defineConfig({
  plugins: [react()],
  define: { global: 'globalThis' },
  resolve: { alias: { events: require.resolve('events/') } },
  build: {
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // web3's HTTP, IPC and WebSocket providers import Node modules (http, https, url, zlib) that
      // Vite leaves out of a browser build; the pages never use those providers (they give web3
      // their own socket), so the warnings about them say nothing.
      onwarn(warning, warn) {
        if (!/has been externalized for browser compatibility/.test(warning.message)) warn(warning)
      },
    },
  },
})
