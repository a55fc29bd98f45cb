/**
 * The service as a real child process (src/server.ts through tsx), for what only a process can show: a kill -9,
 * a restart, a second process on the same data directory, start-up against servers that are down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { eventually } from './services.js';
import { TEST_SETTINGS } from './app.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  readonly port: number;
  /** The PID of the node process serving (not of a wrapping shell). */
  readonly pid: number;
  readonly url: string;
  /** What it printed to stderr (and stdout) so far. */
  output(): string;
  /** Resolves with the exit code once the service process ends (undefined for a wrapped process). */
  readonly exited: Promise<number | null | undefined>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** kill -9 the service; with `zombie`, its parent shell is left alive and never reaps it. */
  kill9(): void;
  /** Ends everything this helper started (idempotent). */
  cleanup(): void;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the service with `env` on a free port. With `zombie`, it runs under a shell that then becomes `sleep`
 * (which never reaps children), so after kill -9 the service stays a zombie: its PID still exists.
 */
export async function spawnServer(
  env: Record<string, string>,
  opts: { zombie?: boolean; waitLive?: boolean } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv = { ...process.env, ...TEST_SETTINGS, LOG_LEVEL: 'warn', ...env, PORT: String(port) };
  const node = `${JSON.stringify(process.execPath)} --import tsx src/server.ts`;
  const child: ChildProcess = opts.zombie
    ? spawn('sh', ['-c', `${node} 2>&1 & echo "pid:$!"; exec sleep 600`], {
        cwd: root,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: root,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const childExit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (opts.zombie) await eventually(() => /pid:(\d+)/.test(out));
  const pid = opts.zombie ? Number(/pid:(\d+)/.exec(out)![1]) : child.pid!;
  const server: ServerProcess = {
    port,
    pid,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited: opts.zombie ? childExit.then(() => undefined) : childExit,
    async stop() {
      process.kill(pid, 'SIGTERM');
      if (!opts.zombie) await childExit;
      else await eventually(() => processState(pid) !== 'running');
    },
    kill9() {
      process.kill(pid, 'SIGKILL');
    },
    cleanup() {
      if (processState(pid) === 'running') process.kill(pid, 'SIGKILL');
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  if (opts.waitLive !== false) {
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}):\n${out}`);
        return (await fetch(`${server.url}/health/live`).catch(() => undefined))?.ok === true;
      });
    } catch (err) {
      server.cleanup();
      throw new Error(`${(err as Error).message}\n${out}`, { cause: err });
    }
  }
  return server;
}

/** 'running', 'zombie' or 'gone', from /proc (Linux). */
export function processState(pid: number): 'running' | 'zombie' | 'gone' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? 'zombie' : 'running';
  } catch {
    return 'gone';
  }
}
