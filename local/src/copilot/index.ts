// The copilot beside `boundless start`: its own dynalite, the edge's logs and real-time feed, the admin API.
export { type LocalCopilot, type LocalCopilotOptions, startLocalCopilot } from './local-copilot.ts';
