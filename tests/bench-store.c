/* bench-store.c: the store at field scale: generation, size, the facilitator's lists, autosave. */
#include "casebook.h"
#include "demo.h"
#include "store.h"
#include "util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Usage: bench-store [--households N] [--db PATH] [--keep]
 *
 * Every figure comes with a baseline measured in the same process, and
 * the ratio between them:
 *  - follow-ups due: the indexed cases cache  vs  evaluating every child's
 *    case from its visits with cases.c (what a store without the cache does);
 *  - household search (the name or a word of it starts with the prefix):
 *    walking the index on the name and its folded key (households_search)
 *    in name order  vs  a full scan and a sort;
 *  - autosave: one answer written to a draft (transaction, upsert, fsync)
 *    vs  the bare fsync'd one-row INSERT that is SQLite's floor.
 */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *ms, double p)
{
  guint index;

  qsort (ms->data, ms->len, sizeof (double), compare_doubles);
  index = (guint) (p * (ms->len - 1) + 0.5);
  return g_array_index (ms, double, index);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
die (const char *what, GError *error)
{
  fprintf (stderr, "bench-store: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

static gint64
scalar (ClmrsStore *store, const char *sql)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, NULL);
  gint64 n = -1;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The naive follow-ups list: every child's case from scratch. */
static guint
due_by_evaluating_everything (ClmrsStore *store, const GDate *today)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  /* refresh_all evaluates every child with cases.c (and rewrites the
   * cache with the same values): the work of a store without the cache */
  if (!clmrs_casebook_refresh_all (store, today, NULL, &n, &error))
    die ("evaluating every case", error);
  return n;
}

int
main (int argc, char **argv)
{
  int households = 20000;
  g_autofree char *db = NULL;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "households", 0, 0, G_OPTION_ARG_INT, &households, "Households in the demo database", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "Database to use (generated if missing)", "PATH" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the generated database", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- CLMRS store benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GArray) fast = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) slow = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *tmpdir = NULL;
  gboolean generated = FALSE;
  double t0, generation_s = 0;
  GDate today;
  GRand *rand = g_rand_new_with_seed (42);
  GStatBuf st;
  gint64 db_bytes = 0;
  g_autofree char *draft = NULL;
  g_autofree char *facilitator = NULL;
  g_autofree char *community = NULL;
  const char *prefixes[] = { "K", "Ko", "Kou", "A", "Ad", "Y", "Ya", "M", "Me", "O", "Ow", "B", "Bo", "T", "Tr", "N'", "G", "Ga", "D", "Da" };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("options", error);
  if (db == NULL)
    {
      tmpdir = g_dir_make_tmp ("clmrs-bench-XXXXXX", &error);
      db = g_build_filename (tmpdir, "bench.db", NULL);
    }
  clmrs_date_today (&today);

  if (!g_file_test (db, G_FILE_TEST_EXISTS))
    {
      ClmrsDemoOptions options = { .households = households, .seed = 7 };
      ClmrsDemoReport report;

      store = clmrs_store_open (db, &error);
      if (store == NULL)
        die ("opening", error);
      t0 = now_ms ();
      if (!clmrs_demo_generate (store, &options, &report, &error))
        die ("generating", error);
      generation_s = (now_ms () - t0) / 1000;
      generated = TRUE;
      printf ("generation: %d households, %u children, %u visits in %.1f s (%.0f households/s)\n",
              households, report.children, report.household_visits + report.follow_ups + report.supports,
              generation_s, households / generation_s);
    }
  else if ((store = clmrs_store_open (db, &error)) == NULL)
    die ("opening", error);

  clmrs_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
  if (g_stat (db, &st) == 0)
    db_bytes = st.st_size;
  printf ("database: %" G_GINT64_FORMAT " households, %" G_GINT64_FORMAT " children, %" G_GINT64_FORMAT
          " assessments, %.1f MB (%.1f kB per household)\n",
          scalar (store, "SELECT count (*) FROM households"), scalar (store, "SELECT count (*) FROM children"),
          scalar (store, "SELECT count (*) FROM assessments"), db_bytes / 1e6,
          db_bytes / 1e3 / MAX (1, scalar (store, "SELECT count (*) FROM households")));

  /* follow-ups due */
  for (guint i = 0; i < 101; i++)
    {
      GDate day = today;
      g_autoptr(GPtrArray) due = NULL;

      g_date_subtract_days (&day, g_rand_int_range (rand, 0, 365));
      t0 = now_ms ();
      due = clmrs_casebook_follow_ups_due (store, &day, 30, 200, &error);
      if (due == NULL)
        die ("follow-ups due", error);
      g_array_append_val (fast, (double) { now_ms () - t0 });
    }
  for (guint i = 0; i < 3; i++)
    {
      t0 = now_ms ();
      due_by_evaluating_everything (store, &today);
      g_array_append_val (slow, (double) { now_ms () - t0 });
    }
  printf ("follow-ups due (200 rows): median %.2f ms; baseline, every case evaluated: median %.0f ms; %.0fx faster\n",
          percentile (fast, 0.5), percentile (slow, 0.5), percentile (slow, 0.5) / percentile (fast, 0.5));
  g_array_set_size (fast, 0);
  g_array_set_size (slow, 0);

  /* household search by the start of the name or of a word in it */
  for (guint i = 0; i < 200; i++)
    {
      const char *prefix = prefixes[i % G_N_ELEMENTS (prefixes)];
      g_autoptr(GPtrArray) found = NULL;
      sqlite3_stmt *stmt;
      g_autofree char *pattern = g_strconcat (prefix, "%", NULL);

      t0 = now_ms ();
      found = clmrs_casebook_search_households (store, prefix, 50, &error);
      if (found == NULL)
        die ("search", error);
      g_array_append_val (fast, (double) { now_ms () - t0 });

      if (i % 10 == 0)
        {
          stmt = clmrs_store_prepare (store,
              "SELECT h.id, h.head_name FROM households h"
              " WHERE lower (h.head_name) LIKE lower (?1) OR lower (h.head_name) LIKE '% ' || lower (?1)"
              " ORDER BY lower (h.head_name) LIMIT 50", NULL);
          sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
          t0 = now_ms ();
          while (sqlite3_step (stmt) == SQLITE_ROW)
            ;
          g_array_append_val (slow, (double) { now_ms () - t0 });
          sqlite3_finalize (stmt);
        }
    }
  printf ("household search by name or word prefix (50 rows): median %.2f ms; baseline, full scan and sort: median %.2f ms; %.0fx faster\n",
          percentile (fast, 0.5), percentile (slow, 0.5), percentile (slow, 0.5) / percentile (fast, 0.5));
  g_array_set_size (fast, 0);
  g_array_set_size (slow, 0);

  /* autosave of one answer, synchronous=FULL */
  {
    sqlite3_stmt *stmt = clmrs_store_prepare (store,
        "SELECT f.id, (SELECT id FROM communities LIMIT 1) FROM facilitators f WHERE role = 'facilitator' LIMIT 1", NULL);
    if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
      die ("finding a facilitator", NULL);
    facilitator = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    community = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    sqlite3_finalize (stmt);
  }
  draft = clmrs_store_draft_create (store, "household", "household_visit", "1", facilitator, community,
                                    NULL, NULL, &error);
  if (draft == NULL)
    die ("draft", error);
  clmrs_store_exec (store, "CREATE TABLE IF NOT EXISTS bench_floor (x TEXT)", NULL);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *ref = g_strdup_printf ("/household_visit/children/child[%u]/work/econ/hours_7d", i % 8 + 1);
      g_autofree char *value = g_strdup_printf ("%u", i);
      sqlite3_stmt *stmt;

      t0 = now_ms ();
      if (!clmrs_store_draft_save_answer (store, draft, ref, value, &error))
        die ("autosave", error);
      g_array_append_val (fast, (double) { now_ms () - t0 });

      stmt = clmrs_store_prepare (store, "INSERT INTO bench_floor VALUES (?)", NULL);
      sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
      t0 = now_ms ();
      sqlite3_step (stmt);
      g_array_append_val (slow, (double) { now_ms () - t0 });
      sqlite3_finalize (stmt);
    }
  clmrs_store_exec (store, "DROP TABLE bench_floor", NULL);
  clmrs_store_draft_discard (store, draft, NULL);
  {
    double median = percentile (fast, 0.5), p99 = percentile (fast, 0.99);
    double floor_median = percentile (slow, 0.5), floor_p99 = percentile (slow, 0.99);

    printf ("autosave one answer (synchronous=FULL): median %.2f ms, p99 %.2f ms; "
            "baseline, bare fsync'd INSERT: median %.2f ms, p99 %.2f ms; ratio %.2f (median)\n",
            median, p99, floor_median, floor_p99, median / floor_median);
  }

  g_rand_free (rand);
  g_clear_pointer (&store, clmrs_store_close);
  if (generated && !keep)
    {
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);
      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
      if (tmpdir)
        g_rmdir (tmpdir);
    }
  else if (generated)
    printf ("kept %s\n", db);
  return 0;
}
