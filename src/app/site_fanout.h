// Live news across the nodes of a site (docs/multi_node.md): the events and alert changes
// of one node reach the live feed (/api/live) of every node. Each change is told to the
// others by a small PostgreSQL NOTIFY (what kind, which row, which node); a node hearing
// one reads the row from the store and publishes it on its own LiveHub, as its own
// changes are. A node never hears its own notifications (store::PgNotifyChannel), and an
// acknowledgement or resolution it relayed is not shown (or told) a second time when its
// alert service later notices it in the store.
//
// A dead store costs only this: the channel logs it once and reconnects with back-off;
// what happened meanwhile is in the store, and a dashboard reloads it.
//
// Thread safety: Event/Alert from any thread (Delivery's callers); Receive on the
// channel's thread (or a test's); Start/Stop from the daemon's owning thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "api/live_hub.h"
#include "events/event.h"
#include "store/pg_notify.h"
#include "store/store.h"

namespace argus::app {

inline constexpr const char* kSiteLiveChannel = "argus_live";
// Events read per notification: more than a camera writes between two of them.
inline constexpr int kFanoutEventPage = 100;
// Acknowledgements and resolutions remembered as relayed (the oldest are forgotten).
inline constexpr size_t kFanoutRelayedMemory = 4096;

class SiteFanout {
 public:
  // `conninfo` empty: nothing is sent or heard (tests call Receive themselves).
  SiteFanout(store::Store& db, api::LiveHub& live, std::string node_id, std::string conninfo);
  ~SiteFanout();

  void Start();
  void Stop();

  // This node published event `e` (stored already): the others show it.
  void Event(const events::Event& e);
  // This node published alert `id`'s `change`. False when it is an acknowledgement or
  // resolution relayed from another node already: neither shown again nor told.
  bool Alert(const std::string& change, int64_t id);

  // One notification of another node: the row it names is published on the live hub.
  void Receive(const std::string& payload);

 private:
  void Send(const nlohmann::json& j);
  void ReceiveEvent(const nlohmann::json& j);
  void ReceiveAlert(const nlohmann::json& j);

  store::Store& db_;
  api::LiveHub& live_;
  const std::string id_;
  std::unique_ptr<store::PgNotifyChannel> channel_;
  std::mutex mu_;
  std::map<std::string, int64_t> last_seq_;  // camera -> newest event shown; guarded by mu_
  std::set<std::pair<int64_t, std::string>> relayed_;          // guarded by mu_
  std::deque<std::pair<int64_t, std::string>> relayed_order_;  // guarded by mu_
};

}  // namespace argus::app
