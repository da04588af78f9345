/* test-server-indicators.c: the server's indicators equal the device's, to the byte, and its derived store stays right through quarantine, restarts, crashes, backups and restores. */
#include "sync-harness.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
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

/* Indicators are long: a failure names the two, not their text. */
#define ASSERT_SAME(a, b) g_assert_true (g_strcmp0 ((a), (b)) == 0)
#define ASSERT_DIFFERENT(a, b) g_assert_true (g_strcmp0 ((a), (b)) != 0)

static char *
server_indicators (const char *server_db,
                   const char *option)
{
  return sync_test_run_ok (sync_test_server_program (), "indicators", "--db", server_db, "--json", option, NULL);
}

/* The first column of the first row of @sql on the server database. */
static char *
server_query (const char *server_db,
              const char *sql)
{
  return sync_test_server_query (server_db, sql);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) a = g_file_new_for_path (from);
  g_autoptr(GFile) b = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The incremental figures (the derived store, fed at each push) equal a
 * rebuild from the records and the old replay, byte for byte: after
 * pushes, a quarantine, a release, a deletion, a restart and more pushes. */
static void
test_incremental_equals_rebuild (void)
{
  const char *cli = sync_test_cli ();
  const char *server = sync_test_server_program ();
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *device_a = g_build_filename (dir, "a.db", NULL);
  g_autofree char *device_b = g_build_filename (dir, "b.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *derived = g_strconcat (server_db, ".derived", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *code_a = sync_test_enroll_code (server_db, "all");
  g_autofree char *code_b = sync_test_enroll_code (server_db, "all");
  g_autofree char *before = NULL, *quarantined = NULL, *replayed = NULL, *rebuilt = NULL;
  g_autofree char *released = NULL, *after_b = NULL, *visit = NULL, *incremental = NULL;
  g_autofree char *out = NULL, *rebuilt_out = NULL;
  SyncTestServer s = { 0 };

  g_free (sync_test_run_ok (cli, "--db", device_a, "demo", "--households", "12", "--seed", "21", NULL));
  sync_test_sign_in_demo (device_a);
  g_free (sync_test_run_ok (cli, "--db", device_b, "demo", "--households", "12", "--seed", "22", NULL));
  sync_test_sign_in_demo (device_b);
  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_a, "enroll", "--server", s.url, "--code", code_a, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_a, "sync", NULL));

  /* the derived store was fed by the running server */
  g_assert_true (g_file_test (derived, G_FILE_TEST_IS_REGULAR));
  before = server_indicators (server_db, NULL);
  g_assert_cmpint (sync_test_server_stat (server_db, "newest_seq"), >, 100);
  g_assert_cmpint (sync_test_server_stat (server_db, "derived_applied_seq"), ==,
                   sync_test_server_stat (server_db, "newest_seq"));
  replayed = server_indicators (server_db, "--replay");
  ASSERT_SAME (before, replayed);
  g_clear_pointer (&replayed, g_free);

  /* a quarantined household visit leaves the figures, at once */
  visit = server_query (server_db, "SELECT id FROM records WHERE type = 'visit' AND CAST (line AS TEXT) LIKE '%\"kind\":\"household\"%' "
                                   "AND CAST (line AS TEXT) LIKE '%\"status\":\"%child_labour%' ORDER BY seq LIMIT 1");
  g_assert_nonnull (visit);
  out = sync_test_run_ok (server, "quarantine", "--db", server_db, "--reason", "test", visit, NULL);
  quarantined = server_indicators (server_db, NULL);
  ASSERT_DIFFERENT (quarantined, before);
  replayed = server_indicators (server_db, "--replay");
  ASSERT_SAME (quarantined, replayed);
  g_clear_pointer (&replayed, g_free);
  rebuilt_out = sync_test_run_ok (server, "rebuild", "--db", server_db, NULL);
  g_assert_cmpstr (rebuilt_out, ==, "rebuilt\n");
  rebuilt = server_indicators (server_db, NULL);
  ASSERT_SAME (quarantined, rebuilt);
  g_clear_pointer (&rebuilt, g_free);

  /* released: the figures come back */
  g_free (sync_test_run_ok (server, "release", "--db", server_db, "--reason", "test", visit, NULL));
  released = server_indicators (server_db, NULL);
  ASSERT_SAME (released, before);

  /* a restart, then another device's records */
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);
  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_b, "enroll", "--server", s.url, "--code", code_b, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_b, "sync", NULL));
  after_b = server_indicators (server_db, NULL);
  ASSERT_DIFFERENT (after_b, before);
  replayed = server_indicators (server_db, "--replay");
  ASSERT_SAME (after_b, replayed);
  g_clear_pointer (&replayed, g_free);

  /* a deleted visit leaves the figures too */
  g_free (sync_test_run_ok (server, "delete-record", "--db", server_db, "--reason", "test", visit, NULL));
  incremental = server_indicators (server_db, NULL);
  replayed = server_indicators (server_db, "--replay");
  ASSERT_SAME (incremental, replayed);
  ASSERT_DIFFERENT (replayed, after_b);
  g_clear_pointer (&replayed, g_free);

  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);
  rebuilt = sync_test_run_ok (server, "rebuild", "--db", server_db, NULL);
  g_clear_pointer (&rebuilt, g_free);
  rebuilt = server_indicators (server_db, NULL);
  replayed = server_indicators (server_db, "--replay");
  ASSERT_SAME (rebuilt, replayed);

  sync_test_remove_tree (dir);
}

