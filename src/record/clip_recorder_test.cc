#include "record/clip_recorder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "core/clock.h"
#include "ingest/video_source.h"
#include "record/evidence_store.h"
#include "record/video_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

namespace argus::record {
namespace {

namespace fs = std::filesystem;

// Debian's opencv-doc: 768x576, 10 fps, 795 frames of MS-MPEG-4 v3 (DivX 3) in AVI, a key
// frame every 25 s, no B-frames. MP4 cannot carry that codec: clips of it are re-encoded.
constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
constexpr double kFixtureSeconds = 30;
constexpr double kWaitS = 120;  // generous: the machine is shared and ASan is slow

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("argus_clip_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> List() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// What a clip holds, read back with libavformat and decoded with libavcodec.
struct Probe {
  std::string error;
  std::string codec;
  int packets = 0;
  int decoded = 0;
  int corrupt = 0;
  bool first_key = false;
  double first_pts_s = NAN;
  double start_time_s = NAN;  // the container's
  double duration_s = 0;      // from the packets: end of the last picture - first pts
  double fps = 0;
  std::vector<uint8_t> first_packet;
  cv::Mat first_frame;
};

// `each_frame`, when set, sees every decoded picture as BGR.
Probe ProbeClip(const std::string& path,
                const std::function<void(const cv::Mat&)>& each_frame = nullptr) {
  Probe r;
  AVFormatContext* fmt = nullptr;
  if (avformat_open_input(&fmt, path.c_str(), nullptr, nullptr) < 0) {
    r.error = "cannot open " + path;
    return r;
  }
  avformat_find_stream_info(fmt, nullptr);
  const int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (si < 0) {
    r.error = "no video stream";
    avformat_close_input(&fmt);
    return r;
  }
  AVStream* st = fmt->streams[si];
  r.codec = avcodec_get_name(st->codecpar->codec_id);
  r.fps = av_q2d(st->avg_frame_rate);
  if (fmt->start_time != AV_NOPTS_VALUE) r.start_time_s = fmt->start_time / 1e6;
  const double tb = av_q2d(st->time_base);
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  AVCodecContext* dec = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(dec, st->codecpar);
  dec->thread_count = 1;
  avcodec_open2(dec, codec, nullptr);
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  double min_pts = 1e18, max_end = -1e18;
  auto receive = [&] {
    while (avcodec_receive_frame(dec, frame) == 0) {
      ++r.decoded;
      if ((frame->flags & AV_FRAME_FLAG_CORRUPT) || frame->decode_error_flags) ++r.corrupt;
      if (r.first_frame.empty() || each_frame) {
        cv::Mat bgr(frame->height, frame->width, CV_8UC3);
        SwsContext* sws = sws_getContext(
            frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), frame->width,
            frame->height, AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr);
        uint8_t* dst[4] = {bgr.data, nullptr, nullptr, nullptr};
        int stride[4] = {static_cast<int>(bgr.step[0]), 0, 0, 0};
        sws_scale(sws, frame->data, frame->linesize, 0, frame->height, dst, stride);
        sws_freeContext(sws);
        if (r.first_frame.empty()) r.first_frame = bgr;
        if (each_frame) each_frame(bgr);
      }
      av_frame_unref(frame);
    }
  };
  while (av_read_frame(fmt, pkt) >= 0) {
    if (pkt->stream_index == si) {
      if (r.packets == 0) {
        r.first_key = pkt->flags & AV_PKT_FLAG_KEY;
        r.first_pts_s = pkt->pts * tb;
        r.first_packet.assign(pkt->data, pkt->data + pkt->size);
      }
      ++r.packets;
      min_pts = std::min(min_pts, pkt->pts * tb);
      max_end = std::max(max_end, (pkt->pts + pkt->duration) * tb);
      avcodec_send_packet(dec, pkt);
      receive();
    }
    av_packet_unref(pkt);
  }
  avcodec_send_packet(dec, nullptr);
  receive();
  r.duration_s = r.packets ? max_end - min_pts : 0;
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&dec);
  avformat_close_input(&fmt);
  return r;
}

// Plays `url` through VideoSource: every packet to `on_packet`, then every frame to
// `on_frame` until it returns false or the file ends.
void Play(const ingest::SourceOptions& options,
          const std::function<void(const AVPacket&, const AVStream&)>& on_packet,
          const std::function<bool(const ingest::Frame&)>& on_frame) {
  auto src = ingest::VideoSource::Open(options, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  (*src)->OnPacket(on_packet);
  ingest::Frame f;
  while ((*src)->Read(&f) == ingest::ReadStatus::kFrame) {
    if (!on_frame(f)) break;
  }
}

// Real video as a camera would send it: H.264 with B-frames and a key frame every 2 s
// (Mp4Writer's), here the first 30 s of vtest.avi at half size. Made once per machine
// (written under a unique name, then renamed) and shared by the tests' processes.
std::string H264Fixture() {
  const std::string path =
      (fs::temp_directory_path() / "argus_record_test_h264_30s_v1.mp4").string();
  if (fs::exists(path) && ProbeClip(path).packets > 0) return path;
  const std::string tmp = path + "." + std::to_string(getpid()) + ".mp4";
  std::unique_ptr<Mp4Writer> writer;
  Play(
      {.url = kVtest}, [](const AVPacket&, const AVStream&) {},
      [&](const ingest::Frame& f) {
        if (f.t >= kFixtureSeconds - 1e-6) return false;
        cv::Mat half;
        cv::resize(f.bgr, half, {f.bgr.cols / 2, f.bgr.rows / 2}, 0, 0, cv::INTER_AREA);
        if (!writer) {
          auto w = Mp4Writer::Open(tmp, half.cols, half.rows, 10);
          if (!w.ok()) return false;
          writer = std::move(w).value();
        }
        EXPECT_TRUE(writer->Write(half).ok());
        return true;
      });
  if (!writer || !writer->Close().ok()) return "";
  fs::rename(tmp, path);
  return path;
}

#define REQUIRE_VTEST() \
  if (!fs::exists(kVtest)) GTEST_SKIP() << kVtest << " is missing (Debian package opencv-doc)"

// Source packets seen by the recorder: the times of key frames and their bytes.
struct SourceLog {
  std::map<double, std::vector<uint8_t>> keys;
  double first_t = NAN, last_t = NAN;
  void Add(const AVPacket& p, const AVStream& s) {
    const double t = (p.dts != AV_NOPTS_VALUE ? p.dts : p.pts) * av_q2d(s.time_base);
    if (std::isnan(first_t)) first_t = t;
    last_t = t;
    if (p.flags & AV_PKT_FLAG_KEY) keys[t].assign(p.data, p.data + p.size);
  }
  // The last key frame at or before `t`, else the first.
  double KeyAtOrBefore(double t) const {
    auto it = keys.upper_bound(t + 1e-9);
    return it == keys.begin() ? it->first : std::prev(it)->first;
  }
};

// Plays `url` into `rec` and asks for one clip at each of `at` (stream seconds).
SourceLog PlayWithClips(const std::string& url, ClipRecorder& rec,
                        const std::vector<std::pair<std::string, double>>& clips,
                        double post_roll_s, double stop_after_t = 1e9) {
  SourceLog log;
  size_t next = 0;
  Play(
      {.url = url, .convert_to_bgr = false},
      [&](const AVPacket& p, const AVStream& s) {
        log.Add(p, s);
        rec.OnPacket(p, s);
      },
      [&](const ingest::Frame& f) {
        while (next < clips.size() && f.t >= clips[next].second - 1e-6) {
          EXPECT_TRUE(rec.StartClip(clips[next].first, f.t, post_roll_s).ok());
          // Only complete clips ever carry the final name.
          EXPECT_FALSE(fs::exists(clips[next].first));
          ++next;
        }
        return f.t <= stop_after_t;
      });
  EXPECT_EQ(next, clips.size());
  return log;
}

TEST(ClipRecorder, RemuxesTheCameraPacketsFromAKeyFrameBeforeThePreRoll) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "clip.mp4";
  constexpr double kAt = 12.3;
  ClipRecorder rec;
  SourceLog log = PlayWithClips(src, rec, {{path, kAt}}, kDefaultPostRollS);
  // The stream went on past at + post-roll: the clip ended by itself.
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  const ClipResult& r = results[0];
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.path, path);
  EXPECT_FALSE(r.reencoded);
  EXPECT_EQ(r.codec, "h264");
  EXPECT_EQ(dir.List(), std::vector<std::string>{"clip.mp4"}) << "no partial file left";

