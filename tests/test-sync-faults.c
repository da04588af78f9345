/* test-sync-faults.c: a sync through a link that drops, errs, throttles or dies, and a server killed mid-sync, loses and doubles nothing. */
#include "client.h"
#include "demo.h"
#include "store.h"
#include "syncstore.h"
#include "util.h"
#include "sync-harness.h"

#include <glib/gstdio.h>
#include <string.h>

/* The device every test starts from: made once, copied for each test. */
static char *template_dir;
static char *template_db;

typedef struct {
  SyncTestDevice   d;
  gint64           total;     /* the device's finalised records */
} Fixture;

static gint64
queued (Fixture *f)
{
  return sync_test_device_count (f->d.device_db, "SELECT count (*) FROM outbox WHERE state = 'queued'");
}

static void
make_template (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  guint households = g_getenv ("CLMRS_SANITIZED") ? 20 : 40;
  ClmrsDemoOptions options = { .households = households, .seed = 5, .until = "2026-06-30" };
  ClmrsDemoReport report;

  template_dir = sync_test_make_dir ();
  template_db = g_build_filename (template_dir, "template.db", NULL);
  store = clmrs_store_open (template_db, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
  g_assert_no_error (error);
  /* closing the only connection folds the WAL into the file */
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  sync_test_device_setup (&f->d, NULL, template_db, NULL, "faulty tablet");
  f->d.config.batch_bytes = 32 * 1024;   /* many pushes: a fault hits one of several */
  f->total = sync_test_device_count (f->d.device_db, "SELECT count (*) FROM outbox");
  g_assert_cmpint (f->total, >, 300);
  g_assert_cmpint (queued (f), ==, f->total);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sync_test_device_teardown (&f->d);
}

/* With the link healed, a sync completes; then the queue is empty, the
 * server holds each finalised record exactly once, and the exports match. */
static void
assert_heals (Fixture         *f,
              ClmrsSyncReport *report)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) server_lines = NULL;
  g_autoptr(GPtrArray) device_lines = NULL;
  ClmrsSyncReport local;

  if (report == NULL)
    report = &local;
  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_PASS, 0, 0);
  sync_proxy_set_throttle (f->d.proxy, 0);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report->queued_left, ==, 0);
  g_assert_cmpint (queued (f), ==, 0);
  g_assert_cmpint (sync_test_device_count (f->d.device_db, "SELECT count (*) FROM outbox WHERE state <> 'sent'"), ==, 0);
  g_assert_cmpint (sync_test_server_stat (f->d.server_db, "records"), ==, f->total);
  g_assert_cmpint (sync_test_server_stat (f->d.server_db, "conflicts"), ==, 0);
  server_lines = sync_test_server_export (f->d.server_db);
  device_lines = sync_test_device_export (f->d.device_db);
  g_assert_cmpuint (device_lines->len, ==, f->total);
  sync_test_assert_same_lines (server_lines, device_lines);
}

/* The link drops in the middle of the first upload: the retry sends it again. */
static void
test_drop_upload (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;

  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_DROP_UP, 2000, 1);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sync_proxy_faults_done (f->d.proxy), ==, 1);
  g_assert_cmpuint (report.retries, >=, 1);
  g_assert_cmpuint (report.stored, ==, f->total);
  assert_heals (f, NULL);
}

/* The link drops after the server stored the first batch, before the
 * client read the answer: the retry (same Idempotency-Key) gets the stored
 * answer back, and nothing is stored twice. */
static void
test_drop_response_retried (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;

  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_DROP_DOWN, 20, 1);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sync_proxy_faults_done (f->d.proxy), ==, 1);
  g_assert_cmpuint (report.retries, >=, 1);
  g_assert_cmpuint (report.stored + report.duplicates, ==, f->total);
  assert_heals (f, NULL);
}

/* The same drop with no retries left: the sync fails, the server kept the
 * batch, the device kept it queued; the next sync's new batch gets
 * `duplicate` for those records, and they are not stored twice. */
static void
test_drop_response_given_up (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncConfig once = f->d.config;
  ClmrsSyncReport report;
  gint64 on_server;

  once.max_attempts = 1;
  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_DROP_DOWN, 20, 1);
  g_assert_false (sync_test_device_sync (&f->d, &once, &report, &error));
  g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NETWORK);
  g_assert_cmpuint (report.records_sent, ==, 0);
  g_assert_cmpint (queued (f), ==, f->total);
  on_server = sync_test_server_stat (f->d.server_db, "records");
  g_assert_cmpint (on_server, >, 0);
  g_assert_cmpint (on_server, <, f->total);

  assert_heals (f, &report);
  g_assert_cmpuint (report.duplicates, ==, on_server);
  g_assert_cmpuint (report.stored, ==, f->total - on_server);
}

/* Two 500s, then the server: retried with the same batch. */
static void
test_http_500 (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;

  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_STATUS, 500, 2);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sync_proxy_faults_done (f->d.proxy), ==, 2);
  g_assert_cmpuint (report.retries, >=, 2);
  assert_heals (f, NULL);

  /* 500s that outlast the retries: SERVER, nothing lost */
  {
    g_autoptr(GError) local = NULL;
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, NULL);
    g_autofree char *id = sync_test_add_person (f->d.server_db, NULL, "facilitator", "all");
    ClmrsSyncConfig direct = { .server_url = f->d.server.url };
    guint n = 0;
    g_autofree char *visit = NULL;

    /* a facilitator the administrator added reaches the device, which
     * then records a visit of theirs */
    g_assert_true (clmrs_sync_run (store, &direct, NULL, NULL, NULL, NULL, &local));
    g_assert_no_error (local);
    {
      sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT id FROM communities LIMIT 1", NULL);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      visit = clmrs_demo_household_visit (store, (const char *) sqlite3_column_text (stmt, 0), id, 77, &n, &local);
      sqlite3_finalize (stmt);
    }
    g_assert_no_error (local);
  }
  f->total = sync_test_device_count (f->d.device_db, "SELECT count (*) FROM outbox");
  g_assert_cmpint (queued (f), >, 0);
  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_STATUS, 500, G_MAXUINT);
  {
    ClmrsSyncConfig three = f->d.config;

    three.max_attempts = 3;
    g_assert_false (sync_test_device_sync (&f->d, &three, &report, &error));
    g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_SERVER);
    g_assert_cmpuint (report.requests, ==, 3);
    g_assert_cmpuint (report.retries, ==, 2);
  }
  g_assert_cmpint (queued (f), >, 0);
  assert_heals (f, NULL);
}

