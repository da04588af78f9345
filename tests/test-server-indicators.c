/* test-server-indicators.c: after a sync the server's indicators equal the device's, to the byte. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

static char **
test_environ (void)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "CLMRS_TODAY", "2026-06-30", TRUE);
  return g_environ_unsetenv (env, "CLMRS_DB");
}

/* Runs a program to completion; returns its stdout, asserts exit 0. */
static char *
run (const char *program, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = test_environ ();
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;
  va_list args;

  g_ptr_array_add (argv, (gpointer) program);
  va_start (args, program);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s", program, (char *) argv->pdata[1], err);
  return out;
}

static void
test_same_indicators (void)
{
  const char *cli = g_getenv ("CLMRS_CLI");
  const char *server = g_getenv ("CLMRS_SERVER");
  g_autofree char *dir = g_dir_make_tmp ("clmrs-srvind-XXXXXX", NULL);
  g_autofree char *device_db = g_build_filename (dir, "device.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *demo = NULL, *code_out = NULL, *enrolled = NULL, *synced = NULL;
  g_autofree char *device_json = NULL, *server_json = NULL, *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = test_environ ();
  g_auto(GStrv) lines = NULL;
  const char *prefix = "clmrs-server: listening on ";
  const char *code;

  demo = run (cli, "--db", device_db, "demo", "--households", "20", "--seed", "11", NULL);
  code_out = run (server, "enroll-code", "--db", server_db, "--communities", "all", NULL);
  lines = g_strsplit (g_strstrip (code_out), "\n", -1);
  code = lines[g_strv_length (lines) - 1];

  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  process = g_subprocess_launcher_spawn (launcher, &error, server, "serve", "--db", server_db,
                                         "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, prefix));

  enrolled = run (cli, "--db", device_db, "enroll", "--server", line + strlen (prefix), "--code", code, NULL);
  synced = run (cli, "--db", device_db, "sync", NULL);
  g_assert_nonnull (strstr (synced, "0 still queued"));
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);

  device_json = run (cli, "--db", device_db, "indicators", "--json", NULL);
  server_json = run (server, "indicators", "--db", server_db, "--json", NULL);
  g_assert_true (g_str_has_prefix (device_json, "{\"today\":\"2026-06-30\""));
  g_assert_nonnull (strstr (device_json, "\"children_identified\""));
  g_assert_cmpstr (server_json, ==, device_json);

  for (const char *const *f = (const char *[]) { "device.db", "device.db-wal", "device.db-shm", "server.db",
                                                   "server.db-wal", "server.db-shm", "server.log", NULL }; *f; f++)
    {
      g_autofree char *p = g_build_filename (dir, *f, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/indicators-equal-the-device", test_same_indicators);
  return g_test_run ();
}
