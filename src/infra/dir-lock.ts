/**
 * One process per directory (the record spool, the embedded database), with a lock the kernel releases when
 * the process ends in any way, kill -9 included. A lock file naming a PID cannot do that: after a crash the
 * file stays, and the PID it names may be a zombie or belong to an unrelated process by the next start.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace, named after the directory's device and
 * inode (so every path to one directory finds the same lock). Binding a name another process holds fails, and
 * the kernel frees the name with the process's last file descriptor. Node 20 has no flock(), and the npm
 * packages that add it compile a native addon at install time. The holder answers a connection with its PID,
 * so a refusal can name the process.
 *
 * The abstract namespace belongs to a network namespace: two containers sharing a volume but not a network
 * namespace do not see each other's lock (give each replica its own DATA_DIR, as src/README.md says). Elsewhere
 * than Linux the socket is a file in the directory; a leftover file whose socket nobody answers is stale.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The lock's socket file inside the directory where there is no abstract namespace (not Linux). */
export const LOCK_SOCKET = '.lock.sock';

export class DirectoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holderPid: number | undefined,
    what: string,
  ) {
    super(`${what} ${dir} is in use by ${holderPid ? `process ${holderPid}` : 'another process'}`);
  }
}

export interface DirLock {
  release(): Promise<void>;
}

/** Takes the directory's lock (creating the directory) or throws DirectoryLockedError; `what` names it in the message. */
export async function lockDirectory(dir: string, what = 'the directory'): Promise<DirLock> {
  mkdirSync(dir, { recursive: true });
  const { dev, ino } = statSync(dir);
  const abstract = process.platform === 'linux';
  const address = abstract
    ? `\0cds-dir-lock:${createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32)}`
    : path.join(dir, LOCK_SOCKET);
  const server = net.createServer((socket) => socket.end(`${process.pid}\n`));
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: address, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const holder = await askHolder(address);
    if (holder.alive || abstract) throw new DirectoryLockedError(dir, holder.pid, what);
    unlinkSync(address); // a socket file left by a process that is gone
    await listen();
  }
  // The lock must not keep the process alive on its own.
  server.unref();
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Whether a process answers on the lock's socket, and the PID it gives. */
function askHolder(address: string): Promise<{ alive: boolean; pid: number | undefined }> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ path: address });
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ alive: err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT', pid: undefined }),
    );
    socket.on('close', () => {
      const pid = Number(text.trim());
      resolve({ alive: true, pid: Number.isInteger(pid) && pid > 0 ? pid : undefined });
    });
  });
}
