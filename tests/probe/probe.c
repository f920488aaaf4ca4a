// hako-probe: a tiny static helper that runs inside test containers and reports what it sees.
//
// Each subcommand reports one aspect of the process's environment as `key=value` lines on stdout
// (a few print raw file contents, said below), so a black-box test can run the probe as the
// container's process and compare its output against the spec it gave the runtime. A failing
// operation is reported by errno name (`write=EROFS`), never by a message in prose, and the probe
// then exits 1; a bad command line exits 2. It is linked statically so it runs in any rootfs,
// including the busybox one the black-box suite builds (tests/lib/make-bundle.sh).
//
// The probe must stay small and obviously correct: it is the ruler the runtime is measured with.
// It takes no locks, spawns no threads and uses only libc (no NSS lookups, which static glibc
// cannot do).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errno_name(int err) {
  const char *name = strerrorname_np(err);
  return name != NULL ? name : "EUNKNOWN";
}

// Reports a failed operation as `key=ERRNO` and returns the probe's failure exit code.
static int report_errno(const char *key, int err) {
  printf("%s=%s\n", key, errno_name(err));
  return 1;
}

static int usage(const char *msg) {
  fprintf(stderr, "probe: %s\n", msg);
  return 2;
}

// Copies a whole file to stdout; reports `read=ERRNO` when it cannot be opened or read.
static int cat_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return report_errno("read", errno);
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      int err = errno;
      close(fd);
      return report_errno("read", err);
    }
    if (n == 0) break;
    fwrite(buf, 1, (size_t)n, stdout);
  }
  close(fd);
  return 0;
}

// Reads up to size-1 bytes of a small file into buf, without the trailing newline.
static int read_small(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  int err = errno;
  close(fd);
  if (n < 0) {
    errno = err;
    return -1;
  }
  buf[n] = '\0';
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  return 0;
}

static int cmd_hostname(void) {
  struct utsname u;
  if (uname(&u) != 0) return report_errno("uname", errno);
  printf("hostname=%s\ndomainname=%s\n", u.nodename, u.domainname);
  return 0;
}

static int cmd_ids(void) {
  printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", getuid(), getgid(), geteuid(), getegid());
  gid_t groups[NGROUPS_MAX];
  int n = getgroups(NGROUPS_MAX, groups);
  if (n < 0) return report_errno("groups", errno);
  printf("groups=");
  for (int i = 0; i < n; i++) printf("%s%u", i ? "," : "", groups[i]);
  mode_t mask = umask(0);
  umask(mask);
  printf("\numask=%04o\n", (unsigned)mask);
  return 0;
}

// Prints the lines of /proc/self/status whose key is in keys, as key=value.
static int status_fields(const char *const *keys) {
  FILE *f = fopen("/proc/self/status", "re");
  if (f == NULL) return report_errno("status", errno);
  char line[512];
  while (fgets(line, sizeof line, f) != NULL) {
    char *colon = strchr(line, ':');
    if (colon == NULL) continue;
    *colon = '\0';
    for (const char *const *k = keys; *k != NULL; k++) {
      if (strcmp(line, *k) != 0) continue;
      char *value = colon + 1;
      value += strspn(value, " \t");
      value[strcspn(value, "\n")] = '\0';
      printf("%s=%s\n", line, value);
    }
  }
  fclose(f);
  return 0;
}

static int cmd_caps(void) {
  static const char *const keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
                                     "NoNewPrivs", "Seccomp", NULL};
  return status_fields(keys);
}

