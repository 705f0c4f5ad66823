import type { Server as SocketServer } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events.ts';

/** The copilot's socket.io server with its typed events; its own module so that server and sockets share it. */
export type CopilotIo = SocketServer<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
