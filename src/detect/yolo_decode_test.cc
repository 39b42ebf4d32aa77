#include "detect/yolo_decode.h"

#include <gtest/gtest.h>

#include <cmath>

namespace argus::detect {
namespace {

constexpr int kNc = 80;

void ExpectBox(const core::Box& b, double x, double y, double w, double h) {
  EXPECT_NEAR(b.x, x, 1e-3);
  EXPECT_NEAR(b.y, y, 1e-3);
  EXPECT_NEAR(b.w, w, 1e-3);
  EXPECT_NEAR(b.h, h, 1e-3);
}

TEST(DetectYoloFormat, FromShape) {
  EXPECT_EQ(*DetectYoloFormat({1, 3549, 85}, 416, 416), YoloFormat::kYolox);
  EXPECT_EQ(*DetectYoloFormat({1, 3 * 3549, 85}, 416, 416), YoloFormat::kYolov5);
  EXPECT_EQ(*DetectYoloFormat({1, 25200, 85}, 640, 640), YoloFormat::kYolov5);
  EXPECT_EQ(*DetectYoloFormat({1, 84, 8400}, 640, 640), YoloFormat::kYolov8);
  EXPECT_EQ(GridCells(416, 416), 52 * 52 + 26 * 26 + 13 * 13);
  EXPECT_FALSE(DetectYoloFormat({1, 100, 85}, 416, 416).ok());
  EXPECT_FALSE(DetectYoloFormat({1, 2, 3, 4}, 416, 416).ok());
  EXPECT_FALSE(ParseYoloFormat("yolov9").ok());
  EXPECT_EQ(*ParseYoloFormat("yolov8"), YoloFormat::kYolov8);
}

// Rows of a [N, 85] tensor: cx, cy, w, h, objectness, 80 class scores.
std::vector<float> Row(float cx, float cy, float w, float h, float obj, int cls, float cs) {
  std::vector<float> r(5 + kNc, 0.0f);
  r[0] = cx;
  r[1] = cy;
  r[2] = w;
  r[3] = h;
  r[4] = obj;
  r[5 + cls] = cs;
  return r;
}

TEST(DecodeYolo, Yolov5DecodedRowsWithObjectnessAndNms) {
  std::vector<std::vector<float>> rows = {
      Row(100, 50, 20, 40, 0.9f, 0, 0.8f),   // person, score 0.72
      Row(300, 200, 50, 30, 0.1f, 2, 0.9f),  // objectness too low
      Row(300, 200, 60, 30, 0.9f, 2, 0.9f),  // car, score 0.81
      Row(102, 52, 20, 40, 0.9f, 0, 0.5f),   // duplicate of the person, score 0.45
      Row(101, 51, 20, 40, 0.9f, 2, 0.5f),   // same place but another class: kept
  };
  std::vector<float> data;
  for (const auto& r : rows) data.insert(data.end(), r.begin(), r.end());
  DecodeOptions o;
  o.input_w = o.input_h = 416;
  o.score_threshold = 0.3f;
  auto c = DecodeYolo(data.data(), {1, 5, 85}, YoloFormat::kYolov5, o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 4u);
  std::vector<Candidate> kept = NmsPerClass(*c, 0.45f);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].class_id, 2);
  EXPECT_NEAR(kept[0].score, 0.81f, 1e-5);
  ExpectBox(kept[0].box, 270, 185, 60, 30);
  EXPECT_EQ(kept[1].class_id, 0);
  EXPECT_NEAR(kept[1].score, 0.72f, 1e-5);
  ExpectBox(kept[1].box, 90, 30, 20, 40);
  EXPECT_EQ(kept[2].class_id, 2);
  EXPECT_NEAR(kept[2].score, 0.45f, 1e-5);

  // Class filter: persons only.
  o.class_ids = {0};
  auto persons = DecodeYolo(data.data(), {1, 5, 85}, YoloFormat::kYolov5, o);
  ASSERT_TRUE(persons.ok());
  ASSERT_EQ(persons->size(), 2u);
  for (const auto& p : *persons) EXPECT_EQ(p.class_id, 0);
}