static int cmd_rlimits(void) {
  static const struct {
    int resource;
    const char *name;
  } limits[] = {
      {RLIMIT_AS, "RLIMIT_AS"},         {RLIMIT_CORE, "RLIMIT_CORE"},
      {RLIMIT_CPU, "RLIMIT_CPU"},       {RLIMIT_DATA, "RLIMIT_DATA"},
      {RLIMIT_FSIZE, "RLIMIT_FSIZE"},   {RLIMIT_LOCKS, "RLIMIT_LOCKS"},
      {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"}, {RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"},
      {RLIMIT_NICE, "RLIMIT_NICE"},     {RLIMIT_NOFILE, "RLIMIT_NOFILE"},
      {RLIMIT_NPROC, "RLIMIT_NPROC"},   {RLIMIT_RSS, "RLIMIT_RSS"},
      {RLIMIT_RTPRIO, "RLIMIT_RTPRIO"}, {RLIMIT_RTTIME, "RLIMIT_RTTIME"},
      {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"}, {RLIMIT_STACK, "RLIMIT_STACK"},
  };
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
    struct rlimit rl;
    if (getrlimit(limits[i].resource, &rl) != 0) return report_errno(limits[i].name, errno);
    printf("%s=", limits[i].name);
    if (rl.rlim_cur == RLIM_INFINITY) printf("unlimited:");
    else printf("%llu:", (unsigned long long)rl.rlim_cur);
    if (rl.rlim_max == RLIM_INFINITY) printf("unlimited\n");
    else printf("%llu\n", (unsigned long long)rl.rlim_max);
  }
  return 0;
}

static int cmd_tty(void) {
  for (int fd = 0; fd <= 2; fd++) {
    printf("isatty%d=%d\n", fd, isatty(fd));
    char name[PATH_MAX];
    if (ttyname_r(fd, name, sizeof name) == 0) printf("ttyname%d=%s\n", fd, name);
  }
  struct winsize ws;
  if (ioctl(1, TIOCGWINSZ, &ws) == 0) printf("rows=%u\ncols=%u\n", ws.ws_row, ws.ws_col);
  return 0;
}

static int cmd_env(void) {
  extern char **environ;
  for (char **e = environ; *e != NULL; e++) printf("%s\n", *e);
  return 0;
}

static int cmd_cwd(void) {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == NULL) return report_errno("cwd", errno);
  printf("cwd=%s\n", buf);
  return 0;
}

static int cmd_ns(void) {
  static const char *const names[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                      "time", "time_for_children", "user", "uts", NULL};
  for (const char *const *n = names; *n != NULL; n++) {
    char path[64], target[128];
    snprintf(path, sizeof path, "/proc/self/ns/%s", *n);
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len < 0) continue;  // e.g. time namespaces on old kernels
    target[len] = '\0';
    printf("%s=%s\n", *n, target);
  }
  return 0;
}

static int cmd_sysctl(const char *name) {
  char path[PATH_MAX] = "/proc/sys/";
  size_t off = strlen(path);
  for (const char *c = name; *c != '\0' && off < sizeof path - 1; c++) path[off++] = *c == '.' ? '/' : *c;
  path[off] = '\0';
  char value[4096];
  if (read_small(path, value, sizeof value) != 0) return report_errno(name, errno);
  printf("%s=%s\n", name, value);
  return 0;
}

static int cmd_write(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return report_errno("write", errno);
  size_t len = strlen(data);
  if (write(fd, data, len) != (ssize_t)len) {
    int err = errno;
    close(fd);
    return report_errno("write", err);
  }
  if (close(fd) != 0) return report_errno("write", errno);
  printf("write=OK\n");
  return 0;
}

static int cmd_open(const char *path, const char *mode) {
  int flags = strcmp(mode, "w") == 0 ? O_WRONLY : strcmp(mode, "rw") == 0 ? O_RDWR : O_RDONLY;
  int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return report_errno("open", errno);
  close(fd);
  printf("open=OK\n");
  return 0;
}

