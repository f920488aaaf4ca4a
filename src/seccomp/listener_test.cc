#include "seccomp/listener.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "json/reader.h"
#include "seccomp/test_fixtures.h"

namespace hako::seccomp {
namespace {

using testing::TempDir;

struct Received {
  std::string data;
  std::vector<int> fds;
};

UniqueFd listen_at(const std::string& path) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(s.get(), 4), 0);
  return s;
}

// Accepts one connection and reads until the runtime closes it, as an agent does.
Received receive_one(int listener) {
  Received out;
  UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  EXPECT_TRUE(conn.valid());
  while (true) {
    char buf[65536];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) break;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        out.fds.push_back(fd);
      }
    }
    out.data.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool same_file(int a, int b) {
  struct stat sa {
  }, sb{};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

TEST(Listener, ContainerProcessStateShape) {
  std::string state = R"({"ociVersion":"1.1.0","id":"c1","status":"creating","pid":42,)"
                      R"("bundle":"/b"})";
  auto doc = json::parse(container_process_state(42, "MKNOD=\"/dev/null\"", state), "state");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ((*doc)["ociVersion"], oci::kSpecVersion);
  EXPECT_EQ((*doc)["fds"], json::Value::array({"seccompFd"}));
  EXPECT_EQ((*doc)["pid"], 42);
  EXPECT_EQ((*doc)["metadata"], "MKNOD=\"/dev/null\"");
  EXPECT_EQ((*doc)["state"]["id"], "c1");
  EXPECT_EQ((*doc)["state"]["status"], "creating");

  auto bare = json::parse(container_process_state(7, "", state), "state");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->contains("metadata"));  // OPTIONAL, omitted when empty
}

TEST(Listener, SendsStateWithTheFd) {
  TempDir dir;
  std::string path = dir.path() + "/agent.sock";
  UniqueFd listener = listen_at(path);
  UniqueFd seccomp_fd(::memfd_create("fake-listener", MFD_CLOEXEC));
  std::string msg = container_process_state(
      1234, "meta", R"({"ociVersion":"1.1.0","id":"c","status":"creating","bundle":"/b"})");

  Received got;
  std::thread agent([&] { got = receive_one(listener.get()); });
  Status sent = send_listener(path, seccomp_fd.get(), msg);
  agent.join();
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(got.data, msg);
  ASSERT_EQ(got.fds.size(), 1u);
  EXPECT_TRUE(same_file(got.fds[0], seccomp_fd.get()));
  for (int fd : got.fds) ::close(fd);
}

TEST(Listener, LargeStateArrivesWhole) {
  TempDir dir;
  std::string path = dir.path() + "/agent.sock";
  UniqueFd listener = listen_at(path);
  UniqueFd seccomp_fd(::memfd_create("fake-listener", MFD_CLOEXEC));
  std::string big(2 << 20, 'a');  // more than a socket buffer: several sends
  std::string msg =
      container_process_state(1, "",
                              R"({"ociVersion":"1.1.0","id":"c","status":"creating","bundle":"/b",)"
                              R"("annotations":{"k":")" +
                                  big + "\"}}");
  Received got;
  std::thread agent([&] { got = receive_one(listener.get()); });
  Status sent = send_listener(path, seccomp_fd.get(), msg);
  agent.join();
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(got.data.size(), msg.size());
  EXPECT_EQ(got.data, msg);
  EXPECT_EQ(got.fds.size(), 1u);
  for (int fd : got.fds) ::close(fd);
}

TEST(Listener, ErrorsNameThePath) {
  TempDir dir;
  std::string path = dir.path() + "/nobody.sock";
  Status s = send_listener(path, 0, "{}");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(s.error().message().find("send seccomp listener to " + path + ": connect"),
            std::string::npos)
      << s.error().message();

  Status too_long = send_listener("/" + std::string(200, 'x'), 0, "{}");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace hako::seccomp
