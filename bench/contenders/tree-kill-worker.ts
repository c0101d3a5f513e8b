/**
 * tree-kill runs here, in a separate process, and not inside the benchmark:
 * at 1000 processes it takes close to a minute (one `ps` per process) and
 * cannot be cancelled, so a run stopped at the cap must be able to end it
 * (by this process's pid) before it goes on to kill pids that may have been
 * recycled meanwhile. The message round trip costs well under a millisecond.
 */
import treeKill from 'tree-kill';

interface Request {
  id: number;
  pid: number;
  signal: string;
}

process.on('message', (request: Request) => {
  treeKill(request.pid, request.signal, (error) => {
    process.send?.({ id: request.id, error: error?.message });
  });
});
process.send?.({ ready: true });