static int cmd_stat(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return report_errno("stat", errno);
  const char *type = S_ISCHR(st.st_mode)    ? "c"
                     : S_ISBLK(st.st_mode)  ? "b"
                     : S_ISDIR(st.st_mode)  ? "d"
                     : S_ISLNK(st.st_mode)  ? "l"
                     : S_ISFIFO(st.st_mode) ? "p"
                     : S_ISSOCK(st.st_mode) ? "s"
                                            : "f";
  printf("type=%s\nmode=%04o\nuid=%u\ngid=%u\nsize=%lld\n", type, (unsigned)(st.st_mode & 07777),
         st.st_uid, st.st_gid, (long long)st.st_size);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    printf("major=%u\nminor=%u\n", major(st.st_rdev), minor(st.st_rdev));
  if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len >= 0) {
      target[len] = '\0';
      printf("link=%s\n", target);
    }
  }
  return 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_ls(const char *path) {
  DIR *dir = opendir(path);
  if (dir == NULL) return report_errno("ls", errno);
  char *names[4096];
  size_t count = 0;
  struct dirent *de;
  while ((de = readdir(dir)) != NULL && count < sizeof names / sizeof names[0]) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    names[count++] = strdup(de->d_name);
  }
  closedir(dir);
  qsort(names, count, sizeof names[0], compare_names);
  for (size_t i = 0; i < count; i++) {
    printf("%s\n", names[i]);
    free(names[i]);
  }
  return 0;
}

// Lists this process's open file descriptors, excluding the one used to list them.
static int cmd_fds(void) {
  DIR *dir = opendir("/proc/self/fd");
  if (dir == NULL) return report_errno("fds", errno);
  int self = dirfd(dir);
  int fds[1024];
  size_t count = 0;
  struct dirent *de;
  while ((de = readdir(dir)) != NULL && count < sizeof fds / sizeof fds[0]) {
    if (de->d_name[0] == '.') continue;
    int fd = atoi(de->d_name);
    if (fd != self) fds[count++] = fd;
  }
  closedir(dir);
  for (size_t i = 1; i < count; i++)  // insertion sort: count is tiny
    for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
      int t = fds[j];
      fds[j] = fds[j - 1];
      fds[j - 1] = t;
    }
  printf("fds=");
  for (size_t i = 0; i < count; i++) printf("%s%d", i ? "," : "", fds[i]);
  printf("\n");
  return 0;
}

// Network interfaces seen in /proc/net/dev, comma-separated.
static int cmd_net(void) {
  FILE *f = fopen("/proc/net/dev", "re");
  if (f == NULL) return report_errno("net", errno);
  char line[512];
  int first = 1;
  printf("ifaces=");
  while (fgets(line, sizeof line, f) != NULL) {
    char *colon = strchr(line, ':');
    if (colon == NULL) continue;  // the two header lines
    *colon = '\0';
    printf("%s%s", first ? "" : ",", line + strspn(line, " "));
    first = 0;
  }
  printf("\n");
  fclose(f);
  return 0;
}

static double clock_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_clock(void) {
  printf("monotonic=%.0f\nboottime=%.0f\n", clock_seconds(CLOCK_MONOTONIC),
         clock_seconds(CLOCK_BOOTTIME));
  char uptime[128];
  if (read_small("/proc/uptime", uptime, sizeof uptime) == 0) {
    uptime[strcspn(uptime, ". ")] = '\0';
    printf("uptime=%s\n", uptime);
  }
  return 0;
}

static int cmd_affinity(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return report_errno("affinity", errno);
  printf("cpus=");
  int first = 1;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &set)) continue;
    printf("%s%d", first ? "" : ",", cpu);
    first = 0;
  }
  printf("\n");
  return 0;
}

