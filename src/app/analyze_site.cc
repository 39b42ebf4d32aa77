#include "app/analyze_site.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "app/analyze.h"
#include "app/camera_pipeline.h"
#include "app/command.h"
#include "app/follow_service.h"
#include "app/track_looks.h"
#include "core/progress.h"
#include "events/jsonl_writer.h"
#include "learn/handoff.h"
#include "site/site_config.h"
#include "track/mot_io.h"

namespace argus::app {

namespace {

struct Camera {
  const config::CameraConfig* config = nullptr;
  std::unique_ptr<CameraPipeline> pipeline;
  std::unique_ptr<ingest::VideoSource> source;
  ingest::Frame next;  // read ahead: the camera whose next frame is earliest goes first
  bool ended = false;
  int64_t frames = 0;
  std::set<int> alive;  // tracks the tracker held after the last analysed frame
  // Its tracked boxes with the camera's own track ids; written at the end, when every
  // track's global id is final.
  std::vector<track::MotRow> rows;
};

int Fail(const core::Status& s) { return FailWith("argus analyze-site", s); }

// Global ids of every track, kept past the linker's memory: the rows are written at the end.
class GlobalIds {
 public:
  void Seen(const std::string& camera, int track, int linker_id) {
    ids_.try_emplace({camera, track}, linker_id);
  }
  void Linked(const learn::HandoffLink& l) {
    ids_[{l.to_camera, l.to_track}] = l.global_id;
    ++handoffs_;
  }
  int Of(const std::string& camera, int track) const {
    const auto it = ids_.find({camera, track});
    return it == ids_.end() ? 0 : it->second;
  }
  std::set<int> Distinct() const {
    std::set<int> out;
    for (const auto& [key, id] : ids_) out.insert(id);
    return out;
  }
  int handoffs() const { return handoffs_; }

 private:
  std::map<std::pair<std::string, int>, int> ids_;
  int handoffs_ = 0;
};

bool ReadNext(Camera& c, int64_t max_frames) {
  c.ended = (max_frames > 0 && c.frames >= max_frames) ||
            c.source->Read(&c.next) != ingest::ReadStatus::kFrame;
  return !c.ended;
}

}  // namespace

int RunAnalyzeSite(const AnalyzeSiteOptions& o) {
  auto start = ParseStartTime(o.start_time);
  if (!start.ok()) return Fail(start.status());
  config::Diagnostics diag;
  auto loaded = config::LoadConfig(o.config_path, &diag);
  if (!loaded.ok()) {
    std::cerr << diag.ToString();
    return Fail(loaded.status());
  }
  const config::Config& cfg = *loaded;
  if (cfg.cameras.empty()) return Fail(core::InvalidArgument(o.config_path + ": no cameras"));
  std::vector<learn::Adjacency> adjacency;
  if (!cfg.server.site_model.empty()) {
    auto site = site::LoadSiteFile(cfg.server.site_model);
    if (!site.ok()) return Fail(site.status());
    adjacency = FollowAdjacency(*site);
  }
  if (adjacency.empty()) {
    std::cerr << "argus analyze-site: no adjacent cameras (server.site_model's adjacency:): "
                 "no track is linked across cameras\n";
  }

  std::vector<Camera> cams(cfg.cameras.size());
  int64_t total = 0;
  for (size_t i = 0; i < cams.size(); ++i) {
    Camera& c = cams[i];
    c.config = &cfg.cameras[i];
    if (ingest::IsLiveUrl(c.config->source)) {
      return Fail(core::InvalidArgument(c.config->path + ".source: analyze-site reads files; " +
                                        c.config->source + " is a live stream"));
    }
    auto pipeline = CameraPipeline::Create(cfg, *c.config, o.detector, &diag);
    if (!pipeline.ok()) {
      std::cerr << diag.ToString();
      return Fail(pipeline.status());
    }
    c.pipeline = std::move(pipeline).value();
    ingest::SourceOptions so;
    so.url = c.config->source;
    auto source = ingest::VideoSource::Open(so, core::SystemClock::Instance());
    if (!source.ok()) return Fail(source.status());
    c.source = std::move(source).value();
    int64_t n = c.source->frame_count_hint();
    if (o.max_frames > 0 && (n <= 0 || o.max_frames < n)) n = o.max_frames;
    total += n;
    ReadNext(c, o.max_frames);
  }
  if (!o.tracks_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.tracks_dir, ec);
    if (ec)
      return Fail(core::InvalidArgument("--tracks-dir " + o.tracks_dir + ": " + ec.message()));
  }
  std::unique_ptr<events::JsonlWriter> events_file;
  if (!o.events_path.empty()) {
    auto f = events::JsonlWriter::Open(o.events_path);
    if (!f.ok()) return Fail(f.status());
    events_file = std::move(f).value();
  }

