// Test helpers of the api tests (header-only, tests only): a fake Backend over a
// real SqliteStore, and a fixture running a real HttpServer on a free port.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "api/backend.h"
#include "api/frame_hub.h"
#include "api/http_server.h"
#include "api/live_hub.h"
#include "core/testing/wait.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::api::testing {

using store::testing::kT0;

class FakeBackend : public Backend {
 public:
  explicit FakeBackend(std::unique_ptr<store::SqliteStore> s) : store_(std::move(s)) {}

  std::vector<CameraStatus> Cameras() override {
    std::lock_guard<std::mutex> lock(mu_);
    return cameras_;
  }
  store::Store& store() override { return *store_; }
  core::Result<events::Alert> Acknowledge(int64_t id, const std::string& who,
                                          const std::string& note,
                                          const std::string& from) override {
    ARGUS_RETURN_IF_ERROR(store_->Acknowledge(id, {who, kT0, note}, from));
    return store_->GetAlert(id);
  }
  core::Result<events::Alert> Resolve(int64_t id, const std::string& who, const std::string& note,
                                      const std::string& from) override {
    ARGUS_RETURN_IF_ERROR(store_->Resolve(id, {who, kT0, note}, from));
    return store_->GetAlert(id);
  }
  core::Result<std::string> EvidencePath(int64_t id, Evidence kind, int incident) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = evidence_.find({id, kind, incident});
    if (it == evidence_.end()) return core::NotFound("no evidence");
    return it->second;
  }
  nlohmann::json ZoneCounts() override {
    std::chrono::milliseconds delay;
    {
      std::lock_guard<std::mutex> lock(mu_);
      delay = zone_counts_delay_;
    }
    std::this_thread::sleep_for(delay);  // a slow handler (a busy store, say)
    std::lock_guard<std::mutex> lock(mu_);
    return zone_counts_;
  }
  core::Status OnSensor(const notify::SensorReading& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!sensor_status_.ok()) return sensor_status_;
    sensors_.push_back(r);
    return core::Status::Ok();
  }
  std::string ExtraMetrics() override {
    return "# HELP argus_mqtt_queue_depth Test.\n# TYPE argus_mqtt_queue_depth gauge\n"
           "argus_mqtt_queue_depth 3\n";
  }

  std::optional<CameraHome> RemoteHome(const std::string& camera) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = remote_.find(camera);
    if (it == remote_.end()) return std::nullopt;
    return it->second;
  }
  void SetRemote(const std::string& camera, CameraHome home) {
    std::lock_guard<std::mutex> lock(mu_);
    remote_[camera] = std::move(home);
  }

  std::optional<CameraHome> EvidenceHome(int64_t id, int incident) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = evidence_home_.find({id, incident});
    if (it == evidence_home_.end()) return std::nullopt;
    return it->second;
  }
  void SetEvidenceHome(int64_t id, int incident, CameraHome home) {
    std::lock_guard<std::mutex> lock(mu_);
    evidence_home_[{id, incident}] = std::move(home);
  }

  bool MustChangePassword(const std::string& user) override {
    std::lock_guard<std::mutex> lock(mu_);
    return user == must_change_;
  }
  void SetMustChange(std::string user) {
    std::lock_guard<std::mutex> lock(mu_);
    must_change_ = std::move(user);
  }
  core::Result<std::string> LearnedPicture(const std::string& camera) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = learned_.find(camera);
    if (it == learned_.end()) return core::NotFound("camera '" + camera + "' learned nothing");
    return it->second;
  }
  void SetLearned(const std::string& camera, std::string svg) {
    std::lock_guard<std::mutex> lock(mu_);
    learned_[camera] = std::move(svg);
  }
  void SetCameras(std::vector<CameraStatus> c) {
    std::lock_guard<std::mutex> lock(mu_);
    cameras_ = std::move(c);
  }
  void SetEvidence(int64_t id, Evidence kind, std::string path, int incident = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    evidence_[{id, kind, incident}] = std::move(path);
  }
  void SetZoneCounts(nlohmann::json j) {
    std::lock_guard<std::mutex> lock(mu_);
    zone_counts_ = std::move(j);
  }
  void SetZoneCountsDelay(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    zone_counts_delay_ = d;
  }
  void SetSensorStatus(core::Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    sensor_status_ = std::move(s);
  }
  std::vector<notify::SensorReading> sensors() {
    std::lock_guard<std::mutex> lock(mu_);
    return sensors_;
  }
  // Each reload's "who from": the answer is `reload_answer_`.
  core::Result<nlohmann::json> ReloadConfig(const std::string& who,
                                            const std::string& from) override {
    std::lock_guard<std::mutex> lock(mu_);
    reloads_.push_back(who + " from " + from);
    return reload_answer_;
  }
  void SetReloadAnswer(nlohmann::json j) {
    std::lock_guard<std::mutex> lock(mu_);
    reload_answer_ = std::move(j);
  }
  std::vector<std::string> reloads() {
    std::lock_guard<std::mutex> lock(mu_);
    return reloads_;
  }

 private:
  std::unique_ptr<store::SqliteStore> store_;
  std::mutex mu_;
  std::vector<CameraStatus> cameras_;
  std::map<std::string, CameraHome> remote_;                     // cameras other nodes run
  std::map<std::string, std::string> learned_;                   // camera -> SVG
  std::map<std::pair<int64_t, int>, CameraHome> evidence_home_;  // recorded by other nodes
  std::map<std::tuple<int64_t, Evidence, int>, std::string> evidence_;
  nlohmann::json zone_counts_ = nlohmann::json::object();
  std::chrono::milliseconds zone_counts_delay_{0};
  core::Status sensor_status_;
  std::vector<notify::SensorReading> sensors_;
  std::vector<std::string> reloads_;
  nlohmann::json reload_answer_ = {{"old_version", "v1"}, {"new_version", "v2"}};
  std::string must_change_;
};

