// HTTPS built in: a real TLS client (httplib's SSLClient over OpenSSL, and the openssl
// command) against the server with a self-signed certificate made by the test.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/http_server.h"
#include "api/test_util.h"

namespace argus::api {
namespace {

using json = nlohmann::json;
constexpr const char* kPassword = "gallery night 42";

class TlsTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    cert_ = dir_.File("cert.pem");
    key_ = dir_.File("key.pem");
    // A P-256 key is made in milliseconds; the certificate names the address clients use.
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
        key_ + " -out " + cert_ + " >" + dir_.File("openssl.log") + " 2>&1";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "the openssl command failed: " << cmd;
    ASSERT_TRUE(authn_->AddUser("otto", kPassword, auth::Role::kOperator, "test", "").ok());
    ASSERT_TRUE(backend_->store()
                    .UpsertAlert(testing::MakeAlert(1, "hall", events::AlertState::kOpen))
                    .ok());
    options_.tls_cert = cert_;
    options_.tls_key = key_;
  }
  // A TLS client that trusts only the test's certificate and checks it.
  std::unique_ptr<httplib::SSLClient> TlsClient() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    c->set_ca_cert_path(cert_.c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(10);
    c->set_read_timeout(20);
    return c;
  }
  std::string cert_, key_;
};

TEST_F(TlsTest, ServesHttpsWithASecureCookieAndRedirectsPlainHttp) {
  StartServer();
  auto tls = TlsClient();
  auto health = tls->Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);

  // Log in and act over TLS: the Secure cookie works on any host, not only localhost.
  const std::string origin = "https://127.0.0.1:" + std::to_string(server_->port());
  auto login =
      tls->Post("/api/login", {{"Origin", origin}},
                json{{"user", "otto"}, {"password", kPassword}}.dump(), "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string set = login->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("; Secure"), std::string::npos) << set;
  const std::string cookie = set.substr(0, set.find(';'));
  auto ack = tls->Post("/api/alerts/1/acknowledge", {{"Cookie", cookie}, {"Origin", origin}},
                       R"({"note":"over https"})", "application/json");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->status, 200) << ack->body;
  // Many requests on one kept-alive TLS connection, bodies larger than a TLS record.
  for (int i = 0; i < 5; ++i) {
    auto r = tls->Get("/api/alerts", {{"Cookie", cookie}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }

  // Plain HTTP on the same port: sent to the same URL over https, method and all (308).
  httplib::Client plain("127.0.0.1", server_->port());
  plain.set_connection_timeout(10);
  plain.set_read_timeout(20);
  auto moved = plain.Get("/api/alerts?state=open", {{"Host", "museum.example:8443"}});
  ASSERT_TRUE(moved) << httplib::to_string(moved.error());
  EXPECT_EQ(moved->status, 308);
  EXPECT_EQ(moved->get_header_value("Location"),
            "https://museum.example:8443/api/alerts?state=open");
  // A Host that could smuggle a header is replaced by the server's own address.
  auto odd = plain.Get("/", {{"Host", "evil.example/\tx"}});
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->get_header_value("Location"), origin + "/");
}

TEST_F(TlsTest, AnUntrustedCertificateIsRefusedByACheckingClient) {
  StartServer();
  httplib::SSLClient stranger("127.0.0.1", server_->port());
  stranger.enable_server_certificate_verification(true);  // system CAs only
  stranger.set_connection_timeout(10);
  auto r = stranger.Get("/healthz");
  EXPECT_FALSE(r) << "a self-signed certificate passed verification";
  // openssl s_client, trusting the test's certificate, completes the handshake and sees it.
  const std::string out = dir_.File("s_client.log");
  const std::string cmd = "openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) +
                          " -CAfile " + cert_ + " -verify_return_error </dev/null >" + out +
                          " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  const std::string log((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(log.find("Verify return code: 0 (ok)"), std::string::npos) << log;
  EXPECT_NE(log.find("CN = localhost"), std::string::npos) << log;
}

// A client that opens the TLS port and never finishes its handshake gives its thread back
// at the request deadline.
TEST_F(TlsTest, AStalledHandshakeIsCutAtTheRequestDeadline) {
  options_.request_deadline_s = 0.5;
  StartServer();
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const unsigned char start[] = {0x16, 0x03, 0x01};  // a ClientHello's first bytes, no more
  ASSERT_EQ(::send(sock, start, sizeof start, 0), static_cast<ssize_t>(sizeof start));
  timeval tv{5, 0};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_LE(::recv(sock, &c, 1, 0), 0) << "the server should close the connection";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  ::close(sock);
  EXPECT_TRUE(TlsClient()->Get("/healthz")) << "the server still answers";
}

TEST(TlsOptions, BothFilesOrNeitherAndUnreadableOnesNamed) {
  core::FakeClock clock(store::testing::kT0);
  store::testing::TempDir dir;
  auto s = store::SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(s.ok());
  testing::FakeBackend backend(std::move(*s));
  auth::Authenticator authn(backend.store(), clock);
  LiveHub live;
  FrameHub frames(clock);
  ServerOptions o;
  o.port = 0;
  o.tls_cert = dir.File("missing.pem");
  {
    HttpServer server(o, backend, authn, live, frames, clock);
    const core::Status st = server.Start();
    EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("tls_key"), std::string::npos) << st.message();
  }
  o.tls_key = dir.File("missing-key.pem");
  HttpServer server(o, backend, authn, live, frames, clock);
  const core::Status st = server.Start();
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("missing.pem"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace argus::api
