// A progress bar on stderr for long batch work. Redraws at most every 100 ms
// and only when stderr is a terminal or ARGUS_PROGRESS=1; otherwise prints a
// line every 10 %, so CI logs stay short.
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <string>

namespace argus::core {

class ProgressBar {
 public:
  // total <= 0 means unknown (a live stream): shows a count and a rate only.
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  void Update(int64_t done);
  void Finish();

 private:
  void Draw(bool final);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  double start_;
  double last_draw_ = -1;
  int last_decile_ = -1;
  bool tty_;
  bool finished_ = false;
};

}  // namespace argus::core
