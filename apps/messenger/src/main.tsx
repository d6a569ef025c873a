/**
 * The messenger's entry: renders {@link App} into `#root`.
 */
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import '@hush/app-kit/base.css'
import './style.css'

createRoot(document.getElementById('root') as HTMLElement).render(<App />)
