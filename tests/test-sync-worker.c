/* test-sync-worker.c: the app's sync, on its own connection, and the database worker's saves take turns (a long sync transaction holds up a save, never fails it, and nothing is lost); the worker's enrolment read, cancelled after it ran. */
#include "client.h"
#include "clmrs-db-worker.h"
#include "clmrs-sync-jobs.h"
#include "cryptvfs.h"
#include "demo.h"
#include "draft.h"
#include "outbox.h"
#include "store.h"
#include "sync-harness.h"
#include "util.h"
#include "visit.h"
#include "visit-answers.h"

#include <string.h>

/* How long the sync holds its write transaction: longer than SQLite's
 * busy timeout (5 s), which is all a writer on another connection had
 * before the store's writers took turns (app/store.c). */
#define HOLD_US (7 * G_USEC_PER_SEC)
#define VISITS  4

typedef struct {
  char            *dir;
  char            *server_db;
  char            *device_db;
  SyncTestServer   server;
  gint64           other_records;   /* what the other device pushed */
  ClmrsDbWorker   *worker;
  sqlite3         *sync_db;         /* the sync's connection's */
  char            *community_id;
  char            *facilitator_id;
  /* the run */
  GMainContext    *context;
  gint             held;            /* the sync's transaction was held (atomic) */
  gint64           held_at;
  gboolean         sync_done;
  gboolean         sync_ok;
  GError          *sync_error;
  ClmrsSyncReport  report;
  guint            saved;
  guint            saves_failed;
  GString         *save_errors;
  gint64           last_tick;
  gint64           longest_gap;
} Fixture;

typedef struct {
  Fixture  *f;
  gboolean  done;
  gpointer  result;
  GError   *error;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &w->error);
  w->done = TRUE;
}

/* Runs @func on the worker, the main loop turning until it is done. */
static gpointer
run_on_worker (Fixture        *f,
               ClmrsDbJobFunc  func,
               gpointer        data)
{
  Wait w = { f };

  clmrs_db_worker_run_async (f->worker, func, data, NULL, NULL, NULL, wait_cb, &w);
  while (!w.done)
    g_main_context_iteration (f->context, TRUE);
  g_assert_no_error (w.error);
  return w.result;
}

static gpointer
add_people_job (ClmrsStore    *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Fixture *f = data;

  if (!clmrs_store_add_community (store, f->community_id, "Kragui", "Soubré", "ci", error) ||
      !clmrs_store_add_facilitator (store, f->facilitator_id, "Awa Koné", "female", "facilitator", "482193", error))
    return NULL;
  return GINT_TO_POINTER (1);
}

/* What the app does for a visit: a draft started, its answers saved,
 * the visit finalised (three transactions). */