// Finds FILE of CONTROLLER's cgroup (v1, or v2 when CONTROLLER is "unified") as this process
// sees it: its cgroup path from /proc/self/cgroup, mapped through the matching cgroup mount in
// /proc/self/mountinfo (whose root may be a prefix of that path, as with runc's v1 bind mounts).
static int cmd_cgroupfile(const char *controller, const char *file) {
  int v2 = strcmp(controller, "unified") == 0;
  char cgpath[PATH_MAX] = "";
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (f == NULL) return report_errno(file, errno);
  char line[PATH_MAX + 128];
  while (fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    char *ctrls = strchr(line, ':');
    char *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
    if (path == NULL) continue;
    *path++ = '\0';
    ctrls++;
    int match = v2 ? *ctrls == '\0' : 0;
    for (char *save = NULL, *c = strtok_r(ctrls, ",", &save); !v2 && c != NULL;
         c = strtok_r(NULL, ",", &save))
      if (strcmp(c, controller) == 0) match = 1;
    if (match) snprintf(cgpath, sizeof cgpath, "%s", path);
  }
  fclose(f);
  f = fopen("/proc/self/mountinfo", "re");
  if (f == NULL) return report_errno(file, errno);
  char found[PATH_MAX * 2 + 2] = "";
  while (fgets(line, sizeof line, f) != NULL) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    char root[PATH_MAX], point[PATH_MAX], fstype[64], super[1024];
    char *sep = strstr(line, " - ");
    if (sep == NULL || sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
        sscanf(sep + 3, "%63s %*s %1023s", fstype, super) != 2)
      continue;
    if (v2 ? strcmp(fstype, "cgroup2") != 0 : strcmp(fstype, "cgroup") != 0) continue;
    int match = v2;
    for (char *save = NULL, *o = strtok_r(super, ",", &save); !v2 && o != NULL;
         o = strtok_r(NULL, ",", &save))
      if (strcmp(o, controller) == 0) match = 1;
    if (!match) continue;
    size_t rootlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
    const char *rel = cgpath;
    if (rootlen > 0 && strncmp(cgpath, root, rootlen) == 0) rel = cgpath + rootlen;
    else if (rootlen > 0 && strcmp(root, cgpath) != 0) rel = "";  // cgroup ns: path is relative
    snprintf(found, sizeof found, "%s%s", point, rel);
  }
  fclose(f);
  if (found[0] == '\0') return report_errno(file, ENOENT);
  char path[sizeof found + 256];
  snprintf(path, sizeof path, "%s/%s", found, file);
  char value[4096];
  if (read_small(path, value, sizeof value) != 0) return report_errno(file, errno);
  printf("%s=%s\n", file, value);
  return 0;
}

// Runs one syscall that a seccomp profile may filter and reports its result as syscall.NAME=OK
// or the errno name.
static int cmd_syscall(int argc, char **argv) {
  if (argc < 1) return usage("syscall NAME [ARGS]");
  const char *name = argv[0];
  long rc;
  char buf[PATH_MAX];
  if (strcmp(name, "mkdir") == 0 && argc >= 2) {
    rc = syscall(SYS_mkdir, argv[1], 0755);
  } else if (strcmp(name, "mkdirat") == 0 && argc >= 2) {
    rc = syscall(SYS_mkdirat, AT_FDCWD, argv[1], 0755);
  } else if (strcmp(name, "getcwd") == 0) {
    rc = syscall(SYS_getcwd, buf, sizeof buf);
  } else if (strcmp(name, "getpid") == 0) {
    rc = syscall(SYS_getpid);
  } else if (strcmp(name, "unshare") == 0 && argc >= 2) {
    int flags = strcmp(argv[1], "user") == 0    ? CLONE_NEWUSER
                : strcmp(argv[1], "mnt") == 0   ? CLONE_NEWNS
                : strcmp(argv[1], "net") == 0   ? CLONE_NEWNET
                : strcmp(argv[1], "uts") == 0   ? CLONE_NEWUTS
                                                : -1;
    if (flags < 0) return usage("syscall unshare user|mnt|net|uts");
    rc = syscall(SYS_unshare, flags);
  } else if (strcmp(name, "mount") == 0 && argc >= 2) {
    rc = syscall(SYS_mount, "tmpfs", argv[1], "tmpfs", 0UL, NULL);
    if (rc == 0) umount2(argv[1], MNT_DETACH);
  } else if (strcmp(name, "keyctl") == 0) {
    rc = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  } else if (strcmp(name, "chmod") == 0 && argc >= 2) {
    rc = syscall(SYS_chmod, argv[1], 0700);
  } else if (strcmp(name, "raw") == 0 && argc >= 2) {
    long a[6] = {0};
    for (int i = 2; i < argc && i < 8; i++) a[i - 2] = strtol(argv[i], NULL, 0);
    rc = syscall(strtol(argv[1], NULL, 0), a[0], a[1], a[2], a[3], a[4], a[5]);
  } else {
    return usage("unknown syscall");
  }
  char key[64];
  snprintf(key, sizeof key, "syscall.%s", name);
  if (rc < 0) return report_errno(key, errno);
  printf("%s=OK\n", key);
  return 0;
}

