import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of a process in MB, or 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The direct children of a process (Linux /proc). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** Peak RSS of a process and of the workers of the endpoint below it, sampled every 100 ms. */
export class PeakMemory {
  apiMb = 0;
  workerMb = 0;
  private readonly timer: NodeJS.Timeout;

  /**
   * @param apiPid the API process (or 0 when there is none)
   * @param endpointPid the endpoint's primary process: its children are the workers measured; when it is
   *   undefined, the API's own child is taken as the endpoint's primary
   */
  constructor(
    private readonly apiPid: number,
    private readonly endpointPid?: number,
  ) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }

  private sample(): void {
    if (this.apiPid) this.apiMb = Math.max(this.apiMb, rssMb(this.apiPid));
    const primaries = this.endpointPid !== undefined ? [this.endpointPid] : childrenOf(this.apiPid);
    for (const worker of primaries.flatMap(childrenOf))
      this.workerMb = Math.max(this.workerMb, rssMb(worker));
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}
