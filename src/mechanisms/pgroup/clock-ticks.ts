/**
 * How many clock ticks make a second, for the CPU times in /proc/<pid>/stat.
 * Read from the kernel's own answer, AT_CLKTCK in this process's auxiliary
 * vector (what sysconf(_SC_CLK_TCK) returns), rather than assumed to be 100.
 * Undefined when the host cannot tell: then no CPU figure is reported.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

const AT_NULL = 0n;
const AT_CLKTCK = 17n;

let cached: number | undefined | null = null;

export function clockTicksPerSecond(): number | undefined {
  if (cached === null) cached = readClockTicks();
  return cached;
}

function readClockTicks(): number | undefined {
  let auxv: Buffer;
  try {
    auxv = readFileSync('/proc/self/auxv');
  } catch {
    return undefined;
  }
  // Pairs of native words (type, value); only 64-bit hosts are supported.
  const word = (offset: number) =>
    endianness() === 'LE' ? auxv.readBigUInt64LE(offset) : auxv.readBigUInt64BE(offset);
  for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
    const type = word(offset);
    if (type === AT_NULL) break;
    if (type === AT_CLKTCK) {
      const ticks = Number(word(offset + 8));
      return ticks > 0 ? ticks : undefined;
    }
  }
  return undefined;
}
