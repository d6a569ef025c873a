import { describe, it, expect } from 'vitest'
import { X } from '../src/index.ts'
describe('x', () => { it('works', () => { expect(X).toBe(1) }) })
