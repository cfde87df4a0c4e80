// The probe's outbox (DESIGN.md §1): every measurement is on disk before any upload is tried, so
// a network shutdown or a crash loses nothing. One file per measurement, written crash-safely:
// temp file → fsync → rename → fsync the directory (a reader sees a whole file or none). Files
// are named <time>-<seq>-<uid>.json so a listing is in arrival order; the uid makes a re-put of
// the same measurement a no-op. Files leave only when the collector acknowledged them; rejected
// ones move to rejected/ with the reason beside them.
import { promises as fs, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { VigilError } from '../model/errors.js';
import { measurementUid } from '../model/uid.js';

export function ioError(e: unknown, what: string): VigilError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new VigilError('IO', `disk full: cannot ${what}; measurements already in the outbox are kept`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new VigilError('IO', `permission denied: cannot ${what}`, { cause: e });
  return new VigilError('IO', `cannot ${what}: ${code ?? (e as Error)?.message}`, { cause: e });
}

async function fsyncDir(dir: string) {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, fsc.O_RDONLY);
    await h.sync();
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    await h?.close();
  }
}

function uidOf(name: string): string {
  return name.replace(/\.json$/, '').split('-').slice(2).join('-');
}

export class Outbox {
  readonly dir: string;
  readonly rejectedDir: string;
  private seq = 0;
  /** uids pending in the outbox (from the file names), so put() stays O(1) */
  private readonly uids = new Set<string>();

  private constructor(dir: string) {
    this.dir = dir;
    this.rejectedDir = join(dir, 'rejected');
  }

  /** Opens (creating) the outbox; leftover temp files of a crashed write are removed. */
  static async open(dir: string): Promise<Outbox> {
    const o = new Outbox(dir);
    try {
      await fs.mkdir(o.rejectedDir, { recursive: true });
      for (const n of await fs.readdir(dir)) {
        if (n.startsWith('.tmp-')) await fs.rm(join(dir, n), { force: true });
        else if (n.endsWith('.json')) o.uids.add(uidOf(n));
      }
    } catch (e) {
      throw ioError(e, `open the outbox ${dir}`);
    }
    return o;
  }

  /** Writes one measurement durably; returns its file name, or null if it is already pending. */
  async put(m: object): Promise<string | null> {
    const uid = measurementUid(m as Parameters<typeof measurementUid>[0]).replace(/[^A-Za-z0-9_-]/g, '_');
    if (this.uids.has(uid)) return null;
    const name = `${String(Date.now()).padStart(14, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}-${uid}.json`;
    const tmp = join(this.dir, `.tmp-${randomBytes(6).toString('hex')}`);
    let h: fs.FileHandle | undefined;
    try {
      h = await fs.open(tmp, 'wx', 0o600);
      await h.writeFile(JSON.stringify(m) + '\n');
      await h.sync();
      await h.close();
      h = undefined;
      await fs.rename(tmp, join(this.dir, name));
      await fsyncDir(this.dir);
      this.uids.add(uid);
    } catch (e) {
      await h?.close().catch(() => {});
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw ioError(e, 'write a measurement to the outbox');
    }
    return name;
  }

  /** Pending measurement files, oldest first. */
  async list(limit = Infinity): Promise<string[]> {
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
    return names.slice(0, limit);
  }

  async count(): Promise<number> {
    return (await this.list()).length;
  }

  /** Reads one file; an unreadable one moves to rejected/ and reads as null. */
  async read(name: string): Promise<unknown | null> {
    let text: string;
    try {
      text = await fs.readFile(join(this.dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw ioError(e, `read ${name} from the outbox`);
    }
    try {
      return JSON.parse(text);
    } catch {
      await this.reject(name, 'not valid JSON (damaged file)');
      return null;
    }
  }

  /** The collector has it: delete. */
  async ack(name: string): Promise<void> {
    await fs.rm(join(this.dir, name), { force: true });
    this.uids.delete(uidOf(name));
  }

  /** The collector refused it as invalid: keep it aside with the reason, never retry. */
  async reject(name: string, reason: string): Promise<void> {
    try {
      await fs.rename(join(this.dir, name), join(this.rejectedDir, name));
      this.uids.delete(uidOf(name));
      await fs.writeFile(join(this.rejectedDir, name.replace(/\.json$/, '.reason.txt')), reason.slice(0, 2000) + '\n');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, `move ${name} to rejected/`);
    }
  }
}
