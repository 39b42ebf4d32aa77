// Alert latency of `argus serve` as an operator's MQTT client sees it: subscribes
// to argus/alerts and, for every "opened" message, measures arrival time minus
// "frame_at" (when the frame that raised the alert reached the daemon). Prints
// "n p50_ms p99_ms max_ms" when it receives SIGTERM/SIGINT or after --seconds.
//
// Usage: alert_latency HOST PORT SECONDS
#include <mosquitto.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/json_format.h"

namespace {

std::mutex g_mu;
std::vector<double> g_latencies_ms;
volatile std::sig_atomic_t g_stop = 0;

void OnMessage(mosquitto*, void*, const mosquitto_message* m) {
  const auto now = std::chrono::system_clock::now();
  const auto j =
      nlohmann::json::parse(static_cast<const char*>(m->payload),
                            static_cast<const char*>(m->payload) + m->payloadlen, nullptr, false);
  if (j.is_discarded() || j.value("change", "") != "opened" || !j.contains("frame_at")) return;
  const auto at = argus::api::ParseTime(j["frame_at"].get<std::string>());
  if (!at) return;
  std::lock_guard lock(g_mu);
  g_latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - *at).count());
}

void OnConnect(mosquitto* m, void*, int rc) {
  if (rc == 0) mosquitto_subscribe(m, nullptr, "argus/alerts", 1);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s HOST PORT SECONDS\n", argv[0]);
    return 1;
  }
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  mosquitto_lib_init();
  mosquitto* m = mosquitto_new(nullptr, true, nullptr);
  mosquitto_connect_callback_set(m, OnConnect);
  mosquitto_message_callback_set(m, OnMessage);
  if (mosquitto_connect(m, argv[1], std::atoi(argv[2]), 30) != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]);
    return 2;
  }
  mosquitto_loop_start(m);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[3]));
  while (!g_stop && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  mosquitto_disconnect(m);
  mosquitto_loop_stop(m, false);
  mosquitto_destroy(m);
  mosquitto_lib_cleanup();
  std::lock_guard lock(g_mu);
  std::printf("%zu %.1f %.1f %.1f\n", g_latencies_ms.size(), Percentile(g_latencies_ms, 0.5),
              Percentile(g_latencies_ms, 0.99),
              g_latencies_ms.empty()
                  ? 0.0
                  : *std::max_element(g_latencies_ms.begin(), g_latencies_ms.end()));
  return 0;
}
