// VideoSource on an HTTP camera: a local server streaming MJPEG as
// multipart/x-mixed-replace, the format of many cheap IP cameras.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ingest/video_source.h"

namespace argus::ingest {
namespace {

constexpr int kFrames = 30;
constexpr int kW = 160, kH = 120;

bool SendAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k <= 0) return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

// Frame i is a flat grey of level 20 + 7 i, so order and content can be checked.
uchar Level(int i) { return static_cast<uchar>(20 + 7 * i); }

class MjpegServer {
 public:
  // stall: answers, begins a picture and sends nothing more until the client hangs up.
  explicit MjpegServer(bool stall = false) : stall_(stall) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 1);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~MjpegServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    std::string head =
        "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=argusframe\r\n\r\n";
    bool ok = SendAll(c, head.data(), head.size());
    if (stall_) {
      // A JPEG's start and a long comment: enough for FFmpeg to know the format.
      std::string part = "--argusframe\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xfe";
      constexpr size_t kComment = 8000;
      part += static_cast<char>((kComment + 2) >> 8);
      part += static_cast<char>((kComment + 2) & 0xff);
      part.append(kComment, ' ');
      if (ok && SendAll(c, part.data(), part.size())) {
        while (recv(c, buf, sizeof(buf), 0) > 0) {
        }
      }
      close(c);
      return;
    }
    for (int i = 0; ok && i < kFrames; ++i) {
      std::vector<uchar> jpg;
      cv::imencode(".jpg", cv::Mat(kH, kW, CV_8UC3, cv::Scalar::all(Level(i))), jpg);
      std::string part = "--argusframe\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                         std::to_string(jpg.size()) + "\r\n\r\n";
      ok = SendAll(c, part.data(), part.size()) && SendAll(c, jpg.data(), jpg.size()) &&
           SendAll(c, "\r\n", 2);
    }
    close(c);  // the camera goes away after kFrames
  }

  bool stall_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(VideoSourceHttp, ReadsAnMjpegCameraInOrderThenGivesUp) {
  MjpegServer server;
  SourceOptions o{.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/video.mjpg",
                  .open_timeout_s = 5,
                  .max_reconnects = 0};
  auto src = VideoSource::Open(o, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  Frame f;
  int n = 0;
  double prev_t = -1;
  while ((*src)->Read(&f) == ReadStatus::kFrame) {
    ASSERT_EQ(f.bgr.size(), cv::Size(kW, kH));
    EXPECT_NEAR(cv::mean(f.bgr)[1], Level(n), 3) << "frame " << n;
    EXPECT_GT(f.t, prev_t);  // MJPEG carries no timestamps; time still advances
    prev_t = f.t;
    ++n;
  }
  EXPECT_EQ(n, kFrames);
  EXPECT_EQ((*src)->state(), SourceState::kEnded);  // the only server connection is gone
  EXPECT_EQ((*src)->reconnects(), 0);
}

// A camera that answers and then sends no picture (a hung encoder; over RTSP, a starved
// stream did the same in the fail-over benchmark) was shown running from the handshake on:
// FFmpeg "connected (mjpeg 0x0)" once its probing timed out. It is running only once a
// picture arrives.
TEST(VideoSourceHttp, ACameraThatSendsNoPictureIsNeverRunning) {
  MjpegServer server(/*stall=*/true);
  SourceOptions o{.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/video.mjpg",
                  .open_timeout_s = 1,
                  .max_reconnects = 0};
  auto src = VideoSource::Open(o, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  std::mutex mu;
  std::vector<SourceState> states;
  (*src)->OnStateChange([&](SourceState s) {
    std::lock_guard l(mu);
    states.push_back(s);
  });
  Frame f;
  EXPECT_EQ((*src)->Read(&f), ReadStatus::kEnd);
  std::lock_guard l(mu);
  EXPECT_EQ(std::count(states.begin(), states.end(), SourceState::kRunning), 0)
      << "the camera was shown running without a picture";
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), SourceState::kEnded);
}

}  // namespace
}  // namespace argus::ingest
