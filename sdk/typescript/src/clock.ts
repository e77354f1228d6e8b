import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;
let last = 0;

/**
 * Microseconds since the Unix epoch. Strictly increasing within the process, so two spans started
 * back to back (parallel tool calls) keep their start order even when the clock reads the same value.
 */
export function nowMicros(): number {
  let now = Math.floor((origin + performance.now()) * 1000);
  if (now <= last) {
    now = last + 1;
  }
  last = now;
  return now;
}

let cachedSecond = NaN;
let cachedPrefix = '';

/** RFC 3339 UTC with microseconds, e.g. 2026-11-20T10:00:00.123456Z (Traceway keeps seven digits). */
export function toRfc3339(micros: number): string {
  // Formatting a Date costs about a microsecond; spans mostly start and end within the same second.
  const second = Math.floor(micros / 1_000_000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  return `${cachedPrefix}.${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
}

export function fromDate(date: Date): number {
  return date.getTime() * 1000;
}
