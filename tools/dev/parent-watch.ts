/**
 * Calls onGone once when the process that started this one has gone away: a process whose
 * parent dies, even by SIGKILL, is re-parented, so its ppid changes.
 */
export function watchParent(onGone: () => void, intervalMs = 500): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