static void reap_children(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

// Sleeps N seconds ("inf": forever), reaping any child reparented to it, as a proper container
// init does; signals keep their default dispositions.
static int cmd_sleep(const char *arg) {
  struct sigaction sa = {.sa_handler = reap_children, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigaction(SIGCHLD, &sa, NULL);
  fflush(stdout);
  int forever = strcmp(arg, "inf") == 0;
  double seconds = forever ? 0 : strtod(arg, NULL);
  struct timespec left = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  for (;;) {
    if (forever) {
      pause();
      continue;
    }
    if (nanosleep(&left, &left) == 0) break;
  }
  return 0;
}

static volatile sig_atomic_t g_signal;
static void note_signal(int sig) { g_signal = sig; }

// Installs a handler for every catchable signal, prints ready, waits for one, reports it.
static int cmd_signal(void) {
  struct sigaction sa = {.sa_handler = note_signal};
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD) sigaction(sig, &sa, NULL);
  printf("ready\n");
  fflush(stdout);
  while (g_signal == 0) pause();
  printf("signal=SIG%s\n", sigabbrev_np(g_signal) ? sigabbrev_np(g_signal) : "UNKNOWN");
  return 0;
}

// Makes an orphan and reports whether the process it was reparented to reaped it: a child forks
// a grandchild and exits; the grandchild reports its new parent and exits; we look for its zombie.
static int cmd_zombies(void) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return report_errno("zombies", errno);
  pid_t child = fork();
  if (child < 0) return report_errno("zombies", errno);
  if (child == 0) {
    pid_t parent = getpid();
    pid_t grandchild = fork();
    if (grandchild == 0) {
      while (getppid() == parent) usleep(1000);  // wait to be orphaned
      pid_t me = getpid(), adopter = getppid();
      if (write(pipefd[1], &me, sizeof me) < 0 || write(pipefd[1], &adopter, sizeof adopter) < 0)
        _exit(1);
      _exit(0);
    }
    _exit(grandchild < 0 ? 1 : 0);
  }
  waitpid(child, NULL, 0);
  close(pipefd[1]);
  pid_t orphan = 0, adopter = 0;
  if (read(pipefd[0], &orphan, sizeof orphan) != sizeof orphan ||
      read(pipefd[0], &adopter, sizeof adopter) != sizeof adopter)
    return report_errno("zombies", EIO);
  close(pipefd[0]);
  printf("orphan_ppid=%d\n", (int)adopter);
  // Give the adopter two seconds to reap the orphan's zombie.
  char path[64], stat[256];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)orphan);
  int reaped = 0;
  for (int i = 0; i < 200 && !reaped; i++) {
    if (read_small(path, stat, sizeof stat) != 0) reaped = 1;
    else usleep(10000);
  }
  printf("reaped=%d\n", reaped);
  return 0;
}

