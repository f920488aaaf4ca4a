// spawn_rusage: run one command and report what it cost, for bench/runtime-start.
//
// Usage: spawn_rusage CMD [ARGS...]
// Runs CMD with stdin, stdout and stderr on /dev/null and prints one line on stdout:
//   <exit status> <wall ns> <user us> <system us> <peak RSS KiB>
// where status is 128+N for a death by signal N, wall time runs from just before fork to
// wait4's return, and CPU time and peak RSS come from wait4's rusage (the command and the
// children it waited for).
//
// Why a C helper: at execve the kernel records the old address space's RSS high-water mark in
// the process's ru_maxrss. Spawned straight from Python (fork or vfork), every runtime would
// report the interpreter's ~14 MiB. Forked from this small static program, the command starts
// from a few hundred KiB, so ru_maxrss is the runtime's own.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: spawn_rusage CMD [ARGS...]\n");
    return 2;
  }
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) {
    perror("spawn_rusage: /dev/null");
    return 1;
  }
  long long start = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("spawn_rusage: fork");
    return 1;
  }
  if (pid == 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) != pid) {
    perror("spawn_rusage: wait4");
    return 1;
  }
  long long wall = now_ns() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("%d %lld %lld %lld %ld\n", code, wall,
         (long long)usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec,
         (long long)usage.ru_stime.tv_sec * 1000000 + usage.ru_stime.tv_usec, usage.ru_maxrss);
  return 0;
}
