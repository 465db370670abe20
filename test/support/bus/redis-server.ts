import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A real redis-server (Debian's package) for the bus tests: one per test file, on a free loopback
 * port, nothing persisted (`--save '' --appendonly no`). No mock: without the binary the bus tests
 * do not run, and say so.
 */
const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
export const REDIS_SERVER: string | null = CANDIDATES.find((p) => existsSync(p)) ?? null;
export const hasRedis = REDIS_SERVER !== null;

/** Call at the top of a bus test file: prints which tests did not run and how to enable them. */
export function warnIfNoRedis(what: string): void {
  if (!hasRedis) console.warn(`${what} did NOT run: redis-server is missing (apt-get install -y redis-server; .ci/run installs it when apt is reachable)`);
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for its exit; its data is gone (nothing is saved). */
  stop(): Promise<void>;
  /** Starts a fresh, empty server on the same port. */
  start(): Promise<void>;
}

export interface StartRedisOptions {
  /**
   * Its own session (setsid), as a Redis service runs beside a daemon rather than as its child:
   * where the kernel groups CPU time by session (autogroup), the server's work is then not taken
   * from the caller's share. The bench uses it; the tests do not need it.
   */
  readonly ownSession?: boolean;
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed');
  const binary = REDIS_SERVER;
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'notice'], { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownSession === true });
      child = proc;
      let out = '';
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.resume();
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${out.slice(-500)}`)));
      proc.once('error', reject);
    });

  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
