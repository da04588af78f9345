/* test-sync-async.c: clmrs_sync_run_async reports progress in the caller's main context, and a cancelled sync loses and doubles nothing. */
#include "client.h"
#include "demo.h"
#include "store.h"
#include "syncstore.h"
#include "store-test-helpers.h"
#include "sync-harness.h"

#include <string.h>

typedef struct {
  char            *dir;
  char            *server_db;
  char            *device_db;
  SyncTestServer   server;
  ClmrsSyncConnection *connection;
  ClmrsSyncConfig  config;
  gint64           total;
  /* one async run */
  GMainContext    *context;
  GThread         *main_thread;
  GCancellable    *cancellable;
  gboolean         cancel_on_first_ack;
  guint            events;
  ClmrsSyncReport  last;
  gboolean         done;
  gboolean         ok;
  ClmrsSyncReport  report;
  GError          *error;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  ClmrsDemoOptions options = { .households = 20, .seed = 9, .until = "2026-06-30" };
  ClmrsDemoReport demo;

  f->dir = sync_test_make_dir ();
  f->server_db = g_build_filename (f->dir, "server.db", NULL);
  f->device_db = g_build_filename (f->dir, "device.db", NULL);
  log = g_build_filename (f->dir, "server.log", NULL);
  sync_test_server_start (&f->server, f->server_db, log, NULL);
  code = sync_test_enrol_code (f->server_db, "all");

  store = clmrs_store_open (f->device_db, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_demo_generate (store, &options, &demo, &error));
  g_assert_no_error (error);
  f->config.server_url = f->server.url;
  f->config.backoff_ms = 20;
  f->config.batch_bytes = 16 * 1024;   /* many pushes, many progress reports */
  {
    /* the demo's supervisor is declared as a facilitator: promoted, her reviews are accepted */
    sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT id FROM facilitators WHERE role = 'supervisor'", &error);
    g_autofree char *supervisor = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    supervisor = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    g_assert_true (clmrs_sync_enrol (store, &f->config, code, "async tablet", &error));
    g_assert_no_error (error);
    sync_test_promote (f->server_db, supervisor);
  }
  f->total = test_outbox_queued (store);
  g_assert_cmpint (f->total, >, 100);
  f->connection = clmrs_sync_connection_new (g_steal_pointer (&store));

  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
  g_clear_object (&f->cancellable);
  g_clear_error (&f->error);
  g_clear_pointer (&f->connection, clmrs_sync_connection_unref);
  sync_test_server_clear (&f->server);
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
  g_free (f->device_db);
}

static void
progress_cb (const ClmrsSyncReport *so_far,
             gpointer               user_data)
{
  Fixture *f = user_data;

  /* in the caller's main context, on the caller's thread */
  g_assert_true (g_thread_self () == f->main_thread);
  g_assert_true (g_main_context_is_owner (f->context));
  g_assert_false (f->done);
  g_assert_cmpuint (so_far->records_sent, >=, f->last.records_sent);
  g_assert_cmpuint (so_far->bytes_up, >=, f->last.bytes_up);
  g_assert_cmpuint (so_far->bytes_down, >=, f->last.bytes_down);
  g_assert_cmpuint (so_far->requests, >=, f->last.requests);
  f->last = *so_far;
  f->events++;
  if (f->cancel_on_first_ack && so_far->records_sent > 0)
    g_cancellable_cancel (f->cancellable);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_true (g_thread_self () == f->main_thread);
  f->ok = clmrs_sync_run_finish (result, &f->report, &f->error);
  f->done = TRUE;
}

static void
run_async (Fixture *f)
{
  memset (&f->last, 0, sizeof f->last);
  f->events = 0;
  f->done = FALSE;
  g_clear_error (&f->error);
  clmrs_sync_run_async (f->connection, &f->config, f->cancellable, progress_cb, f, done_cb, f);
  while (!f->done)
    g_main_context_iteration (f->context, TRUE);
}

