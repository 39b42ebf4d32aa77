// ConfigSync on one node (SQLite, no site config): what a reload answers and audits. The
// several-node side (the site's config, following a reload, refusing leases) runs against
// real nodes in tests/site_config_test.cc; its decisions are cluster/config_gate_test's.
#include "app/config_sync.h"

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

config::Config Parse(const std::string& yaml) {
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(yaml, "site.yaml", &diag);
  EXPECT_TRUE(cfg.ok()) << diag.ToString();
  return cfg.ok() ? *cfg : config::Config{};
}

constexpr const char* kV1 = R"(cluster: {config_version: v1}
cameras:
  - {name: hall, source: a.mp4}
  - {name: vault, source: b.mp4}
)";
constexpr const char* kV2 = R"(cluster: {config_version: v2}
cameras:
  - {name: hall, source: a.mp4, detect_fps: 3}
  - {name: lobby, source: c.mp4}
)";

class ConfigSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    db_ = std::move(*s);
    sync_ = std::make_unique<ConfigSync>(
        *db_, clock_, Parse(kV1), nullptr, "", 10,
        [this]() -> core::Result<config::Config> {
          if (next_.empty()) return core::InvalidArgument("site.yaml:4: cameras[0].fps: bad");
          return Parse(next_);
        },
        [this](config::Config cfg) {
          applied_.push_back(cfg.identity.version);
          return ConfigSync::Applied{core::Status::Ok(), 1, 2, {}};
        });
  }
  std::vector<store::AuditEntry> Audit() {
    auto a = db_->ListAudit(0, 10);
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : std::vector<store::AuditEntry>{};
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> db_;
  core::FakeClock clock_{store::testing::kT0};
  std::string next_;
  std::vector<std::string> applied_;
  std::unique_ptr<ConfigSync> sync_;
};

TEST_F(ConfigSyncTest, AReloadSaysWhatChangedAndIsAudited) {
  next_ = kV2;
  const ConfigSync::Outcome o = sync_->Reload({"api", "ana", "10.0.0.5"});
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(applied_, std::vector<std::string>{"v2"});
  const nlohmann::json j = o.ToJson();
  EXPECT_EQ(j["old_version"], "v1");
  EXPECT_EQ(j["new_version"], "v2");
  EXPECT_EQ(j["changed"]["sections"], nlohmann::json({"cameras", "cluster"}));
  EXPECT_EQ(j["changed"]["cameras_added"], nlohmann::json({"lobby"}));
  EXPECT_EQ(j["changed"]["cameras_removed"], nlohmann::json({"vault"}));
  EXPECT_EQ(j["changed"]["cameras_changed"], nlohmann::json({"hall"}));
  EXPECT_EQ(j["changed"]["cameras_started"], 1);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].who, "ana");
  EXPECT_EQ(audit[0].from, "10.0.0.5");
  EXPECT_EQ(audit[0].what, "reload config (api): v1 -> v2");
  EXPECT_EQ(audit[0].when, store::testing::kT0);
  // The next reload compares with what runs now: nothing changed.
  EXPECT_TRUE(sync_->Reload({"signal", "", ""}).ToJson()["changed"]["sections"].empty());
  EXPECT_EQ(Audit().front().who, "signal");
}

TEST_F(ConfigSyncTest, AFileWithAMistakeIsRefusedAndTheRunningConfigStays) {
  next_ = "";
  const ConfigSync::Outcome o = sync_->Reload({"signal", "", ""});
  EXPECT_EQ(o.status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(applied_.empty());
  const nlohmann::json j = o.ToJson();
  EXPECT_EQ(j["error"], "site.yaml:4: cameras[0].fps: bad");
  EXPECT_EQ(j["new_version"], "v1");
  EXPECT_FALSE(j.contains("changed"));
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].who, "signal");
  EXPECT_EQ(audit[0].what,
            "reload config (signal): refused, still running v1: site.yaml:4: cameras[0].fps: bad");
  EXPECT_NE(sync_->Metrics().find("argus_config_reloads_refused_total 1"), std::string::npos);
  // One node: no site config to differ from.
  EXPECT_EQ(sync_->config_state(), "single node");
  EXPECT_EQ(sync_->Problem(), "");
}

}  // namespace
}  // namespace argus::app
