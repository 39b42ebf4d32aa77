#include "track/mot_io.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace argus::track {
namespace {

constexpr int kMinColumns = 6;
constexpr int kMaxColumns = 10;

core::Status LineError(const std::string& source, int line, const std::string& msg) {
  return core::InvalidArgument(source + ":" + std::to_string(line) + ": " + msg);
}

core::Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFound(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return core::IoError(path + ": read failed");
  return ss.str();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

core::Result<std::vector<MotRow>> ParseMot(std::string_view text, const std::string& source) {
  std::vector<MotRow> rows;
  int line_no = 0;
  size_t pos = 0;
  std::string field;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (line.empty()) continue;
    double v[kMaxColumns];
    int n = 0;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ',' && line[j] != ' ' && line[j] != '\t') ++j;
      field.assign(line.substr(i, j - i));
      if (field.empty()) return LineError(source, line_no, "empty field " + std::to_string(n + 1));
      if (n == kMaxColumns) {
        return LineError(source, line_no, "more than " + std::to_string(kMaxColumns) + " fields");
      }
      char* end = nullptr;
      errno = 0;
      const double x = std::strtod(field.c_str(), &end);
      if (end != field.c_str() + field.size() || errno == ERANGE || !std::isfinite(x)) {
        return LineError(source, line_no,
                         "field " + std::to_string(n + 1) + " is not a number: '" + field + "'");
      }
      v[n++] = x;
      i = j;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] == ',') {
        ++i;
        if (Trim(line.substr(i)).empty()) {
          return LineError(source, line_no, "empty field " + std::to_string(n + 1));
        }
      }
    }
    if (n < kMinColumns) {
      return LineError(source, line_no,
                       "expected at least 6 fields (frame,id,x,y,w,h), got " + std::to_string(n));
    }
    if (v[0] != std::floor(v[0]) || v[0] < 1 || v[0] > 1e9) {
      return LineError(source, line_no, "frame must be a positive integer");
    }
    if (v[1] != std::floor(v[1]) || std::fabs(v[1]) > 2e9) {
      return LineError(source, line_no, "id must be an integer");
    }
    if (v[4] < 0 || v[5] < 0) return LineError(source, line_no, "negative box width or height");
    MotRow r;
    r.frame = static_cast<int>(v[0]);
    r.id = static_cast<int>(v[1]);
    r.box = {v[2], v[3], v[4], v[5]};
    r.conf = n > 6 ? v[6] : 1.0;
    for (int k = 7; k < n; ++k) r.extra[k - 7] = v[k];
    r.columns = n;
    rows.push_back(r);
  }
  return rows;
}

core::Result<std::vector<MotRow>> ReadMotFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseMot(*text, path);
}

std::string FormatMotResults(const std::vector<MotRow>& rows) {
  std::string out;
  out.reserve(rows.size() * 56);
  char buf[160];
  for (const MotRow& r : rows) {
    auto print = [&r](char* to, size_t size) {
      return std::snprintf(to, size, "%d,%d,%.2f,%.2f,%.2f,%.2f,%.4f,-1,-1,-1\n", r.frame, r.id,
                           r.box.x, r.box.y, r.box.w, r.box.h, r.conf);
    };
    const int n = print(buf, sizeof buf);
    if (n < 0) continue;
    if (static_cast<size_t>(n) < sizeof buf) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    // A coordinate like 1e300 prints 300 digits (found by fuzz/mot_fuzz.cc).
    std::string line(static_cast<size_t>(n) + 1, '\0');
    print(line.data(), line.size());
    line.resize(static_cast<size_t>(n));
    out += line;
  }
  return out;
}

core::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path tmp =
      target.parent_path() / (target.filename().string() + ".tmp." + std::to_string(::getpid()));
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr)
      return core::IoError(tmp.string() + ": cannot create: " + std::strerror(errno));
    const bool wrote = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const bool closed = std::fclose(f) == 0;
    if (!wrote || !flushed || !closed) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return core::IoError(tmp.string() + ": write failed");
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return core::IoError(path + ": cannot rename into place: " + ec.message());
  }
  return core::Status::Ok();
}

core::Result<SeqInfo> ReadSeqInfo(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseSeqInfo(*text, path);
}

core::Result<SeqInfo> ParseSeqInfo(std::string_view text, const std::string& path) {
  SeqInfo info;
  std::istringstream in{std::string(text)};
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '[' || line[0] == ';' || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return LineError(path, line_no, "expected key=value");
    const std::string key(Trim(line.substr(0, eq)));
    const std::string value(Trim(line.substr(eq + 1)));
    auto number = [&](double& out) -> core::Status {
      char* end = nullptr;
      out = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(out)) {
        return LineError(path, line_no, key + ": not a number: '" + value + "'");
      }
      return core::Status::Ok();
    };
    // Counts and sizes: whole numbers an int holds (1e300 was undefined behaviour, found
    // by fuzz/mot_fuzz.cc).
    auto count = [&](int& out) -> core::Status {
      double x = 0;
      ARGUS_RETURN_IF_ERROR(number(x));
      if (x < 0 || x != std::floor(x) || x > std::numeric_limits<int>::max()) {
        return LineError(path, line_no, key + " must be a non-negative integer");
      }
      out = static_cast<int>(x);
      return core::Status::Ok();
    };
    double x = 0;
    if (key == "name") {
      info.name = value;
    } else if (key == "frameRate") {
      ARGUS_RETURN_IF_ERROR(number(x));
      if (!(x > 0)) return LineError(path, line_no, "frameRate must be > 0");
      info.frame_rate = x;
    } else if (key == "seqLength") {
      ARGUS_RETURN_IF_ERROR(count(info.seq_length));
    } else if (key == "imWidth") {
      ARGUS_RETURN_IF_ERROR(count(info.width));
    } else if (key == "imHeight") {
      ARGUS_RETURN_IF_ERROR(count(info.height));
    }
  }
  return info;
}

std::string FindSeqInfo(const std::string& file_in_sequence) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(file_in_sequence).parent_path();
  std::error_code ec;
  for (const fs::path& candidate : {dir / "seqinfo.ini", dir.parent_path() / "seqinfo.ini"}) {
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

}  // namespace argus::track