static void
assert_synced (Fixture *f)
{
  g_autoptr(GPtrArray) server_lines = sync_test_server_export (f->server_db);
  g_autoptr(GPtrArray) device_lines = sync_test_device_export (f->device_db);

  g_assert_cmpint (sync_test_device_count (f->device_db, "SELECT count (*) FROM outbox WHERE state <> 'sent'"), ==, 0);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==, f->total);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "conflicts"), ==, 0);
  g_assert_cmpuint (device_lines->len, ==, f->total);
  sync_test_assert_same_lines (server_lines, device_lines);
}

/* Progress arrives in the caller's context, growing, before the result. */
static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  run_async (f);
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  g_test_message ("%u progress reports", f->events);
  g_assert_cmpuint (f->events, >=, 3);
  g_assert_cmpuint (f->last.records_sent, ==, f->total);
  g_assert_cmpuint (f->report.records_sent, ==, f->total);
  g_assert_cmpint (f->report.queued_left, ==, 0);
  g_assert_cmpuint (f->last.bytes_up, >, 0);
  assert_synced (f);
}

/* Cancelled after the first acknowledged batch: CANCELLED, part of the
 * queue left; the next sync sends the rest, nothing doubled. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  gint64 left;

  f->cancellable = g_cancellable_new ();
  f->cancel_on_first_ack = TRUE;
  run_async (f);
  g_assert_false (f->ok);
  g_assert_nonnull (f->error);
  g_test_message ("cancelled: %s", f->error->message);
  g_assert_true (g_error_matches (f->error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_CANCELLED) ||
                 g_error_matches (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  left = sync_test_device_count (f->device_db, "SELECT count (*) FROM outbox WHERE state = 'queued'");
  g_test_message ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " left after the cancel", left, f->total);
  g_assert_cmpint (left, >, 0);
  g_assert_cmpint (left, <, f->total);

  g_clear_object (&f->cancellable);
  f->cancel_on_first_ack = FALSE;
  run_async (f);
  g_assert_no_error (f->error);
  g_assert_true (f->ok);
  g_assert_cmpint (f->report.queued_left, ==, 0);
  g_assert_cmpuint (f->report.stored + f->report.duplicates, ==, left);
  assert_synced (f);
}

/* What is left cannot be counted at the end (the queue, or the media
 * files): the run is not a success (it cannot say nothing is left), and
 * says why; what the server acknowledged is sent all the same. */
typedef struct {
  const char *sql;      /* the count that fails */
  const char *message;  /* what the error says */
} CountFailure;

static const CountFailure queue_count_fails = {
  "SELECT count (*) FROM outbox WHERE state = 'queued'", "counting the records waiting to leave" };
static const CountFailure media_count_fails = {
  "SELECT count(*) FROM media m JOIN visits v ON v.id = m.visit_id WHERE m.acked IS NULL AND v.state = 'final'",
  "counting the media files waiting to leave" };

static void
test_count_fails (Fixture       *f,
                  gconstpointer  data)
{
  const CountFailure *failure = data;
  ClmrsStore *store = clmrs_sync_connection_lock (f->connection);

  test_store_fail_statements (store, failure->sql);
  clmrs_sync_connection_unlock (f->connection);
  run_async (f);
  store = clmrs_sync_connection_lock (f->connection);
  test_store_fail_statements (store, NULL);
  clmrs_sync_connection_unlock (f->connection);
  g_assert_false (f->ok);
  g_assert_error (f->error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE);
  g_assert_nonnull (strstr (f->error->message, failure->message));
  g_assert_cmpint (f->report.media_left, ==, -1);
  g_assert_cmpint (f->report.queued_left, ==, failure == &queue_count_fails ? -1 : 0);
  g_assert_cmpuint (f->report.records_sent, ==, f->total);
  assert_synced (f);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sync/async/progress", Fixture, NULL, fixture_setup, test_progress, fixture_teardown);
  g_test_add ("/sync/async/count-fails", Fixture, &queue_count_fails, fixture_setup, test_count_fails, fixture_teardown);
  g_test_add ("/sync/async/media-count-fails", Fixture, &media_count_fails, fixture_setup, test_count_fails,
              fixture_teardown);
  g_test_add ("/sync/async/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  return g_test_run ();
}
