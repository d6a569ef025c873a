import { createRequire } from 'node:module'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const require = createRequire(import.meta.url)

// web3-shh 1.x is CommonJS written for Node and browserify: it reads `global`, and its
// dependencies import Node's `events` (and `util`, which resolves to the npm package of that name
// through web3's own dependencies). `events` is this app's dependency, the npm polyfill.
export default defineConfig({
  plugins: [react()],
  define: { global: 'globalThis' },
  resolve: { alias: { events: require.resolve('events/') } },
  build: {
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // web3's HTTP, IPC and WebSocket providers import Node modules (http, https, url, zlib) that
      // Vite leaves out of a browser build; the page never uses those providers (it gives web3
      // its own socket), so the warnings about them say nothing.
      onwarn(warning, warn) {
        if (!/has been externalized for browser compatibility/.test(warning.message)) warn(warning)
      },
    },
  },
})