/* A crash between the push's commit and the derived store's is repaired
 * at the next update, once; a server database restored from an older
 * backup than its derived store makes the store be rebuilt. */
static void
test_derived_store_repaired (void)
{
  if (sync_test_server_on_postgres ())
    {
      g_test_skip ("restoring by copying the database file is SQLite's; PostgreSQL restores with pg_restore (docs/operations.md)");
      return;
    }

  const char *cli = sync_test_cli ();
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *device_a = g_build_filename (dir, "a.db", NULL);
  g_autofree char *device_b = g_build_filename (dir, "b.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *derived = g_strconcat (server_db, ".derived", NULL);
  g_autofree char *old_derived = g_build_filename (dir, "old.derived", NULL);
  g_autofree char *old_server = g_build_filename (dir, "old-server.db", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *code_a = sync_test_enroll_code (server_db, "all");
  g_autofree char *code_b = sync_test_enroll_code (server_db, "all");
  g_autofree char *first = NULL, *both = NULL, *restored = NULL, *replayed = NULL, *incremental = NULL;
  SyncTestServer s = { 0 };

  g_free (sync_test_run_ok (cli, "--db", device_a, "demo", "--households", "8", "--seed", "31", NULL));
  sync_test_sign_in_demo (device_a);
  g_free (sync_test_run_ok (cli, "--db", device_b, "demo", "--households", "8", "--seed", "32", NULL));
  sync_test_sign_in_demo (device_b);
  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_a, "enroll", "--server", s.url, "--code", code_a, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_a, "sync", NULL));
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);
  first = server_indicators (server_db, NULL);   /* brings the derived store up to device a */

  /* copies taken while nothing runs (the WAL is checkpointed at close) */
  copy_file (derived, old_derived);
  copy_file (server_db, old_server);

  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_b, "enroll", "--server", s.url, "--code", code_b, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_b, "sync", NULL));
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);
  both = server_indicators (server_db, NULL);
  ASSERT_DIFFERENT (both, first);

  /* "crash": the derived store as it was before device b's push */
  copy_file (old_derived, derived);
  incremental = server_indicators (server_db, NULL);
  ASSERT_SAME (incremental, both);
  replayed = server_indicators (server_db, "--replay");
  ASSERT_SAME (replayed, both);
  g_clear_pointer (&replayed, g_free);

  /* restore: the server database from before device b's push, the
   * derived store ahead of it */
  copy_file (old_server, server_db);
  restored = server_indicators (server_db, NULL);
  ASSERT_SAME (restored, first);

  sync_test_remove_tree (dir);
}