  // From the key frame at or before at - pre-roll, to at + post-roll.
  const double key_t = log.KeyAtOrBefore(kAt - kDefaultPreRollS);
  EXPECT_NEAR(r.from_t, key_t, 1e-6);
  EXPECT_LE(r.to_t, kAt + kDefaultPostRollS + 0.1 + 1e-6);
  EXPECT_GT(r.to_t, kAt + kDefaultPostRollS - 0.2);

  Probe p = ProbeClip(path);
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.codec, "h264") << "the camera's own codec: no re-encode";
  EXPECT_TRUE(p.first_key);
  EXPECT_NEAR(p.first_pts_s, 0, 1e-3);
  EXPECT_NEAR(p.start_time_s, 0, 1e-3);
  EXPECT_EQ(p.packets, r.frames);
  EXPECT_EQ(p.decoded, p.packets) << "every picture decodes, from the first";
  EXPECT_EQ(p.corrupt, 0);
  EXPECT_NEAR(p.duration_s, r.duration_s, 0.15);
  EXPECT_NEAR(p.duration_s, r.to_t - r.from_t + 0.1, 0.35);
  // Pre-roll + post-roll, plus up to one GOP (2 s) back to the key frame.
  EXPECT_GE(p.duration_s, kDefaultPreRollS + kDefaultPostRollS - 0.15);
  EXPECT_LE(p.duration_s, kDefaultPreRollS + kDefaultPostRollS + 2 + 0.25);
  // Byte for byte the camera's key frame.
  ASSERT_TRUE(log.keys.count(key_t));
  EXPECT_EQ(p.first_packet, log.keys.at(key_t));
}

