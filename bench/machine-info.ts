/** The machine a benchmark run happened on, for the record. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Lines describing CPU, memory, Node and load. */
export function machineInfo(): string[] {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return [
    `cpus (nproc): ${os.availableParallelism()}  model: ${cpuModel()}`,
    `memory: ${gib(os.totalmem())} total, ${gib(os.freemem())} free`,
    `node: ${process.version}  platform: ${process.platform} ${process.arch}`,
    `load average (1/5/15 min): ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
  ];
}
