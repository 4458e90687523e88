/**
 * What engines log through. Actions pass one backed by @actions/core; tests
 * and the CLI pass their own. Engines never print directly.
 */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string, location?: AnnotationLocation): void;
  error(message: string, location?: AnnotationLocation): void;
  /**
   * A line of third-party output (a program's, a task's log), shown as is and
   * never read by the runner as a workflow command (`::set-output`, `::add-mask`…).
   */
  output(line: string): void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Marks a value as secret: it must never appear in any log from here on. */
  mask(secret: string): void;
}

export interface AnnotationLocation {
  title?: string;
  file?: string;
  startLine?: number;
}

/** A logger that remembers everything: for tests. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  readonly masked: string[] = [];

  info(message: string): void {
    this.lines.push(message);
  }
  output(line: string): void {
    this.lines.push(line);
  }
  debug(message: string): void {
    this.lines.push(`debug: ${message}`);
  }
  warning(message: string): void {
    this.lines.push(`warning: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`group: ${title}`);
    return fn();
  }
  mask(secret: string): void {
    this.masked.push(secret);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** Plain-text logger for running engines outside GitHub (CLI, benchmarks). */
export function consoleLogger(
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Logger {
  const masked: string[] = [];
  const redact = (text: string) => masked.reduce((t, s) => t.split(s).join('***'), text);
  return {
    info: (m) => write(redact(m)),
    output: (line) => write(redact(line)),
    debug: (m) => (process.env.RUNNER_DEBUG === '1' ? write(redact(`debug: ${m}`)) : undefined),
    warning: (m) => write(redact(`warning: ${m}`)),
    error: (m) => write(redact(`error: ${m}`)),
    group: async (title, fn) => {
      write(redact(`▸ ${title}`));
      return fn();
    },
    mask: (s) => {
      if (s) masked.push(s);
    },
  };
}