static gpointer
save_visit_job (ClmrsStore    *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  Fixture *f = data;
  g_autofree char *answers_json = g_strdup_printf (household_answers_json, "");
  ClmrsDraftRequest request = { .form_id = "household_visit", .facilitator_id = f->facilitator_id };
  g_autoptr(ClmrsDraft) draft = NULL;
  g_autoptr(JsonNode) answers = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;

  if ((draft = clmrs_draft_start (store, &request, error)) == NULL ||
      (answers = json_from_string (answers_json, error)) == NULL ||
      !clmrs_form_session_load_json (draft->session, answers, error))
    return NULL;
  values = clmrs_form_session_list_values (draft->session);
  if (!clmrs_store_draft_save_all (store, draft->visit_id, values, error) ||
      (rules = clmrs_rule_set_load_builtin ("ci", error)) == NULL ||
      !clmrs_visit_finalise (store, draft->visit_id, draft->session, rules, NULL, &result, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

static gpointer
count_job (ClmrsStore    *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, data, error);

  if (stmt == NULL || clmrs_store_step (store, stmt, error) != CLMRS_STEP_ROW)
    return NULL;
  return GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (stmt, 0) + 1);
}

/* The first column of @sql's row, read on the worker. */
static gint64
count_on_worker (Fixture    *f,
                 const char *sql)
{
  return (gint64) GPOINTER_TO_SIZE (run_on_worker (f, count_job, (gpointer) sql)) - 1;
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;
  gboolean demo = FALSE;

  w->result = GINT_TO_POINTER (clmrs_db_worker_open_finish (CLMRS_DB_WORKER (source), result, &demo, &w->error));
  w->done = TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *log = NULL;
  g_autofree char *other_code = NULL;
  g_autofree char *other_db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) other = NULL;
  ClmrsDemoOptions options = { .households = 30, .seed = 5, .until = "2026-06-30" };
  ClmrsSyncConfig config = { 0 };
  ClmrsSyncReport report = { 0 };
  ClmrsDemoReport demo;

  f->dir = sync_test_make_dir ();
  f->server_db = g_build_filename (f->dir, "server.db", NULL);
  f->device_db = g_build_filename (f->dir, "device.db", NULL);
  other_db = g_build_filename (f->dir, "other.db", NULL);
  log = g_build_filename (f->dir, "server.log", NULL);
  sync_test_server_start (&f->server, f->server_db, log, NULL);
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->save_errors = g_string_new (NULL);

  /* another device of the programme has sent its records: this one pulls them */
  other_code = sync_test_enrol_code (f->server_db, "all");
  other = clmrs_store_open (other_db, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_demo_generate (other, &options, &demo, &error));
  g_assert_no_error (error);
  config.server_url = f->server.url;
  config.backoff_ms = 20;
  g_assert_true (clmrs_sync_enrol (other, &config, other_code, "other tablet", &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_sync_run (other, &config, NULL, NULL, NULL, &report, &error));
  g_assert_no_error (error);
  f->other_records = sync_test_server_stat (f->server_db, "records");
  g_assert_cmpint (f->other_records, >, 200);

  /* the app's device: made by the worker on its first run, encrypted */
  f->worker = clmrs_db_worker_new (f->device_db);
  f->community_id = clmrs_uuid_new ();
  f->facilitator_id = clmrs_uuid_new ();
  {
    Wait w = { f };

    clmrs_db_worker_open_async (f->worker, 0, NULL, NULL, NULL, open_cb, &w);
    while (!w.done)
      g_main_context_iteration (f->context, TRUE);
    g_assert_no_error (w.error);
  }
  g_assert_true (clmrs_cryptvfs_is_encrypted (f->device_db));
  run_on_worker (f, add_people_job, f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  clmrs_db_worker_close (f->worker);
  g_clear_object (&f->worker);
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
  g_clear_error (&f->sync_error);
  g_string_free (f->save_errors, TRUE);
  sync_test_server_clear (&f->server);
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_db);
  g_free (f->device_db);
  g_free (f->community_id);
  g_free (f->facilitator_id);
}

static void
enrol_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->result = GINT_TO_POINTER (clmrs_sync_jobs_enrol_finish (result, &w->error));
  w->done = TRUE;
}

static void
connection_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Wait *w = user_data;

  w->result = clmrs_db_worker_sync_connection_finish (CLMRS_DB_WORKER (source), result, &w->error);
  w->done = TRUE;
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  if (clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error) != NULL)
    f->saved++;
  else
    {
      f->saves_failed++;
      g_string_append_printf (f->save_errors, "%s; ", error->message);
    }
}

/* On the main thread, once the sync holds its transaction: the
 * facilitator saves visits. */
static gboolean
start_saves (gpointer user_data)
{
  Fixture *f = user_data;

  for (guint i = 0; i < VISITS; i++)
    clmrs_db_worker_run_async (f->worker, save_visit_job, f, NULL, NULL, NULL, save_cb, f);
  return G_SOURCE_REMOVE;
}

/* SQLite's progress handler on the sync's connection, on the sync's
 * thread: the first time one of its statements writes inside a
 * transaction, the saves start and the transaction is held, as a long
 * page of records on a slow handheld would hold it. */
static int
hold_cb (void *data)
{
  Fixture *f = data;
  sqlite3 *db;
  gboolean writing = FALSE;

  if (g_atomic_int_get (&f->held))
    return 0;
  db = f->sync_db;
  if (sqlite3_get_autocommit (db))
    return 0;
  for (sqlite3_stmt *stmt = sqlite3_next_stmt (db, NULL); stmt != NULL; stmt = sqlite3_next_stmt (db, stmt))
    if (sqlite3_stmt_busy (stmt) && !sqlite3_stmt_readonly (stmt))
      writing = TRUE;
  if (!writing)
    return 0;
  g_atomic_int_set (&f->held, 1);
  f->held_at = g_get_monotonic_time ();
  g_main_context_invoke (f->context, start_saves, f);
  /* not a wait for a condition: the slow transaction itself */
  g_usleep (HOLD_US);
  return 0;
}

