/* test-server-export.c: `clmrs-server export` streams (memory flat in the records) and --since gives only what is new. */
#include "sync-harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  int    status;
  long   max_rss_kb;
  gsize  out_length;
  char  *out;          /* NULL unless asked for */
  char  *err;
} Run;

static void
run_clear (Run *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* `clmrs-server ARGS...` with stdout and stderr kept in files, measured
 * by wait4().  A forked child's peak memory counts the pages it shared
 * with this process at the fork: keep_out FALSE keeps big outputs out of
 * this process, so they do not count in the next run's. */
static void
run_server_full (Run        *r,
                 gboolean    keep_out,
                 const char *dir,
                 va_list     ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out_path = g_build_filename (dir, "stdout", NULL);
  g_autofree char *err_path = g_build_filename (dir, "stderr", NULL);
  g_auto(GStrv) env = sync_test_environ ();
  struct rusage usage = { 0 };
  const char *arg;
  int status = 0;
  pid_t pid;

  g_ptr_array_add (argv, (gpointer) sync_test_server_program ());
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  fflush (NULL);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (freopen (out_path, "w", stdout) == NULL || freopen (err_path, "w", stderr) == NULL)
        _exit (127);
      execve (argv->pdata[0], (char **) argv->pdata, env);
      _exit (127);
    }
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  r->max_rss_kb = usage.ru_maxrss;
  if (keep_out)
    g_assert_true (g_file_get_contents (out_path, &r->out, &r->out_length, NULL));
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (out_path);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, NULL);

      g_assert_nonnull (info);
      r->out_length = (gsize) g_file_info_get_size (info);
    }
  g_assert_true (g_file_get_contents (err_path, &r->err, NULL, NULL));
}

static void
run_server (Run        *r,
            const char *dir,
            ...)
{
  va_list ap;

  va_start (ap, dir);
  run_server_full (r, TRUE, dir, ap);
  va_end (ap);
}

/* As run_server(), without reading stdout (only its length). */
static void
run_server_measured (Run        *r,
                     const char *dir,
                     ...)
{
  va_list ap;

  va_start (ap, dir);
  run_server_full (r, FALSE, dir, ap);
  va_end (ap);
}

/* The cursor of the export's last stderr line. */
static char *
printed_cursor (const char *err)
{
  const char *p = strstr (err, "clmrs-server: export: cursor ");
  g_autofree char *cursor = NULL;

  g_assert_nonnull (p);
  cursor = g_strndup (p + strlen ("clmrs-server: export: cursor "),
                      strcspn (p + strlen ("clmrs-server: export: cursor "), " "));
  g_assert_true (g_ascii_isdigit (cursor[0]));
  return g_steal_pointer (&cursor);
}

static GPtrArray *
sorted_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (out, g_strdup (lines[i]));
  g_ptr_array_sort (out, sync_test_compare_strings);
  return out;
}

static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* An analyst who exported once gets, with --since, exactly the records
 * stored since: none at first, then only the second device's. */
static void
test_since (void)
{
  const char *cli = sync_test_cli ();
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *device_a = g_build_filename (dir, "a.db", NULL);
  g_autofree char *device_b = g_build_filename (dir, "b.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *csv_dir = g_build_filename (dir, "csv", NULL);
  g_autofree char *code_a = sync_test_enroll_code (server_db, "all");
  g_autofree char *code_b = sync_test_enroll_code (server_db, "all");
  g_autofree char *cursor = NULL, *cursor2 = NULL, *visits_csv = NULL;
  g_autoptr(GPtrArray) all_a = NULL, new_lines = NULL, all = NULL, joined = NULL;
  g_auto(Run) first = { 0 }, empty = { 0 }, second = { 0 }, whole = { 0 }, csv = { 0 }, bad = { 0 };
  SyncTestServer s = { 0 };
  gint64 b_visits = 0;

  g_free (sync_test_run_ok (cli, "--db", device_a, "demo", "--households", "6", "--seed", "41", NULL));
  sync_test_sign_in_demo (device_a);
  g_free (sync_test_run_ok (cli, "--db", device_b, "demo", "--households", "6", "--seed", "42", NULL));
  sync_test_sign_in_demo (device_b);
  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device_a, "enroll", "--server", s.url, "--code", code_a, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_a, "sync", NULL));

  run_server (&first, dir, "export", "--db", server_db, "--ndjson", NULL);
  g_assert_cmpint (first.status, ==, 0);
  cursor = printed_cursor (first.err);
  g_assert_nonnull (strstr (first.err, " records\n"));   /* the progress line */
  all_a = sorted_lines (first.out);
  g_assert_cmpuint (all_a->len, >, 50);

  run_server (&empty, dir, "export", "--db", server_db, "--ndjson", "--since", cursor, NULL);
  g_assert_cmpint (empty.status, ==, 0);
  g_assert_cmpstr (empty.out, ==, "");
  g_assert_nonnull (strstr (empty.err, "0 of 0 records"));

  g_free (sync_test_run_ok (cli, "--db", device_b, "enroll", "--server", s.url, "--code", code_b, NULL));
  g_free (sync_test_run_ok (cli, "--db", device_b, "sync", NULL));
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);

  /* only what device b's sync stored */
  run_server (&second, dir, "export", "--db", server_db, "--ndjson", "--since", cursor, NULL);
  g_assert_cmpint (second.status, ==, 0);
  new_lines = sorted_lines (second.out);
  g_assert_cmpuint (new_lines->len, >, 50);
  for (guint i = 0; i < new_lines->len; i++)
    if (strstr (new_lines->pdata[i], "\"type\":\"visit\"") != NULL)
      b_visits++;
  cursor2 = printed_cursor (second.err);
  g_assert_cmpint (g_ascii_strtoll (cursor2, NULL, 10), >, g_ascii_strtoll (cursor, NULL, 10));

  /* the two exports together are the whole, each line once */
  run_server (&whole, dir, "export", "--db", server_db, "--ndjson", NULL);
  all = sorted_lines (whole.out);
  joined = sorted_lines (first.out);
  for (guint i = 0; i < new_lines->len; i++)
    g_ptr_array_add (joined, g_strdup (new_lines->pdata[i]));
  g_ptr_array_sort (joined, sync_test_compare_strings);
  sync_test_assert_same_lines (all, joined);

  /* CSV: device b's visits only (and a header) */
  run_server (&csv, dir, "export", "--db", server_db, "--csv", csv_dir, "--since", cursor, NULL);
  g_assert_cmpint (csv.status, ==, 0);
  visits_csv = g_build_filename (csv_dir, "visit.csv", NULL);
  g_assert_cmpint (b_visits, >, 0);
  g_assert_cmpuint (count_lines (visits_csv), ==, (guint) b_visits + 1);

  run_server (&bad, dir, "export", "--db", server_db, "--ndjson", "--since", "yesterday", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "--since \"yesterday\""));

  sync_test_remove_tree (dir);
}

