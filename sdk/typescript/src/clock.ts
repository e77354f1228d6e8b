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

/** RFC 3339 UTC with microseconds, e.g. 2026-11-20T10:00:00.123456Z (Traceway keeps seven digits). */
export function toRfc3339(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return iso.slice(0, -1) + String(micros % 1000).padStart(3, '0') + 'Z';
}

export function fromDate(date: Date): number {
  return date.getTime() * 1000;
}
