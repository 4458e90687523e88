/**
 * The runner cancels a step with SIGINT, then SIGTERM, then kills it about
 * ten seconds later. The first of either signal aborts the returned signal so
 * engines stop waiting and report; a repeat of the same signal falls through
 * to Node's default and ends the process.
 */
export interface Cancellation {
  signal: AbortSignal;
  /** Stops listening (the end of main): later signals take Node's default. */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function cancelSignal(target: Pick<NodeJS.Process, 'once' | 'off'> = process): Cancellation {
  const controller = new AbortController();
  // No reason: consumers (fetch, child processes) see the standard AbortError.
  const onSignal = () => controller.abort();
  for (const name of SIGNALS) target.once(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of SIGNALS) target.off(name, onSignal);
    },
  };
}

/** Runs `fn` with a cancellation signal, listening only while it runs. */
export async function withCancel<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const cancel = cancelSignal();
  try {
    return await fn(cancel.signal);
  } finally {
    cancel.dispose();
  }
}