/* A 429 with Retry-After: 1 is waited out, however small the backoff. */
static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_STATUS, 429, 1);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("429 then success in %.2f s", elapsed);
  g_assert_cmpuint (sync_proxy_faults_done (f->d.proxy), ==, 1);
  g_assert_cmpuint (report.retries, ==, 1);
  g_assert_cmpfloat (elapsed, >=, 1.0);
  assert_heals (f, NULL);
}

/* A slow link: the sync takes its time and completes. */
static void
test_throttled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report;

  sync_proxy_set_throttle (f->d.proxy, 64 * 1024);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_test_message ("throttled sync: %" G_GUINT64_FORMAT " bytes up in %.2f s", report.bytes_up, report.seconds);
  g_assert_cmpuint (report.retries, ==, 0);
  g_assert_cmpfloat (report.seconds, >=, (double) report.bytes_up / (64 * 1024) * 0.5);
  assert_heals (f, NULL);
}

typedef struct {
  Fixture         *f;
  ClmrsSyncConfig  config;
  gint             acknowledged;  /* atomic: records the server answered for */
  gboolean         ok;
  GError          *error;
} Background;

static void
background_progress (const ClmrsSyncReport *so_far,
                     gpointer               user_data)
{
  Background *bg = user_data;

  g_atomic_int_set (&bg->acknowledged, (gint) so_far->records_sent);
}

static gpointer
background_sync (gpointer data)
{
  Background *bg = data;
  g_autoptr(ClmrsStore) store = clmrs_store_open (bg->f->d.device_db, NULL);
  ClmrsSyncReport report;

  g_assert_nonnull (store);
  bg->ok = clmrs_sync_run (store, &bg->config, NULL, background_progress, bg, &report, &bg->error);
  return NULL;
}

/* The server is SIGKILLed while a sync runs and restarted on the same
 * database: the sync (or the next) completes, nothing lost or doubled. */
static void
test_server_killed (Fixture       *f,
                    gconstpointer  data)
{
  Background bg = { .f = f, .config = f->d.config };
  GThread *thread;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  gint64 at_kill;

  bg.config.max_attempts = 10;
  bg.config.backoff_ms = 100;
  sync_proxy_set_throttle (f->d.proxy, 32 * 1024);
  thread = g_thread_new ("sync", background_sync, &bg);
  while (g_atomic_int_get (&bg.acknowledged) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (5000);
    }
  sync_test_server_stop (&f->d.server, TRUE);
  at_kill = g_atomic_int_get (&bg.acknowledged);
  g_test_message ("server killed after %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " records", at_kill, f->total);
  g_assert_cmpint (at_kill, <, f->total);
  sync_test_server_start (&f->d.server, f->d.server_db, f->d.server.log, NULL);
  sync_proxy_set_upstream (f->d.proxy, f->d.server.port);
  g_thread_join (thread);
  if (!bg.ok)
    g_test_message ("the interrupted sync failed: %s", bg.error->message);
  g_clear_error (&bg.error);
  assert_heals (f, NULL);
}

/* A link that accepts and never answers: a NETWORK error in bounded time,
 * nothing lost. */
static void
test_dead_link (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncConfig config = f->d.config;
  ClmrsSyncReport report;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  config.connect_timeout_s = 1;
  config.low_speed_time_s = 1;
  config.max_attempts = 2;
  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_BLACKHOLE, 0, G_MAXUINT);
  g_assert_false (sync_test_device_sync (&f->d, &config, &report, &error));
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("dead link given up after %.2f s: %s", elapsed, error->message);
  g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NETWORK);
  /* libcurl averages the speed over up to 5 s: an attempt ends about
   * low_speed_time + 5 s after the last byte moved */
  g_assert_cmpfloat (elapsed, <, 30.0);
  g_assert_cmpuint (report.requests, ==, 2);
  g_assert_cmpint (queued (f), ==, f->total);
  g_assert_cmpint (sync_test_server_stat (f->d.server_db, "records"), ==, 0);
  assert_heals (f, NULL);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  g_test_init (&argc, &argv, NULL);
  make_template ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/faults/drop-upload", test_drop_upload);
  ADD ("/sync/faults/drop-response-retried", test_drop_response_retried);
  ADD ("/sync/faults/drop-response-given-up", test_drop_response_given_up);
  ADD ("/sync/faults/http-500", test_http_500);
  ADD ("/sync/faults/429-retry-after", test_retry_after);
  ADD ("/sync/faults/throttled", test_throttled);
  ADD ("/sync/faults/server-killed", test_server_killed);
  ADD ("/sync/faults/dead-link", test_dead_link);
#undef ADD

  status = g_test_run ();
  sync_test_remove_tree (template_dir);
  g_free (template_dir);
  g_free (template_db);
  return status;
}
