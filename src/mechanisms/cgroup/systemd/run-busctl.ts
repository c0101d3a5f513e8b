/**
 * Running busctl once: its output, or why it failed, and never a hang (a
 * timeout of our own on top of busctl's --timeout, with SIGKILL). Behind a
 * type so that the scope logic can be tested against a scripted bus.
 */
import { execFile } from 'node:child_process';
import { failureText } from './busctl-reply.js';

export type BusctlOutcome = { ok: true; stdout: string } | { ok: false; message: string };

export type Busctl = (args: string[], timeoutMs: number) => Promise<BusctlOutcome>;

/** Room for busctl to report its own timeout before ours kills it. */
const KILL_MARGIN_MS = 1000;

export const runBusctl: Busctl = (args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(
      'busctl',
      args,
      // C locale: busctl's messages are matched (see busctl-reply.ts); no colours, no pager.
      {
        timeout: timeoutMs + KILL_MARGIN_MS,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' },
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ ok: true, stdout });
        const { code, killed, signal } = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        if (code === 'ENOENT')
          return resolve({ ok: false, message: "busctl (systemd's D-Bus tool) is not installed or not on PATH" });
        const took = `busctl did not answer within ${timeoutMs + KILL_MARGIN_MS} ms and was killed`;
        if (killed) return resolve({ ok: false, message: took });
        const how = signal ? `died of ${signal}` : `exited with ${String(code)}`;
        resolve({ ok: false, message: failureText(stderr, how) });
      },
    );
  });
