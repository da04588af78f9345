/* test-sync-e2e.c: devices with demo data sync with a real clmrs-server on loopback: everything arrives once, and only where its community goes. */
#include "client.h"
#include "demo.h"
#include "store.h"
#include "syncstore.h"
#include "util.h"
#include "store-test-helpers.h"
#include "sync-harness.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char           *dir;
  char           *server_db;
  SyncTestServer  server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *log = NULL;

  f->dir = sync_test_make_dir ();
  f->server_db = g_build_filename (f->dir, "server.db", NULL);
  log = g_build_filename (f->dir, "server.log", NULL);
  sync_test_server_start (&f->server, f->server_db, log, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sync_test_server_clear (&f->server);
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
}

/* A new device database at DIR/NAME.db with a demo (none if @households is 0). */
static char *
make_device (Fixture    *f,
             const char *name,
             guint       households,
             guint32     seed,
             guint       communities)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  char *path = g_build_filename (f->dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);
  ClmrsDemoOptions options = { .households = households, .seed = seed, .until = "2026-06-30",
                               .communities = communities };
  ClmrsDemoReport report;

  g_assert_no_error (error);
  if (households > 0)
    {
      g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
      g_assert_no_error (error);
    }
  return path;
}

static void
enrol (Fixture    *f,
        const char *db,
        const char *communities)
{
  g_autofree char *code = sync_test_enrol_code (f->server_db, communities);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  ClmrsSyncConfig config = { .server_url = f->server.url };
  g_autofree char *supervisor = NULL;
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  stmt = clmrs_store_prepare (store, "SELECT id FROM facilitators WHERE role = 'supervisor'", &error);
  g_assert_no_error (error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    supervisor = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_true (clmrs_sync_enrol (store, &config, code, "test tablet", &error));
  g_assert_no_error (error);
  /* the device declared its people, as facilitators: the administrator
   * promotes the demo's supervisor, or her reviews are refused */
  if (supervisor != NULL)
    sync_test_promote (f->server_db, supervisor);
}

/* One sync of the device at @db; asserts success and an empty queue. */
static void
sync_ok (Fixture         *f,
         const char      *db,
         ClmrsSyncReport *report)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  ClmrsSyncConfig config = { .server_url = f->server.url, .backoff_ms = 20 };

  g_assert_no_error (error);
  g_assert_true (clmrs_sync_run (store, &config, NULL, NULL, NULL, report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report->queued_left, ==, 0);
  g_assert_cmpint (test_outbox_queued (store), ==, 0);
}

/* The rows of @sql, each as its columns joined with '|', sorted. */
static GPtrArray *
rows (const char *db,
      const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  stmt = clmrs_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GString *row = g_string_new (NULL);

      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (row, "%s%s", i ? "|" : "",
                                sqlite3_column_text (stmt, i) ? (const char *) sqlite3_column_text (stmt, i) : "NULL");
      g_ptr_array_add (out, g_string_free (row, FALSE));
    }
  sqlite3_finalize (stmt);
  g_ptr_array_sort (out, sync_test_compare_strings);
  return out;
}

/* 1. A 200-household device syncs whole: the server holds exactly what
 * the device exported, and a second sync has nothing to send. */
static void
test_end_to_end (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->dir, "device.db", NULL);
  g_autofree char *demo = sync_test_run_ok (sync_test_cli (), "--db", device, "demo", "--households", "200",
                                            "--seed", "7", "--until", "2026-06-30", NULL);
  g_autoptr(GPtrArray) before = (sync_test_sign_in_demo (device), sync_test_device_export (device));
  g_autoptr(GPtrArray) server_lines = NULL;
  g_autoptr(GPtrArray) device_lines = NULL;
  gint64 queued = sync_test_device_count (device, "SELECT count (*) FROM outbox WHERE state = 'queued'");
  ClmrsSyncReport report;

  g_assert_cmpint (queued, >, 3000);
  g_assert_cmpint (queued, ==, before->len);
  enrol (f, device, "all");
  sync_ok (f, device, &report);
  g_test_message ("first sync: %" G_GUINT64_FORMAT " records, %u requests, %" G_GUINT64_FORMAT " bytes up, %.2f s",
                  report.records_sent, report.requests, report.bytes_up, report.seconds);
  g_assert_cmpuint (report.records_sent, ==, queued);
  g_assert_cmpuint (report.stored, ==, queued);
  g_assert_cmpuint (report.duplicates + report.conflicts + report.rejected, ==, 0);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpint (sync_test_device_count (device, "SELECT count (*) FROM outbox WHERE state <> 'sent'"), ==, 0);

  server_lines = sync_test_server_export (f->server_db);
  device_lines = sync_test_device_export (device);
  sync_test_assert_same_lines (device_lines, before);
  sync_test_assert_same_lines (server_lines, device_lines);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==, queued);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "conflicts"), ==, 0);
  /* the promoted supervisor is a supervisor on the device again */
  g_assert_cmpint (sync_test_device_count (device, "SELECT count (*) FROM facilitators WHERE role = 'supervisor'"),
                   ==, 1);
  g_assert_cmpint (sync_test_device_count (device, "SELECT count (*) FROM reviews"), >, 0);

  /* the second sync sends nothing: one pull, empty, and the people */
  sync_ok (f, device, &report);
  g_assert_cmpuint (report.records_sent, ==, 0);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.requests, ==, 2);
  g_assert_cmpuint (report.retries, ==, 0);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==, queued);
}

