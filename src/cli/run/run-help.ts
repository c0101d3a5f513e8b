export const RUN_HELP = `Usage: corral run [options] [--] command [args...]

Run a command with corral's stdio, in a group of its own. When the command
exits, times out, or corral gets SIGINT, SIGTERM or SIGHUP, its whole process
tree is stopped: the graceful signal first, SIGKILL after the grace.

Options:
  --timeout DURATION     stop the tree after this long in all (default, or 0: none)
  --grace DURATION       time between the graceful signal and SIGKILL (default 2s)
  --signal SIGNAL        the graceful signal: TERM, SIGINT, 15... (default SIGTERM)
  --no-escalate          never SIGKILL: leave what survives the grace running
  --leftovers POLICY     when the command exits but its descendants still run:
                         kill (default): stop them gracefully, then SIGKILL
                         wait: wait until they end (bounded by --timeout)
                         keep: leave them running
  --mechanism NAME       auto (default: cgroup v2 if usable, else pgroup),
                         cgroup or pgroup
  --no-systemd-scope     never leave corral's own cgroup: when it is not
                         writable, do not ask systemd for a delegated scope
                         (also CORRAL_NO_SYSTEMD_SCOPE=1)
  --memory SIZE          memory limit for the tree: 512M, 1G (powers of 1024)
  --pids COUNT           most processes and threads the tree may hold
  --cpus NUMBER          CPU time limit in CPUs (0.5 = half a core)
  --user USER[:GROUP]    run the command as this user and group, by name or
                         number (default group: the user's own); needs root
  --no-new-privs         setuid programs such as sudo gain nothing in the tree
                         (PR_SET_NO_NEW_PRIVS, through util-linux setpriv)
  --server COMMAND       a server the command needs (repeatable): a command line
                         run as sh -c runs it, in a group of its own, its output
                         prefixed with [server1], [server2]...; the command
                         starts once every server is ready, and every
                         server's whole tree is stopped when it ends
  --name NAME            after a --server: its name in prefixes and reports
  --ready PROBE          after each --server: when it is ready: http://URL or
                         https://URL (any response), tcp:[HOST:]PORT (a
                         connection accepted), line:REGEX (an output line)
  --ready-timeout DURATION  after a --server: its time to be ready; before
                         any --server: every server's (default 60s)
  --idle-timeout DURATION  stop the tree when it has written nothing on stdout
                         or stderr for this long (output resets the clock;
                         the command's stdout and stderr become pipes that
                         corral copies to its own)
  --fail-on-leftovers    exit 123 when the command exits but leaves processes
                         behind (they are still stopped, and named on stderr)
  --restart POLICY       run the command again when it ends: always, on-failure
                         (when it did not exit 0) or never; each run's whole
                         tree is gone before the next starts (docs/supervision.md)
  --max-restarts N       at most N restarts (default: no limit)
  --restart-delay D      the first delay before a restart (default 100ms); it
                         doubles with each restart in a row, up to 30s
  --watch PATH           restart the command when a file under PATH changes
                         (repeatable): the whole tree is stopped first
  --verbose              one line on stderr at the end: mechanism, processes
                         stopped, escalation, time taken; then one line per
                         process the command left behind (pid, command line)
  --json                 a JSON report on stderr at the end
  --debug                stack traces on failure
  -h, --help             this help

Durations need a unit: 250ms, 2s, 1.5m, 1h (0 alone is fine).
Limits need cgroup v2 with the controllers delegated (see corral doctor).
For untrusted builds: --user, --no-new-privs and limits (docs/sandboxing.md).

Exit status (with --restart: the last run's):
  the command's exit code, or 128+n if it died of signal n
  120      --idle-timeout: the tree was silent that long, and was stopped
  121      a --server was not ready within its --ready-timeout
  122      a --server exited (before it was ready: the command never
           started; or while the command ran: the command was stopped)
  123      --fail-on-leftovers, and the command left processes behind
  124      the timeout ran out
  129/130/143  corral got SIGHUP/SIGINT/SIGTERM (a second one kills at once)
  2        bad command line
  125      corral itself failed
  126/127  the command could not be executed / was not found
`;
