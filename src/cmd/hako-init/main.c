// hako-init: a minimal init for containers (`hako run --init`), after tini.
//
//   hako-init [-g] [-s] [-v] [--] PROGRAM [ARGS...]
//
// Runs as PID 1 of the container: it starts PROGRAM as its only direct child, forwards every
// signal it receives (but SIGCHLD) to that child, or to the child's process group with -g, reaps
// every process reparented to it, and exits with the child's status when the child exits
// (128+N if a signal N killed it). -s makes it a child subreaper, for use outside PID 1; -v
// prints what it does on stderr. Exit 127 when PROGRAM is not found, 126 when it cannot be
// executed, 1 for its own failures; errors are one line on stderr, "hako-init: ...".
//
// Plain C, statically linked: it is bind-mounted into arbitrary root file systems, starts on
// every `--init` container and stays resident, so it needs no loader and allocates nothing.
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kExitOwnError = 1, kExitCannotExecute = 126, kExitNotFound = 127 };

struct options {
  int process_group;  // -g
  int subreaper;      // -s
  int verbose;        // -v
  char** argv;        // PROGRAM ARGS..., NULL-terminated
};

// What the child reports through the CLOEXEC pipe when it cannot exec PROGRAM.
struct child_failure {
  int step;  // enum child_step
  int err;   // errno
};
enum child_step { kStepSetpgid, kStepTcsetpgrp, kStepSigmask, kStepExec };
static const char* const kStepNames[] = {"setpgid", "tcsetpgrp", "sigprocmask", "exec"};

static void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char* fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof line - 1) n = sizeof line - 2;
  line[n] = '\n';
  // One write per line: concurrent writers on the container's stderr never split it.
  (void)!write(STDERR_FILENO, line, (size_t)n + 1);
}

// strerror in hako's message style: lower case ("no such file or directory").
static const char* error_text(int err, char* buf, size_t size) {
  snprintf(buf, size, "%s", strerror(err));
  buf[0] = (char)tolower((unsigned char)buf[0]);
  return buf;
}

static void usage(void) { say("usage: hako-init [-g] [-s] [-v] [--] PROGRAM [ARGS...]"); }

// parse_args: 0 on success, else the exit code.
static int parse_args(int argc, char** argv, struct options* opts) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
    const char* arg = argv[i];
    if (strcmp(arg, "--") == 0) {
      ++i;
      break;
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      usage();
      return -1;
    }
    // Bundled short flags as tini takes them: -gs, -vv.
    for (const char* c = arg + 1; *c; ++c) {
      switch (*c) {
        case 'g':
          opts->process_group = 1;
          break;
        case 's':
          opts->subreaper = 1;
          break;
        case 'v':
          opts->verbose++;
          break;
        default:
          say("hako-init: unknown option -%c: see hako-init -h", *c);
          return kExitOwnError;
      }
    }
  }
  if (i >= argc) {
    usage();
    return kExitOwnError;
  }
  opts->argv = argv + i;
  return 0;
}

// The signals that stay deliverable: those the kernel raises for a fault in this process (they
// cannot be waited for, and blocking them would loop or kill us anyway), and the terminal stop
// signals, which are ignored instead so a background PID 1 is never stopped (as tini).
static const int kUnblocked[] = {SIGFPE,  SIGILL, SIGSEGV, SIGBUS, SIGABRT,
                                 SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU};

struct saved_signals {
  sigset_t mask;
  struct sigaction ttin, ttou;
};

static int configure_signals(sigset_t* waited, struct saved_signals* saved) {
  sigfillset(waited);
  for (size_t i = 0; i < sizeof kUnblocked / sizeof kUnblocked[0]; ++i) {
    sigdelset(waited, kUnblocked[i]);
  }
  if (sigprocmask(SIG_SETMASK, waited, &saved->mask) != 0) return -1;
  struct sigaction ignore;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  if (sigaction(SIGTTIN, &ignore, &saved->ttin) != 0) return -1;
  if (sigaction(SIGTTOU, &ignore, &saved->ttou) != 0) return -1;
  return 0;
}

_Noreturn static void child_fail(int fd, enum child_step step) {
  struct child_failure failure = {step, errno};
  (void)!write(fd, &failure, sizeof failure);
  _exit(kExitOwnError);
}

