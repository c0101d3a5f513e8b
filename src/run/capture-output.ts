/**
 * run()'s `capture`: the leader's stdout and stderr read into memory, each
 * bounded by `maxBuffer` bytes. The semantics, chosen for supervisors that
 * must never be blocked or blown up by a chatty job:
 *
 * - The first `maxBuffer` bytes of each stream are kept; the rest is still
 *   read, and thrown away, so the tree never stalls on a full pipe and is
 *   never killed for talking too much (execa rejects on maxBuffer; a job
 *   scheduler wants the job's own outcome, plus the fact that output was cut).
 * - The total each stream wrote is counted, kept or not, and `truncated` says
 *   whether anything was cut.
 * - Strings are UTF-8; when the cut falls inside a character, that partial
 *   character is dropped rather than turned into U+FFFD.
 * - Every process of the tree may write to these pipes (they inherit them),
 *   so the streams end only once the whole tree is gone. Reading stops when
 *   run() settles: at once when the tree was kept (leftovers: 'keep'), else
 *   at the pipes' end, or at most DRAIN_AFTER_TREE_MS after the tree is gone
 *   (a process outside the group, such as a fallback escapee, may hold them).
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { systemClock, type Clock } from '../driver/clock.js';

export type OutputEncoding = 'utf8' | 'buffer';

/** What run() reports of the captured streams (besides the text itself). */
export interface OutputBytes {
  /** Bytes the tree wrote to stdout, kept or not. */
  stdout: number;
  /** Bytes the tree wrote to stderr, kept or not. */
  stderr: number;
}

export interface CapturedOutput<Output> {
  stdout: Output;
  stderr: Output;
  bytes: OutputBytes;
  /** More than `maxBuffer` bytes came on at least one stream: the first maxBuffer were kept. */
  truncated: boolean;
}

/** After the tree is gone, how long the pipes' end is waited for before reading stops anyway. */
export const DRAIN_AFTER_TREE_MS = 3000;

class BoundedSink {
  readonly #chunks: Buffer[] = [];
  /** Resolves at the stream's end, close or read error. */
  readonly ended: Promise<void>;
  readonly #stream: Readable;
  #kept = 0;
  total = 0;

  constructor(
    stream: Readable,
    readonly maxBytes: number,
  ) {
    this.#stream = stream;
    this.ended = new Promise((resolve) => {
      stream.once('close', resolve);
      stream.once('end', resolve);
      // A read error ends the capture; what was read so far stays.
      stream.once('error', () => resolve());
    });
    stream.on('data', (chunk: Buffer) => {
      this.total += chunk.length;
      const room = this.maxBytes - this.#kept;
      if (room <= 0) return;
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.#chunks.push(kept);
      this.#kept += kept.length;
    });
  }

  stop(): void {
    this.#stream.destroy();
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#kept);
  }

  text(): string {
    const decoder = new StringDecoder('utf8');
    const text = decoder.write(this.bytes());
    // A cut inside a character drops it; an uncut stream ending mid-character gets U+FFFD, as Node's own decoding does.
    return this.total > this.maxBytes ? text : text + decoder.end();
  }
}

/** Reads a child's stdout and stderr as they come; finish() once the tree is gone (or kept). */
export class OutputCapture {
  readonly #stdout: BoundedSink;
  readonly #stderr: BoundedSink;

  constructor(stdout: Readable, stderr: Readable, maxBytes: number) {
    this.#stdout = new BoundedSink(stdout, maxBytes);
    this.#stderr = new BoundedSink(stderr, maxBytes);
  }

  /**
   * `treeGone`: every member is dead, so the pipes are about to end; wait for
   * that (bounded). Otherwise (the tree was kept) stop reading now.
   */
  async finish(treeGone: boolean, encoding: OutputEncoding): Promise<CapturedOutput<string | Buffer>> {
    if (treeGone) {
      const bound = systemClock.sleep(DRAIN_AFTER_TREE_MS);
      await Promise.race([Promise.all([this.#stdout.ended, this.#stderr.ended]), bound.promise]);
      bound.cancel();
    }
    this.stop();
    const pick = (sink: BoundedSink) => (encoding === 'buffer' ? sink.bytes() : sink.text());
    return {
      stdout: pick(this.#stdout),
      stderr: pick(this.#stderr),
      bytes: { stdout: this.#stdout.total, stderr: this.#stderr.total },
      truncated: this.#stdout.total > this.#stdout.maxBytes || this.#stderr.total > this.#stderr.maxBytes,
    };
  }

  /** Stop reading (the pipes close on our side; a writer still alive gets EPIPE). */
  stop(): void {
    this.#stdout.stop();
    this.#stderr.stop();
  }
}

/**
 * The end of a child's stdout and stderr: waited for once the tree is gone,
 * so that nothing the tree wrote is lost when the caller exits right after
 * run() settles (the copy of forwardOutput(), a server's last lines).
 */
export class PipesEnd {
  readonly #ended: Promise<unknown>;

  constructor(child: ChildProcess) {
    this.#ended = Promise.all(
      [child.stdout, child.stderr].map((stream) => stream && new Promise((resolve) => stream.once('close', resolve))),
    );
  }

  /** Once both pipes have closed, or DRAIN_AFTER_TREE_MS from now: call it once the tree is gone. */
  async wait(clock: Clock): Promise<void> {
    const bound = clock.sleep(DRAIN_AFTER_TREE_MS);
    await Promise.race([this.#ended, bound.promise]);
    bound.cancel();
  }
}

/** Copies the child's stdout and stderr to this process's own (run() made them pipes to watch them: idleTimeout). */
export function forwardOutput(child: ChildProcess): PipesEnd {
  child.stdout?.pipe(process.stdout, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  return new PipesEnd(child);
}
