/**
 * The paper's app calls, made with the real web3.js `shh` client (web3-shh 1.10.4) against two
 * `hush start` nodes: newKeyPair, newSymKey, getPublicKey, getSymKey, newMessageFilter, post.
 * The example starts (and stops) both nodes itself, on 127.0.0.1.
 *
 * Run: npx tsx examples/web3-shh.ts   (after `npm run build`)
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ShhCjs from 'web3-shh'

const Shh = ShhCjs as unknown as typeof ShhCjs.default
const hush = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url))

/** Starts `hush start` and resolves with its RPC URL and listen address. */
function startNode(...args: string[]): Promise<{ child: ChildProcess; rpc: string; listen: string }> {
  // Loopback and a throwaway data dir: by default a node listens on every interface, port 4001, keyed from ~/.hush.
  const dataDir = mkdtempSync(join(tmpdir(), 'hush-web3-example-'))
  const child = spawn(process.execPath, [hush, 'start', '--rpc-port', '0', '--min-pow', '0.01', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`hush start did not come up: ${out}`)), 20_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const rpc = /^rpc: (\S+)$/m.exec(out)?.[1]
      const listen = /^listening: (\S+)$/m.exec(out)?.[1]
      if (rpc !== undefined && listen !== undefined) {
        clearTimeout(timer)
        resolve({ child, rpc, listen })
      }
    })
    child.once('exit', (code) => reject(new Error(`hush start exited with ${code}: ${out}`)))
  })
}

const alice = await startNode()
const bob = await startNode('--bootstrap', alice.listen)
try {
  const shhA = new Shh(alice.rpc)
  const shhB = new Shh(bob.rpc)
  const hex = (text: string): string => `0x${Buffer.from(text).toString('hex')}`
  const text = (h: string): string => Buffer.from(h.slice(2), 'hex').toString()
  const topic = '0xfeedbeef'
  const pow = { ttl: 20, powTarget: 0.01, powTime: 5 }

  // Symmetric: a shared key, posted by Alice, read by Bob through a polling filter.
  const symA = await shhA.newSymKey()
  const symB = await shhB.addSymKey(await shhA.getSymKey(symA))
  const filter = await shhB.newMessageFilter({ symKeyID: symB, topics: [topic] })
  const signer = await shhA.newKeyPair()
  await shhA.post({ symKeyID: symA, sig: signer, topic, payload: hex('hello over symmetric'), ...pow })

  // Asymmetric: Bob's public key, read with his key pair.
  const bobKey = await shhB.newKeyPair()
  const dm = await shhB.newMessageFilter({ privateKeyID: bobKey, topics: [topic] })
  await shhA.post({ pubKey: await shhB.getPublicKey(bobKey), topic, payload: hex('hello over asymmetric'), ...pow })

  const poll = async (id: string) => {
    for (let i = 0; i < 500; i++) {
      const messages = await shhB.getFilterMessages(id)
      if (messages.length > 0) return messages
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error('no message arrived')
  }
  const [sym] = await poll(filter)
  const [asym] = await poll(dm)
  console.log(`bob got "${text(sym.payload)}" signed by ${sym.sig === (await shhA.getPublicKey(signer)) ? 'alice' : 'someone else'}`)
  console.log(`bob got "${text(asym.payload)}" for ${asym.recipientPublicKey === (await shhB.getPublicKey(bobKey)) ? 'his key' : 'another key'}`)
} finally {
  for (const node of [alice, bob]) node.child.kill('SIGTERM')
}
