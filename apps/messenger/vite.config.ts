// The config both web apps share (React, and web3-shh's `global` and `events` in a browser bundle).
// Imported by path, not as `@hush/app-kit/vite`: Vite bundles a config's relative imports, but
// hands a package's to Node, which cannot load TypeScript.
import { appViteConfig } from '../app-kit/src/vite.ts'

export default appViteConfig
