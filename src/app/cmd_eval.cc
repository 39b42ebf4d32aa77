// `argus eval mot`: CLEAR MOT, IDF1 and HOTA of MOTChallenge results, computed as
// TrackEval does (see track/mot_metrics.h). Several --gt/--res pairs are
// evaluated one by one and combined as TrackEval combines sequences.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/command.h"
#include "app/scene_eval.h"
#include "track/mot_io.h"
#include "track/mot_metrics.h"

namespace argus::app {
namespace {

struct EvalMotOptions {
  std::vector<std::string> gt;
  std::vector<std::string> res;
  double iou = track::EvalOptions::kDefaultIouThreshold;
  std::string benchmark = "auto";
  bool json = false;
};

int Fail(const std::string& message) {
  std::cerr << "argus eval mot: " << message << "\n";
  return kExitBadInput;
}

// The sequence name: SEQ for SEQ/gt/gt.txt, else the file name.
std::string SequenceName(const std::string& gt_path, const track::SeqInfo* info) {
  if (info != nullptr && !info->name.empty()) return info->name;
  namespace fs = std::filesystem;
  const fs::path p(gt_path);
  if (p.parent_path().filename() == "gt" && !p.parent_path().parent_path().empty()) {
    return p.parent_path().parent_path().filename().string();
  }
  return p.filename().string();
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string Json(const std::string& name, const track::MotSummary& s) {
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      "{\"name\":\"%s\",\"HOTA\":%.6f,\"DetA\":%.6f,\"AssA\":%.6f,\"DetRe\":%.6f,\"DetPr\":%.6f,"
      "\"AssRe\":%.6f,\"AssPr\":%.6f,\"LocA\":%.6f,\"MOTA\":%.6f,\"MOTP\":%.6f,\"MODA\":%.6f,"
      "\"Recall\":%.6f,\"Precision\":%.6f,\"TP\":%lld,\"FP\":%lld,\"FN\":%lld,\"IDSW\":%lld,"
      "\"Frag\":%lld,\"MT\":%lld,\"PT\":%lld,\"ML\":%lld,\"IDF1\":%.6f,\"IDP\":%.6f,\"IDR\":%.6f,"
      "\"IDTP\":%lld,\"IDFP\":%lld,\"IDFN\":%lld}",
      JsonEscape(name).c_str(), s.hota, s.deta, s.assa, s.detre, s.detpr, s.assre, s.asspr, s.loca,
      s.mota, s.motp, s.moda, s.recall, s.precision, static_cast<long long>(s.tp),
      static_cast<long long>(s.fp), static_cast<long long>(s.fn), static_cast<long long>(s.idsw),
      static_cast<long long>(s.frag), static_cast<long long>(s.mt), static_cast<long long>(s.pt),
      static_cast<long long>(s.ml), s.idf1, s.idp, s.idr, static_cast<long long>(s.idtp),
      static_cast<long long>(s.idfp), static_cast<long long>(s.idfn));
  return buf;
}

void PrintHeader() {
  std::printf("%-20s %7s %7s %7s %7s %7s %7s %7s %7s %7s %6s %6s %5s %5s %4s %4s\n", "sequence",
              "HOTA", "DetA", "AssA", "LocA", "MOTA", "MOTP", "IDF1", "IDP", "IDR", "FP", "FN",
              "IDSW", "Frag", "MT", "ML");
}

void PrintRow(const std::string& name, const track::MotSummary& s) {
  std::printf(
      "%-20s %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %6lld %6lld %5lld %5lld %4lld "
      "%4lld\n",
      name.c_str(), 100 * s.hota, 100 * s.deta, 100 * s.assa, 100 * s.loca, 100 * s.mota,
      100 * s.motp, 100 * s.idf1, 100 * s.idp, 100 * s.idr, static_cast<long long>(s.fp),
      static_cast<long long>(s.fn), static_cast<long long>(s.idsw), static_cast<long long>(s.frag),
      static_cast<long long>(s.mt), static_cast<long long>(s.ml));
}

int RunEvalMot(const EvalMotOptions& o) {
  if (o.gt.size() != o.res.size()) {
    return Fail("give one --res per --gt (got " + std::to_string(o.gt.size()) + " --gt and " +
                std::to_string(o.res.size()) + " --res)");
  }
  if (!(o.iou > 0 && o.iou <= 1)) return Fail("--iou must be in (0, 1]");
  track::EvalOptions base;
  base.iou_threshold = o.iou;
  base.benchmark = o.benchmark == "mot15"   ? track::MotBenchmark::kMot15
                   : o.benchmark == "mot17" ? track::MotBenchmark::kMot17
                                            : track::MotBenchmark::kAuto;
  std::vector<std::string> names;
  std::vector<track::MotCounts> counts;
  for (size_t i = 0; i < o.gt.size(); ++i) {
    auto gt = track::ReadMotFile(o.gt[i]);
    if (!gt.ok()) return Fail(gt.status().message());
    auto res = track::ReadMotFile(o.res[i]);
    if (!res.ok()) return Fail(res.status().message());
    track::EvalOptions options = base;
    track::SeqInfo info;
    bool have_info = false;
    if (const std::string ini = track::FindSeqInfo(o.gt[i]); !ini.empty()) {
      auto parsed = track::ReadSeqInfo(ini);
      if (!parsed.ok()) return Fail(parsed.status().message());
      info = *parsed;
      have_info = true;
      options.num_frames = info.seq_length;
    }
    auto data = track::PrepareSequence(*gt, *res, options);
    if (!data.ok()) return Fail(o.res[i] + " vs " + o.gt[i] + ": " + data.status().message());
    names.push_back(SequenceName(o.gt[i], have_info ? &info : nullptr));
    counts.push_back(track::EvaluateSequence(*data, options));
  }
  const track::MotSummary combined = track::Summarize(track::Combine(counts));
  if (o.json) {
    std::string out = "{\"sequences\":[";
    for (size_t i = 0; i < counts.size(); ++i) {
      if (i > 0) out += ",";
      out += Json(names[i], track::Summarize(counts[i]));
    }
    out += "],\"combined\":" + Json("COMBINED", combined) + "}\n";
    std::fputs(out.c_str(), stdout);
  } else {
    PrintHeader();
    for (size_t i = 0; i < counts.size(); ++i) PrintRow(names[i], track::Summarize(counts[i]));
    if (counts.size() > 1) PrintRow("COMBINED", combined);
  }
  return kExitOk;
}

const CommandRegistrar kEval("eval", [](CLI::App& parent) {
  auto o = std::make_shared<EvalMotOptions>();
  CLI::App* eval = parent.add_subcommand("eval", "Evaluate results against ground truth");
  eval->require_subcommand(1);
  CLI::App* mot = eval->add_subcommand(
      "mot", "HOTA, CLEAR MOT and IDF1 of MOTChallenge results (TrackEval's definitions)");
  mot->add_option("--gt", o->gt, "gt.txt (repeat for several sequences)")->required();
  mot->add_option("--res", o->res, "results file, one per --gt, in the same order")->required();
  mot->add_option("--iou", o->iou, "IoU threshold of CLEAR and identity matching")
      ->capture_default_str();
  mot->add_option("--benchmark", o->benchmark,
                  "gt rules: auto, mot15 (active flag only) or mot17 (classes, distractors)")
      ->check(CLI::IsMember({"auto", "mot15", "mot17"}))
      ->capture_default_str();
  mot->add_flag("--json", o->json, "print JSON (fractions) instead of a table (percent)");

  auto so = std::make_shared<EvalScenesOptions>();
  CLI::App* scenes = eval->add_subcommand(
      "scenes", "Real clips with ground truth, decode -> detect -> track with one config");
  scenes->add_option("manifest", so->manifest, "scene manifest (YAML), e.g. bench/scenes.yaml")
      ->required();
  scenes->add_option("--config", so->config_path, "the one config for every scene");
  scenes->add_option("--detector", so->detector,
                     "builtin | hog | onnx:PATH (overrides the config)");
  scenes->add_option("--root", so->root, "data folder (overrides the manifest's root)");
  scenes->add_option("--only", so->only, "regular expression: scenes whose name matches");
  scenes->add_option("--out", so->out_dir, "folder for each scene's tracks (MOT text)");
  scenes->add_flag("--json", so->json, "print JSON (fractions) instead of a table (percent)");
  return [o, so, mot, scenes] { return mot->parsed() ? RunEvalMot(*o) : RunEvalScenes(*so); };
});

}  // namespace
}  // namespace argus::app
