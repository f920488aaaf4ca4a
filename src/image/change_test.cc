#include "image/change.h"

#include <gtest/gtest.h>

namespace hako::image {
namespace {

using V = std::vector<std::string>;

oci::RunDefaults apply(const std::vector<std::string>& changes) {
  oci::RunDefaults c;
  for (const auto& ch : changes) {
    auto st = apply_change(c, ch);
    EXPECT_TRUE(st) << ch << ": " << st.error().message();
  }
  return c;
}

std::string error_of(std::string_view change, oci::RunDefaults c = {}) {
  auto st = apply_change(c, change);
  return st ? "" : st.error().message();
}

TEST(ApplyChange, CmdExecAndShellForm) {
  EXPECT_EQ(apply({R"(CMD ["/bin/echo", "hi there"])"}).cmd, V({"/bin/echo", "hi there"}));
  EXPECT_EQ(apply({"CMD echo $HOME  x"}).cmd, V({"/bin/sh", "-c", "echo $HOME  x"}));
  EXPECT_EQ(apply({"cmd []"}).cmd, V{});
  // Not a JSON array of strings: the shell form, text kept as written.
  EXPECT_EQ(apply({"CMD [1, 2]"}).cmd, V({"/bin/sh", "-c", "[1, 2]"}));
  EXPECT_EQ(apply({"CMD [broken"}).cmd, V({"/bin/sh", "-c", "[broken"}));
}

TEST(ApplyChange, EntrypointDoesNotTouchCmd) {
  auto c = apply({"CMD [\"a\"]", "ENTRYPOINT [\"/init\", \"--\"]"});
  EXPECT_EQ(c.entrypoint, V({"/init", "--"}));
  EXPECT_EQ(c.cmd, V({"a"}));
  EXPECT_EQ(apply({"ENTRYPOINT exec nginx"}).entrypoint, V({"/bin/sh", "-c", "exec nginx"}));
  EXPECT_FALSE(apply({"ENV A=1"}).entrypoint.has_value());
}

TEST(ApplyChange, EnvPairsWithQuotesAndEscapes) {
  auto c = apply({R"(ENV A=1 B="a b" C='x $A y' D=a\ b E="q\"uote\\" F=)"});
  EXPECT_EQ(c.env, V({"A=1", "B=a b", "C=x $A y", "D=a b", "E=q\"uote\\", "F="}));
}

TEST(ApplyChange, EnvLegacyFormTakesTheRestOfTheLine) {
  EXPECT_EQ(apply({"ENV PATH /usr/bin:/bin  and more"}).env, V({"PATH=/usr/bin:/bin  and more"}));
  EXPECT_EQ(apply({R"(ENV MSG "hello world")"}).env, V({"MSG=hello world"}));
}

TEST(ApplyChange, EnvReplacesAndExpands) {
  auto c = apply({"ENV A=1 B=2", "ENV A=3", "ENV P=$A:${B}:${NONE:-def}:${A:+set}:${NONE:+x}",
                  R"(ENV Q="$A" R='$A' S=\$A T=\\)"});
  EXPECT_EQ(c.env, V({"A=3", "B=2", "P=3:2:def:set:", "Q=3", "R=$A", "S=$A", "T=\\"}));
  // The expansion sees Env as it was before the instruction, as Docker's builder.
  EXPECT_EQ(apply({"ENV X=1 Y=$X"}).env, V({"X=1", "Y="}));
  // A $ not followed by a name stays.
  EXPECT_EQ(apply({"ENV M=5$ N=$-"}).env, V({"M=5$", "N=$-"}));
}

TEST(ApplyChange, EnvErrors) {
  EXPECT_EQ(error_of("ENV A"), "invalid --change \"ENV A\": ENV must have two arguments");
  EXPECT_EQ(error_of("ENV"), "invalid --change \"ENV\": ENV requires at least one argument");
  EXPECT_NE(error_of("ENV A=1 B").find("can't find = in \"B\""), std::string::npos);
  EXPECT_NE(error_of("ENV =x").find("ENV names can not be blank"), std::string::npos);
  EXPECT_NE(error_of("ENV A=\"open").find("matching \""), std::string::npos);
  EXPECT_NE(error_of("ENV A='open").find("matching '"), std::string::npos);
  EXPECT_NE(error_of("ENV A=${B").find("missing '}'"), std::string::npos);
  EXPECT_NE(error_of("ENV A=\"${B:?must be set}\"").find("B: must be set"), std::string::npos);
}

TEST(ApplyChange, FailedChangeLeavesConfigUnchanged) {
  oci::RunDefaults c;
  c.env = {"A=1"};
  EXPECT_FALSE(apply_change(c, "ENV B=2 C"));
  EXPECT_EQ(c.env, V({"A=1"}));
}

TEST(ApplyChange, Labels) {
  auto c = apply(
      {R"(LABEL a=b "com.x.y"="v 1" multi="line\"q")", "label legacy some value", "LABEL a=c"});
  std::map<std::string, std::string> want = {
      {"a", "c"}, {"com.x.y", "v 1"}, {"multi", "line\"q"}, {"legacy", "some value"}};
  EXPECT_EQ(c.labels, want);
  EXPECT_NE(error_of("LABEL =v").find("LABEL names can not be blank"), std::string::npos);
}

TEST(ApplyChange, Expose) {
  auto c = apply({"EXPOSE 80 443/tcp 53/UDP", "EXPOSE 8000-8002/udp 132/sctp 127.0.0.1:8080:90"});
  std::set<std::string> want = {"80/tcp",   "443/tcp",  "53/udp",   "8000/udp",
                                "8001/udp", "8002/udp", "132/sctp", "90/tcp"};
  EXPECT_EQ(c.exposed_ports, want);
  oci::RunDefaults e;
  e.env = {"PORT=3000"};
  ASSERT_TRUE(apply_change(e, "EXPOSE $PORT"));
  EXPECT_EQ(e.exposed_ports, std::set<std::string>({"3000/tcp"}));
  EXPECT_NE(error_of("EXPOSE 80/foo").find("invalid proto: foo"), std::string::npos);
  EXPECT_NE(error_of("EXPOSE http").find("invalid containerPort: http"), std::string::npos);
  EXPECT_NE(error_of("EXPOSE 70000").find("invalid containerPort"), std::string::npos);
  EXPECT_NE(error_of("EXPOSE 90-80").find("invalid containerPort"), std::string::npos);
  EXPECT_NE(error_of("EXPOSE").find("requires at least one argument"), std::string::npos);
}

TEST(ApplyChange, UserWorkdirStopsignal) {
  auto c = apply({"USER 1000:1000", "WORKDIR /app", "WORKDIR sub/../src", "STOPSIGNAL SIGQUIT"});
  EXPECT_EQ(c.user, "1000:1000");
  EXPECT_EQ(c.working_dir, "/app/src");
  EXPECT_EQ(c.stop_signal, "SIGQUIT");
  EXPECT_EQ(apply({"WORKDIR rel"}).working_dir, "/rel");
  // An absolute path is kept as written, spaces included.
  EXPECT_EQ(apply({"WORKDIR /a b/./c"}).working_dir, "/a b/./c");
  EXPECT_EQ(apply({"STOPSIGNAL 9"}).stop_signal, "9");
  EXPECT_EQ(apply({"STOPSIGNAL term"}).stop_signal, "term");
  EXPECT_EQ(apply({"STOPSIGNAL SIGRTMIN+3"}).stop_signal, "SIGRTMIN+3");
  EXPECT_NE(error_of("STOPSIGNAL SIGFOO").find("invalid signal: SIGFOO"), std::string::npos);
  EXPECT_NE(error_of("STOPSIGNAL 0").find("invalid signal"), std::string::npos);
  EXPECT_NE(error_of("USER a b").find("USER requires exactly one argument"), std::string::npos);
  EXPECT_NE(error_of("USER").find("USER requires exactly one argument"), std::string::npos);
  oci::RunDefaults e;
  e.env = {"U=nobody", "D=/srv"};
  ASSERT_TRUE(apply_change(e, "USER $U"));
  ASSERT_TRUE(apply_change(e, "WORKDIR ${D}/www"));
  EXPECT_EQ(e.user, "nobody");
  EXPECT_EQ(e.working_dir, "/srv/www");
}

TEST(ApplyChange, Volume) {
  auto c = apply({R"(VOLUME ["/data", "/var/log x"])", "VOLUME /a /b"});
  EXPECT_EQ(c.volumes, std::set<std::string>({"/data", "/var/log x", "/a", "/b"}));
  EXPECT_NE(error_of("VOLUME").find("VOLUME requires at least one argument"), std::string::npos);
  EXPECT_NE(error_of(R"(VOLUME ["/a", ""])").find("can not be an empty string"), std::string::npos);
}

TEST(ApplyChange, Onbuild) {
  auto c = apply({"ONBUILD RUN make  install", "onbuild COPY . /src"});
  EXPECT_EQ(c.on_build, V({"RUN make  install", "COPY . /src"}));
  EXPECT_NE(error_of("ONBUILD ONBUILD RUN x").find("isn't allowed"), std::string::npos);
  EXPECT_NE(error_of("ONBUILD from x").find("FROM isn't allowed as an ONBUILD trigger"),
            std::string::npos);
}

TEST(ApplyChange, UnsupportedInstruction) {
  EXPECT_EQ(error_of("RUN x"),
            "invalid --change \"RUN x\": RUN is not supported by import (CMD, ENTRYPOINT, ENV, "
            "EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR are)");
  EXPECT_NE(error_of("from scratch").find("FROM is not supported"), std::string::npos);
  EXPECT_NE(error_of("   ").find("empty instruction"), std::string::npos);
}

}  // namespace
}  // namespace hako::image
