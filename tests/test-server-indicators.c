/* test-server-indicators.c: after a sync the server's indicators equal the device's, to the byte. */
#include "sync-harness.h"

#include <string.h>

static void
test_same_indicators (void)
{
  const char *cli = sync_test_cli ();
  const char *server = sync_test_server_program ();
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *device_db = g_build_filename (dir, "device.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *demo = NULL, *code = NULL, *enrolled = NULL, *synced = NULL;
  g_autofree char *device_json = NULL, *server_json = NULL;
  SyncTestServer s = { 0 };

  demo = sync_test_run_ok (cli, "--db", device_db, "demo", "--households", "20", "--seed", "11", NULL);
  sync_test_sign_in_demo (device_db);
  code = sync_test_enroll_code (server_db, "all");
  sync_test_server_start (&s, server_db, log, NULL);

  enrolled = sync_test_run_ok (cli, "--db", device_db, "enroll", "--server", s.url, "--code", code, NULL);
  synced = sync_test_run_ok (cli, "--db", device_db, "sync", NULL);
  g_assert_nonnull (strstr (synced, "0 still queued"));
  sync_test_server_clear (&s);

  device_json = sync_test_run_ok (cli, "--db", device_db, "indicators", "--json", NULL);
  server_json = sync_test_run_ok (server, "indicators", "--db", server_db, "--json", NULL);
  g_assert_true (g_str_has_prefix (device_json, "{\"today\":\"2026-06-30\""));
  g_assert_nonnull (strstr (device_json, "\"children_identified\""));
  g_assert_cmpstr (server_json, ==, device_json);

  sync_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/indicators-equal-the-device", test_same_indicators);
  return g_test_run ();
}
