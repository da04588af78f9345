/* test-outbox.c: the records waiting to leave the device: order, batches, the server's answers, pruning. */
#define _GNU_SOURCE
#include "outbox.h"
#include "store.h"
#include "store-test-helpers.h"
#include "syncstore.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char       *dir;
  char       *path;
  ClmrsStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clmrs-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.db", NULL);
  f->store = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  clmrs_store_close (f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
enqueue (Fixture    *f,
         const char *id,
         gint64      rev,
         const char *line)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clmrs_store_begin (f->store, &error));
  g_assert_true (clmrs_outbox_enqueue (f->store, id, rev, CLMRS_RECORD_HOUSEHOLD,
                                       "f0000000-0000-4000-8000-000000000001", line, &error));
  g_assert_true (clmrs_store_commit (f->store, &error));
  g_assert_no_error (error);
}

/* The results of a push answer, [{id, rev, result, reason}], as the
 * client hands them over once parsed. */
static GPtrArray *
results_of (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_push_result_free);
  JsonArray *array;

  g_assert_nonnull (node);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      ClmrsPushOutcome outcome;

      g_assert_true (clmrs_push_outcome_from_string (json_object_get_string_member (o, "result"), &outcome));
      g_ptr_array_add (results, clmrs_push_result_new (i + 1, json_object_get_string_member (o, "id"),
                                                       json_object_get_int_member (o, "rev"), outcome,
                                                       json_object_get_string_member_with_default (o, "reason", NULL)));
    }
  return results;
}

static void
acknowledge (Fixture    *f,
             const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = results_of (json);
  guint counts[CLMRS_PUSH_N_OUTCOMES];

  g_assert_true (clmrs_outbox_apply_results (f->store, results, counts, &error));
  g_assert_no_error (error);
}

static gboolean
collect (const char  *line,
         gpointer     user_data,
         GError     **error)
{
  g_ptr_array_add (user_data, g_strdup (line));
  return TRUE;
}

/* Whether @needle is anywhere in the bytes of @path (absent file: no). */
static gboolean
file_holds (const char *path,
            const char *needle)
{
  g_autofree char *bytes = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &bytes, &length, NULL))
    return FALSE;
  return memmem (bytes, length, needle, strlen (needle)) != NULL;
}

/* Batches come in the order records were finalised, within the byte and
 * record limits, always at least one. */
static void
test_batches (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;

  enqueue (f, "a", 1, "{\"n\":\"aaaaaaaaaa\"}");
  enqueue (f, "b", 1, "{\"n\":\"bbbbbbbbbb\"}");
  enqueue (f, "c", 1, "{\"n\":\"cccccccccc\"}");
  g_assert_cmpint (test_outbox_queued (f->store), ==, 3);

  batch = clmrs_outbox_next_batch (f->store, 40, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batch->len, ==, 2);
  g_assert_cmpstr (((ClmrsOutgoing *) batch->pdata[0])->record_id, ==, "a");
  g_assert_cmpstr (((ClmrsOutgoing *) batch->pdata[1])->record_id, ==, "b");
  g_clear_pointer (&batch, g_ptr_array_unref);
  batch = clmrs_outbox_next_batch (f->store, 1, 100, &error);
  g_assert_cmpuint (batch->len, ==, 1);
  g_clear_pointer (&batch, g_ptr_array_unref);
  batch = clmrs_outbox_next_batch (f->store, 1 << 20, 2, &error);
  g_assert_cmpuint (batch->len, ==, 2);
}

/* A count the store cannot make is an error, never a number: the sync
 * would take -1 or 0 for an empty queue. */
static void
test_count_fails (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 7;

  enqueue (f, "a", 1, "{}");
  test_store_fail_statements (f->store, "SELECT count (*) FROM outbox WHERE state = 'queued'");
  g_assert_false (clmrs_outbox_count_queued (f->store, &n, &error));
  test_store_fail_statements (f->store, NULL);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "counting the records waiting to leave"));
  g_assert_cmpint (n, ==, -1);
  g_assert_cmpint (test_outbox_queued (f->store), ==, 1);
}

/* stored and duplicate leave the queue; conflict and rejected stay, with
 * the server's reason; an answer for nothing sent changes nothing. */
