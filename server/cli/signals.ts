/**
 * Ctrl-C, SIGTERM and a closed stdin all end in one orderly stop; a second signal while
 * stopping does not abandon the cleanup. Returns a function that removes the handlers.
 */
export function stopOnSignals(stop: () => Promise<void>, options: { stdin?: boolean } = {}): () => void {
  let stopping: Promise<void> | undefined;
  const onSignal = () => {
    stopping ??= stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (options.stdin) {
    process.stdin.on('end', onSignal).on('close', onSignal).resume();
  }
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (options.stdin) process.stdin.off('end', onSignal).off('close', onSignal).pause();
  };
}