TEST(ClipRecorder, OverlappingClipsAreAllComplete) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  std::mutex mu;
  std::vector<ClipResult> done;
  ClipRecorder rec;
  rec.OnClipDone([&](const ClipResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    done.push_back(r);
  });
  constexpr double kPost = 6;
  const std::vector<std::pair<std::string, double>> clips = {
      {dir / "a.mp4", 8}, {dir / "b.mp4", 9.5}, {dir / "c.mp4", 14}};
  SourceLog log = PlayWithClips(src, rec, clips, kPost);
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  EXPECT_TRUE(rec.TakeResults().empty()) << "with a callback, results are not queued";
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(done.size(), clips.size());
  for (const auto& [path, at] : clips) {
    SCOPED_TRACE(path);
    auto it = std::find_if(done.begin(), done.end(), [&](auto& r) { return r.path == path; });
    ASSERT_NE(it, done.end());
    ASSERT_TRUE(it->status.ok()) << it->status.ToString();
    EXPECT_NEAR(it->from_t, log.KeyAtOrBefore(at - kDefaultPreRollS), 1e-6);
    EXPECT_NEAR(it->to_t, at + kPost, 0.25);
    Probe p = ProbeClip(path);
    EXPECT_TRUE(p.first_key);
    EXPECT_EQ(p.decoded, p.packets);
    EXPECT_EQ(p.packets, it->frames);
    EXPECT_NEAR(p.duration_s, it->to_t - it->from_t + 0.1, 0.35);
  }
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"a.mp4", "b.mp4", "c.mp4"}));
}

TEST(ClipRecorder, ClipAtTheVeryStartHasTheLessPreRollThatExists) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "early.mp4";
  constexpr double kAt = 1, kPost = 3;
  ClipRecorder rec;
  SourceLog log = PlayWithClips(src, rec, {{path, kAt}}, kPost);
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_NEAR(results[0].from_t, log.keys.begin()->first, 1e-6);  // the stream's first
  Probe p = ProbeClip(path);
  EXPECT_TRUE(p.first_key);
  EXPECT_EQ(p.decoded, p.packets);
  EXPECT_NEAR(p.duration_s, results[0].to_t - results[0].from_t + 0.1, 0.35);
  EXPECT_NEAR(results[0].to_t, kAt + kPost, 0.15);
  EXPECT_LT(p.duration_s, kDefaultPreRollS + kPost);
}

