// The HTTP auth layer under attack: no credentials, wrong passwords, guessing,
// expired and forged sessions, cross-site requests and role escalation.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/http_server.h"
#include "api/json_format.h"
#include "api/test_util.h"

namespace argus::api {
namespace {

using json = nlohmann::json;
using auth::Role;
using store::testing::MakeEvent;
using testing::MakeAlert;
using namespace std::chrono_literals;

constexpr const char* kPassword = "gallery night 42";

class AuthHttpTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    for (auto [name, role] : {std::pair{"vera", Role::kViewer}, std::pair{"otto", Role::kOperator},
                              std::pair{"ada", Role::kAdmin}}) {
      ASSERT_TRUE(authn_->AddUser(name, kPassword, role, "test", "").ok());
    }
    ASSERT_TRUE(
        backend_->store().UpsertAlert(MakeAlert(1, "hall", events::AlertState::kOpen)).ok());
  }

  httplib::Result Login(const std::string& user, const std::string& password) {
    return AnonymousClient()->Post(
        "/api/login", json{{"user", user}, {"password", password}}.dump(), "application/json");
  }
  // The session cookie ("argus_session=...") of a successful login.
  std::string SessionOf(const std::string& user) {
    auto r = Login(user, kPassword);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    if (!r) return "";
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }
  httplib::Result GetWithCookie(const std::string& cookie, const std::string& path) {
    return AnonymousClient()->Get(path, {{"Cookie", cookie}});
  }
  // The dashboard's own origin, as a browser names it.
  std::string OwnOrigin() { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  // A POST with the session cookie, sent by the dashboard's own page unless `extra` names
  // another Origin or Referer (or `own_page` is false: neither).
  httplib::Result PostWithCookie(const std::string& cookie, const std::string& path,
                                 const std::string& body = "{}",
                                 const char* type = "application/json", httplib::Headers extra = {},
                                 bool own_page = true) {
    extra.emplace("Cookie", cookie);
    if (own_page && !extra.count("Origin") && !extra.count("Referer"))
      extra.emplace("Origin", OwnOrigin());
    return AnonymousClient()->Post(path, extra, body, type);
  }
};

TEST_F(AuthHttpTest, EveryDataAndMediaRouteNeedsCredentials) {
  StartServer();
  backend_->SetEvidence(1, Backend::Evidence::kSnapshot, dir_.File("s.jpg"));
  std::ofstream(dir_.File("s.jpg")) << "jpeg";
  frames_.Set("hall", std::make_shared<const std::string>("jpeg"));
  auto c = AnonymousClient();
  for (const char* path :
       {"/metrics", "/api/me", "/api/cameras", "/api/cameras/hall/mjpeg", "/api/events",
        "/api/alerts", "/api/alerts/1", "/api/alerts/1/timeline", "/api/alerts/1/snapshot",
        "/api/alerts/1/clip", "/api/zones/counts", "/api/zones/history?camera=a&zone=b",
        "/api/site", "/api/system", "/api/live", "/api/users", "/api/tokens", "/api/audit"}) {
    auto r = c->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_TRUE(Json(r)["error"].is_string()) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
  }
  for (const char* path :
       {"/api/logout", "/api/alerts/1/acknowledge", "/api/alerts/1/resolve", "/api/sensors",
        "/api/users", "/api/users/ada", "/api/tokens", "/api/tokens/1/revoke"}) {
    auto r = c->Post(path, "{}", "application/json");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  EXPECT_EQ(c->Get("/healthz")->status, 200);
  EXPECT_EQ(backend_->store().GetAlert(1)->state, events::AlertState::kOpen);
}

TEST_F(AuthHttpTest, BadTokensAndAuthorizationSchemesAreRefused) {
  StartServer();
  auto c = AnonymousClient();
  for (const std::string& h :
       {std::string("Bearer nope"), std::string("Bearer "),
        std::string("Basic YWRhOmdhbGxlcnkgbmlnaHQgNDI="), "bearer " + tokens_[Role::kAdmin],
        "Bearer " + tokens_[Role::kAdmin] + "x"}) {
    auto r = c->Get("/api/alerts", {{"Authorization", h}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << h;
  }
  // A valid token works until revoked, and at once no more.
  auto created =
      Client()->Post("/api/tokens", R"({"name":"bms","role":"operator"})", "application/json");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string secret = Json(created)["token"];
  const int64_t id = Json(created)["id"];
  httplib::Headers h = {{"Authorization", "Bearer " + secret}};
  EXPECT_EQ(c->Get("/api/alerts", h)->status, 200);
  EXPECT_EQ(Client()
                ->Post("/api/tokens/" + std::to_string(id) + "/revoke", "{}", "application/json")
                ->status,
            200);
  EXPECT_EQ(c->Get("/api/alerts", h)->status, 401);
  // The secret is never listed.
  EXPECT_EQ(Client()->Get("/api/tokens")->body.find(secret), std::string::npos);
}

TEST_F(AuthHttpTest, LoginSetsAHardenedCookieAndLogoutEndsIt) {
  StartServer();
  auto r = Login("otto", kPassword);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json(r)["role"], "operator");
  const std::string set = r->get_header_value("Set-Cookie");
  EXPECT_EQ(set.rfind("argus_session=", 0), 0u) << set;
  for (const char* attr : {"HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age="}) {
    EXPECT_NE(set.find(attr), std::string::npos) << attr << " missing in " << set;
  }
  const std::string cookie = set.substr(0, set.find(';'));
  auto me = GetWithCookie(cookie, "/api/me");
  ASSERT_EQ(me->status, 200);
  EXPECT_EQ(Json(me)["user"], "otto");
  ASSERT_EQ(PostWithCookie(cookie, "/api/logout")->status, 200);
  EXPECT_EQ(GetWithCookie(cookie, "/api/me")->status, 401);
}

TEST_F(AuthHttpTest, WrongPasswordsAndUnknownUsersGetOneAnswerThenALockout) {
  StartServer();
  auto wrong = Login("otto", "not the password");
  auto unknown = Login("mallory", kPassword);
  ASSERT_EQ(wrong->status, 401);
  ASSERT_EQ(unknown->status, 401);
  EXPECT_EQ(wrong->body, unknown->body);  // no hint which users exist
  EXPECT_TRUE(wrong->get_header_value("Set-Cookie").empty());
  EXPECT_EQ(Login("otto", "still not it")->status, 401);
  EXPECT_EQ(Login("otto", "nor this one")->status, 401);
  // 3 failures for otto (the fixture's limit): locked, even with the right password.
  auto locked = Login("otto", kPassword);
  ASSERT_EQ(locked->status, 429) << locked->body;
  EXPECT_GT(std::stoi(locked->get_header_value("Retry-After")), 0);
  EXPECT_TRUE(locked->get_header_value("Set-Cookie").empty());
  clock_.Advance(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::duration<double>(auth::kDefaultLockoutS + 1)));
  EXPECT_EQ(Login("otto", kPassword)->status, 200);
  // Every attempt is in the audit log, with the address.
  auto audit = Client()->Get("/api/audit?limit=50");
  ASSERT_EQ(audit->status, 200);
  int failed = 0;
  const json entries = Json(audit)["entries"];
  for (const json& e : entries) {
    failed += e["what"] == "login failed" && e["from"] == "127.0.0.1";
  }
  EXPECT_EQ(failed, 4);
}

TEST_F(AuthHttpTest, MalformedLoginsAreRefusedWithoutASession) {
  StartServer();
  auto c = AnonymousClient();
  struct Case {
    std::string body;
    const char* type;
    int code;
  };
  for (const Case& k :
       std::vector<Case>{{"{", "application/json", 400},
                         {R"({"user":"otto"})", "application/json", 400},
                         {R"({"user":1,"password":2})", "application/json", 400},
                         {"user=otto&password=x", "application/x-www-form-urlencoded", 403},
                         {R"({"user":"otto","password":"gallery night 42"})", "text/plain", 403}}) {
    auto r = c->Post("/api/login", k.body, k.type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, k.code) << k.body;
    EXPECT_TRUE(r->get_header_value("Set-Cookie").empty());
  }
  // A login form on another site.
  auto r = c->Post("/api/login", {{"Origin", "http://evil.example"}},
                   json{{"user", "otto"}, {"password", kPassword}}.dump(), "application/json");
  EXPECT_EQ(r->status, 403);
}

TEST_F(AuthHttpTest, SessionsExpireWhenIdleAndForgedOnesAreRefused) {
  StartServer();
  const std::string cookie = SessionOf("otto");
  EXPECT_EQ(GetWithCookie(cookie, "/api/alerts")->status, 200);
  clock_.Advance(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::duration<double>(auth::kDefaultSessionIdleS + 1)));
  auto expired = GetWithCookie(cookie, "/api/alerts");
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(Json(expired)["error"].get<std::string>().find("expired"), std::string::npos);
  for (const std::string& forged :
       {std::string("argus_session=") + std::string(43, 'A'), std::string("argus_session="),
        std::string("other=1"), cookie + "x"}) {
    EXPECT_EQ(GetWithCookie(forged, "/api/alerts")->status, 401) << forged;
  }
}

TEST_F(AuthHttpTest, CookieRequestsFromOtherSitesAreRefused) {
  StartServer();
  const std::string cookie = SessionOf("otto");
  // A form on another site can only send these types.
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    auto r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", type);
    // httplib itself refuses the malformed multipart body (400) before routing.
    EXPECT_EQ(r->status, std::string(type) == "multipart/form-data" ? 400 : 403) << type;
  }
  auto r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", "application/json",
                          {{"Origin", "https://evil.example"}});
  EXPECT_EQ(r->status, 403);
  r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", "application/json",
                     {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(r->status, 403);
  // The issue: "a cookie POST with no Origin header is accepted". Naming no page at all,
  // or another site's page as the Referer, is refused too.
  r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", "application/json", {},
                     /*own_page=*/false);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("Origin or Referer"), std::string::npos);
  r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", "application/json",
                     {{"Referer", "https://evil.example/page"}});
  EXPECT_EQ(r->status, 403);
  r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", "application/json",
                     {{"Origin", "null"}});
  EXPECT_EQ(r->status, 403);
  // Another port of the same host is another origin.
  r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", "{}", "application/json",
                     {{"Origin", "http://127.0.0.1:1"}});
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(backend_->store().GetAlert(1)->state, events::AlertState::kOpen);
  // An API client with a token names no page and needs none.
  ASSERT_TRUE(backend_->store().UpsertAlert(MakeAlert(2, "hall", events::AlertState::kOpen)).ok());
  auto tok = Client(auth::Role::kOperator)
                 ->Post("/api/alerts/2/acknowledge", R"({"note":"script"})", "application/json");
  ASSERT_EQ(tok->status, 200) << tok->body;
  // The dashboard's own request; a proxy that dropped Origin leaves the page's Referer.
  r = PostWithCookie(cookie, "/api/alerts/1/acknowledge", R"({"note":"on my way"})",
                     "application/json",
                     {{"Origin", OwnOrigin()}, {"Sec-Fetch-Site", "same-origin"}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json(r)["ack"]["who"], "otto");
  r = PostWithCookie(cookie, "/api/alerts/1/resolve", "{}", "application/json",
                     {{"Referer", OwnOrigin() + "/alert.html?id=1"}});
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AuthHttpTest, RolesCannotBeEscalated) {
  StartServer();
  const std::string vera = SessionOf("vera"), otto = SessionOf("otto"), ada = SessionOf("ada");
  // Viewer: reads, never acts.
  EXPECT_EQ(GetWithCookie(vera, "/api/alerts")->status, 200);
  for (const char* path : {"/api/alerts/1/acknowledge", "/api/alerts/1/resolve", "/api/sensors",
                           "/api/users", "/api/tokens"}) {
    EXPECT_EQ(PostWithCookie(vera, path, R"({"name":"x","role":"admin","password":"0123456789"})")
                  ->status,
              403)
        << path;
  }
  EXPECT_EQ(GetWithCookie(vera, "/api/alerts/1/clip")->status, 403);
  EXPECT_EQ(GetWithCookie(vera, "/api/users")->status, 403);
  EXPECT_EQ(GetWithCookie(vera, "/api/audit")->status, 403);
  // Claiming a role in the body or a header changes nothing.
  EXPECT_EQ(PostWithCookie(vera, "/api/users/vera", R"({"role":"admin"})")->status, 403);
  EXPECT_EQ(AnonymousClient()->Get("/api/users", {{"Cookie", vera}, {"X-Role", "admin"}})->status,
            403);
  // A viewer's token is no stronger.
  EXPECT_EQ(
      Client(Role::kViewer)->Post("/api/alerts/1/acknowledge", "{}", "application/json")->status,
      403);
  // Operator: acts on alerts, does not administer.
  EXPECT_EQ(PostWithCookie(otto, "/api/users",
                           R"({"name":"otto2","password":"0123456789ab","role":"admin"})")
                ->status,
            403);
  EXPECT_EQ(PostWithCookie(otto, "/api/tokens", R"({"name":"mine","role":"admin"})")->status, 403);
  EXPECT_EQ(PostWithCookie(otto, "/api/users/otto", R"({"role":"admin"})")->status, 403);
  EXPECT_EQ(GetWithCookie(otto, "/api/audit")->status, 403);
  // An admin cannot lock the last door behind them.
  EXPECT_EQ(PostWithCookie(ada, "/api/users/ada", R"({"role":"viewer"})")->status, 400);
  EXPECT_EQ(PostWithCookie(ada, "/api/users/ada", R"({"disabled":true})")->status, 400);
  EXPECT_EQ(backend_->store().GetAlert(1)->state, events::AlertState::kOpen);
  EXPECT_EQ(backend_->store().GetUser("vera")->role, "viewer");
}

