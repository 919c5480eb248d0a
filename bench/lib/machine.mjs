// The machine a benchmark ran on, for its report.

import os from 'node:os';

/** "CPU model, N cores, M GiB RAM, OS release". */
export function machineInfo() {
  const cpus = os.cpus();
  const model = cpus.length ? cpus[0].model.replace(/\s+/g, ' ').trim() : 'unknown CPU';
  return `${model}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`;
}