/* A backup taken while the server runs, restored after more pushes: the
 * restored server tells a device whose cursor is past its newest record
 * (409 cursor_ahead), the device pulls again from 0, and the indicators
 * are the backup's (the derived store, ahead of the records, is rebuilt). */
static void
test_backup_restore (void)
{
  if (sync_test_server_on_postgres ())
    {
      g_test_skip ("`clmrs-server backup` is SQLite's online backup; PostgreSQL is backed up with pg_dump (docs/operations.md)");
      return;
    }

  const char *cli = sync_test_cli ();
  const char *server = sync_test_server_program ();
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *device_a = g_build_filename (dir, "a.db", NULL);
  g_autofree char *device_b = g_build_filename (dir, "b.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *log2 = g_build_filename (dir, "server2.log", NULL);
  g_autofree char *code_a = sync_test_enroll_code (server_db, "all");
  g_autofree char *code_b = sync_test_enroll_code (server_db, "all");
  g_autofree char *backed = NULL, *at_backup = NULL, *restored = NULL, *server_log = NULL, *again = NULL;
  g_autofree char *wal = g_strconcat (server_db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (server_db, "-shm", NULL);
  const char *cursor_sql = "SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'pull_cursor'";
  SyncTestServer s = { 0 };
  gint64 newest_at_backup, cursor_before;

  g_free (sync_test_run_ok (cli, "--db", device_a, "demo", "--households", "6", "--seed", "51", NULL));
  sync_test_sign_in_demo (device_a);
  g_free (sync_test_run_ok (cli, "--db", device_b, "demo", "--households", "6", "--seed", "52", NULL));
  sync_test_sign_in_demo (device_b);
  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_a, "enroll", "--server", s.url, "--code", code_a, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_b, "enroll", "--server", s.url, "--code", code_b, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_a, "sync", NULL));

  /* the backup, while the server runs */
  backed = sync_test_run_ok (server, "backup", "--db", server_db, "--to", backup, NULL);
  g_assert_true (g_str_has_prefix (backed, "backed up "));
  g_assert_cmpint (sync_test_run (NULL, server, "backup", "--db", server_db, "--to", backup, NULL), ==, 2);
  at_backup = server_indicators (server_db, NULL);
  newest_at_backup = sync_test_server_stat (backup, "newest_seq");
  g_assert_cmpint (newest_at_backup, ==, sync_test_server_stat (server_db, "newest_seq"));

  /* more records after it; a pulls them: its cursor passes the backup's newest */
  g_free (sync_test_run_ok (cli, "--db", device_b, "sync", NULL));
  g_free (sync_test_run_ok (cli, "--db", device_a, "sync", NULL));
  cursor_before = sync_test_device_count (device_a, cursor_sql);
  g_assert_cmpint (cursor_before, >, newest_at_backup);
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);

  /* restore */
  copy_file (backup, server_db);
  g_unlink (wal);
  g_unlink (shm);
  sync_test_server_start (&s, server_db, log2, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_a, "sync", "--server", s.url, NULL));
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);
  g_assert_true (g_file_get_contents (log2, &server_log, NULL, NULL));
  g_assert_nonnull (strstr (server_log, "GET /api/v1/pull 409"));
  g_assert_cmpint (sync_test_device_count (device_a, cursor_sql), ==, newest_at_backup);

  restored = server_indicators (server_db, NULL);
  ASSERT_SAME (restored, at_backup);
  again = server_indicators (server_db, "--replay");
  ASSERT_SAME (again, at_backup);

  sync_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/indicators-equal-the-device", test_same_indicators);
  g_test_add_func ("/server/incremental-equals-rebuild", test_incremental_equals_rebuild);
  g_test_add_func ("/server/derived-store-repaired", test_derived_store_repaired);
  g_test_add_func ("/server/backup-restore", test_backup_restore);
  return g_test_run ();
}