static void
sync_progress (const ClmrsSyncReport *so_far,
               gpointer               user_data)
{
}

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  f->sync_ok = clmrs_sync_jobs_run_finish (result, &f->report, &f->sync_error);
  f->sync_done = TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  Fixture *f = user_data;
  gint64 now = g_get_monotonic_time ();

  f->longest_gap = MAX (f->longest_gap, now - f->last_tick);
  f->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
run_sync (Fixture *f)
{
  ClmrsSyncConfig config = { .server_url = f->server.url, .backoff_ms = 20, .batch_bytes = 16 * 1024 };

  f->sync_done = FALSE;
  g_clear_error (&f->sync_error);
  clmrs_sync_jobs_run_async (f->worker, &config, NULL, sync_progress, f, sync_cb, f);
}

/* A sync pulls page after page while the facilitator saves visits on the
 * worker; one of the sync's write transactions lasts longer than the
 * busy timeout.  Every save waits its turn and succeeds, the sync too,
 * the main loop turns throughout; the visits leave with it (those saved
 * after its last push with a second sync): the server and the device
 * then hold every record of both devices. */
static void
test_sync_beside_saves (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *code = sync_test_enrol_code (f->server_db, "all");
  g_autoptr(ClmrsSyncConnection) connection = NULL;
  g_autoptr(GSource) ticker = NULL;
  Wait enrolled = { f };
  Wait got = { f };
  gint64 queued, visits, households;

  clmrs_sync_jobs_enrol_async (f->worker, f->server.url, code, NULL, enrol_cb, &enrolled);
  while (!enrolled.done)
    g_main_context_iteration (f->context, TRUE);
  g_assert_no_error (enrolled.error);

  /* the connection the sync will use: the worker's second, encrypted as its first */
  clmrs_db_worker_sync_connection_async (f->worker, NULL, connection_cb, &got);
  while (!got.done)
    g_main_context_iteration (f->context, TRUE);
  g_assert_no_error (got.error);
  connection = got.result;
  {
    ClmrsStore *store = clmrs_sync_connection_lock (connection);
    sqlite3 *db = clmrs_store_get_db (store);

    g_assert_true (clmrs_cryptvfs_is_encrypted (clmrs_store_get_path (store)));
    f->sync_db = db;
    sqlite3_progress_handler (db, 50, hold_cb, f);
    clmrs_sync_connection_unlock (connection);
  }

  ticker = g_timeout_source_new (50);
  g_source_set_callback (ticker, tick_cb, f, NULL);
  g_source_attach (ticker, f->context);
  f->last_tick = g_get_monotonic_time ();
  run_sync (f);
  while (!f->sync_done || f->saved + f->saves_failed < VISITS)
    g_main_context_iteration (f->context, TRUE);
  g_source_destroy (ticker);

  g_test_message ("held %d, saves: %u saved, %u failed (%s); longest main-loop gap %" G_GINT64_FORMAT " ms",
                  g_atomic_int_get (&f->held), f->saved, f->saves_failed, f->save_errors->str,
                  f->longest_gap / 1000);
  g_assert_true (g_atomic_int_get (&f->held));
  /* the visits saved while the sync pulled are no failure of it: they
   * leave with it (or, saved in its last instant, with the next one) */
  g_assert_no_error (f->sync_error);
  g_assert_true (f->sync_ok);
  g_assert_cmpstr (f->save_errors->str, ==, "");
  g_assert_cmpuint (f->saved, ==, VISITS);
  /* the main loop never waited for the held transaction */
  g_assert_cmpint (f->longest_gap, <, HOLD_US);
  g_assert_cmpuint (f->report.pulled, >, 0);

  /* the pull is whole: the other device's households, and ours */
  households = count_on_worker (f, "SELECT count (*) FROM households");
  visits = count_on_worker (f, "SELECT count (*) FROM visits WHERE state = 'final'");
  queued = count_on_worker (f, "SELECT count (*) FROM outbox WHERE state = 'queued'");
  g_assert_cmpint (households, ==, 30 + VISITS);
  g_assert_cmpint (queued, >=, f->report.queued_left);
  /* what left is on the server, and the visits saved while the sync held
   * its transaction went with it, unless saved after its last push */
  g_test_message ("after the first sync: %" G_GINT64_FORMAT " records queued, %" G_GINT64_FORMAT " in the report",
                  queued, f->report.queued_left);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==,
                   f->other_records + count_on_worker (f, "SELECT count (*) FROM outbox WHERE state = 'sent'"));

  /* the visits leave with the next sync; nothing was lost on either side */
  {
    clmrs_sync_connection_lock (connection);
    sqlite3_progress_handler (f->sync_db, 0, NULL, NULL);
    clmrs_sync_connection_unlock (connection);
  }
  run_sync (f);
  while (!f->sync_done)
    g_main_context_iteration (f->context, TRUE);
  g_assert_no_error (f->sync_error);
  g_assert_true (f->sync_ok);
  g_assert_cmpint (f->report.queued_left, ==, 0);
  g_assert_cmpint (count_on_worker (f, "SELECT count (*) FROM outbox WHERE state <> 'sent'"), ==, 0);
  g_assert_cmpint (count_on_worker (f, "SELECT count (*) FROM visits WHERE state = 'final'"), ==, visits);
  g_assert_cmpint (sync_test_server_stat (f->server_db, "records"), ==,
                   f->other_records + count_on_worker (f, "SELECT count (*) FROM outbox"));
  g_assert_cmpint (sync_test_server_stat (f->server_db, "conflicts"), ==, 0);
}

