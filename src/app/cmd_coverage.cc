// `argus coverage SITE.yaml [--out F.html|F.svg|F.json] [--format html|svg|json]`:
// the camera coverage analysis of a site model (src/site/).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "app/command.h"
#include "core/progress.h"
#include "site/coverage.h"
#include "site/report.h"
#include "site/site_config.h"

namespace argus::app {
namespace {

// Work units (about one per camera) from which a progress bar is shown.
constexpr int64_t kProgressMinWork = 100;

struct CoverageArgs {
  std::string site;
  std::string out;
  std::string format;
  std::optional<double> cell_size;
  std::optional<double> min_density;
  std::optional<int> k;
  int top = site::kMaxFindingsShown;
};

// Writes next to the target, then renames: a reader never sees half a report.
bool WriteAtomically(const std::string& path, const std::string& data, std::string* error) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *error = "cannot create " + tmp;
      return false;
    }
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) {
      *error = "cannot write " + tmp;
      std::filesystem::remove(tmp);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    *error = "cannot rename " + tmp + " to " + path + ": " + ec.message();
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

int RunCoverage(const CoverageArgs& args) {
  std::string format = args.format;
  if (format.empty()) {
    const std::string ext = std::filesystem::path(args.out).extension().string();
    format = ext == ".svg"                     ? "svg"
             : ext == ".json"                  ? "json"
             : ext == ".html" || ext == ".htm" ? "html"
                                               : "";
    if (!args.out.empty() && format.empty()) {
      std::cerr << "argus coverage: --out: cannot tell the format from '" << args.out
                << "'; use .html, .svg or .json, or --format\n";
      return kExitBadInput;
    }
  }

  auto site = site::LoadSiteFile(args.site);
  if (!site.ok()) {
    std::cerr << site.status().message() << "\n";
    return kExitBadInput;
  }
  site::AnalysisSettings settings = site->analysis;
  if (args.cell_size) settings.cell_size_m = *args.cell_size;
  if (args.min_density) settings.min_density_px_per_m = *args.min_density;
  if (args.k) settings.redundancy_k = *args.k;

  std::unique_ptr<core::ProgressBar> bar;
  auto report = site::AnalyzeCoverage(*site, settings, [&](int64_t done, int64_t total) {
    if (total < kProgressMinWork) return;  // small sites finish before a bar helps
    if (!bar) bar = std::make_unique<core::ProgressBar>("coverage", total);
    bar->Update(done);
  });
  if (bar) bar->Finish();
  if (!report.ok()) {
    std::cerr << report.status().message() << "\n";
    return report.status().code() == core::StatusCode::kInvalidArgument ? kExitBadInput
                                                                        : kExitRuntime;
  }

  std::string body;
  if (format == "html") {
    body = site::RenderHtml(*report);
  } else if (format == "svg") {
    body = site::RenderSvg(*report);
  } else if (format == "json") {
    body = site::ReportToJson(*report).dump(2) + "\n";
  }
  if (args.out.empty() || args.out == "-") {
    // No file: machines get the chosen format, people the summary.
    std::cout << (body.empty() ? site::RenderText(*report, args.top) : body);
    return kExitOk;
  }
  std::string error;
  if (!WriteAtomically(args.out, body, &error)) {
    std::cerr << "argus coverage: " << error << "\n";
    return kExitRuntime;
  }
  std::cout << site::RenderText(*report, args.top) << "report: " << args.out << "\n";
  return kExitOk;
}

const CommandRegistrar kCoverage("coverage", [](CLI::App& parent) {
  auto args = std::make_shared<CoverageArgs>();
  CLI::App* cmd = parent.add_subcommand(
      "coverage", "Camera coverage of a site model: blind spots, uncovered openings and assets");
  cmd->add_option("site", args->site, "Site model (YAML)")->required();
  cmd->add_option("--out,-o", args->out, "Report file: .html, .svg or .json (- for stdout)");
  cmd->add_option("--format", args->format, "html, svg or json (default: from --out)")
      ->check(CLI::IsMember({"html", "svg", "json"}));
  cmd->add_option("--cell-size", args->cell_size, "Grid cell in metres (overrides the site file)")
      ->check(CLI::Range(0.01, 10.0));
  cmd->add_option("--min-density", args->min_density,
                  "Minimum pixel density in px/m (25 detect, 62 observe, 125 recognise)")
      ->check(CLI::Range(0.0, 10000.0));
  cmd->add_option("--k", args->k, "Cameras each asset should be seen by")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--top", args->top, "Findings printed on the terminal")
      ->check(CLI::Range(0, 100000));
  return [args] { return RunCoverage(*args); };
});

}  // namespace
}  // namespace argus::app
