export type { SyncHooks, WorkstationUser } from './context.js';
export {
  isLoopback,
  type Listening,
  type ListeningServer,
  listenWorkstation,
  untilAborted,
} from './listen.js';
export type { PrintHooks } from './pages/print.js';
export { texts as workstationTexts } from './texts.js';
export { createWorkstation, type WorkstationOptions } from './workstation.js';
