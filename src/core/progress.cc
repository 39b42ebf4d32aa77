#include "core/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/clock.h"

namespace argus::core {

namespace {
constexpr double kRedrawSeconds = 0.1;
constexpr int kBarWidth = 30;
}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), start_(SystemClock::Instance().Seconds()) {
  const char* env = std::getenv("ARGUS_PROGRESS");
  tty_ = env ? std::strcmp(env, "1") == 0 : isatty(STDERR_FILENO) != 0;
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  done_ = done;
  const double now = SystemClock::Instance().Seconds();
  if (tty_) {
    if (now - last_draw_ < kRedrawSeconds) return;
    last_draw_ = now;
    Draw(false);
  } else if (total_ > 0) {
    const int decile = static_cast<int>(10 * done_ / total_);
    if (decile != last_decile_) {
      last_decile_ = decile;
      Draw(false);
    }
  }
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

void ProgressBar::Draw(bool final) {
  const double elapsed = SystemClock::Instance().Seconds() - start_;
  const double rate = elapsed > 0 ? done_ / elapsed : 0;
  char line[256];
  if (total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done_) / total_);
    const int filled = static_cast<int>(frac * kBarWidth);
    char bar[kBarWidth + 1];
    for (int i = 0; i < kBarWidth; ++i) bar[i] = i < filled ? '#' : '-';
    bar[kBarWidth] = '\0';
    std::snprintf(line, sizeof line, "%s [%s] %3.0f%% %lld/%lld %.1f/s", label_.c_str(), bar,
                  100 * frac, static_cast<long long>(done_), static_cast<long long>(total_), rate);
  } else {
    std::snprintf(line, sizeof line, "%s %lld %.1f/s", label_.c_str(),
                  static_cast<long long>(done_), rate);
  }
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

}  // namespace argus::core
