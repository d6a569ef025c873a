// Runs every bench/*.bench.ts, then bench/model/model.bench.ts, with tsx, one after the other, printing each (npm run bench -w bench).
// The root `npm run bench` builds first (tsc -b), so the benches import the packages' dist.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
// The scale model (bench/model) runs last, after the benches that measure what it is fed.
const benches = [...readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort(), 'model/model.bench.ts']
let failed = 0
for (const file of benches) {
  console.log(`\n# ${file}\n`)
  const r = spawnSync('npx', ['tsx', file], { cwd: dir, stdio: 'inherit' })
  if (r.status !== 0) {
    failed++
    console.log(`\n${file} failed (exit ${r.status ?? r.signal})`)
  }
}
process.exitCode = failed === 0 ? 0 : 1
