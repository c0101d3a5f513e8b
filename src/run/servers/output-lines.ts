/**
 * A process's output as lines, for the pieces that read it by line: the
 * `line:` ready probe, the server's name-prefixed copy on the terminal and
 * the last lines kept for a failure message. Each stream gets its own
 * decoder and partial line (a line may come in several chunks, and stdout's
 * half line must not join stderr's); the partial line is given at the end.
 * Listening keeps the stream flowing, so a pipe never fills up and stalls
 * the writer.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

/** Calls `listener` for each line of the given streams; returns the function that stops listening. */
export function onLines(
  streams: { stdout?: Readable | null; stderr?: Readable | null },
  listener: LineListener,
): () => void {
  const stops: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = streams[name];
    if (stream) stops.push(splitLines(stream, (line) => listener(line, name)));
  }
  return () => {
    for (const stop of stops) stop();
  };
}

function splitLines(stream: Readable, each: (line: string) => void): () => void {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const onData = (chunk: Buffer | string) => {
    const lines = (partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) each(line.endsWith('\r') ? line.slice(0, -1) : line);
  };
  const onEnd = () => {
    const last = partial + decoder.end();
    partial = '';
    if (last !== '') each(last);
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
  };
}
