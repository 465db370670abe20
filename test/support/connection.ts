import { createActor, fromCallback, fromPromise, type Actor } from 'xstate';
import { fileConfigSchema } from '../../src/config/schema.js';
import { createRandom } from '../../src/core/random.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import { connectionMachine, withConnectionPorts, type SocketCommand, type SocketEvent } from '../../state/connection.machine.js';

/** The connection settings of a config file that sets none: the one copy the tests share. */
export const CONNECTION_DEFAULTS = fileConfigSchema.parse({}).connection;

/** A scripted socket: the test plays the server's part through `current.send`. */
export class ScriptedSockets {
  opened = 0;
  closed = 0;
  open = 0;
  maxOpen = 0;
  commands: SocketCommand[] = [];
  current: { send: (e: SocketEvent) => void } | null = null;
  invalidated: Array<string | null> = [];
  tokens = 0;

  /** The server accepts the socket and the LOGIN, and acks `messages` REG messages. */
  goLive(messages = 1): void {
    this.current?.send({ type: 'socket.opened' });
    this.current?.send({ type: 'login.ok' });
    this.current?.send({ type: 'reg.sent', messages });
    for (let i = 0; i < messages; i++) this.current?.send({ type: 'reg.ack' });
  }
}

export interface StartedConnection {
  readonly actor: Actor<typeof connectionMachine>;
  readonly sockets: ScriptedSockets;
}

/**
 * A connection machine on the virtual clock with a scripted socket and a counting token source,
 * started and sent `start`: the preamble of every machine test.
 */
export async function startedConnection(
  clock: VirtualClock,
  seed: number | string = 7,
  overrides: { fetchToken?: () => Promise<string>; settings?: Partial<typeof CONNECTION_DEFAULTS> } = {},
): Promise<StartedConnection> {
  const sockets = new ScriptedSockets();
  const machine = withConnectionPorts({ random: createRandom(seed), monotonic: () => clock.monotonic() }).provide({
    actors: {
      fetchToken: fromPromise(overrides.fetchToken ?? (async () => `token-${++sockets.tokens}`)),
      socket: fromCallback<SocketCommand>(({ sendBack, receive }) => {
        sockets.opened++;
        sockets.open++;
        sockets.maxOpen = Math.max(sockets.maxOpen, sockets.open);
        const me = { send: (e: SocketEvent) => sendBack(e) };
        sockets.current = me;
        receive((cmd) => sockets.commands.push(cmd));
        return () => {
          sockets.open--;
          sockets.closed++;
          if (sockets.current === me) sockets.current = null;
        };
      }),
    },
    actions: {
      invalidateToken: (_, params) => {
        sockets.invalidated.push(params.token);
      },
    },
  });
  const actor = createActor(machine, { clock, input: { settings: { ...CONNECTION_DEFAULTS, ...overrides.settings } } }).start();
  actor.send({ type: 'start' });
  await clock.tickAsync(0);
  return { actor, sockets };
}