TEST(DecodeYolo, Yolov8TransposedWithoutObjectness) {
  constexpr int kN = 3;
  std::vector<float> data((4 + kNc) * kN, 0.0f);
  auto set = [&](int i, float cx, float cy, float w, float h, int cls, float s) {
    data[0 * kN + i] = cx;
    data[1 * kN + i] = cy;
    data[2 * kN + i] = w;
    data[3 * kN + i] = h;
    data[(4 + cls) * kN + i] = s;
  };
  set(0, 320, 240, 40, 100, 0, 0.9f);
  set(1, 10, 10, 4, 4, 7, 0.2f);  // below threshold
  set(2, 500, 400, 120, 60, 7, 0.6f);
  DecodeOptions o;
  o.input_w = o.input_h = 640;
  o.score_threshold = 0.25f;
  auto c = DecodeYolo(data.data(), {1, 4 + kNc, kN}, YoloFormat::kYolov8, o);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].class_id, 0);
  EXPECT_NEAR((*c)[0].score, 0.9f, 1e-6);
  ExpectBox((*c)[0].box, 300, 190, 40, 100);
  EXPECT_EQ((*c)[1].class_id, 7);
  ExpectBox((*c)[1].box, 440, 370, 120, 60);
}

TEST(DecodeYolo, YoloxGridDecode) {
  const int cells = GridCells(416, 416);
  std::vector<float> data(static_cast<size_t>(cells) * 85, 0.0f);
  auto put = [&](int index, const std::vector<float>& row) {
    std::copy(row.begin(), row.end(), data.begin() + static_cast<size_t>(index) * 85);
  };
  // Stride 8, cell (gx=10, gy=5): cx = (0.5 + 10) * 8 = 84, cy = (0.25 + 5) * 8 = 42,
  // w = exp(ln 4) * 8 = 32, h = exp(ln 8) * 8 = 64.
  put(5 * 52 + 10, Row(0.5f, 0.25f, std::log(4.0f), std::log(8.0f), 0.8f, 0, 0.9f));
  // Stride 16, cell (gx=3, gy=20): cx = 3 * 16 = 48, cy = 20 * 16 = 320, w = h = 16.
  put(52 * 52 + 20 * 26 + 3, Row(0, 0, 0, 0, 0.9f, 2, 0.9f));
  // Stride 32, last cell (12, 12): cx = (1 + 12) * 32 = 416, w = exp(ln 2) * 32 = 64.
  put(cells - 1, Row(1, 1, std::log(2.0f), std::log(2.0f), 0.7f, 7, 1.0f));
  // Low objectness: dropped.
  put(100, Row(0, 0, 0, 0, 0.2f, 0, 1.0f));
  DecodeOptions o;
  o.input_w = o.input_h = 416;
  o.score_threshold = 0.3f;
  auto c = DecodeYolo(data.data(), {1, cells, 85}, YoloFormat::kYolox, o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].class_id, 0);
  EXPECT_NEAR((*c)[0].score, 0.72f, 1e-5);
  ExpectBox((*c)[0].box, 84 - 16, 42 - 32, 32, 64);
  EXPECT_EQ((*c)[1].class_id, 2);
  ExpectBox((*c)[1].box, 48 - 8, 320 - 8, 16, 16);
  EXPECT_EQ((*c)[2].class_id, 7);
  ExpectBox((*c)[2].box, 416 - 32, 416 - 32, 64, 64);
  // Wrong row count for the input size.
  EXPECT_FALSE(
      DecodeYolo(data.data(), {1, cells, 85}, YoloFormat::kYolox, DecodeOptions{640, 640, 0.3f, {}})
          .ok());
}

TEST(Letterbox, RoundTripAndPadding) {
  // YOLOX: 768x576 into 416, pad right/bottom.
  const Letterbox a = ComputeLetterbox(768, 576, 416, 416, false);
  EXPECT_NEAR(a.scale, 416.0 / 768, 1e-12);
  EXPECT_EQ(a.resized_w, 416);
  EXPECT_EQ(a.resized_h, 312);
  EXPECT_EQ(a.pad_x, 0);
  EXPECT_EQ(a.pad_y, 0);
  // Centred (YOLOv5/v8): 52 rows of padding above.
  const Letterbox b = ComputeLetterbox(768, 576, 416, 416, true);
  EXPECT_EQ(b.pad_y, 52);
  const core::Box src{300, 200, 40, 100};
  for (const Letterbox& lb : {a, b}) {
    const core::Box in = lb.ToInput(src);
    const core::Box back = lb.ToSource(in);
    ExpectBox(back, src.x, src.y, src.w, src.h);
  }
  ExpectBox(b.ToInput(src), 300 * 416.0 / 768, 200 * 416.0 / 768 + 52, 40 * 416.0 / 768,
            100 * 416.0 / 768);
  // A portrait frame pads horizontally.
  const Letterbox c = ComputeLetterbox(300, 600, 416, 416, true);
  EXPECT_EQ(c.resized_w, 208);
  EXPECT_EQ(c.pad_x, 104);
}

}  // namespace
}  // namespace argus::detect
