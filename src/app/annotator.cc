#include "app/annotator.h"

#include <opencv2/imgproc.hpp>

namespace argus::app {

namespace {

const cv::Scalar kZoneColour(255, 200, 0);
const cv::Scalar kAlertColour(0, 0, 255);
const cv::Scalar kLineColour(0, 255, 255);

// A stable, distinct colour per track id.
cv::Scalar TrackColour(int id) {
  static const cv::Scalar kPalette[] = {{230, 159, 0},   {86, 180, 233}, {0, 158, 115},
                                        {240, 228, 66},  {0, 114, 178},  {213, 94, 0},
                                        {204, 121, 167}, {255, 255, 255}};
  return kPalette[static_cast<unsigned>(id) % std::size(kPalette)];
}

cv::Point Px(core::Point p) { return {cvRound(p.x), cvRound(p.y)}; }

void Label(cv::Mat& img, const std::string& text, cv::Point at, const cv::Scalar& colour) {
  int base = 0;
  const cv::Size sz = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.45, 1, &base);
  cv::rectangle(img, {at.x, at.y - sz.height - 4}, {at.x + sz.width + 4, at.y}, colour, cv::FILLED);
  cv::putText(img, text, {at.x + 2, at.y - 3}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {0, 0, 0}, 1,
              cv::LINE_AA);
}

}  // namespace

void Annotator::Observe(const std::vector<events::Event>& events) {
  for (const events::Event& e : events) {
    if (e.phase == events::Phase::kStart && !incidents_.count(e.id)) {
      incidents_[e.id] = {e.zone, e.track_id};
      ++open_zones_[e.zone];
      ++open_tracks_[e.track_id];
    } else if (e.phase == events::Phase::kEnd) {
      auto it = incidents_.find(e.id);
      if (it == incidents_.end()) continue;
      if (--open_zones_[it->second.first] == 0) open_zones_.erase(it->second.first);
      if (--open_tracks_[it->second.second] == 0) open_tracks_.erase(it->second.second);
      incidents_.erase(it);
    }
  }
}

void Annotator::Draw(cv::Mat& img, const std::vector<track::Track>& tracks, double t) const {
  const double w = img.cols, h = img.rows;
  for (const config::Zone& z : camera_.zones) {
    std::vector<cv::Point> pts;
    for (const core::Point& p : core::ToPixels(z.polygon, w, h)) pts.push_back(Px(p));
    const bool alert = open_zones_.count(z.name) > 0;
    cv::polylines(img, pts, true, alert ? kAlertColour : kZoneColour, alert ? 3 : 2, cv::LINE_AA);
    Label(img, z.name, pts.front(), alert ? kAlertColour : kZoneColour);
  }
  for (const config::Line& l : camera_.lines) {
    const cv::Point a = Px(core::ToPixels(l.a, w, h)), b = Px(core::ToPixels(l.b, w, h));
    cv::line(img, a, b, kLineColour, 2, cv::LINE_AA);
    Label(img, l.name + " A", a, kLineColour);
    Label(img, "B", b, kLineColour);
  }
  for (const track::Track& tr : tracks) {
    const bool alert = open_tracks_.count(tr.id) > 0;
    const cv::Scalar colour = alert ? kAlertColour : TrackColour(tr.id);
    // The trail of foot points shows where the person came from.
    for (size_t i = 1; i < tr.history.size(); ++i) {
      cv::line(img, Px(tr.history[i - 1].foot), Px(tr.history[i].foot), colour, 1, cv::LINE_AA);
    }
    cv::rectangle(img, cv::Rect2d(tr.box.x, tr.box.y, tr.box.w, tr.box.h), colour, alert ? 3 : 2);
    Label(img, std::to_string(tr.id) + " " + tr.label, Px({tr.box.x, tr.box.y}), colour);
  }
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "t=%.2fs  tracks=%zu  incidents=%zu", t, tracks.size(),
                incidents_.size());
  Label(img, stamp, {8, 24}, {255, 255, 255});
}

}  // namespace argus::app
