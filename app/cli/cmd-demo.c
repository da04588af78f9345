/* cmd-demo.c: `clmrs demo`, a device database full of realistic synthetic data. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "demo.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <unistd.h>

static void
show_progress (guint    done,
               guint    total,
               gpointer user_data)
{
  gint64 *start = user_data;
  double seconds = (g_get_monotonic_time () - *start) / 1e6;

  if (isatty (fileno (stderr)))
    fprintf (stderr, "\r%u/%u households (%.0f s)%s", done, total, seconds, done == total ? "\n" : "");
}

static gint64
count (ClmrsStore *store, const char *sql)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, NULL);
  gint64 n = -1;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

int
clmrs_cmd_demo (ClmrsCli  *cli,
                int        argc,
                char     **argv)
{
  int households = 200;
  int seed = 1;
  int months = 24;
  int communities = 0;
  g_autofree char *until = NULL;
  g_autofree char *language = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ClmrsDemoReport report;
  gboolean created;
  gint64 start;
  double seconds;
  GOptionEntry entries[] = {
    { "households", 0, 0, G_OPTION_ARG_INT, &households, "How many households to visit (default 200)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Random seed: the same seed and --until give the same data (default 1)", "S" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, "Last day of the simulated period (default today, or $CLMRS_TODAY)", "YYYY-MM-DD" },
    { "months", 0, 0, G_OPTION_ARG_INT, &months, "Length of the period in months (default 24)", "M" },
    { "communities", 0, 0, G_OPTION_ARG_INT, &communities, "How many communities (default one per 150 households, at least 2)", "N" },
    { "language", 0, 0, G_OPTION_ARG_STRING, &language, "Language of the supervisor's messages and free-text answers: en (default) or fr", "LANG" },
    { NULL }
  };
  ClmrsDemoOptions options = { 0 };

  if (!clmrs_cli_parse ("demo", NULL,
                        "Fills a new device database with realistic synthetic data made through\n"
                        "the shipped forms and rules: communities in Côte d'Ivoire and Ghana,\n"
                        "facilitators, households with their children classified, supports,\n"
                        "follow-ups over two years, awareness sessions and supervisor reviews,\n"
                        "all finalised into the outbox. Prints who can sign in, with PINs.\n"
                        "The database is encrypted and every demo person can sign in with the\n"
                        "PIN printed. It is marked as demo data (clmrs-field shows it as such);\n"
                        "one enrolled with a server or holding any record is refused.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "demo: unexpected argument '%s'", argv[1]);
  if (households < 1 || households > 1000000)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "demo: --households is 1 to 1000000 (got %d)", households);
  if (months < 1 || months > 120)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "demo: --months is 1 to 120 (got %d)", months);
  if (communities < 0 || communities > 10000)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "demo: --communities is 1 to 10000 (got %d)", communities);
  if (seed == 0)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "demo: --seed must not be 0");
  if (language != NULL && !g_str_equal (language, "en") && !g_str_equal (language, "fr"))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "demo: --language is en or fr (got '%s')", language);

  /* the device id is part of the data: derive it from the seed too */
  created = !g_file_test (cli->db_path, G_FILE_TEST_EXISTS);
  clmrs_uuid_set_seed ((guint32) seed);
  store = created ? clmrs_device_create (cli->db_path, &cli->key, &error)
                  : clmrs_cli_open_existing (cli, &error);
  clmrs_uuid_set_seed (0);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);

  start = g_get_monotonic_time ();
  options.households = households;
  options.seed = (guint32) seed;
  options.until = until;
  options.months = months;
  options.communities = (guint) communities;
  options.language = language;
  options.progress = show_progress;
  options.progress_data = &start;
  if (!clmrs_demo_generate (store, &options, &report, &error) ||
      (cli->key != NULL && !clmrs_device_write_demo_keyring (store, cli->db_path, cli->key, &error)))
    {
      if (created)
        {
          g_clear_pointer (&store, clmrs_store_close);
          clmrs_device_remove_files (cli->db_path);
        }
      return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;

  printf ("Demo data in %s (%.1f s):\n"
          "  %u communities, %u households, %u children (%u found in child labour, %u of them at a farm visit)\n"
          "  cases: %u exited, %u relapsed, %u follow-up windows missed, %u closed\n"
          "  %u household visits, %u farm visits, %u follow-ups, %u supports, %u awareness sessions\n"
          "  %u reviews by the supervisor, %u drafts left open, %u records queued for sync\n",
          cli->db_path, seconds,
          report.communities, report.households, report.children, report.identified,
          report.identified_at_farm,
          report.exited, report.relapsed, report.missed, report.closed,
          report.household_visits, report.farm_visits, report.follow_ups, report.supports, report.awareness_sessions,
          report.reviews, report.drafts, report.records_queued);
  printf ("Sign in as (clmrs --db %s --person NAME ...):\n", cli->db_path);
  {
    g_autoptr(GPtrArray) people = clmrs_device_demo_people (store, NULL);

    for (guint i = 0; people != NULL && i < people->len; i++)
      {
        char **p = g_ptr_array_index (people, i);
        g_autofree char *name = clmrs_cli_column (p[1], 28);

        printf ("  %s %-12s PIN %s\n", name, p[3], p[2]);
      }
  }
  printf ("  database: %" G_GINT64_FORMAT " visits, %" G_GINT64_FORMAT " assessments\n",
          count (store, "SELECT count (*) FROM visits"),
          count (store, "SELECT count (*) FROM assessments"));
  return CLMRS_EXIT_OK;
}