TEST_F(AuthHttpTest, ConfigReloadIsAnAdminsSameOriginRequest) {
  StartServer();
  const std::string otto = SessionOf("otto"), ada = SessionOf("ada");
  EXPECT_EQ(PostWithCookie(otto, "/api/config/reload")->status, 403);
  EXPECT_EQ(Client(Role::kOperator)->Post("/api/config/reload", "{}", "application/json")->status,
            403);
  // The admin's cookie from another site, or from no page at all: refused.
  EXPECT_EQ(PostWithCookie(ada, "/api/config/reload", "{}", "application/json",
                           {{"Origin", "https://evil.example"}})
                ->status,
            403);
  EXPECT_EQ(PostWithCookie(ada, "/api/config/reload", "{}", "application/json", {}, false)->status,
            403);
  EXPECT_TRUE(backend_->reloads().empty());
  auto r = PostWithCookie(ada, "/api/config/reload");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json(r)["new_version"], "v2");
  ASSERT_EQ(backend_->reloads().size(), 1u);
  EXPECT_EQ(backend_->reloads()[0], "ada from 127.0.0.1");
  // A file with a problem: 400 with the backend's answer (its error names file and line).
  backend_->SetReloadAnswer({{"old_version", "v1"},
                             {"new_version", "v1"},
                             {"error", "site.yaml:4: cameras[0].detect_fps: must be > 0"}});
  r = Client(Role::kAdmin)->Post("/api/config/reload", "", "application/json");
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(Json(r)["error"], "site.yaml:4: cameras[0].detect_fps: must be > 0");
}