TEST(ClipRecorder, CodecThatMp4CannotCarryIsReencodedFromThePreRoll) {
  REQUIRE_VTEST();
  TempDir dir;
  const std::string path = dir / "avi.mp4";
  constexpr double kAt = 40, kFps = 10;
  cv::Mat source_at_start;  // the source picture at at - pre-roll
  ClipRecorder rec;
  SourceLog log;
  bool started = false;
  Play(
      {.url = kVtest},
      [&](const AVPacket& p, const AVStream& s) {
        log.Add(p, s);
        rec.OnPacket(p, s);
      },
      [&](const ingest::Frame& f) {
        if (std::abs(f.t - (kAt - kDefaultPreRollS)) < 1e-6) source_at_start = f.bgr;
        if (!started && f.t >= kAt) {
          EXPECT_TRUE(rec.StartClip(path, f.t).ok());
          started = true;
        }
        return f.t < kAt + kDefaultPostRollS + 1;
      });
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  const ClipResult& r = results[0];
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.reencoded);
  EXPECT_NE(r.codec, "msmpeg4v3");
  // The ring went back to the key frame (25 s apart in this file), the clip did not.
  EXPECT_NEAR(r.from_t, log.KeyAtOrBefore(kAt - kDefaultPreRollS), 1e-6);
  EXPECT_LT(r.from_t, kAt - kDefaultPreRollS - 1);
  const double expected_frames = (kDefaultPreRollS + kDefaultPostRollS) * kFps + 1;
  EXPECT_NEAR(static_cast<double>(r.frames), expected_frames, 1.5);
  EXPECT_NEAR(r.duration_s, kDefaultPreRollS + kDefaultPostRollS, 0.25);

  Probe p = ProbeClip(path);
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_TRUE(p.codec == "h264" || p.codec == "mpeg4") << p.codec;
  EXPECT_TRUE(p.first_key);
  EXPECT_EQ(p.decoded, r.frames);
  EXPECT_EQ(p.corrupt, 0);
  ASSERT_FALSE(source_at_start.empty());
  ASSERT_EQ(p.first_frame.size(), source_at_start.size());
  EXPECT_GT(cv::PSNR(p.first_frame, source_at_start), 28) << "starts at at - pre-roll";
  EXPECT_EQ(dir.List(), std::vector<std::string>{"avi.mp4"});
}

TEST(ClipRecorder, ForcedReencodeOfH264) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  constexpr double kAt = 12, kPost = 2;
  ClipRecorder rec({.force_reencode = true});
  PlayWithClips(src, rec, {{dir / "x.mp4", kAt}}, kPost);
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_TRUE(results[0].reencoded);
  Probe p = ProbeClip(dir / "x.mp4");
  EXPECT_EQ(p.decoded, results[0].frames);
  EXPECT_NEAR(p.decoded, (kDefaultPreRollS + kPost) * 10 + 1, 1.5);
}

// Masked regions are black in what is analysed (CameraPipeline); the camera's packets still
// show them, so a camera with masks gets re-encoded clips with the same regions black.
TEST(ClipRecorder, PrivacyMasksAreBlackInEveryPictureOfTheClip) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const core::Polygon left_half = {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}};
  ClipRecorder masked({.privacy_masks = {left_half}});
  ClipRecorder plain;
  constexpr double kAt = 12, kPost = 2;
  bool started = false;
  Play(
      {.url = src, .convert_to_bgr = false},
      [&](const AVPacket& p, const AVStream& s) {
        masked.OnPacket(p, s);
        plain.OnPacket(p, s);
      },
      [&](const ingest::Frame& f) {
        if (!started && f.t >= kAt - 1e-6) {
          EXPECT_TRUE(masked.StartClip(dir / "masked.mp4", f.t, kPost).ok());
          EXPECT_TRUE(plain.StartClip(dir / "plain.mp4", f.t, kPost).ok());
          started = true;
        }
        return f.t <= kAt + kPost + 1;
      });
  ASSERT_TRUE(started);
  ASSERT_TRUE(masked.WaitIdle(kWaitS));
  ASSERT_TRUE(plain.WaitIdle(kWaitS));
  auto masked_results = masked.TakeResults(), plain_results = plain.TakeResults();
  ASSERT_EQ(masked_results.size(), 1u);
  ASSERT_EQ(plain_results.size(), 1u);
  ASSERT_TRUE(masked_results[0].status.ok()) << masked_results[0].status.ToString();
  ASSERT_TRUE(plain_results[0].status.ok()) << plain_results[0].status.ToString();
  EXPECT_TRUE(masked_results[0].reencoded) << "H.264 could be remuxed, but not with masks";
  EXPECT_FALSE(plain_results[0].reencoded) << "without masks the camera's packets are kept";

  // Left and right of the mask's edge, a few pixels away from it (chroma is subsampled and
  // the encoder blurs edges a little).
  constexpr int kEdgeMarginPx = 8;
  struct HalfMeans {
    int frames = 0;
    double max_left_mean = 0, min_left_mean = 1e9, min_right_mean = 1e9;
    double max_left_pixel = 0;
  };
  auto measure = [&](const std::string& path, HalfMeans* m) {
    return ProbeClip(path, [&](const cv::Mat& bgr) {
      const int half = bgr.cols / 2;
      cv::Mat gray;
      cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
      const cv::Mat left = gray(cv::Rect(0, 0, half - kEdgeMarginPx, gray.rows));
      const cv::Mat right =
          gray(cv::Rect(half + kEdgeMarginPx, 0, half - kEdgeMarginPx, gray.rows));
      double lo = 0, hi = 0;
      cv::minMaxLoc(left, &lo, &hi);
      const double lm = cv::mean(left)[0], rm = cv::mean(right)[0];
      ++m->frames;
      m->max_left_mean = std::max(m->max_left_mean, lm);
      m->min_left_mean = std::min(m->min_left_mean, lm);
      m->min_right_mean = std::min(m->min_right_mean, rm);
      m->max_left_pixel = std::max(m->max_left_pixel, hi);
    });
  };
  HalfMeans mm, pm;
  Probe mp = measure(dir / "masked.mp4", &mm);
  Probe pp = measure(dir / "plain.mp4", &pm);
  ASSERT_TRUE(mp.error.empty()) << mp.error;
  ASSERT_TRUE(pp.error.empty()) << pp.error;
  EXPECT_EQ(mm.frames, masked_results[0].frames);
  EXPECT_NEAR(mm.frames, (kDefaultPreRollS + kPost) * 10 + 1, 1.5);
  EXPECT_LT(mm.max_left_mean, 2) << "the masked half is black in every picture";
  EXPECT_LT(mm.max_left_pixel, 16);
  EXPECT_GT(mm.min_right_mean, 40) << "the rest of the picture is still there";
  // The same pictures without the mask: the left half is not black (the check above can fail).
  ASSERT_GT(pm.frames, 0);
  EXPECT_GT(pm.min_left_mean, 40);
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"masked.mp4", "plain.mp4"}));
}

