/**
 * Headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe`: commands go to
 * the browser's fd 3 and replies and events come back on fd 4, each message JSON ended by a NUL byte.
 * No port, no WebSocket client and no npm package: Node's child_process is enough.
 *
 * CI installs Debian's `chromium` (.ci/run); `findChromium()` is undefined when there is none, and
 * tests that need it skip with that reason.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium binary: `$CHROMIUM` when set, else the first candidate on PATH. */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of CANDIDATES) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return undefined;
}

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private stderr = '';
  readonly events: CdpEvent[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const input = child.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) {
        p.reject(new Error(`chromium exited (${signal ?? code}) before replying:\n${this.stderr}`));
      }
      this.pending.clear();
    });
  }

  static launch(executable: string): Browser {
    const profile = mkdtempSync(path.join(tmpdir(), 'fixate-chromium-'));
    const child = spawn(
      executable,
      [
        '--headless',
        '--no-sandbox', // CI containers run as root, where the sandbox cannot start
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    return new Browser(child, profile);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
      const message = JSON.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 1);
      if (typeof message.id === 'number') {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) p?.reject(new Error(`${message.error.message} (${message.error.code})`));
        else p?.resolve(message.result ?? {});
      } else {
        this.events.push(message as CdpEvent);
      }
    }
  }

  /** One protocol command; with `sessionId`, to a page attached with `flatten: true`. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const out = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** A new page (tab) attached in flat mode, with Runtime, Log, Network and Page events on. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId as string);
    for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await page.send(`${domain}.enable`);
    return page;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(
    private readonly browser: Browser,
    readonly sessionId: string,
  ) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** This page's events so far. */
  events(method?: string): CdpEvent[] {
    return this.browser.events.filter((e) => e.sessionId === this.sessionId && (!method || e.method === method));
  }

  /** Navigates and waits for the load event. */
  async goto(url: string, timeoutMs = 20_000): Promise<void> {
    const before = this.events('Page.loadEventFired').length;
    const { errorText } = await this.send('Page.navigate', { url });
    if (errorText) throw new Error(`navigation to ${url} failed: ${errorText}`);
    const deadline = Date.now() + timeoutMs;
    while (this.events('Page.loadEventFired').length === before) {
      if (Date.now() > deadline) throw new Error(`no load event for ${url} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The value of a page expression (awaited if it is a promise); a thrown exception fails the call. */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    const exception = reply.exceptionDetails as { text?: string; exception?: { description?: string } } | undefined;
    if (exception) throw new Error(exception.exception?.description ?? exception.text ?? 'evaluation failed');
    return (reply.result as { value: T }).value;
  }

  /**
   * Everything the page reported as a problem: uncaught exceptions, `console.error`/`warn` calls, and
   * browser log entries at warning or error level (a CSP violation, a failed load).
   */
  problems(): string[] {
    const out: string[] = [];
    for (const e of this.events('Runtime.exceptionThrown')) {
      const details = e.params.exceptionDetails as { text: string; exception?: { description?: string } };
      out.push(`exception: ${details.exception?.description ?? details.text}`);
    }
    for (const e of this.events('Runtime.consoleAPICalled')) {
      const type = e.params.type as string;
      if (type !== 'error' && type !== 'warning' && type !== 'assert') continue;
      const args = e.params.args as { value?: unknown; description?: string }[];
      out.push(`console.${type}: ${args.map((a) => String(a.value ?? a.description)).join(' ')}`);
    }
    for (const e of this.events('Log.entryAdded')) {
      const entry = e.params.entry as { level: string; source: string; text: string; url?: string };
      if (entry.level === 'error' || entry.level === 'warning') {
        out.push(`${entry.source} ${entry.level}: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
      }
    }
    return out;
  }

  /** URLs of every request the page made (the page itself included). */
  requests(): string[] {
    return this.events('Network.requestWillBeSent').map((e) => (e.params.request as { url: string }).url);
  }
}
