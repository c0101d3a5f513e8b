/**
 * How a server says it is ready, as text (a command line's `--ready`) or as
 * an object: `http://…` / `https://…` ready at the first HTTP response of any
 * status (a 500 still proves the server listens), `tcp:[HOST:]PORT` ready at
 * the first accepted connection (HOST defaults to 127.0.0.1), `line:REGEX`
 * ready when a line of the server's stdout or stderr matches. Anything else
 * is EINVALID_PROBE before anything starts.
 */
import { invalidProbe } from '../../errors.js';
import { describe } from '../../options/durations.js';

export type ReadyProbe =
  | { kind: 'http'; url: URL }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'line'; pattern: RegExp };

const FORMS = 'http://URL, https://URL, tcp:[HOST:]PORT or line:REGEX';

export function parseReadyProbe(text: unknown): ReadyProbe {
  if (typeof text !== 'string') throw invalidProbe(`a ready probe must be a string (${FORMS}), got ${describe(text)}`);
  if (/^https?:\/\//i.test(text)) {
    try {
      return { kind: 'http', url: new URL(text) };
    } catch {
      throw invalidProbe(`ready probe ${JSON.stringify(text)}: not a valid URL`);
    }
  }
  if (text.startsWith('tcp:')) return parseTcp(text);
  if (text.startsWith('line:')) {
    try {
      return { kind: 'line', pattern: new RegExp(text.slice('line:'.length)) };
    } catch (error) {
      throw invalidProbe(`ready probe ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
  }
  throw invalidProbe(`unknown ready probe ${JSON.stringify(text)}: use ${FORMS}`);
}

function parseTcp(text: string): ReadyProbe {
  const rest = text.slice('tcp:'.length);
  const colon = rest.lastIndexOf(':');
  let host = colon < 0 ? '127.0.0.1' : rest.slice(0, colon);
  // [::1]:8080, as in URLs.
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const portText = colon < 0 ? rest : rest.slice(colon + 1);
  const port = Number(portText);
  if (host === '' || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw invalidProbe(
      `ready probe ${JSON.stringify(text)}: use tcp:PORT or tcp:HOST:PORT with a port from 1 to 65535`,
    );
  }
  return { kind: 'tcp', host, port };
}
