/* cmd-export.c: `clmrs export`, finalised records as wire envelopes or as CSV tables. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "outbox.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* What M&E staff get: every table but secrets (PIN hashes) and drafts. */
static const struct {
  const char *file;
  const char *sql;
} csv_tables[] = {
  { "communities.csv", "SELECT id, name, district, country, rev, created, modified FROM communities ORDER BY name" },
  { "facilitators.csv", "SELECT id, name, sex, role, active, created FROM facilitators ORDER BY name" },
  { "households.csv", "SELECT id, community_id, head_name, head_sex, rev, device_id, author, created, modified FROM households ORDER BY created, id" },
  { "children.csv", "SELECT id, household_id, name, sex, dob, age, age_on, rev, created, modified FROM children ORDER BY created, id" },
  { "visits.csv", "SELECT id, kind, form_id, form_version, facilitator_id, community_id, household_id, child_id, visit_date, started, finalised, rev, rules, review_state, answers FROM visits WHERE state = 'final' ORDER BY finalised, id" },
  { "assessments.csv", "SELECT a.id, a.visit_id, a.child_id, a.assessed_on, a.age, a.status, a.rules, a.reasons FROM assessments a ORDER BY a.assessed_on, a.id" },
  { "supports.csv", "SELECT id, level, type, support_date, community_id, household_id, child_id, visit_id, facilitator_id, created FROM supports ORDER BY support_date, id" },
  { "awareness_sessions.csv", "SELECT id, community_id, session_date, level, topic, men, women, boys, girls, household_id, facilitator_id, created FROM awareness_sessions ORDER BY session_date, id" },
  { "reviews.csv", "SELECT id, visit_id, visit_rev, supervisor_id, decision, message, created FROM reviews ORDER BY created, id" },
  { "cases.csv", "SELECT child_id, status, open, identified_on, last_visit, next_due, follow_ups FROM cases ORDER BY child_id" },
  { "sync_queue.csv", "SELECT record_id, rev, type, facilitator_id, state, bytes, queued_at, sent_at, attempts, last_error, reject_reason FROM outbox ORDER BY rowid" },
};

static gboolean
export_csv_table (ClmrsStore  *store,
                  const char  *dir,
                  const char  *file,
                  const char  *sql,
                  GError     **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, error);
  int columns, rc;

  if (stmt == NULL)
    return FALSE;
  columns = sqlite3_column_count (stmt);
  for (int c = 0; c < columns; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      clmrs_csv_append_cell (out, sqlite3_column_name (stmt, c), FALSE);
    }
  g_string_append (out, "\r\n");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int c = 0; c < columns; c++)
        {
          int type = sqlite3_column_type (stmt, c);

          if (c > 0)
            g_string_append_c (out, ',');
          /* SQL numbers stay numbers; text is neutralised (util.c) */
          clmrs_csv_append_cell (out, (const char *) sqlite3_column_text (stmt, c),
                                 type == SQLITE_INTEGER || type == SQLITE_FLOAT);
        }
      g_string_append (out, "\r\n");
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "%s: %s", file,
                   sqlite3_errmsg (clmrs_store_get_db (store)));
      return FALSE;
    }
  /* written whole or not at all */
  return g_file_set_contents (path, out->str, out->len, error);
}

static gboolean
print_line (const char  *line,
            gpointer     user_data,
            GError     **error)
{
  FILE *out = user_data;

  if (fputs (line, out) == EOF || fputc ('\n', out) == EOF)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "writing the export: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

int
clmrs_cmd_export (ClmrsCli  *cli,
                  int        argc,
                  char     **argv)
{
  gboolean ndjson = FALSE;
  g_autofree char *csv_dir = NULL;
  gboolean queued_only = FALSE;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "ndjson", 0, 0, G_OPTION_ARG_NONE, &ndjson, "Every finalised record as a record envelope, one per line, as it goes on the wire", NULL },
    { "queued", 0, 0, G_OPTION_ARG_NONE, &queued_only, "With --ndjson: only records not yet acknowledged by the server", NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_dir, "One CSV file per table in DIR (created if missing)", "DIR" },
    { NULL }
  };

  if (!clmrs_cli_parse ("export", NULL,
                        "Exports the device's finalised data: --ndjson writes record envelopes\n"
                        "to standard output (docs/sync-protocol.md), --csv DIR writes one CSV\n"
                        "per table for M&E staff (no PIN hashes, no drafts).",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "export: unexpected argument '%s'", argv[1]);
  if (ndjson == (csv_dir != NULL))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "export: give exactly one of --ndjson or --csv DIR");

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);

  if (ndjson)
    {
      /* one read transaction: a consistent snapshot even while a sync runs */
      if (!clmrs_store_exec (store, "BEGIN", &error) ||
          !clmrs_outbox_foreach (store, queued_only, print_line, stdout, &error))
        return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "export: %s", error->message);
      clmrs_store_exec (store, "COMMIT", NULL);
      if (fflush (stdout) != 0)
        return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "export: writing standard output: %s", g_strerror (errno));
      return CLMRS_EXIT_OK;
    }

  if (g_mkdir_with_parents (csv_dir, 0700) != 0)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "export: cannot create %s: %s", csv_dir, g_strerror (errno));
  if (!clmrs_store_exec (store, "BEGIN", &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "export: %s", error->message);
  for (gsize i = 0; i < G_N_ELEMENTS (csv_tables); i++)
    if (!export_csv_table (store, csv_dir, csv_tables[i].file, csv_tables[i].sql, &error))
      return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "export: %s", error->message);
  clmrs_store_exec (store, "COMMIT", NULL);
  printf ("wrote %zu tables to %s\n", G_N_ELEMENTS (csv_tables), csv_dir);
  return CLMRS_EXIT_OK;
}