TEST(ClipRecorder, EndOfStreamFinishesAClipStillWaitingForPostRoll) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "tail.mp4";
  constexpr double kAt = 26;  // + 10 s post-roll: beyond the end of the 30 s file
  ClipRecorder rec;
  SourceLog log = PlayWithClips(src, rec, {{path, kAt}}, kDefaultPostRollS);
  EXPECT_EQ(rec.active_clips(), 1u) << "still waiting for post-roll";
  EXPECT_FALSE(fs::exists(path));
  rec.EndOfStream();
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_NEAR(results[0].to_t, log.last_t, 1e-6);
  Probe p = ProbeClip(path);
  EXPECT_EQ(p.decoded, p.packets);
  EXPECT_NEAR(p.duration_s, log.last_t - results[0].from_t + 0.1, 0.35);
}

TEST(ClipRecorder, StreamTimeJumpingBackEndsTheClip) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "loop.mp4";
  ClipRecorder rec;
  bool started = false;
  int frames = 0;
  double prev_t = -1e9, last_t_before_loop = NAN;
  Play(
      {.url = src, .loop = true, .convert_to_bgr = false},
      [&](const AVPacket& p, const AVStream& s) {
        const double t = (p.dts != AV_NOPTS_VALUE ? p.dts : p.pts) * av_q2d(s.time_base);
        if (t < prev_t - 1 && std::isnan(last_t_before_loop)) last_t_before_loop = prev_t;
        prev_t = t;
        rec.OnPacket(p, s);
      },
      [&](const ingest::Frame& f) {
        if (!started && f.t >= 27) started = rec.StartClip(path, f.t).ok();
        return ++frames < 350;  // 5 s into the second pass
      });
  ASSERT_TRUE(started);
  ASSERT_FALSE(std::isnan(last_t_before_loop)) << "the file did not loop";
  ASSERT_TRUE(rec.WaitIdle(kWaitS)) << "the file looped: a new timeline ends the clip";
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_NEAR(results[0].to_t, last_t_before_loop, 0.15);
  // The ring started again with the new timeline.
  EXPECT_LT(*rec.ring().oldest_t(), 5.0);
  EXPECT_EQ(ProbeClip(path).decoded, results[0].frames);
}

TEST(ClipRecorder, UnwritableDirectoryFailsAndLeavesNothing) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  { std::ofstream(dir / "not_a_dir") << "x"; }
  const std::string path = dir / "not_a_dir/clip.mp4";  // ENOTDIR, even for root
  ClipRecorder rec;
  PlayWithClips(src, rec, {{path, 8}}, 2);
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status.code(), core::StatusCode::kIoError) << results[0].status.ToString();
  EXPECT_EQ(dir.List(), std::vector<std::string>{"not_a_dir"});
}