inline events::Alert MakeAlert(int64_t id, const std::string& camera, events::AlertState state) {
  events::Alert a;
  a.id = id;
  a.camera = camera;
  a.rule = "intrusion_rule";
  a.zone = "vitrine";
  a.type = "intrusion";
  a.severity = events::Severity::kAlert;
  a.state = state;
  a.opened_at = kT0 + std::chrono::seconds(id);
  a.last_event_at = a.opened_at + std::chrono::seconds(5);
  a.incident_ids = {"inc-" + std::to_string(id)};
  a.event_count = 2;
  return a;
}

// Polls `pred` until it holds or `timeout` passes (generous: the machine is shared).
inline bool WaitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  return core::testing::WaitUntil(pred, std::chrono::duration<double>(timeout).count());
}

// A real HttpServer on 127.0.0.1:<free port> over a fake Backend and a real store.
class ServerTest : public ::testing::Test {
 protected:
  // Tests may change options_ before calling StartServer().
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    backend_ = std::make_unique<FakeBackend>(std::move(*s));
    auth::AuthOptions ao;
    ao.cost = auth::PasswordCost::Minimal();  // many logins per test run
    ao.max_login_failures = 3;
    authn_ = std::make_unique<auth::Authenticator>(backend_->store(), clock_, ao);
    // Most tests act as an admin integration; the auth tests use the others.
    for (auth::Role r : {auth::Role::kViewer, auth::Role::kOperator, auth::Role::kAdmin}) {
      auto t = authn_->CreateToken(std::string("test-") + auth::ToString(r), r, "test", "");
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      tokens_[r] = t->second;
    }
    options_.port = 0;
    options_.threads = 8;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  void StartServer() {
    server_ = std::make_unique<HttpServer>(options_, *backend_, *authn_, live_, frames_, clock_);
    core::Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_GT(server_->port(), 0);
  }
  // A client sending the API token of `role` (admin by default).
  std::unique_ptr<httplib::Client> Client(auth::Role role = auth::Role::kAdmin) {
    auto c = AnonymousClient();
    c->set_default_headers({{"Authorization", "Bearer " + tokens_[role]}});
    return c;
  }
  // A client without credentials.
  std::unique_ptr<httplib::Client> AnonymousClient() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    c->set_connection_timeout(10);
    c->set_read_timeout(20);
    c->set_write_timeout(10);
    c->set_tcp_nodelay(true);
    return c;
  }
  static nlohmann::json Json(const httplib::Result& r) {
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  store::testing::TempDir dir_;
  std::unique_ptr<FakeBackend> backend_;
  std::unique_ptr<auth::Authenticator> authn_;
  std::map<auth::Role, std::string> tokens_;
  LiveHub live_;
  FrameHub frames_;
  core::FakeClock clock_{kT0};
  ServerOptions options_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace argus::api::testing
