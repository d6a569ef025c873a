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
  build: { chunkSizeWarningLimit: 1024 },
})