TEST(ClipRecorder, DestroyedMidClipRemovesThePartialFile) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "cut.mp4";
  auto rec = std::make_unique<ClipRecorder>();
  // Stops reading 2 s after the request: the clip waits for 8 s more of post-roll.
  PlayWithClips(src, *rec, {{path, 12}}, kDefaultPostRollS, /*stop_after_t=*/14);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(path + kPartialSuffix) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(path + kPartialSuffix)) << "the writer thread has started the file";
  EXPECT_FALSE(fs::exists(path));
  rec.reset();
  EXPECT_TRUE(dir.List().empty());
}

// A kill -9 while re-encoding must leave one partial file under the clip's partial name,
// which the daemon's start-up clean-up knows; never "cut.mp4.part.part".
TEST(ClipRecorder, ReencodedClipIsWrittenUnderOnePartialName) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "cut.mp4";
  auto rec = std::make_unique<ClipRecorder>(ClipRecorderOptions{.force_reencode = true});
  PlayWithClips(src, *rec, {{path, 12}}, kDefaultPostRollS, /*stop_after_t=*/14);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (dir.List().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(dir.List(), std::vector<std::string>{"cut.mp4.part"});
  rec.reset();
  EXPECT_TRUE(dir.List().empty());
}

// AVI and some cameras give packets without pts or dts: the recorder makes them up from the
// frame rate, and the clip still plays with every picture.
TEST(ClipRecorder, PacketsWithoutTimestampsStillMakeAClip) {
  REQUIRE_VTEST();
  const std::string src = H264Fixture();
  ASSERT_FALSE(src.empty());
  TempDir dir;
  const std::string path = dir / "nots.mp4";
  AVFormatContext* fmt = nullptr;
  ASSERT_EQ(avformat_open_input(&fmt, src.c_str(), nullptr, nullptr), 0);
  ASSERT_GE(avformat_find_stream_info(fmt, nullptr), 0);
  const int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  ASSERT_GE(si, 0);
  ClipRecorder rec;
  AVPacket* pkt = av_packet_alloc();
  int n = 0;
  bool started = false;
  while (av_read_frame(fmt, pkt) >= 0) {
    if (pkt->stream_index == si) {
      pkt->pts = pkt->dts = AV_NOPTS_VALUE;
      pkt->duration = 0;
      rec.OnPacket(*pkt, *fmt->streams[si]);
      if (++n == 120) started = rec.StartClip(path, rec.latest_t(), 3).ok();
    }
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  ASSERT_TRUE(started);
  EXPECT_NEAR(rec.latest_t(), (n - 1) / 10.0, 1e-3) << "one frame interval per packet";
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.ToString();
  EXPECT_FALSE(results[0].reencoded);
  Probe p = ProbeClip(path);
  EXPECT_TRUE(p.first_key);
  EXPECT_EQ(p.packets, results[0].frames);
  EXPECT_EQ(p.decoded, p.packets);
  EXPECT_NEAR(p.duration_s, results[0].to_t - results[0].from_t + 0.1, 0.05);
}

TEST(ClipRecorder, RejectsBadRequests) {
  ClipRecorder rec;
  EXPECT_EQ(rec.StartClip("", 1).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(rec.StartClip("/tmp/x.mp4", NAN).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(rec.StartClip("/tmp/x.mp4", 1, -1).code(), core::StatusCode::kInvalidArgument);
  // A clip requested before any video, then the stream ends: an error, no clip, and a note
  // that says why, so the alert's clip is not "not recorded yet" for ever.
  TempDir dir;
  ASSERT_TRUE(rec.StartClip(dir / "7-warning.mp4", 1).ok());
  rec.EndOfStream();
  ASSERT_TRUE(rec.WaitIdle(kWaitS));
  auto results = rec.TakeResults();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status.code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(dir.List(), std::vector<std::string>{std::string("7-warning.mp4") + kLostClipSuffix});
  const core::Status lost = CheckClipNotLost(dir / "", "7");
  EXPECT_EQ(lost.code(), core::StatusCode::kNotFound);
  EXPECT_NE(lost.message().find("the clip of alert 7 was lost: it could not be recorded ("),
            std::string::npos)
      << lost.message();
  EXPECT_NE(lost.message().find("the stream ended before any key frame"), std::string::npos)
      << lost.message();
}

}  // namespace
}  // namespace argus::record
