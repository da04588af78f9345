/* test-store-crash.c: a writer killed with SIGKILL at random instants never corrupts the
 * store nor loses a visit it reported finalised. */
#include "store.h"
#include "util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char  *id;
  guint  children;
} Reported;

static void
reported_free (gpointer data)
{
  Reported *r = data;

  g_free (r->id);
  g_free (r);
}

static gint64
count_where (ClmrsStore *store, const char *sql, const char *arg)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, NULL);
  gint64 n = -1;

  g_assert_nonnull (stmt);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
check_store (const char *path, GPtrArray *reported)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  stmt = clmrs_store_prepare (store, "PRAGMA integrity_check", &error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  g_assert_cmpint (count_where (store, "SELECT count (*) FROM pragma_foreign_key_check", NULL), ==, 0);

  /* every promised visit is there, final, with all its children assessed
   * and its envelope queued */
  for (guint i = 0; i < reported->len; i++)
    {
      const Reported *r = g_ptr_array_index (reported, i);

      g_assert_cmpint (count_where (store, "SELECT count (*) FROM visits WHERE id = ? AND state = 'final'", r->id), ==, 1);
      g_assert_cmpint (count_where (store, "SELECT count (*) FROM assessments WHERE visit_id = ?", r->id), ==, r->children);
      g_assert_cmpint (count_where (store, "SELECT count (*) FROM outbox WHERE record_id = ? AND type = 'visit'", r->id), ==, 1);
    }
  /* and nothing is half done: no final visit without its envelope, no
   * household visit whose assessments are missing */
  g_assert_cmpint (count_where (store,
      "SELECT count (*) FROM visits v WHERE v.state = 'final' AND NOT EXISTS"
      " (SELECT 1 FROM outbox o WHERE o.record_id = v.id)", NULL), ==, 0);
  g_assert_cmpint (count_where (store,
      "SELECT count (*) FROM visits v WHERE v.state = 'final' AND v.kind = 'household' AND"
      " json_array_length (v.answers, '$.children.child') != "
      " (SELECT count (*) FROM assessments a WHERE a.visit_id = v.id)", NULL), ==, 0);
}

static void
test_killed_writer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-crash-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "device.db", NULL);
  g_autofree char *writer = g_build_filename (g_getenv ("CLMRS_BUILD_DIR"), "tests", "crash-writer", NULL);
  g_autofree char *community = clmrs_uuid_new ();
  g_autofree char *facilitator = clmrs_uuid_new ();
  g_autoptr(GPtrArray) reported = g_ptr_array_new_with_free_func (reported_free);
  const char *rounds_env = g_getenv ("CLMRS_CRASH_ROUNDS");
  guint rounds = rounds_env ? atoi (rounds_env) : 200;
  guint kills_mid_visit = 0;
  gint64 visit_ms;
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_true (clmrs_store_add_community (store, community, "Kragui", "Soubré", "ci", &error));
    g_assert_true (clmrs_store_add_facilitator (store, facilitator, "Awa Koné", "female", "facilitator", "482193", &error));
    g_assert_no_error (error);
  }

  /* calibration: how long one visit takes here (sanitizers slow it
   * down several times), so the kills spread over whole visits */
  {
    const char *argv[] = { writer, path, community, facilitator, "7", NULL };
    GPid pid;
    int out_fd, status;
    char c;
    gint64 start = g_get_monotonic_time ();

    g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                             NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
    g_assert_no_error (error);
    while (read (out_fd, &c, 1) == 1 && c != '\n')
      ;
    visit_ms = MAX (20, (g_get_monotonic_time () - start) / 1000);
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    g_spawn_close_pid (pid);
    close (out_fd);
    check_store (path, reported);
  }

  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *seed = g_strdup_printf ("%u", round * 1000 + 1);
      const char *argv[] = { writer, path, community, facilitator, seed, NULL };
      GPid pid;
      int out_fd, status;
      g_autoptr(GString) output = g_string_new (NULL);
      char buffer[4096];
      ssize_t n;
      g_auto(GStrv) lines = NULL;
      guint before = reported->len;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                               NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
      g_assert_no_error (error);
      /* at random instants: while opening, autosaving, finalising */
      g_usleep (g_rand_int_range (rand, 5, 3 * visit_ms) * 1000);
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_spawn_close_pid (pid);
      while ((n = read (out_fd, buffer, sizeof buffer)) > 0)
        g_string_append_len (output, buffer, n);
      close (out_fd);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

      lines = g_strsplit (output->str, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);
          Reported *r;

          if (g_strv_length (words) != 3 || !g_str_equal (words[0], "FINAL"))
            continue;  /* a line cut by the kill is not a promise */
          r = g_new0 (Reported, 1);
          r->id = g_strdup (words[1]);
          r->children = atoi (words[2]);
          g_ptr_array_add (reported, r);
        }
      if (reported->len == before)
        kills_mid_visit++;
      if (round % 25 == 24 || round + 1 == rounds)
        check_store (path, reported);
    }
  g_test_message ("one visit takes %" G_GINT64_FORMAT " ms; %u kills, %u visits promised and found, "
                  "%u kills before the first visit of a run completed",
                  visit_ms, rounds, reported->len, kills_mid_visit);
  /* the kills fell both before and after finalisations */
  g_assert_cmpuint (reported->len, >, 0);
  g_assert_cmpuint (kills_mid_visit, >, 0);
  g_rand_free (rand);

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/crash/killed-writer-loses-nothing", test_killed_writer);
  return g_test_run ();
}
