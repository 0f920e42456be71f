/**
 * Progress of a long step: on a terminal, a bar with counts, rate and ETA, redrawn at most 10 times a
 * second; elsewhere nothing until the one summary line the command prints itself.
 */
export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(done: number, total: number): void; end(): void } {
  if (!stream.isTTY) return { update: () => undefined, end: () => undefined };
  const started = performance.now();
  let drawnAt = 0;
  const draw = (done: number, total: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ` +
        `${Math.round(rate).toLocaleString('en-US')}/s ETA ${eta} s `,
    );
  };
  return {
    update(done, total) {
      const now = performance.now();
      if (now - drawnAt < 100 && done < total) return;
      drawnAt = now;
      draw(done, total);
    },
    end() {
      stream.write('\n');
    },
  };
}
