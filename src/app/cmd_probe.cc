// argus probe SOURCE: prints what a file or stream contains; --decode-bench measures
// single-thread decode throughput with and without the BGR conversion.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "app/command.h"
#include "core/clock.h"
#include "ingest/video_source.h"

namespace argus::app {
namespace {

struct ProbeArgs {
  std::string source;
  std::string transport = ingest::kDefaultRtspTransport;
  double timeout_s = ingest::kDefaultOpenTimeoutS;
  bool decode_bench = false;
  int64_t max_frames = 0;  // 0: whole file; live sources need a limit
};

constexpr int64_t kLiveBenchFrames = 250;

struct BenchResult {
  int64_t frames = 0;
  double seconds = 0;
};

core::Result<BenchResult> DecodeRun(const ProbeArgs& a, bool to_bgr) {
  ingest::SourceOptions o{.url = a.source,
                          .rtsp_transport = a.transport,
                          .open_timeout_s = a.timeout_s,
                          .max_reconnects = 0,
                          .convert_to_bgr = to_bgr};
  auto& clock = core::SystemClock::Instance();
  auto src = ingest::VideoSource::Open(o, clock);
  if (!src.ok()) return src.status();
  int64_t limit = a.max_frames > 0 ? a.max_frames : (*src)->is_live() ? kLiveBenchFrames : 0;
  ingest::Frame f;
  BenchResult r;
  const double t0 = clock.Seconds();
  while ((limit == 0 || r.frames < limit) && (*src)->Read(&f) == ingest::ReadStatus::kFrame) {
    ++r.frames;
  }
  r.seconds = clock.Seconds() - t0;
  if (r.frames == 0) return core::Unavailable("no frame decoded from " + a.source);
  return r;
}

int RunProbe(const ProbeArgs& a) {
  ingest::SourceOptions o{.url = a.source,
                          .rtsp_transport = a.transport,
                          .open_timeout_s = a.timeout_s,
                          .max_reconnects = 0};
  auto src = ingest::VideoSource::Open(o, core::SystemClock::Instance());
  if (!src.ok()) {
    std::cerr << "argus probe: " << src.status().message() << "\n";
    return kExitBadInput;
  }
  ingest::VideoSource& v = **src;
  ingest::Frame f;
  // Live streams are only known once connected; reading one frame connects.
  const bool got_frame = v.Read(&f) == ingest::ReadStatus::kFrame;
  if (!got_frame && v.is_live()) {
    std::cerr << "argus probe: no frame from " << a.source << "\n";
    return kExitRuntime;
  }
  std::printf("source:       %s (%s)\n", a.source.c_str(), v.is_live() ? "live" : "file");
  std::printf("codec:        %s\n", v.codec_name().c_str());
  std::printf("size:         %dx%d\n", v.width(), v.height());
  std::printf("nominal fps:  %.3f\n", v.nominal_fps());
  std::printf("frames:       %lld%s\n", static_cast<long long>(v.frame_count_hint()),
              v.frame_count_hint() ? "" : " (unknown)");
  v.Stop();
  if (!a.decode_bench) return kExitOk;

  for (bool to_bgr : {false, true}) {
    auto r = DecodeRun(a, to_bgr);
    if (!r.ok()) {
      std::cerr << "argus probe: " << r.status().message() << "\n";
      return kExitRuntime;
    }
    std::printf("decode%-9s %lld frames in %.3f s: %.1f frames/s (single thread%s)\n",
                to_bgr ? "+bgr:" : " only:", static_cast<long long>(r->frames), r->seconds,
                r->frames / r->seconds, v.is_live() ? ", paced by the camera" : "");
  }
  return kExitOk;
}

const CommandRegistrar kProbe("probe", [](CLI::App& parent) {
  auto args = std::make_shared<ProbeArgs>();
  CLI::App* cmd = parent.add_subcommand("probe", "Print stream info of a file or camera URL");
  cmd->add_option("source", args->source, "file path, rtsp:// or http(s):// URL")->required();
  cmd->add_option("--transport", args->transport, "RTSP transport")
      ->check(CLI::IsMember({"tcp", "udp"}))
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout_s, "connect / stall timeout in seconds")
      ->capture_default_str();
  cmd->add_flag("--decode-bench", args->decode_bench,
                "measure decode frames/s, with and without conversion to BGR");
  cmd->add_option("--frames", args->max_frames, "benchmark at most N frames (0: whole file)");
  return [args] { return RunProbe(*args); };
});

}  // namespace
}  // namespace argus::app
