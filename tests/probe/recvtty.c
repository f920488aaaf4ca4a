// hako-recvtty: the receiving end of an OCI runtime's --console-socket, for the black-box tests.
//
// Usage: hako-recvtty [--pid-file FILE] [--out FILE] [--name-file FILE] [--input TEXT] SOCKET
//
// Listens on the unix socket SOCKET, accepts one connection, receives the pty master the runtime
// sends with SCM_RIGHTS, writes TEXT (if given) to it, and copies everything the container writes
// to the terminal into --out (default stdout) until the container side closes (EIO). The name
// the runtime sent with the fd (runc: "/dev/ptmx", crun: blank) is written to --name-file. The
// pid file is written once the socket is listening, so a test can wait for it before `create`.
// Exits 0 after a clean relay, 1 on any error (reported on stderr).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what) {
  fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
  return 1;
}

static int write_file(const char *path, const char *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, data, len);
  close(fd);
  return n == (ssize_t)len ? 0 : -1;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

// Receives one fd and the name sent with it; returns the fd or -1.
static int receive_fd(int conn, char *name, size_t name_size) {
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = name, .iov_len = name_size - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control};
  ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return -1;
  name[n] = '\0';
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
    errno = EBADMSG;
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  return fd;
}

int main(int argc, char **argv) {
  const char *pid_file = NULL, *out_file = NULL, *name_file = NULL, *input = NULL;
  int i = 1;
  for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (strcmp(argv[i], "--pid-file") == 0) pid_file = argv[i + 1];
    else if (strcmp(argv[i], "--out") == 0) out_file = argv[i + 1];
    else if (strcmp(argv[i], "--name-file") == 0) name_file = argv[i + 1];
    else if (strcmp(argv[i], "--input") == 0) input = argv[i + 1];
    else break;
  }
  if (i != argc - 1) {
    fprintf(stderr, "usage: recvtty [--pid-file F] [--out F] [--name-file F] [--input T] SOCKET\n");
    return 2;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(argv[i]) >= sizeof addr.sun_path) {
    fprintf(stderr, "recvtty: socket path too long\n");
    return 2;
  }
  strcpy(addr.sun_path, argv[i]);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail("socket");
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0) return fail("bind");
  if (listen(sock, 1) != 0) return fail("listen");
  if (pid_file != NULL) {
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (write_file(pid_file, pid, (size_t)len) != 0) return fail("write pid file");
  }
  int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return fail("accept");
  char name[256];
  int master = receive_fd(conn, name, sizeof name);
  if (master < 0) return fail("recvmsg");
  close(conn);
  close(sock);
  if (name_file != NULL && write_file(name_file, name, strlen(name)) != 0)
    return fail("write name file");
  if (input != NULL && write_all(master, input, strlen(input)) != 0) return fail("write input");
  int out = 1;
  if (out_file != NULL) {
    out = open(out_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) return fail("open output");
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EIO) break;  // every slave fd is closed: the container is gone
    if (n < 0) return fail("read pty");
    if (n == 0) break;
    if (write_all(out, buf, (size_t)n) != 0) return fail("write output");
  }
  return 0;
}
