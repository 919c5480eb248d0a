// Wall time and peak memory of a child process (bench/engines/run.mjs builds).
//
//   const r = await runMeasured('target/release/chronicle', ['build', ...], { timeoutMs, onLine });
//   r.wallMs, r.peakRss (bytes, largest single process: GNU time's "Maximum
//   resident set size", or the /proc poll when /usr/bin/time is missing),
//   r.treePeakRss (bytes, largest sum of RSS over the process tree, polled
//   from /proc every 100 ms), r.treeCpuS (CPU seconds of the whole tree, as
//   last polled), r.userS, r.sysS, r.cpuPercent (GNU time: only what the
//   command waited for), r.code,
//   r.stdout, r.stderr, r.method ('gnu-time' | 'proc-poll').

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';

export const GNU_TIME = '/usr/bin/time';
export const HAVE_GNU_TIME = (() => {
  try {
    fs.accessSync(GNU_TIME, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

const PAGE = 4096;
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds (0 if gone). */
function cpuOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after "(comm)": state(0) ppid(1) ... utime(11) stime(12)
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

// Process groups started here, killed if this process exits early (Ctrl-C).
const live = new Set();
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
process.on('exit', () => {
  for (const pid of live) killGroup(pid);
});

/** pid -> ppid for every process, from /proc/PID/stat. */
function processTable() {
  const parent = new Map();
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return parent;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may contain spaces and parentheses
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(rest[1]));
    } catch {
      /* exited */
    }
  }
  return parent;
}

/** ppid -> [pid] for every process (see processTable). */
function childrenTable() {
  const kids = new Map();
  for (const [pid, pp] of processTable()) {
    if (!kids.has(pp)) kids.set(pp, []);
    kids.get(pp).push(pid);
  }
  return kids;
}

function rssOf(pid) {
  try {
    const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(statm[1]) * PAGE;
  } catch {
    return 0;
  }
}

/** {sum, max} RSS over root and its descendants, and their pids. */
function treeRss(root) {
  const kids = childrenTable();
  let sum = 0;
  let max = 0;
  const stack = [root];
  const seen = new Set();
  while (stack.length) {
    const p = stack.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    const r = rssOf(p);
    sum += r;
    if (r > max) max = r;
    for (const k of kids.get(p) || []) stack.push(k);
  }
  return { sum, max, pids: [...seen] };
}

function parseGnuTime(text) {
  const num = (re) => {
    const m = text.match(re);
    return m ? Number(m[1]) : null;
  };
  return {
    maxRssKb: num(/Maximum resident set size \(kbytes\):\s*(\d+)/),
    userS: num(/User time \(seconds\):\s*([\d.]+)/),
    sysS: num(/System time \(seconds\):\s*([\d.]+)/),
    cpuPercent: num(/Percent of CPU this job got:\s*(\d+)%/),
    exit: num(/Exit status:\s*(\d+)/),
  };
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{timeoutMs?: number, cwd?: string, env?: object, onLine?: (line: string) => void, pollMs?: number}} [opts]
 */
export function runMeasured(cmd, args, { timeoutMs = 600_000, cwd, env, onLine, pollMs = 100 } = {}) {
  const timeFile = path.join(os.tmpdir(), `engines-bench-time-${process.pid}-${Date.now()}.txt`);
  const useTime = HAVE_GNU_TIME;
  const argv = useTime ? ['-v', '-o', timeFile, cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Own process group, so that a timeout ends the command and everything it started.
    const child = spawn(useTime ? GNU_TIME : cmd, argv, {
      cwd,
      env: env || process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid) live.add(child.pid);
    const out = [];
    const err = [];
    let partial = '';
    let treePeak = 0;
    let singlePeak = 0;
    const cpu = new Map(); // pid -> last seen utime + stime (s)
    let killed = false;
    const poll = setInterval(() => {
      if (!child.pid) return;
      const { sum, max, pids } = treeRss(child.pid);
      for (const p of pids) {
        const c = cpuOf(p);
        if (c > (cpu.get(p) || 0)) cpu.set(p, c);
      }
      // GNU time's own few MB are included in the sum; they are noise here.
      if (sum > treePeak) treePeak = sum;
      if (max > singlePeak) singlePeak = max;
    }, pollMs);
    const timer = setTimeout(() => {
      killed = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => {
      err.push(d);
      if (!onLine) return;
      partial += d.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const l of lines) if (l.trim()) onLine(l);
    });
    child.on('error', (e) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      live.delete(child.pid);
      clearInterval(poll);
      clearTimeout(timer);
      let gt = null;
      if (useTime) {
        try {
          gt = parseGnuTime(fs.readFileSync(timeFile, 'utf8'));
        } catch {
          gt = null;
        }
        fs.rm(timeFile, { force: true }, () => {});
      }
      if (killed) return reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: killed after the ${timeoutMs / 1000} s timeout`));
      resolve({
        code: gt && gt.exit != null ? gt.exit : code,
        signal,
        wallMs,
        peakRss: gt && gt.maxRssKb != null ? gt.maxRssKb * 1024 : singlePeak,
        treePeakRss: treePeak,
        treeCpuS: [...cpu.values()].reduce((a, b) => a + b, 0),
        userS: gt ? gt.userS : null,
        sysS: gt ? gt.sysS : null,
        cpuPercent: gt ? gt.cpuPercent : null,
        method: gt && gt.maxRssKb != null ? 'gnu-time' : 'proc-poll',
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Private memory (Private_Clean + Private_Dirty, i.e. USS) and PSS of a process, in bytes. */
function smapsRollup(pid) {
  try {
    const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k) => Number((t.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0) * 1024;
    return { uss: kb('Private_Clean') + kb('Private_Dirty'), pss: kb('Pss'), rss: kb('Rss') };
  } catch {
    return null;
  }
}

/**
 * The Chromium renderer processes started by this Node process (descendants
 * only, so another Chromium on the machine is never counted), with their
 * memory; WebUI and extension renderers are left out.
 * @returns {Array<{pid: number, uss: number, pss: number, rss: number}>} largest USS first
 */
export function rendererProcesses() {
  const parent = processTable();
  const isOurs = (pid) => {
    for (let p = pid, n = 0; p > 1 && n < 64; p = parent.get(p), n++) if (p === process.pid) return true;
    return false;
  };
  const out = [];
  for (const pid of parent.keys()) {
    if (!isOurs(pid)) continue;
    let cmd;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (!cmd.includes('--type=renderer') || /--top-chrome-webui|--extension-process/.test(cmd)) continue;
    const m = smapsRollup(pid);
    if (m) out.push({ pid, ...m });
  }
  return out.sort((a, b) => b.uss - a.uss);
}

/** Busy and total CPU time of the machine, in seconds, from /proc/stat. */
function systemCpu() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice
    const idle = (f[3] || 0) + (f[4] || 0);
    const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
    return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
  } catch {
    return null;
  }
}

/** CPU seconds of this process and its descendants, reaped children included. */
function ourCpu() {
  const kids = childrenTable();
  let sum = 0;
  const stack = [process.pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime(11) stime(12) cutime(13) cstime(14)
      sum += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
    } catch {
      /* gone */
    }
    for (const k of kids.get(p) || []) stack.push(k);
  }
  return sum;
}

/**
 * Samples, every intervalMs, the CPU time this process tree used and the CPU
 * time the rest of the machine used (other people's builds), per phase.
 *   const s = startCpuSampler(); s.phase('builds'); ...; const phases = s.stop();
 * @returns {{phase: (name: string) => void,
 *            stop: () => Array<{phase: string, wallS: number, oursCores: number, othersCores: number, othersMaxCores: number}>}}
 *   per phase, in order: average cores used by this tree and by others, and
 *   the highest 'others' of its samples
 */
export function startCpuSampler(intervalMs = 2000) {
  const phases = [];
  let cur = null;
  let prev = { sys: systemCpu(), ours: ourCpu(), t: performance.now() };
  const tick = () => {
    const sys = systemCpu();
    const ours = ourCpu();
    const t = performance.now();
    if (cur && sys && prev.sys) {
      const wall = (t - prev.t) / 1000;
      const mine = Math.max(0, ours - prev.ours);
      const others = Math.max(0, sys.busy - prev.sys.busy - mine);
      cur.wallS += wall;
      cur.ours += mine;
      cur.others += others;
      if (wall >= 1) cur.othersMax = Math.max(cur.othersMax, others / wall);
    }
    prev = { sys, ours, t };
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  const open = (name) => {
    cur = { phase: name, wallS: 0, ours: 0, others: 0, othersMax: 0 };
    phases.push(cur);
  };
  open('start');
  const summary = () =>
    phases
      .filter((p) => p.wallS > 0)
      .map((p) => ({
        phase: p.phase,
        wallS: p.wallS,
        oursCores: p.ours / p.wallS,
        othersCores: p.others / p.wallS,
        othersMaxCores: p.othersMax,
      }));
  return {
    phase(name) {
      tick();
      open(name);
    },
    stop() {
      clearInterval(timer);
      tick();
      return summary();
    },
  };
}