/* Copies every record @copies times (the export reads rows; it does not
 * care that their ids repeat inside the lines). */
static void
multiply_records (const char *server_db,
                  int         copies,
                  const char *tag)
{
  g_autofree char *sql = g_strdup_printf (
      "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
      "INSERT INTO records (kind, id, rev, type, community_id, pushed_by, sha256, line, received) "
      "SELECT kind, id || '-%s' || i, rev, type, community_id, pushed_by, sha256, line, received "
      "FROM records, n WHERE kind = 'record'", copies, tag);

  sync_test_server_exec (server_db, sql);
}

/* Memory does not grow with the records: three times the records (30,000,
 * about 36 MB of envelopes) take the same memory as 10,000.  (Before, the
 * CSV export kept every record's JSON tree: several times the records.) */
static void
test_flat_memory (void)
{
  const char *cli = sync_test_cli ();
  g_autofree char *dir = sync_test_make_dir ();
  g_autofree char *device = g_build_filename (dir, "a.db", NULL);
  g_autofree char *server_db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *csv_small = g_build_filename (dir, "csv-small", NULL);
  g_autofree char *csv_big = g_build_filename (dir, "csv-big", NULL);
  g_autofree char *code = sync_test_enroll_code (server_db, "all");
  g_autofree char *visits_small = NULL, *visits_big = NULL;
  g_auto(Run) nd_small = { 0 }, nd_big = { 0 }, small = { 0 }, big = { 0 };
  SyncTestServer s = { 0 };
  gint64 records_small, records_big;

  g_free (sync_test_run_ok (cli, "--db", device, "demo", "--households", "12", "--seed", "43", NULL));
  sync_test_sign_in_demo (device);
  sync_test_server_start (&s, server_db, log, NULL);
  g_free (sync_test_run_ok (cli, "--db", device, "enroll", "--server", s.url, "--code", code, NULL));
  g_free (sync_test_run_ok (cli, "--db", device, "sync", NULL));
  sync_test_server_stop (&s, FALSE);
  sync_test_server_clear (&s);

  multiply_records (server_db, 39, "a");
  records_small = sync_test_server_stat (server_db, "records");
  g_assert_cmpint (records_small, >, 9000);
  run_server_measured (&nd_small, dir, "export", "--db", server_db, "--ndjson", NULL);
  run_server_measured (&small, dir, "export", "--db", server_db, "--csv", csv_small, NULL);
  g_assert_cmpint (nd_small.status, ==, 0);
  g_assert_cmpint (small.status, ==, 0);

  multiply_records (server_db, 2, "b");
  records_big = sync_test_server_stat (server_db, "records");
  g_assert_cmpint (records_big, ==, 3 * records_small);
  run_server_measured (&nd_big, dir, "export", "--db", server_db, "--ndjson", NULL);
  run_server_measured (&big, dir, "export", "--db", server_db, "--csv", csv_big, NULL);
  g_assert_cmpint (big.status, ==, 0);
  g_assert_cmpuint (nd_big.out_length, ==, 3 * nd_small.out_length);
  g_assert_cmpuint (nd_big.out_length - nd_small.out_length, >, 20 * 1024 * 1024);
  visits_small = g_build_filename (csv_small, "visit.csv", NULL);
  visits_big = g_build_filename (csv_big, "visit.csv", NULL);
  g_assert_cmpuint (count_lines (visits_big) - 1, ==, 3 * (count_lines (visits_small) - 1));
  g_test_message ("peak memory: ndjson %ld kB -> %ld kB, csv %ld kB -> %ld kB, for %" G_GINT64_FORMAT
                  " -> %" G_GINT64_FORMAT " records", nd_small.max_rss_kb, nd_big.max_rss_kb, small.max_rss_kb,
                  big.max_rss_kb, records_small, records_big);
  /* over 20 MB more records: 4 MB is allocator and page cache noise.
   * (AddressSanitizer keeps freed memory in quarantine: there the peak
   * grows with what was allocated, not with what is held.) */
  if (g_getenv ("CLMRS_SANITIZED") == NULL)
    {
      g_assert_cmpint (nd_big.max_rss_kb, <, nd_small.max_rss_kb + 4 * 1024);
      g_assert_cmpint (big.max_rss_kb, <, small.max_rss_kb + 4 * 1024);
    }

  sync_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export/since", test_since);
  g_test_add_func ("/export/flat-memory", test_flat_memory);
  return g_test_run ();
}
