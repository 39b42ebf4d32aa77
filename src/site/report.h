// Renders a CoverageReport: a self-contained HTML report (inline SVG + CSS, no
// external resources), a standalone SVG map of every floor, JSON for machines,
// and a short text summary for the terminal.
// Thread safety: free functions, no shared state.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "site/coverage.h"

namespace argus::site {

// Findings shown on the SVG map and in the text summary.
inline constexpr int kMaxFindingsShown = 15;

std::string RenderSvg(const CoverageReport& report);
std::string RenderHtml(const CoverageReport& report);
nlohmann::json ReportToJson(const CoverageReport& report);
// The map the dashboard draws: per floor its outline, walls, pillars, openings,
// assets, sensors and cameras with their visibility polygons (metres, y north).
nlohmann::json SiteMapJson(const CoverageReport& report);
std::string RenderText(const CoverageReport& report, int max_findings = kMaxFindingsShown);

}  // namespace argus::site
