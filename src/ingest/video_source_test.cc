#include "ingest/video_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/videoio.hpp>
#include <thread>
#include <vector>

#include "ingest/rate_limiter.h"

extern "C" {
#include <libavcodec/packet.h>
}

namespace argus::ingest {
namespace {

constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

#define SKIP_WITHOUT_VTEST()            \
  if (!std::filesystem::exists(kVtest)) \
  GTEST_SKIP() << kVtest << " is absent (Debian package opencv-doc provides it)"

// A loopback port with nothing listening: connecting is refused at once.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(IsLiveUrl, SchemesAreLiveFilesAreNot) {
  EXPECT_TRUE(IsLiveUrl("rtsp://cam/1"));
  EXPECT_TRUE(IsLiveUrl("http://host/x.mjpg"));
  EXPECT_FALSE(IsLiveUrl("/data/x.mp4"));
  EXPECT_FALSE(IsLiveUrl("file:///data/x.mp4"));
  EXPECT_FALSE(IsLiveUrl("weird:name.avi"));
}

TEST(VideoSourceFile, ReadsAllOfVtestWithStreamTimestamps) {
  SKIP_WITHOUT_VTEST();
  auto src = VideoSource::Open({.url = kVtest}, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  VideoSource& v = **src;
  EXPECT_EQ(v.state(), SourceState::kRunning);
  EXPECT_FALSE(v.is_live());
  EXPECT_EQ(v.width(), 768);
  EXPECT_EQ(v.height(), 576);
  const double fps = v.nominal_fps();
  ASSERT_GT(fps, 0);
  EXPECT_EQ(v.frame_count_hint(), 795);

  Frame f;
  int n = 0;
  double prev_t = -1;
  cv::Scalar first_mean;
  while (v.Read(&f) == ReadStatus::kFrame) {
    ++n;
    ASSERT_EQ(f.number, n);
    ASSERT_EQ(f.bgr.type(), CV_8UC3);
    ASSERT_EQ(f.bgr.cols, 768);
    ASSERT_EQ(f.bgr.rows, 576);
    if (n == 1) {
      EXPECT_DOUBLE_EQ(f.t, 0);
      first_mean = cv::mean(f.bgr);
    } else {
      ASSERT_NEAR(f.t - prev_t, 1.0 / fps, 1e-6) << "frame " << n;
    }
    prev_t = f.t;
  }
  EXPECT_EQ(n, 795);
  EXPECT_NEAR(prev_t, 794 / fps, 1e-6);
  // A real picture, not a blank buffer: a grey-ish outdoor scene.
  EXPECT_GT(first_mean[0], 40);
  EXPECT_LT(first_mean[0], 220);
  EXPECT_EQ(v.state(), SourceState::kEnded);
  EXPECT_EQ(v.Read(&f), ReadStatus::kEnd);  // stays ended
}

// A width that is not a multiple of swscale's pixel blocks (a real 636x360 camera's
// clip corrupted the heap): the picture is right and the spill has room.
TEST(VideoSourceFile, OddWidthDecodesIntoAPictureWithSlack) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("argus_odd_" + std::to_string(getpid()) + ".mp4"))
          .string();
  {
    cv::VideoWriter w(path, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), 10, {636, 360});
    ASSERT_TRUE(w.isOpened()) << "OpenCV cannot write mp4v";
    cv::Mat img(360, 636, CV_8UC3, cv::Scalar(200, 40, 40));
    img.colRange(318, 636).setTo(cv::Scalar(40, 40, 200));
    for (int i = 0; i < 5; ++i) w.write(img);
  }
  auto src = VideoSource::Open({.url = path}, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  Frame f;
  int n = 0;
  while ((*src)->Read(&f) == ReadStatus::kFrame) {
    ++n;
    ASSERT_EQ(f.bgr.cols, 636);
    ASSERT_EQ(f.bgr.rows, 360);
    ASSERT_TRUE(f.bgr.isContinuous());
    ASSERT_GE(f.bgr.u->size, f.bgr.total() * f.bgr.elemSize() + kBgrFrameSlackBytes);
    const cv::Vec3b left = f.bgr.at<cv::Vec3b>(180, 100), right = f.bgr.at<cv::Vec3b>(180, 600);
    EXPECT_NEAR(left[0], 200, 20);
    EXPECT_NEAR(left[2], 40, 20);
    EXPECT_NEAR(right[0], 40, 20);
    EXPECT_NEAR(right[2], 200, 20) << "the last columns are converted too";
  }
  EXPECT_EQ(n, 5);
  std::filesystem::remove(path);
}

