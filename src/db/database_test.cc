#include "db/database.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace hako::db {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-db-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/hako.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
  std::vector<std::string> schema_ = {"CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER);",
                                      "ALTER TABLE t ADD COLUMN note TEXT;"};
};

TEST_F(DatabaseTest, MigratesAndReopens) {
  {
    auto db = Database::open(path_, {schema_[0]});
    ASSERT_TRUE(db) << db.error().message();
    ASSERT_TRUE(db->exec("INSERT INTO t(k, v) VALUES ('a', 1)"));
  }
  auto db = Database::open(path_, schema_);
  ASSERT_TRUE(db) << db.error().message();
  auto st = db->prepare("SELECT k, v, note FROM t");
  ASSERT_TRUE(st);
  auto row = st->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(st->column_text(0), "a");
  EXPECT_EQ(st->column_int(1), 1);
  EXPECT_TRUE(st->column_is_null(2));
  // Opening with fewer migrations than applied is refused: an older hako on a newer store.
  auto old = Database::open(path_, {schema_[0]});
  ASSERT_FALSE(old);
  EXPECT_NE(old.error().message().find("upgrade hako"), std::string::npos);
}

TEST_F(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = Database::open(path_, schema_);
  ASSERT_TRUE(db);
  {
    auto tx = db->begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t(k, v) VALUES ('gone', 1)"));
  }
  {
    auto tx = db->begin();
    ASSERT_TRUE(tx);
    auto ins = db->prepare("INSERT INTO t(k, v) VALUES (?, ?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->bind(1, "kept").bind(2, int64_t{7}).run());
    ASSERT_TRUE(tx->commit());
  }
  auto st = db->prepare("SELECT group_concat(k) FROM t");
  ASSERT_TRUE(st);
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->column_text(0), "kept");
}

TEST_F(DatabaseTest, ConstraintViolationIsAlreadyExists) {
  auto db = Database::open(path_, schema_);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("INSERT INTO t(k, v) VALUES ('a', 1)"));
  auto st = db->exec("INSERT INTO t(k, v) VALUES ('a', 2)");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kAlreadyExists);
  auto bad = db->prepare("SELEC nonsense");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("SELEC"), std::string::npos);
}

TEST_F(DatabaseTest, ConcurrentWritersFromTwoProcessesBothLand) {
  {
    auto db = Database::open(path_, schema_);
    ASSERT_TRUE(db);
  }
  constexpr int kRows = 200;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  auto writer = [&](const char* prefix) {
    auto db = Database::open(path_, schema_);
    if (!db) return false;
    for (int i = 0; i < kRows; ++i) {
      auto tx = db->begin();
      if (!tx) return false;
      auto ins = db->prepare("INSERT INTO t(k, v) VALUES (?, ?)");
      if (!ins || !ins->bind(1, std::string(prefix) + std::to_string(i)).bind(2, int64_t{i}).run())
        return false;
      if (!tx->commit()) return false;
    }
    return true;
  };
  if (child == 0) _exit(writer("child-") ? 0 : 1);
  EXPECT_TRUE(writer("parent-"));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto db = Database::open(path_, schema_);
  ASSERT_TRUE(db);
  auto st = db->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(st && *st->step());
  EXPECT_EQ(st->column_int(0), 2 * kRows);
}

}  // namespace
}  // namespace hako::db