// Forks up to N children that wait for us, reports how many it got and the errno that stopped
// it (pids.max), then ends them.
static int cmd_fork(const char *arg) {
  int want = atoi(arg), got = 0, err = 0;
  pid_t pids[4096];
  if (want > 4096) want = 4096;
  int pipefd[2];
  if (pipe(pipefd) != 0) return report_errno("fork", errno);
  for (; got < want; got++) {
    pid_t pid = fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      char c;
      close(pipefd[1]);
      (void)!read(pipefd[0], &c, 1);
      _exit(0);
    }
    pids[got] = pid;
  }
  close(pipefd[1]);  // releases the children
  for (int i = 0; i < got; i++) waitpid(pids[i], NULL, 0);
  printf("forked=%d\nfork=%s\n", got, err ? errno_name(err) : "OK");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage("usage: probe COMMAND [ARGS]");
  const char *cmd = argv[1];
  int rc;
  if (strcmp(cmd, "hostname") == 0) rc = cmd_hostname();
  else if (strcmp(cmd, "ids") == 0) rc = cmd_ids();
  else if (strcmp(cmd, "caps") == 0) rc = cmd_caps();
  else if (strcmp(cmd, "mounts") == 0) rc = cat_file("/proc/self/mountinfo");
  else if (strcmp(cmd, "cgroup") == 0) rc = cat_file("/proc/self/cgroup");
  else if (strcmp(cmd, "cgroupfile") == 0 && argc == 4) rc = cmd_cgroupfile(argv[2], argv[3]);
  else if (strcmp(cmd, "rlimits") == 0) rc = cmd_rlimits();
  else if (strcmp(cmd, "tty") == 0) rc = cmd_tty();
  else if (strcmp(cmd, "env") == 0) rc = cmd_env();
  else if (strcmp(cmd, "cwd") == 0) rc = cmd_cwd();
  else if (strcmp(cmd, "pid") == 0) rc = printf("pid=%d\nppid=%d\n", getpid(), getppid()) < 0;
  else if (strcmp(cmd, "ns") == 0) rc = cmd_ns();
  else if (strcmp(cmd, "oom") == 0) {
    char v[32];
    rc = read_small("/proc/self/oom_score_adj", v, sizeof v) != 0
             ? report_errno("oom_score_adj", errno)
             : printf("oom_score_adj=%s\n", v) < 0;
  } else if (strcmp(cmd, "clock") == 0) rc = cmd_clock();
  else if (strcmp(cmd, "affinity") == 0) rc = cmd_affinity();
  else if (strcmp(cmd, "fds") == 0) rc = cmd_fds();
  else if (strcmp(cmd, "net") == 0) rc = cmd_net();
  else if (strcmp(cmd, "sysctl") == 0 && argc == 3) rc = cmd_sysctl(argv[2]);
  else if (strcmp(cmd, "read") == 0 && argc == 3) rc = cat_file(argv[2]);
  else if (strcmp(cmd, "write") == 0 && (argc == 3 || argc == 4))
    rc = cmd_write(argv[2], argc == 4 ? argv[3] : "probe\n");
  else if (strcmp(cmd, "open") == 0 && argc == 4) rc = cmd_open(argv[2], argv[3]);
  else if (strcmp(cmd, "stat") == 0 && argc == 3) rc = cmd_stat(argv[2]);
  else if (strcmp(cmd, "ls") == 0 && argc == 3) rc = cmd_ls(argv[2]);
  else if (strcmp(cmd, "syscall") == 0) rc = cmd_syscall(argc - 2, argv + 2);
  else if (strcmp(cmd, "sleep") == 0 && argc == 3) rc = cmd_sleep(argv[2]);
  else if (strcmp(cmd, "exit") == 0 && argc == 3) rc = atoi(argv[2]);
  else if (strcmp(cmd, "signal") == 0) rc = cmd_signal();
  else if (strcmp(cmd, "zombies") == 0) rc = cmd_zombies();
  else if (strcmp(cmd, "fork") == 0 && argc == 3) rc = cmd_fork(argv[2]);
  else return usage("unknown command or wrong arguments");
  fflush(stdout);
  return rc;
}
