// A real RTSP camera for tests: GStreamer's rtsp-server streaming H.264 at
// rtsp://127.0.0.1:<port>/test, either a moving test pattern or a video file played
// at its own rate and looped forever. Prints "PORT <n>" on stdout once it listens.
// Tests start it as a child process and kill it to simulate a camera going away.
//
// Usage: argus_rtsp_test_server [PORT] [WIDTHxHEIGHT] [--file PATH]
//   PORT 0 or absent: any free port. WIDTHxHEIGHT: size of the test pattern.
//   --file PATH: stream this video (any format decodebin reads) instead, in a loop.
// Exit code 77: a GStreamer plugin is missing (tests skip).
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <algorithm>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <vector>

namespace {

constexpr int kFps = 25;
constexpr int kKeyFrameInterval = 10;  // a reconnecting client gets a picture within 0.4 s

// One slice per picture (zerolatency would cut each into one slice per thread): with
// config-interval=-1 the parameter sets went in front of every slice of a key frame, and a
// decoder then split each key frame into several half-concealed pictures that all later
// frames referenced — the stream decoded as grey smears with ghosts of the moving people.
std::string Encode() {
  return "x264enc tune=zerolatency speed-preset=ultrafast sliced-threads=false threads=1 "
         "bframes=0 key-int-max=" +
         std::to_string(kKeyFrameInterval) + " ! rtph264pay name=pay0 pt=96 config-interval=-1";
}

// What happened to clients and media, on stderr (a test keeps it when it fails).
void Log(const char* fmt, ...) {
  const gint64 us = g_get_real_time();
  const time_t secs = static_cast<time_t>(us / 1000000);
  struct tm tm {};
  localtime_r(&secs, &tm);
  std::fprintf(stderr, "%02d:%02d:%02d.%03d ", tm.tm_hour, tm.tm_min, tm.tm_sec,
               static_cast<int>(us / 1000 % 1000));
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
}

gboolean Quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

bool HasElements(const std::vector<const char*>& elements) {
  for (const char* element : elements) {
    GstElementFactory* f = gst_element_factory_find(element);
    if (!f) {
      std::fprintf(stderr, "GStreamer element %s is missing\n", element);
      return false;
    }
    gst_object_unref(f);
  }
  return true;
}

// --file: a private "player" pipeline decodes the file in real time (appsink
// sync=true) and loops it with a flushing seek on EOS; its frames are pushed into
// the appsrc of each running RTSP media, which timestamps them on arrival. So the
// stream's clock never runs back at a loop, which a seek inside the media pipeline would do.
struct FileFeed {
  GstElement* player = nullptr;
  std::mutex mu;
  std::vector<GstElement*> appsrcs;  // of the running media (references); guarded by mu
  GstCaps* caps = nullptr;           // of the decoded frames; guarded by mu
};

GstFlowReturn OnSample(GstElement* sink, gpointer data) {
  auto* feed = static_cast<FileFeed*>(data);
  GstSample* sample = nullptr;
  g_signal_emit_by_name(sink, "pull-sample", &sample);
  if (!sample) return GST_FLOW_OK;
  std::vector<GstElement*> srcs;
  {
    std::lock_guard<std::mutex> lock(feed->mu);
    if (!feed->caps) feed->caps = gst_caps_copy(gst_sample_get_caps(sample));
    for (GstElement* s : feed->appsrcs) srcs.push_back(GST_ELEMENT(gst_object_ref(s)));
  }
  for (GstElement* src : srcs) {
    // A shallow copy: the media stamps its own times (do-timestamp).
    GstBuffer* buf = gst_buffer_copy(gst_sample_get_buffer(sample));
    GST_BUFFER_PTS(buf) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
    GstCaps* caps = nullptr;
    g_object_get(src, "caps", &caps, nullptr);
    if (!caps) {
      std::lock_guard<std::mutex> lock(feed->mu);
      g_object_set(src, "caps", feed->caps, nullptr);
    } else {
      gst_caps_unref(caps);
    }
    GstFlowReturn ret = GST_FLOW_OK;
    g_signal_emit_by_name(src, "push-buffer", buf, &ret);
    if (ret != GST_FLOW_OK) Log("push into source %p: %s", src, gst_flow_get_name(ret));
    gst_buffer_unref(buf);
    gst_object_unref(src);
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

gboolean OnPlayerMessage(GstBus*, GstMessage* msg, gpointer data) {
  auto* feed = static_cast<FileFeed*>(data);
  switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_EOS:
      gst_element_seek_simple(
          feed->player, GST_FORMAT_TIME,
          static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0);
      break;
    case GST_MESSAGE_ERROR: {
      GError* err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      std::fprintf(stderr, "file: %s\n", err ? err->message : "error");
      if (err) g_error_free(err);
      std::exit(1);
    }
    default:
      break;
  }
  return TRUE;
}

GstElement* AppSrcOf(GstRTSPMedia* media) {
  GstElement* bin = gst_rtsp_media_get_element(media);
  GstElement* src = gst_bin_get_by_name_recurse_up(GST_BIN(bin), "src");
  gst_object_unref(bin);
  return src;
}

// Only this media's source is forgotten: when a client leaves as another arrives, the old
// media may be unprepared after the new one was configured.
void OnMediaUnprepared(GstRTSPMedia* media, gpointer data) {
  auto* feed = static_cast<FileFeed*>(data);
  GstElement* src = AppSrcOf(media);
  if (!src) return;
  std::lock_guard<std::mutex> lock(feed->mu);
  g_signal_handlers_disconnect_by_data(src, feed);  // no need-data after this
  auto it = std::find(feed->appsrcs.begin(), feed->appsrcs.end(), src);
  if (it != feed->appsrcs.end()) {
    gst_object_unref(*it);
    feed->appsrcs.erase(it);
  }
  Log("media %p unprepared: source %p, %zu fed", media, src, feed->appsrcs.size());
  gst_object_unref(src);
}

void OnClientClosed(GstRTSPClient* client, gpointer) { Log("client %p closed", client); }

void OnClientConnected(GstRTSPServer*, GstRTSPClient* client, gpointer) {
  Log("client %p connected", client);
  g_signal_connect(client, "closed", G_CALLBACK(OnClientClosed), nullptr);
}

// The first time a media's source asks for data its pipeline runs: from then on it is fed.
// A source pushed into before its pad was active paused its task for good, and the
// client got no picture at all (1 connection in ~10 of the rolling-restart test).
void OnNeedData(GstElement* src, guint, gpointer data) {
  auto* feed = static_cast<FileFeed*>(data);
  std::lock_guard<std::mutex> lock(feed->mu);
  if (std::find(feed->appsrcs.begin(), feed->appsrcs.end(), src) != feed->appsrcs.end()) return;
  feed->appsrcs.push_back(GST_ELEMENT(gst_object_ref(src)));
  Log("source %p runs: %zu fed", src, feed->appsrcs.size());
}

void OnMediaConfigure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  auto* feed = static_cast<FileFeed*>(data);
  GstElement* src = AppSrcOf(media);
  if (!src) return;
  {
    std::lock_guard<std::mutex> lock(feed->mu);
    if (feed->caps) g_object_set(src, "caps", feed->caps, nullptr);
  }
  g_signal_connect(src, "need-data", G_CALLBACK(OnNeedData), feed);
  g_signal_connect(media, "unprepared", G_CALLBACK(OnMediaUnprepared), feed);
  Log("media %p configured: source %p", media, src);
  gst_object_unref(src);
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::vector<std::string> positional;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--file" && i + 1 < argc) {
      file = argv[++i];
    } else {
      positional.push_back(arg);
    }
  }
  std::string port = !positional.empty() ? positional[0] : "0";
  int width = 320, height = 240;
  if (positional.size() > 1 && std::sscanf(positional[1].c_str(), "%dx%d", &width, &height) != 2) {
    std::fprintf(stderr, "bad size %s\n", positional[1].c_str());
    return 1;
  }

  // Exit code 77 ("skip") when a plugin the stream needs is missing.
  if (!HasElements({"x264enc", "rtph264pay"})) return 77;
  if (file.empty() ? !HasElements({"videotestsrc"})
                   : !HasElements({"filesrc", "decodebin", "videoconvert", "appsrc", "appsink"})) {
    return 77;
  }

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, port.c_str());

  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  std::string launch;
  // Never freed: media threads may still call back while the process exits.
  auto* feed = new FileFeed;
  if (file.empty()) {
    launch =
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=" + std::to_string(width) +
        ",height=" + std::to_string(height) + ",framerate=" + std::to_string(kFps) + "/1 ! " +
        Encode() + " )";
  } else {
    gchar* location = g_strescape(file.c_str(), nullptr);
    GError* err = nullptr;
    feed->player = gst_parse_launch((std::string("filesrc location=\"") + location +
                                     "\" ! decodebin ! videoconvert ! video/x-raw,format=I420 ! "
                                     "appsink name=sink sync=true emit-signals=true max-buffers=2")
                                        .c_str(),
                                    &err);
    g_free(location);
    if (!feed->player || err) {
      std::fprintf(stderr, "file pipeline: %s\n", err ? err->message : "?");
      return 1;
    }
    GstElement* sink = gst_bin_get_by_name(GST_BIN(feed->player), "sink");
    g_signal_connect(sink, "new-sample", G_CALLBACK(OnSample), feed);
    gst_object_unref(sink);
    GstBus* bus = gst_element_get_bus(feed->player);
    gst_bus_add_watch(bus, OnPlayerMessage, feed);
    gst_object_unref(bus);
    if (gst_element_set_state(feed->player, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      std::fprintf(stderr, "cannot play %s\n", file.c_str());
      return 1;
    }
    launch = std::string(
                 "( appsrc name=src is-live=true do-timestamp=true format=time ! "
                 "videoconvert ! ") +
             Encode() + " )";
    g_signal_connect(factory, "media-configure", G_CALLBACK(OnMediaConfigure), feed);
  }
  gst_rtsp_media_factory_set_launch(factory, launch.c_str());
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, "/test", factory);  // takes the factory
  g_object_unref(mounts);

  g_signal_connect(server, "client-connected", G_CALLBACK(OnClientConnected), nullptr);
  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%s\n", port.c_str());
    return 1;
  }
  int bound = gst_rtsp_server_get_bound_port(server);
  std::printf("PORT %d\n", bound);
  std::fflush(stdout);

  g_unix_signal_add(SIGTERM, Quit, loop);
  g_unix_signal_add(SIGINT, Quit, loop);
  g_main_loop_run(loop);

  if (feed->player) {
    gst_element_set_state(feed->player, GST_STATE_NULL);
    gst_object_unref(feed->player);
  }
  g_object_unref(server);
  g_main_loop_unref(loop);
  return 0;
}
