#include "detect/crop_plan.h"

#include <algorithm>
#include <cmath>

namespace argus::detect {
namespace {

int RoundUpToStride(double v) {
  const int n = static_cast<int>(std::ceil(v / kNetStride - 1e-9));
  return std::max(1, n) * kNetStride;
}

CropWindow Window(const core::Box& source, double scale) {
  return {source, scale, RoundUpToStride(source.w * scale), RoundUpToStride(source.h * scale)};
}

core::Box Union(const core::Box& a, const core::Box& b) {
  const double x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  return {x0, y0, std::max(a.Right(), b.Right()) - x0, std::max(a.Bottom(), b.Bottom()) - y0};
}

core::Box ClampToFrame(const core::Box& b, int w, int h) {
  const double x0 = std::clamp(b.x, 0.0, double(w)), y0 = std::clamp(b.y, 0.0, double(h));
  const double x1 = std::clamp(b.Right(), 0.0, double(w));
  const double y1 = std::clamp(b.Bottom(), 0.0, double(h));
  return {x0, y0, x1 - x0, y1 - y0};
}

// Merges the first pair that overlaps or is cheaper as one window; false when none.
bool MergeOnePair(std::vector<CropWindow>& windows) {
  for (size_t i = 0; i < windows.size(); ++i) {
    for (size_t j = i + 1; j < windows.size(); ++j) {
      const CropWindow& a = windows[i];
      const CropWindow& b = windows[j];
      // The larger window's people set the scale: a fragment of a close
      // person must not blow the whole window up to native resolution.
      const double scale = a.source.Area() >= b.source.Area() ? a.scale : b.scale;
      const CropWindow m = Window(Union(a.source, b.source), scale);
      if (core::IntersectionArea(a.source, b.source) > 0 || m.Cost() <= a.Cost() + b.Cost()) {
        windows[i] = m;
        windows.erase(windows.begin() + static_cast<std::ptrdiff_t>(j));
        return true;
      }
    }
  }
  return false;
}

// Motion mostly inside an expected person is that person.
constexpr double kExplainedFraction = 0.6;

}  // namespace

std::vector<core::Box> CropRegions(const std::vector<core::Box>& motion,
                                   const std::vector<core::Box>& expected_people) {
  std::vector<core::Box> out = expected_people;
  for (const core::Box& r : motion) {
    const double area = r.Area();
    const bool explained =
        std::any_of(expected_people.begin(), expected_people.end(), [&](const core::Box& p) {
          return area > 0 && core::IntersectionArea(r, p) >= kExplainedFraction * area;
        });
    if (!explained) out.push_back(r);
  }
  return out;
}

double CropWindow::Cost() const { return double(net_w) * net_h + kPassOverheadPx; }

CropWindow WholeFrameWindow(int frame_w, int frame_h, int input_size) {
  const double scale = double(input_size) / std::max({frame_w, frame_h, 1});
  return Window({0, 0, double(frame_w), double(frame_h)}, scale);
}

std::vector<CropWindow> PlanCrops(const std::vector<core::Box>& regions, int frame_w, int frame_h,
                                  const CropPlanParams& p) {
  const CropWindow whole = WholeFrameWindow(frame_w, frame_h, p.input_size);
  std::vector<CropWindow> windows;
  for (const core::Box& r : regions) {
    if (!(r.w > 0 && r.h > 0)) continue;
    const double m = std::max(p.min_margin_px, p.margin * r.h);
    const core::Box box =
        ClampToFrame({r.x - m, r.y - m, r.w + 2 * m, r.h + 2 * m}, frame_w, frame_h);
    if (box.Area() <= 0) continue;
    const double scale = std::clamp(p.person_px / r.h, whole.scale, std::max(whole.scale, 1.0));
    windows.push_back(Window(box, scale));
  }
  while (MergeOnePair(windows)) {
  }
  double cost = 0;
  for (const CropWindow& w : windows) cost += w.Cost();
  if (windows.empty() || cost >= whole.Cost()) return {whole};
  return windows;
}

}  // namespace argus::detect