TEST(VideoSourceFile, RateLimiterKeepsFiveOfTwentyFive) {
  SKIP_WITHOUT_VTEST();
  auto src =
      VideoSource::Open({.url = kVtest, .convert_to_bgr = false}, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  const double fps = (*src)->nominal_fps();
  ASSERT_GT(fps, 0);
  const double target = fps / 5;  // vtest is 10 fps: keep 2; at 25 fps this is 5 of 25
  RateLimiter limiter(target);
  std::vector<int64_t> kept;
  Frame f;
  while ((*src)->Read(&f) == ReadStatus::kFrame) {
    EXPECT_TRUE(f.bgr.empty());  // decode only
    if (limiter.Accept(f.t)) kept.push_back(f.number);
  }
  ASSERT_EQ(kept.size(), 159u);  // ceil(795 / 5)
  for (size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(kept[i], static_cast<int64_t>(1 + 5 * i));
}

TEST(VideoSourceFile, LoopStartsAgainWithIncreasingTime) {
  SKIP_WITHOUT_VTEST();
  auto src = VideoSource::Open({.url = kVtest, .loop = true, .convert_to_bgr = false},
                               core::SystemClock::Instance());
  ASSERT_TRUE(src.ok());
  Frame f;
  double prev = -1;
  for (int i = 0; i < 795 + 20; ++i) {
    ASSERT_EQ((*src)->Read(&f), ReadStatus::kFrame);
    ASSERT_GT(f.t, prev);
    prev = f.t;
  }
  EXPECT_EQ(f.number, 815);
  EXPECT_NEAR(f.t, 814 / (*src)->nominal_fps(), 1e-6);
  EXPECT_EQ((*src)->state(), SourceState::kRunning);
}

TEST(VideoSourceFile, PacketCallbackSeesEveryVideoPacket) {
  SKIP_WITHOUT_VTEST();
  auto src =
      VideoSource::Open({.url = kVtest, .convert_to_bgr = false}, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok());
  int packets = 0, keys = 0;
  (*src)->OnPacket([&](const AVPacket& p, const AVStream&) {
    ++packets;
    if (p.flags & AV_PKT_FLAG_KEY) ++keys;
  });
  Frame f;
  while ((*src)->Read(&f) == ReadStatus::kFrame) {
  }
  EXPECT_EQ(packets, 795);
  EXPECT_GE(keys, 1);
  EXPECT_LT(keys, packets);
}

TEST(VideoSourceFile, MissingFileIsNotFound) {
  auto src = VideoSource::Open({.url = "/nonexistent/dir/cam.mp4"}, core::SystemClock::Instance());
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(src.status().message().find("/nonexistent/dir/cam.mp4"), std::string::npos);
  EXPECT_NE(src.status().message().find("not found"), std::string::npos);
}

TEST(VideoSourceFile, NonVideoFileIsInvalidArgument) {
  auto path = std::filesystem::temp_directory_path() /
              ("argus_not_video_" + std::to_string(getpid()) + ".mp4");
  {
    std::ofstream out(path);
    out << "this is a text file, not a video\n";
  }
  auto src = VideoSource::Open({.url = path.string()}, core::SystemClock::Instance());
  std::filesystem::remove(path);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(src.status().message().find(path.string()), std::string::npos)
      << src.status().message();
}

TEST(VideoSourceFile, DirectoryAndEmptyUrlAreInvalid) {
  auto dir = VideoSource::Open({.url = "/tmp"}, core::SystemClock::Instance());
  EXPECT_EQ(dir.status().code(), core::StatusCode::kInvalidArgument);
  auto empty = VideoSource::Open({.url = ""}, core::SystemClock::Instance());
  EXPECT_EQ(empty.status().code(), core::StatusCode::kInvalidArgument);
  auto bad_transport = VideoSource::Open({.url = "rtsp://127.0.0.1/x", .rtsp_transport = "sctp"},
                                         core::SystemClock::Instance());
  EXPECT_EQ(bad_transport.status().code(), core::StatusCode::kInvalidArgument);
  auto bad_scheme =
      VideoSource::Open({.url = "camera://10.0.0.7/stream"}, core::SystemClock::Instance());
  EXPECT_EQ(bad_scheme.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_scheme.status().message().find("camera://"), std::string::npos);
  EXPECT_TRUE(
      VideoSource::Open({.url = "http://127.0.0.1:1/x"}, core::SystemClock::Instance()).ok());
}

TEST(VideoSourceLive, UnreachableCameraBacksOffThenEndsWhenReconnectsAreExhausted) {
  core::FakeClock clock;
  const std::string url = "rtsp://127.0.0.1:" + std::to_string(ClosedPort()) + "/cam";
  SourceOptions o{.url = url, .open_timeout_s = 2, .max_reconnects = 3};
  o.backoff = {.initial_s = 0.5, .max_s = 30, .factor = 2, .jitter = 0};
  auto src = VideoSource::Open(o, clock);
  ASSERT_TRUE(src.ok()) << "live sources never fail to open on network errors";
  VideoSource& v = **src;
  EXPECT_TRUE(v.is_live());
  EXPECT_EQ(v.state(), SourceState::kConnecting);
  std::vector<SourceState> seen;
  v.OnStateChange([&](SourceState s) { seen.push_back(s); });
  const double start = clock.Seconds();
  Frame f;
  EXPECT_EQ(v.Read(&f), ReadStatus::kEnd);
  EXPECT_EQ(v.reconnects(), 3);
  EXPECT_EQ(v.state(), SourceState::kEnded);
  EXPECT_EQ(seen, (std::vector<SourceState>{SourceState::kReconnecting, SourceState::kEnded}));
  // Slept the back-off schedule on the injected clock: 0.5 + 1 + 2 s.
  EXPECT_NEAR(clock.Seconds() - start, 3.5, 1e-6);
}

TEST(VideoSourceLive, StopInterruptsALongBackoff) {
  const std::string url = "rtsp://127.0.0.1:" + std::to_string(ClosedPort()) + "/cam";
  SourceOptions o{.url = url, .open_timeout_s = 2};
  o.backoff = {.initial_s = 30, .max_s = 30, .factor = 2, .jitter = 0};
  auto src = VideoSource::Open(o, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok());
  VideoSource& v = **src;
  ReadStatus result = ReadStatus::kFrame;
  std::thread reader([&] {
    Frame f;
    result = v.Read(&f);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (v.state() != SourceState::kReconnecting && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(v.state(), SourceState::kReconnecting);
  const auto t0 = std::chrono::steady_clock::now();
  v.Stop();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(result, ReadStatus::kStopped);
  EXPECT_EQ(v.state(), SourceState::kStopped);
  EXPECT_EQ(v.reconnects(), 0);  // stopped during the first back-off
}

TEST(VideoSourceLive, SilentPeerTimesOutInsteadOfHanging) {
  // A "camera" that accepts the TCP connection and never answers RTSP.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  SourceOptions o{.url = "rtsp://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/cam",
                  .open_timeout_s = 0.5,
                  .max_reconnects = 1};
  o.backoff = {.initial_s = 0.1, .max_s = 0.1, .factor = 1, .jitter = 0};
  auto src = VideoSource::Open(o, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok());
  const auto t0 = std::chrono::steady_clock::now();
  Frame f;
  EXPECT_EQ((*src)->Read(&f), ReadStatus::kEnd);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(fd);
  // Two attempts of 0.5 s each plus one 0.1 s back-off.
  EXPECT_GT(took, 1.0);
  EXPECT_LT(took, 5.0);
  EXPECT_EQ((*src)->reconnects(), 1);
}

}  // namespace
}  // namespace argus::ingest
