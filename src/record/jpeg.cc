#include "record/jpeg.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "record/video_writer.h"

namespace argus::record {

core::Status WriteJpeg(const std::string& path, const cv::Mat& bgr, int quality) {
  if (bgr.empty() || bgr.depth() != CV_8U || (bgr.channels() != 3 && bgr.channels() != 1)) {
    return core::InvalidArgument("jpeg " + path + ": need a non-empty 8-bit BGR or grey image");
  }
  if (quality < 1 || quality > 100) {
    return core::InvalidArgument("jpeg " + path + ": quality must be 1..100, not " +
                                 std::to_string(quality));
  }
  std::vector<uchar> buf;
  bool ok = false;
  try {  // OpenCV reports encoder failures by exception; it must not cross our boundary
    ok = cv::imencode(".jpg", bgr, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
  } catch (const cv::Exception& e) {
    return core::Internal("jpeg " + path + ": " + e.what());
  }
  if (!ok) return core::Internal("jpeg " + path + ": encoding failed");

  const std::string part = path + kPartialSuffix;
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::IoError("cannot create " + part + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::write(fd, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  int err = done == buf.size() ? 0 : (errno ? errno : EIO);
  // fsync before rename: after a power cut the name points at complete data or nothing.
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && ::rename(part.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(part.c_str());
    return core::IoError("cannot write " + path + ": " + std::strerror(err));
  }
  return core::Status::Ok();
}

}  // namespace argus::record