/* The ids of @table's rows whose household is in @community. */
static GPtrArray *
ids_in (const char *db,
        const char *table,
        const char *community)
{
  g_autofree char *sql = NULL;

  if (g_str_equal (table, "households"))
    sql = g_strdup_printf ("SELECT id FROM households WHERE community_id = '%s'", community);
  else if (g_str_equal (table, "children"))
    sql = g_strdup_printf ("SELECT c.id FROM children c JOIN households h ON h.id = c.household_id"
                           " WHERE h.community_id = '%s'", community);
  else if (g_str_equal (table, "cases"))
    sql = g_strdup_printf ("SELECT k.child_id, k.status, k.open, k.identified_on, k.next_due FROM cases k"
                           " JOIN children c ON c.id = k.child_id JOIN households h ON h.id = c.household_id"
                           " WHERE h.community_id = '%s'", community);
  else if (g_str_equal (table, "visits"))
    sql = g_strdup_printf ("SELECT id, rev FROM visits WHERE state = 'final' AND community_id = '%s'", community);
  else
    g_assert_not_reached ();
  return rows (db, sql);
}

static char *
only_community (const char *db)
{
  g_autoptr(GPtrArray) ids = rows (db, "SELECT id FROM communities");

  g_assert_cmpuint (ids->len, ==, 1);
  return g_strdup (g_ptr_array_index (ids, 0));
}

/* 2. Devices A and B enrolled for community X, C for Y: A and B receive
 * each other's households, children and cases; C receives nothing of X,
 * A and B nothing of Y. */