  learn::HandoffLinker linker(adjacency);
  GlobalIds ids;
  std::map<std::string, int> incidents_by_type;
  auto write_events = [&](const std::vector<events::Event>& evs) -> core::Status {
    for (const events::Event& e : evs) {
      if (e.phase == events::Phase::kStart) ++incidents_by_type[e.type];
      if (events_file) ARGUS_RETURN_IF_ERROR(events_file->Write(e));
    }
    return core::Status::Ok();
  };
  auto end_tracks = [&](Camera& c, const std::set<int>& alive, double t) {
    for (int id : c.alive) {
      if (alive.count(id)) continue;
      for (const learn::HandoffLink& l : linker.End(c.config->name, id, t)) ids.Linked(l);
    }
    c.alive = alive;
  };

  core::ProgressBar progress("analyze-site", total);
  const double t0 = core::SystemClock::Instance().Seconds();
  int64_t done = 0;
  core::Status status;
  while (status.ok()) {
    Camera* c = nullptr;  // the camera whose next frame comes first
    for (Camera& x : cams) {
      if (!x.ended && (!c || x.next.t < c->next.t)) c = &x;
    }
    if (!c) break;
    ingest::Frame frame = std::move(c->next);
    ++c->frames;
    const core::WallTime wall = *start + std::chrono::duration_cast<core::WallTime::duration>(
                                             std::chrono::duration<double>(frame.t));
    FrameOutput out;
    status = c->pipeline->Process(frame, wall, &out);
    if (status.ok()) status = write_events(out.events);
    if (status.ok() && out.analysed) {
      const std::string& name = c->config->name;
      std::set<int> alive;
      for (const track::Track& t : *out.active) alive.insert(t.id);
      end_tracks(*c, alive, frame.t);
      const auto looks = out.coasted
                             ? std::vector<std::optional<track::Appearance>>(out.tracks.size())
                             : DescribeTracks(frame.bgr, out.tracks, *out.active);
      std::vector<learn::HandoffObservation> observations;
      for (size_t i = 0; i < out.tracks.size(); ++i) {
        const track::Track& t = out.tracks[i];
        observations.push_back({t.id, looks[i]});
        c->rows.push_back({static_cast<int>(frame.number), t.id, t.box, t.score});
      }
      for (const learn::HandoffLink& l : linker.Update(name, frame.t, observations)) {
        ids.Linked(l);
      }
      for (const track::Track& t : out.tracks) ids.Seen(name, t.id, linker.GlobalId(name, t.id));
    }
    progress.Update(++done);
    ReadNext(*c, o.max_frames);
  }
  for (Camera& c : cams) {
    if (!status.ok()) break;
    FrameOutput out;
    c.pipeline->Finish(&out);
    status = write_events(out.events);
    end_tracks(c, {}, c.next.t);
  }
  progress.Finish();
  const double seconds = core::SystemClock::Instance().Seconds() - t0;

  for (Camera& c : cams) {
    if (!status.ok() || o.tracks_dir.empty()) break;
    std::vector<track::MotRow> rows = c.rows;
    for (track::MotRow& r : rows) r.id = ids.Of(c.config->name, r.id);
    status = track::WriteFileAtomically(
        (std::filesystem::path(o.tracks_dir) / (c.config->name + ".txt")).string(),
        track::FormatMotResults(rows));
  }
  if (status.ok() && events_file) status = events_file->Commit();
  if (!status.ok()) return Fail(status);

  int64_t frames = 0;
  for (const Camera& c : cams) {
    frames += c.frames;
    std::set<int> tracks;
    for (const track::MotRow& r : c.rows) tracks.insert(r.id);
    std::printf("camera     %s: %lld frames, %zu tracks\n", c.config->name.c_str(),
                static_cast<long long>(c.frames), tracks.size());
  }
  std::printf("frames     %lld in %.2f s (%.1f frames/s)\n", static_cast<long long>(frames),
              seconds, seconds > 0 ? frames / seconds : 0.0);
  std::printf("people     %zu global ids, %d hand-offs between %zu adjacent pairs\n",
              ids.Distinct().size(), ids.handoffs(), adjacency.size());
  std::printf("incidents ");
  for (const auto& [type, n] : incidents_by_type) std::printf(" %s=%d", type.c_str(), n);
  std::printf("\nmemory     %.0f MiB peak resident\n", PeakRssMiB());
  if (!o.tracks_dir.empty()) std::printf("wrote      %s/<camera>.txt\n", o.tracks_dir.c_str());
  if (!o.events_path.empty()) std::printf("wrote      %s\n", o.events_path.c_str());
  return kExitOk;
}

}  // namespace argus::app
