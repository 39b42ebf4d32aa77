// A real RTSP camera for tests: GStreamer's rtsp-server streaming a moving H.264 test
// pattern at rtsp://127.0.0.1:<port>/test. Prints "PORT <n>" on stdout once it listens.
// Tests start it as a child process and kill it to simulate a camera going away.
//
// Usage: argus_rtsp_test_server [PORT] [WIDTHxHEIGHT]   (PORT 0 or absent: any free port)
// Exit code 77: a GStreamer plugin is missing (tests skip).
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr int kFps = 25;
constexpr int kKeyFrameInterval = 10;  // a reconnecting client gets a picture within 0.4 s

gboolean Quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string port = argc > 1 ? argv[1] : "0";
  int width = 320, height = 240;
  if (argc > 2 && std::sscanf(argv[2], "%dx%d", &width, &height) != 2) {
    std::fprintf(stderr, "bad size %s\n", argv[2]);
    return 1;
  }

  // Exit code 77 ("skip") when a plugin the stream needs is missing.
  for (const char* element : {"videotestsrc", "x264enc", "rtph264pay"}) {
    GstElementFactory* f = gst_element_factory_find(element);
    if (!f) {
      std::fprintf(stderr, "GStreamer element %s is missing\n", element);
      return 77;
    }
    gst_object_unref(f);
  }

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, port.c_str());

  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  std::string launch =
      "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=" + std::to_string(width) +
      ",height=" + std::to_string(height) + ",framerate=" + std::to_string(kFps) +
      "/1 ! x264enc tune=zerolatency speed-preset=ultrafast bframes=0 key-int-max=" +
      std::to_string(kKeyFrameInterval) + " ! rtph264pay name=pay0 pt=96 config-interval=-1 )";
  gst_rtsp_media_factory_set_launch(factory, launch.c_str());
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, "/test", factory);  // takes the factory
  g_object_unref(mounts);

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

  g_object_unref(server);
  g_main_loop_unref(loop);
  return 0;
}
