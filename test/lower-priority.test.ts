// The render worker's WORKER_NICE: every thread of the process is lowered, not only the main one
// (on Linux nice is per thread), checked from /proc in a child process of its own.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const child = `
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { lowerPriority } from './src/process/lower-priority.ts';
// Threads that exist before the call: libuv's pool (after an async read) and a worker thread.
await readFile('package.json');
const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
await new Promise((resolve) => worker.once('online', resolve));
const niceOf = () => readdirSync('/proc/self/task').map((tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
const before = niceOf();
const changed = lowerPriority(7);
console.log(JSON.stringify({ before, after: niceOf(), changed }));
await worker.terminate();
`;

describe('lowerPriority', () => {
  it.skipIf(!existsSync('/proc/self/task'))('lowers the process and every thread it already has', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: process.cwd() });
    const { before, after, changed } = JSON.parse(stdout) as { before: number[]; after: number[]; changed: number };
    expect(before.length).toBeGreaterThan(4);
    expect(new Set(before)).toEqual(new Set([before[0]]));
    expect(after).toEqual(before.map(() => Math.max(7, before[0]!)));
    expect(changed).toBe(before.length);
  });

  it.skipIf(!existsSync('/proc/self/task') || !existsSync('/usr/bin/nice'))('never raises a priority an operator set lower', async () => {
    const { stdout } = await run('/usr/bin/nice', ['-n', '12', process.execPath, '--import', 'tsx', '--input-type=module', '-e', child], { cwd: process.cwd() });
    const { before, after } = JSON.parse(stdout) as { before: number[]; after: number[] };
    expect(before.every((n) => n >= 12)).toBe(true);
    expect(after).toEqual(before);
  });
});