TEST_F(AuthHttpTest, AdminChangesTakeEffectAtOnce) {
  StartServer();
  const std::string ada = SessionOf("ada");
  auto r = PostWithCookie(ada, "/api/users",
                          R"({"name":"guard1","password":"gallery night 42","role":"viewer"})");
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_FALSE(Json(r).contains("password_hash"));
  const std::string guard = SessionOf("guard1");
  EXPECT_EQ(PostWithCookie(guard, "/api/alerts/1/acknowledge")->status, 403);
  // Promoted: the old session ends, a new login carries the new role.
  ASSERT_EQ(PostWithCookie(ada, "/api/users/guard1", R"({"role":"operator"})")->status, 200);
  EXPECT_EQ(GetWithCookie(guard, "/api/me")->status, 401);
  const std::string promoted = SessionOf("guard1");
  EXPECT_EQ(PostWithCookie(promoted, "/api/alerts/1/acknowledge")->status, 200);
  // Disabled: out at once, and no new login.
  ASSERT_EQ(PostWithCookie(ada, "/api/users/guard1", R"({"disabled":true})")->status, 200);
  EXPECT_EQ(GetWithCookie(promoted, "/api/me")->status, 401);
  EXPECT_EQ(Login("guard1", kPassword)->status, 401);
  // Weak passwords and odd names are refused.
  EXPECT_EQ(
      PostWithCookie(ada, "/api/users", R"({"name":"x","password":"123","role":"viewer"})")->status,
      400);
  EXPECT_EQ(PostWithCookie(ada, "/api/users",
                           R"({"name":"a b","password":"0123456789ab","role":"viewer"})")
                ->status,
            400);
  EXPECT_EQ(PostWithCookie(ada, "/api/users",
                           R"({"name":"root","password":"0123456789ab","role":"superuser"})")
                ->status,
            400);
  auto users = GetWithCookie(ada, "/api/users");
  ASSERT_EQ(users->status, 200);
  EXPECT_EQ(users->body.find("argon2"), std::string::npos);  // hashes never leave the store
}

