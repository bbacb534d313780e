/** `later(ms, fn)` for the sandbox's servers: timers are tracked so close() can clear them, and none fires after it. */
export function scheduler(timers: Set<ReturnType<typeof setTimeout>>, isClosed: () => boolean): (ms: number, fn: () => void) => void {
  return (ms, fn) => {
    if (isClosed()) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!isClosed()) fn();
    }, ms);
    timers.add(t);
  };
}