/* --- a worker alone --- */

typedef struct {
  char          *dir;
  ClmrsDbWorker *worker;
  GMainContext  *context;
  GMutex         lock;
  GCond          cond;
  gboolean       barrier_ran;
} Alone;

static void
alone_setup (Alone         *a,
             gconstpointer  data)
{
  g_autofree char *path = NULL;
  Fixture f = { 0 };
  Wait w = { &f };

  a->dir = sync_test_make_dir ();
  path = g_build_filename (a->dir, "device.db", NULL);
  a->context = g_main_context_new ();
  g_main_context_push_thread_default (a->context);
  a->worker = clmrs_db_worker_new (path);
  clmrs_db_worker_open_async (a->worker, 0, NULL, NULL, NULL, open_cb, &w);
  while (!w.done)
    g_main_context_iteration (a->context, TRUE);
  g_assert_no_error (w.error);
}

static void
alone_teardown (Alone         *a,
                gconstpointer  data)
{
  clmrs_db_worker_close (a->worker);
  g_clear_object (&a->worker);
  g_main_context_pop_thread_default (a->context);
  g_main_context_unref (a->context);
  sync_test_remove_tree (a->dir);
  g_free (a->dir);
}

/* On the worker, after the jobs queued before it: says it ran. */
static gpointer
barrier_job (ClmrsStore    *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  Alone *a = data;

  g_mutex_lock (&a->lock);
  a->barrier_ran = TRUE;
  g_cond_signal (&a->cond);
  g_mutex_unlock (&a->lock);
  return GINT_TO_POINTER (1);
}

static void
enrolment_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *w = user_data;

  w->result = clmrs_sync_jobs_read_enrolment_finish (CLMRS_DB_WORKER (source), result, &w->error);
  w->done = TRUE;
}

/* The enrolment read, then its caller gone (cancelled after the job ran,
 * its result on the way): the caller sees the cancellation and nothing
 * else, the result going with the task; read again, it says not
 * enrolled. */
static void
test_enrolment_cancelled (Alone         *a,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ClmrsEnrolment) enrolment = NULL;
  Fixture f = { 0 };
  Wait cancelled = { &f };
  Wait barrier = { &f };
  Wait again = { &f };

  clmrs_sync_jobs_read_enrolment_async (a->worker, cancellable, enrolment_cb, &cancelled);
  clmrs_db_worker_run_async (a->worker, barrier_job, a, NULL, NULL, NULL, wait_cb, &barrier);
  g_mutex_lock (&a->lock);
  while (!a->barrier_ran)
    g_cond_wait (&a->cond, &a->lock);
  g_mutex_unlock (&a->lock);
  g_cancellable_cancel (cancellable);
  while (!cancelled.done || !barrier.done)
    g_main_context_iteration (a->context, TRUE);
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cancelled.result);
  g_clear_error (&cancelled.error);

  clmrs_sync_jobs_read_enrolment_async (a->worker, NULL, enrolment_cb, &again);
  while (!again.done)
    g_main_context_iteration (a->context, TRUE);
  g_assert_no_error (again.error);
  enrolment = again.result;
  g_assert_nonnull (enrolment);
  g_assert_false (enrolment->enrolled);
  g_assert_null (enrolment->server_url);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sync/worker/beside-saves", Fixture, NULL, fixture_setup, test_sync_beside_saves, fixture_teardown);
  g_test_add ("/sync/worker/enrolment-cancelled", Alone, NULL, alone_setup, test_enrolment_cancelled,
              alone_teardown);
  return g_test_run ();
}
