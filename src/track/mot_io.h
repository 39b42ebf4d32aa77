// MOTChallenge text files: det.txt, gt.txt, tracker results and seqinfo.ini.
// Pure functions: callable from any thread.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"

namespace argus::track {

// One line: frame,id,x,y,w,h,conf[,a,b,c]. For det.txt id is -1 and a,b,c are
// world coordinates (-1); for MOT15 gt conf is the "active" flag (0 = ignore);
// for MOT16+ gt a is the class and b the visibility.
struct MotRow {
  int frame = 0;  // 1-based
  int id = -1;
  core::Box box;
  double conf = 1;
  std::array<double, 3> extra{-1, -1, -1};
  int columns = 0;  // how many fields the line had
};

// Parses MOT text; fields are separated by commas and/or blanks; blank lines are
// skipped. Errors name `source:line`. Requires at least 6 fields (frame..h),
// a positive integer frame, an integer id, finite numbers and w, h >= 0.
core::Result<std::vector<MotRow>> ParseMot(std::string_view text, const std::string& source);
core::Result<std::vector<MotRow>> ReadMotFile(const std::string& path);

// frame,id,x,y,w,h,score,-1,-1,-1 lines (the DESIGN.md tracks file).
std::string FormatMotResults(const std::vector<MotRow>& rows);
// Writes to a temporary file beside `path`, then renames it over `path`, so a
// reader never sees a half-written file and a failure leaves `path` untouched.
core::Status WriteFileAtomically(const std::string& path, std::string_view content);

struct SeqInfo {
  std::string name;
  double frame_rate = 0;
  int seq_length = 0;
  int width = 0;
  int height = 0;
};
core::Result<SeqInfo> ReadSeqInfo(const std::string& path);
// The same from text; `path` names it in messages.
core::Result<SeqInfo> ParseSeqInfo(std::string_view text, const std::string& path);
// The seqinfo.ini of a MOTChallenge sequence given one of its files
// (SEQ/det/det.txt, SEQ/gt/gt.txt) or "" when there is none.
std::string FindSeqInfo(const std::string& file_in_sequence);

}  // namespace argus::track