TEST_F(AuthHttpTest, ViewersGetBlurredMediaAndNoClips) {
  std::ofstream(dir_.File("clear.jpg")) << "clear";
  std::ofstream(dir_.File("blurred.jpg")) << "blurred";
  backend_->SetEvidence(1, Backend::Evidence::kSnapshot, dir_.File("clear.jpg"));
  backend_->SetEvidence(1, Backend::Evidence::kSnapshotBlurred, dir_.File("blurred.jpg"));
  StartServer();
  EXPECT_EQ(Client(Role::kViewer)->Get("/api/alerts/1/snapshot")->body, "blurred");
  EXPECT_EQ(Client(Role::kOperator)->Get("/api/alerts/1/snapshot")->body, "clear");
  EXPECT_EQ(Client(Role::kViewer)->Get("/api/alerts/1/clip")->status, 403);
}

TEST_F(AuthHttpTest, ClipViewsAndExportsAreAudited) {
  std::ofstream(dir_.File("clip.mp4")) << std::string(5000, 'v');
  backend_->SetEvidence(1, Backend::Evidence::kClip, dir_.File("clip.mp4"));
  StartServer();
  auto op = Client(Role::kOperator);
  ASSERT_EQ(op->Get("/api/alerts/1/clip", {{"Range", "bytes=0-"}})->status, 206);
  // A player's follow-up ranges are the same view.
  ASSERT_EQ(op->Get("/api/alerts/1/clip", {{"Range", "bytes=1000-1999"}})->status, 206);
  auto ex = op->Get("/api/alerts/1/clip?download=1");
  ASSERT_EQ(ex->status, 200);
  EXPECT_NE(ex->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(op->Get("/api/alerts/9/clip")->status, 404);
  auto audit = backend_->store().ListAudit(0, 100);
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> clip_entries;
  for (const store::AuditEntry& e : *audit) {
    if (e.what.find("clip") != std::string::npos) clip_entries.push_back(e.who + " " + e.what);
  }
  ASSERT_EQ(clip_entries.size(), 2u);
  EXPECT_EQ(clip_entries[0], "token:test-operator export clip of alert 1");
  EXPECT_EQ(clip_entries[1], "token:test-operator view clip of alert 1");
}

TEST_F(AuthHttpTest, TimelineAndZoneHistory) {
  store::Store& db = backend_->store();
  events::Alert a = MakeAlert(7, "hall", events::AlertState::kOpen);
  a.incident_ids = {"inc-a"};
  ASSERT_TRUE(db.UpsertAlert(a).ok());
  events::Event start = MakeEvent("inc-a", "hall", "intrusion", events::Severity::kAlert);
  events::Event other = MakeEvent("inc-b", "hall", "intrusion", events::Severity::kAlert);
  events::Event end = start;
  end.phase = events::Phase::kEnd;
  ASSERT_TRUE(db.InsertEvent(start, a.opened_at).ok());
  ASSERT_TRUE(db.InsertEvent(other, a.opened_at + 1s).ok());
  ASSERT_TRUE(db.InsertEvent(end, a.opened_at + 2s).ok());
  for (int i = 0; i < 3; ++i) {
    store::SensorReading r;
    r.sensor = ZoneSensorName("hall", "vitrine");
    r.kind = "zone_count";
    r.value = i;
    r.at = clock_.Now() - std::chrono::hours(1) + std::chrono::minutes(i);
    ASSERT_TRUE(db.InsertSensorReading(r).ok());
  }
  StartServer();
  auto c = Client(Role::kViewer);
  auto t = c->Get("/api/alerts/7/timeline");
  ASSERT_EQ(t->status, 200) << t->body;
  const json events = Json(t)["events"];
  ASSERT_EQ(events.size(), 2u);  // not inc-b
  EXPECT_EQ(events[0]["phase"], "start");
  EXPECT_EQ(events[1]["phase"], "end");
  auto h = c->Get("/api/zones/history?camera=hall&zone=vitrine");
  ASSERT_EQ(h->status, 200) << h->body;
  ASSERT_EQ(Json(h)["points"].size(), 3u);
  EXPECT_EQ(Json(h)["points"][2]["count"], 2);
  EXPECT_EQ(c->Get("/api/zones/history?camera=hall")->status, 400);
  EXPECT_EQ(c->Get("/api/site")->status, 404);  // the fake has no site model
}

}  // namespace
}  // namespace argus::api
