/** Messages between `npm start` (demo/stack.ts) and its Unleash process (demo/stack-main.ts), over IPC. */
export type StackChildMessage = { type: 'ready'; url: string; serverVersion: string } | { type: 'failed'; message: string };
export type StackParentMessage = { type: 'stop' };

export interface StackChildConfig {
  port: number;
  flagName: string;
}