static void
test_communities (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *a = make_device (f, "a", 20, 11, 1);
  g_autofree char *b = make_device (f, "b", 0, 0, 0);
  g_autofree char *c = make_device (f, "c", 20, 13, 1);
  g_autofree char *x = only_community (a);
  g_autofree char *y = only_community (c);
  g_autofree char *facilitator = NULL;
  g_autoptr(GPtrArray) b_own = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;
  const char *tables[] = { "households", "children", "cases", "visits" };

  g_assert_cmpstr (x, !=, y);
  enrol (f, a, x);
  enrol (f, b, x);
  enrol (f, c, y);
  sync_ok (f, a, &report);
  g_assert_cmpuint (report.rejected, ==, 0);
  g_assert_cmpuint (report.pulled, ==, 0);
  sync_ok (f, c, &report);
  g_assert_cmpuint (report.rejected, ==, 0);
  g_assert_cmpuint (report.pulled, ==, 0);

  /* B, new, receives X (its profile, households, children, visits ...) */
  sync_ok (f, b, &report);
  g_assert_cmpuint (report.pulled, >, 100);
  g_assert_cmpint (sync_test_device_count (b, "SELECT count (*) FROM communities"), ==, 1);

  /* a facilitator the administrator adds for X reaches B at its next
   * sync, with no PIN yet, and visits five more households in X */
  facilitator = sync_test_add_person (f->server_db, NULL, "facilitator", x);
  sync_ok (f, b, &report);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM facilitators WHERE id = '%s' AND active"
                                            " AND role = 'facilitator' AND pin_hash IS NULL", facilitator);

    g_assert_cmpint (sync_test_device_count (b, sql), ==, 1);
    /* and nowhere else */
    g_assert_cmpint (sync_test_device_count (c, sql), ==, 0);
    sync_ok (f, c, &report);
    g_assert_cmpint (sync_test_device_count (c, sql), ==, 0);
  }
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (b, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < 5; i++)
      {
        guint n_children = 0;
        g_autofree char *visit = clmrs_demo_household_visit (store, x, facilitator, 100 + i, &n_children, &error);

        g_assert_no_error (error);
        g_assert_nonnull (visit);
        g_ptr_array_add (b_own, g_steal_pointer (&visit));
      }
    g_assert_cmpint (test_outbox_queued (store), >=, 10);
  }
  sync_ok (f, b, &report);
  g_assert_cmpuint (report.stored, >=, 10);
  g_assert_cmpuint (report.rejected, ==, 0);

  sync_ok (f, a, &report);
  g_assert_cmpuint (report.pulled, >=, 10);
  sync_ok (f, c, &report);
  g_assert_cmpuint (report.pulled, ==, 0);

  /* A and B hold the same X: households, children, final visits, cases */
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr(GPtrArray) in_a = ids_in (a, tables[i], x);
      g_autoptr(GPtrArray) in_b = ids_in (b, tables[i], x);

      g_test_message ("%s in X: A %u, B %u", tables[i], in_a->len, in_b->len);
      g_assert_cmpuint (in_a->len, >, 0);
      sync_test_assert_same_lines (in_a, in_b);
    }
  /* B's visits are on A */
  for (guint i = 0; i < b_own->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM visits WHERE id = '%s' AND state = 'final'",
                                              (char *) g_ptr_array_index (b_own, i));
      g_assert_cmpint (sync_test_device_count (a, sql), ==, 1);
    }
  g_assert_cmpint (sync_test_device_count (a, "SELECT count (*) FROM cases WHERE open = 1"), >, 0);

  /* A cursor the server never gave (it was restored from an older copy):
   * the server says so, A pulls everything again, and nothing changes. */
  {
    g_autoptr(GError) local = NULL;
    g_autoptr(GPtrArray) before = ids_in (a, "visits", x);
    g_autoptr(GPtrArray) after = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (a, &local);
    g_autofree char *cursor = NULL;

    g_assert_no_error (local);
    g_assert_true (clmrs_store_set_meta (store, "pull_cursor", "99999999", &local));
    g_clear_pointer (&store, clmrs_store_close);
    sync_ok (f, a, &report);
    g_assert_cmpuint (report.pulled, >=, b_own->len);
    after = ids_in (a, "visits", x);
    sync_test_assert_same_lines (before, after);
    store = clmrs_store_open (a, &local);
    g_assert_no_error (local);
    g_assert_true (clmrs_store_get_meta (store, "pull_cursor", &cursor, &local));
    g_assert_no_error (local);
    g_assert_cmpint (g_ascii_strtoll (cursor, NULL, 10), <, 99999999);
    g_assert_cmpint (g_ascii_strtoll (cursor, NULL, 10), >, 0);
  }

  /* nothing crossed between X and Y, in any table */
  {
    const char *holders[] = { a, b, c };
    const char *foreign[] = { y, y, x };

    for (guint d = 0; d < 3; d++)
      {
        g_autofree char *sql = g_strdup_printf (
            "SELECT (SELECT count (*) FROM communities WHERE id = '%1$s')"
            " + (SELECT count (*) FROM households WHERE community_id = '%1$s')"
            " + (SELECT count (*) FROM visits WHERE community_id = '%1$s')"
            " + (SELECT count (*) FROM supports WHERE community_id = '%1$s')"
            " + (SELECT count (*) FROM awareness_sessions WHERE community_id = '%1$s')"
            " + (SELECT count (*) FROM children WHERE household_id NOT IN (SELECT id FROM households))"
            " + (SELECT count (*) FROM cases WHERE child_id NOT IN (SELECT id FROM children))"
            " + (SELECT count (*) FROM reviews WHERE visit_id NOT IN (SELECT id FROM visits))",
            foreign[d]);

        g_assert_cmpint (sync_test_device_count (holders[d], sql), ==, 0);
      }
    g_assert_cmpint (sync_test_device_count (c, "SELECT count (*) FROM communities"), ==, 1);
    g_assert_cmpint (sync_test_device_count (a, "SELECT count (*) FROM communities"), ==, 1);
  }
  /* C's households, children and cases are its own only */
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autoptr(GPtrArray) in_c = ids_in (c, tables[i], y);
      g_autoptr(GPtrArray) in_a = ids_in (a, tables[i], y);
      g_autoptr(GPtrArray) in_b = ids_in (b, tables[i], y);

      g_assert_cmpuint (in_c->len, >, 0);
      g_assert_cmpuint (in_a->len, ==, 0);
      g_assert_cmpuint (in_b->len, ==, 0);
    }
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM households WHERE community_id <> '%s'", y);
    g_assert_cmpint (sync_test_device_count (c, sql), ==, 0);
  }

  /* the server holds each record once */
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==,
                   sync_test_device_count (a, "SELECT count (*) FROM outbox") + sync_test_device_count (b, "SELECT count (*) FROM outbox") +
                   sync_test_device_count (c, "SELECT count (*) FROM outbox"));
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sync/end-to-end-200-households", Fixture, NULL, fixture_setup, test_end_to_end, fixture_teardown);
  g_test_add ("/sync/communities", Fixture, NULL, fixture_setup, test_communities, fixture_teardown);
  return g_test_run ();
}
