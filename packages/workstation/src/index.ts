export type { SyncHooks, WorkstationUser } from './context.js';
export { texts as workstationTexts } from './texts.js';
export { createWorkstation, type WorkstationOptions } from './workstation.js';