static void
test_results (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) bogus = results_of ("[{\"id\":\"zz\",\"rev\":1,\"result\":\"stored\"}]");
  const ClmrsQueueRow *row;
  const ClmrsRejection *x;

  enqueue (f, "a", 1, "{}");
  enqueue (f, "b", 1, "{}");
  enqueue (f, "c", 2, "{}");
  enqueue (f, "d", 1, "{}");
  g_assert_false (clmrs_outbox_apply_results (f->store, bogus, NULL, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (test_outbox_queued (f->store), ==, 4);

  /* the outbox unreadable: an error of the store, not a record the
   * server made up, and nothing acknowledged */
  {
    g_autoptr(GPtrArray) a = results_of ("[{\"id\":\"a\",\"rev\":1,\"result\":\"stored\"}]");

    test_store_fail_statements (f->store, "SELECT 1 FROM outbox");
    g_assert_false (clmrs_outbox_apply_results (f->store, a, NULL, &error));
    test_store_fail_statements (f->store, NULL);
    g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
    g_clear_error (&error);
    g_assert_cmpint (test_outbox_queued (f->store), ==, 4);
  }

  acknowledge (f, "[{\"id\":\"a\",\"rev\":1,\"result\":\"stored\"},{\"id\":\"b\",\"rev\":1,\"result\":\"duplicate\"},"
                  "{\"id\":\"c\",\"rev\":2,\"result\":\"conflict\",\"reason\":\"id: this record belongs to the "
                  "device that created it\"},{\"id\":\"d\",\"rev\":1,\"result\":\"rejected\",\"reason\":\"body.kind: "
                  "expected one of household\"}]");
  g_assert_cmpint (test_outbox_queued (f->store), ==, 0);
  /* the refusals unreadable: an error, not a queue without refusals */
  test_store_fail_statements (f->store, "WHERE state = 'rejected'");
  rows = clmrs_outbox_queue_by_facilitator (f->store, &error);
  test_store_fail_statements (f->store, NULL);
  g_assert_null (rows);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_clear_error (&error);
  rows = clmrs_outbox_queue_by_facilitator (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = rows->pdata[0];
  g_assert_cmpint (row->rejected, ==, 2);
  x = row->rejections->pdata[0];
  g_assert_cmpstr (x->record_id, ==, "c");
  g_assert_cmpstr (x->reason, ==, "conflict: kept aside by the server for review: id: this record belongs to "
                                  "the device that created it");
  x = row->rejections->pdata[1];
  g_assert_cmpstr (x->reason, ==, "body.kind: expected one of household");
}

/* An envelope acknowledged more than a month ago loses its text, in the
 * database files too; queued and rejected ones and recent ones stay. */
static void
test_prune_sent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  gint64 pruned = -1;

  /* large, so that its text spills onto overflow pages that pruning frees */
  {
    g_autofree char *padding = g_strnfill (20000, 'x');
    g_autofree char *line = g_strdup_printf ("{\"answers\":\"%s\",\"head_name\":\"Kwabena Old-Envelope\"}",
                                             padding);

    enqueue (f, "old", 1, line);
  }
  enqueue (f, "new", 1, "{\"head_name\":\"Efua Recent-Envelope\"}");
  enqueue (f, "refused", 1, "{\"head_name\":\"Yaw Refused-Envelope\"}");
  enqueue (f, "waiting", 1, "{\"head_name\":\"Akosua Waiting-Envelope\"}");
  acknowledge (f, "[{\"id\":\"old\",\"rev\":1,\"result\":\"stored\"},{\"id\":\"new\",\"rev\":1,\"result\":\"stored\"},"
                  "{\"id\":\"refused\",\"rev\":1,\"result\":\"rejected\",\"reason\":\"no\"}]");
  g_assert_true (clmrs_store_exec (f->store, "UPDATE outbox SET sent_at = '2020-01-01T00:00:00Z', "
                                             "queued_at = '2020-01-01T00:00:00Z' WHERE record_id IN ('old', 'refused')",
                                   &error));
  g_assert_no_error (error);

  g_assert_true (clmrs_outbox_prune_sent (f->store, CLMRS_OUTBOX_KEEP_SENT_DAYS, &pruned, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pruned, ==, 1);
  g_assert_true (clmrs_outbox_foreach (f->store, FALSE, collect, lines, &error));
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_null (strstr (g_ptr_array_index (lines, 0), "Kwabena"));
  /* the row says it was sent */
  {
    g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (f->store, "SELECT state, envelope FROM outbox "
                                                                   "WHERE record_id = 'old'", &error);

    g_assert_cmpint (clmrs_store_step (f->store, stmt, &error), ==, CLMRS_STEP_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "sent");
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "");
  }

  /* overwritten, not left in a free page: not in the files */
  g_assert_true (clmrs_store_exec (f->store, "PRAGMA wal_checkpoint(TRUNCATE)", &error));
  g_assert_false (file_holds (f->path, "Kwabena Old-Envelope"));
  g_assert_false (file_holds (wal, "Kwabena Old-Envelope"));
  g_assert_true (file_holds (f->path, "Efua Recent-Envelope"));

  /* again: nothing more */
  g_assert_true (clmrs_outbox_prune_sent (f->store, CLMRS_OUTBOX_KEEP_SENT_DAYS, &pruned, &error));
  g_assert_cmpint (pruned, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/outbox/batches", Fixture, NULL, fixture_setup, test_batches, fixture_teardown);
  g_test_add ("/outbox/count-fails", Fixture, NULL, fixture_setup, test_count_fails, fixture_teardown);
  g_test_add ("/outbox/results", Fixture, NULL, fixture_setup, test_results, fixture_teardown);
  g_test_add ("/outbox/prune-sent", Fixture, NULL, fixture_setup, test_prune_sent, fixture_teardown);
  return g_test_run ();
}
