// A progress bar on stderr while a directory is evaluated: cases done, cases per second. Drawn
// only on a terminal (a redirected stderr gets nothing), at most ten times a second.

export interface Progress {
  tick(): void;
  done(): void;
}

const WIDTH = 24;

export function progressBar(total: number, stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return { tick() {}, done() {} };
  const start = performance.now();
  let count = 0,
    drawn = 0;
  const draw = () => {
    drawn = performance.now();
    const filled = Math.round((WIDTH * count) / total);
    const rate = count / Math.max((drawn - start) / 1000, 1e-3);
    stream.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${count}/${total} cases, ${rate.toFixed(1)} cases/s`,
    );
  };
  return {
    tick() {
      count++;
      if (count === total || performance.now() - drawn > 100) draw();
    },
    done() {
      if (drawn > 0) stream.write('\n');
    },
  };
}
