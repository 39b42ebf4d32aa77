#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace argus::core {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AtomicFile, OnlyACommittedFileAppearsUnderItsName) {
  const auto dir = std::filesystem::temp_directory_path() / "argus_atomic_file_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "out.txt").string();
  {
    auto f = AtomicFile::Open(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("half").ok());
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_TRUE(std::filesystem::exists(path + ".part"));
  }  // abandoned
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));

  std::ofstream(path) << "old";
  auto f = AtomicFile::Open(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("new ").ok());
  EXPECT_EQ(Slurp(path), "old");  // the old file stays intact until the commit
  ASSERT_TRUE((*f)->Append("content").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(Slurp(path), "new content");
  EXPECT_FALSE((*f)->Append("x").ok());
  EXPECT_FALSE((*f)->Commit().ok());

  auto bad = AtomicFile::Open((dir / "missing-dir" / "x").string());
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace argus::core
