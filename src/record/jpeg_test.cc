#include "record/jpeg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "record/video_writer.h"

namespace argus::record {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("argus_jpeg_" + std::to_string(getpid()) + "_" + name))
      .string();
}

cv::Mat Smooth(int w, int h) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 255 / w, y * 255 / h, 128);
    }
  }
  return img;
}

TEST(WriteJpeg, WritesADecodableImageAtomically) {
  const std::string path = TempPath("snap.jpg");
  cv::Mat img = Smooth(160, 120);
  ASSERT_TRUE(WriteJpeg(path, img, 90).ok());
  EXPECT_FALSE(fs::exists(path + kPartialSuffix));
  cv::Mat back = cv::imread(path, cv::IMREAD_COLOR);
  ASSERT_EQ(back.size(), img.size());
  EXPECT_GT(cv::PSNR(back, img), 35);
  // Quality changes the size: a lower quality is a smaller file.
  const std::string low = TempPath("low.jpg");
  cv::Mat noisy(120, 160, CV_8UC3);
  cv::randu(noisy, 0, 255);
  ASSERT_TRUE(WriteJpeg(path, noisy, 95).ok());
  ASSERT_TRUE(WriteJpeg(low, noisy, 20).ok());
  EXPECT_LT(fs::file_size(low), fs::file_size(path));
  fs::remove(path);
  fs::remove(low);
}

TEST(WriteJpeg, OverwritesAnExistingSnapshot) {
  const std::string path = TempPath("over.jpg");
  ASSERT_TRUE(WriteJpeg(path, cv::Mat(10, 10, CV_8UC3, cv::Scalar(0, 0, 0))).ok());
  ASSERT_TRUE(WriteJpeg(path, cv::Mat(10, 10, CV_8UC3, cv::Scalar(255, 255, 255))).ok());
  cv::Mat back = cv::imread(path);
  EXPECT_GT(cv::mean(back)[0], 240);
  fs::remove(path);
}

TEST(WriteJpeg, ErrorsAreClearAndLeaveNoFile) {
  cv::Mat img = Smooth(16, 16);
  auto no_dir = WriteJpeg("/nonexistent_argus_dir/x.jpg", img);
  EXPECT_EQ(no_dir.code(), core::StatusCode::kIoError);
  EXPECT_NE(no_dir.message().find("/nonexistent_argus_dir/x.jpg"), std::string::npos);
  const std::string path = TempPath("bad.jpg");
  EXPECT_EQ(WriteJpeg(path, cv::Mat()).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteJpeg(path, img, 0).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteJpeg(path, img, 101).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteJpeg(path, cv::Mat(4, 4, CV_32FC3)).code(), core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + kPartialSuffix));
}

}  // namespace
}  // namespace argus::record