// In the child: its own process group (so -g reaches it and whatever it starts, and nothing
// else), the terminal's foreground when stdin is one (SIGTTOU is still ignored here, so the call
// from a background group is not stopped), then the signal state PROGRAM expects, then exec.
_Noreturn static void run_child(const struct options* opts, const struct saved_signals* saved,
                                int report_fd) {
  if (setpgid(0, 0) != 0) child_fail(report_fd, kStepSetpgid);
  if (isatty(STDIN_FILENO) && tcsetpgrp(STDIN_FILENO, getpgrp()) != 0 && errno != ENOTTY &&
      errno != ENXIO) {
    child_fail(report_fd, kStepTcsetpgrp);
  }
  if (sigaction(SIGTTIN, &saved->ttin, NULL) != 0 || sigaction(SIGTTOU, &saved->ttou, NULL) != 0 ||
      sigprocmask(SIG_SETMASK, &saved->mask, NULL) != 0) {
    child_fail(report_fd, kStepSigmask);
  }
  execvp(opts->argv[0], opts->argv);
  child_fail(report_fd, kStepExec);
}

static int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitOwnError;
}

// spawn: forks the child and waits until it has exec'd (the pipe closes) or reports why not.
// Returns the child's pid, or -1 with *exit_code set.
static pid_t spawn(const struct options* opts, const struct saved_signals* saved, int* exit_code) {
  char err[128];
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    say("hako-init: create the exec report pipe: %s", error_text(errno, err, sizeof err));
    *exit_code = kExitOwnError;
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    say("hako-init: fork %s: %s", opts->argv[0], error_text(errno, err, sizeof err));
    close(report[0]);
    close(report[1]);
    *exit_code = kExitOwnError;
    return -1;
  }
  if (pid == 0) {
    close(report[0]);
    run_child(opts, saved, report[1]);
  }
  close(report[1]);
  struct child_failure failure;
  ssize_t n;
  do {
    n = read(report[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n != (ssize_t)sizeof failure) return pid;  // EOF: exec closed the pipe

  // The child exits right after its report; reap it so it does not count as the main child.
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  if (failure.step == kStepExec) {
    say("hako-init: exec %s: %s", opts->argv[0], error_text(failure.err, err, sizeof err));
    *exit_code = failure.err == ENOENT ? kExitNotFound : kExitCannotExecute;
  } else {
    say("hako-init: %s for %s: %s", kStepNames[failure.step], opts->argv[0],
        error_text(failure.err, err, sizeof err));
    *exit_code = kExitOwnError;
  }
  return -1;
}

// reap: collects every exited child. Returns 1 and sets *exit_code once the main child is gone.
static int reap(pid_t child, const struct options* opts, int* exit_code) {
  int done = 0;
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0) break;  // children remain, none exited
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left to wait for
    }
    if (pid == child) {
      *exit_code = exit_code_of(status);
      done = 1;
      if (opts->verbose) say("hako-init: main child %d exited with %d", (int)pid, *exit_code);
    } else if (opts->verbose) {
      say("hako-init: reaped process %d", (int)pid);
    }
  }
  return done;
}

static void forward(pid_t child, int sig, const struct options* opts) {
  pid_t target = opts->process_group ? -child : child;
  if (kill(target, sig) != 0 && errno != ESRCH) {
    char err[128];
    say("hako-init: forward signal %d to %d: %s", sig, (int)target,
        error_text(errno, err, sizeof err));
  } else if (opts->verbose) {
    say("hako-init: forwarded signal %d to %d", sig, (int)target);
  }
}

int main(int argc, char** argv) {
  struct options opts = {0, 0, 0, NULL};
  int rc = parse_args(argc, argv, &opts);
  if (rc != 0) return rc < 0 ? 0 : rc;

  char err[128];
  if (opts.subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    say("hako-init: become a child subreaper: %s", error_text(errno, err, sizeof err));
    return kExitOwnError;
  }
  if (getpid() != 1 && !opts.subreaper) {
    say("hako-init: not PID 1 and not a subreaper (-s): orphans will not be reaped here");
  }

  sigset_t waited;
  struct saved_signals saved;
  if (configure_signals(&waited, &saved) != 0) {
    say("hako-init: configure signals: %s", error_text(errno, err, sizeof err));
    return kExitOwnError;
  }

  int exit_code = kExitOwnError;
  pid_t child = spawn(&opts, &saved, &exit_code);
  if (child < 0) return exit_code;
  if (opts.verbose) say("hako-init: started %s as process %d", opts.argv[0], (int)child);

  // A timeout keeps reaping going even if a SIGCHLD was coalesced with one already consumed.
  const struct timespec tick = {1, 0};
  for (;;) {
    siginfo_t info;
    int sig = sigtimedwait(&waited, &info, &tick);
    if (sig > 0 && sig != SIGCHLD) forward(child, sig, &opts);
    if (sig < 0 && errno != EAGAIN && errno != EINTR) {
      say("hako-init: wait for signals: %s", error_text(errno, err, sizeof err));
      return kExitOwnError;
    }
    if (reap(child, &opts, &exit_code)) return exit_code;
  }
}
