#!/usr/bin/python3
"""seccomp-listener.py SOCKET STATE_FILE ERRNO: a seccomp user-notification agent for tests.

Listens on the unix socket SOCKET (a linux.seccomp.listenerPath), receives the container process
state and the notify fd that the runtime sends (OCI runtime-spec, "listenerPath"), writes the
state JSON to STATE_FILE, then answers every notification with -ERRNO until the fd closes.
Exits by itself after 60 s at most.
"""
import fcntl
import os
import signal
import socket
import struct
import sys

SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes


def main():
    path, state_file, err = sys.argv[1], sys.argv[2], int(sys.argv[3])
    signal.alarm(60)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(path + ".ready", "w").close()
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 4)
    with open(state_file + ".tmp", "wb") as f:
        f.write(msg)
    os.rename(state_file + ".tmp", state_file)
    if not fds:
        sys.exit("seccomp-listener: no fd received")
    notify = fds[0]
    while True:
        buf = bytearray(80)
        try:
            fcntl.ioctl(notify, SECCOMP_IOCTL_NOTIF_RECV, buf, True)
        except OSError:
            return  # the filter's last user is gone
        notif_id = struct.unpack_from("=Q", buf, 0)[0]
        resp = bytearray(struct.pack("=QqiI", notif_id, 0, -err, 0))
        try:
            fcntl.ioctl(notify, SECCOMP_IOCTL_NOTIF_SEND, resp, True)
        except OSError:
            pass  # the process died meanwhile


if __name__ == "__main__":
    main()
