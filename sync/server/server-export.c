/* server-export.c: what the server holds, for M&E staff: NDJSON as received, or one CSV per type.
 *
 * Quarantined records are left out; every CSV cell goes through
 * clmrs_csv_append_cell(), so a name typed as a formula is shown, not run.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* The newest seq (the cursor an export gives for its next --since), and
 * how many records after @since an export writes (for its progress). */
static gboolean
export_bounds (ServerDb    *db,
               gint64       since,
               gint64      *cursor,
               guint64     *total,
               GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, "SELECT (SELECT coalesce (max (seq), 0) FROM records), "
                                                 "(SELECT count (*) FROM records WHERE seq > ?1 AND kind = 'record' "
                                                 " AND quarantined IS NULL)", error);

  if (stmt == NULL)
    return FALSE;
  db_bind_int64 (stmt, 1, since);
  if (db_step (stmt) != DB_ROW)
    return db_fail (db, "export", error);
  *cursor = MAX (db_column_int64 (stmt, 0), since);
  *total = (guint64) db_column_int64 (stmt, 1);
  return TRUE;
}

static gboolean
write_failed (const char  *what,
              GError     **error)
{
  g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "export: writing %s: %s", what, g_strerror (errno));
  return FALSE;
}

/* Tells @progress every 10,000 records. */
static void
export_progress (ServerExportProgress progress,
                 gpointer             data,
                 guint64              done,
                 guint64              total,
                 gboolean             last)
{
  /* the last count is told once, by the last call */
  if (progress != NULL && (last || (done % 10000 == 0 && done != total)))
    progress (done, total, data);
}

/**
 * server_db_export_ndjson:
 * @since: write only the records stored after this cursor (0: all)
 * @cursor: (out): the cursor to give as @since next time
 * @progress: (nullable): told the records written so far
 *
 * Writes each stored record's line exactly as received, in server order,
 * one row at a time from one read transaction (memory does not grow with
 * the records).
 */
gboolean
server_db_export_ndjson (ServerDb             *db,
                         FILE                 *out,
                         gint64                since,
                         gint64               *cursor,
                         ServerExportProgress  progress,
                         gpointer              progress_data,
                         GError              **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  guint64 total = 0, done = 0;
  gboolean ok = FALSE;
  int rc;

  /* one snapshot: the cursor covers exactly what was written */
  if (!db_exec (db, "BEGIN", error))
    return FALSE;
  if (!export_bounds (db, since, cursor, &total, error))
    goto out;
  stmt = db_prepare_cursor (db, "SELECT line FROM records WHERE seq > ? AND kind = 'record' AND quarantined IS NULL "
                         "ORDER BY seq", error);
  if (stmt == NULL)
    goto out;
  db_bind_int64 (stmt, 1, since);
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      if (fwrite (db_column_blob (stmt, 0), 1, (size_t) db_column_bytes (stmt, 0), out)
          != (size_t) db_column_bytes (stmt, 0) || fputc ('\n', out) == EOF)
        {
          write_failed ("the records", error);
          goto out;
        }
      export_progress (progress, progress_data, ++done, total, FALSE);
    }
  if (rc != DB_DONE)
    {
      db_fail (db, "export", error);
      goto out;
    }
  if (fflush (out) != 0 || ferror (out))
    {
      write_failed ("the records", error);
      goto out;
    }
  export_progress (progress, progress_data, done, total, TRUE);
  ok = TRUE;
out:
  db_exec (db, "COMMIT", NULL);
  return ok;
}

static void
csv_field (GString    *row,
           const char *text,
           gboolean    is_number)
{
  if (row->len > 0 && row->str[row->len - 1] != '\n')
    g_string_append_c (row, ',');
  clmrs_csv_append_cell (row, text, is_number);
}

/* A body member as CSV text: strings as they are, scalars as JSON, nested
 * values as JSON; @is_number tells a JSON number from text. */
static char *
csv_value (JsonNode *node,
           gboolean *is_number)
{
  *is_number = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  *is_number = JSON_NODE_HOLDS_VALUE (node)
               && (json_node_get_value_type (node) == G_TYPE_INT64
                   || json_node_get_value_type (node) == G_TYPE_DOUBLE);
  return clmrs_json_canonical (node, NULL);
}

static const char *const csv_envelope_columns[] = {
  "id", "rev", "type", "device_id", "author", "community_id", "created", "modified",
  "schema", "rules",
};

/* Writes @row to @out and empties it. */
static gboolean
flush_row (FILE       *out,
           GString    *row,
           const char *path,
           GError    **error)
{
  if (fwrite (row->str, 1, row->len, out) != row->len)
    return write_failed (path, error);
  g_string_truncate (row, 0);
  return TRUE;
}

/* Opens @path's temporary file: the CSV takes its name only once whole. */
static FILE *
csv_open (const char  *path,
          GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".part", NULL);
  FILE *out = fopen (tmp, "w");

  if (out == NULL)
    write_failed (tmp, error);
  return out;
}

static gboolean
csv_close (FILE        *out,
           const char  *path,
           gboolean     ok,
           GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".part", NULL);

  if (fclose (out) != 0 && ok)
    ok = write_failed (path, error);
  if (ok && g_rename (tmp, path) != 0)
    ok = write_failed (path, error);
  if (!ok)
    g_unlink (tmp);
  return ok;
}

/* One type's CSV: its columns (the body members any of its records has)
 * come from SQLite's json_each() in a first pass, then each record is
 * parsed, written and freed in turn. */
static gboolean
export_csv_type (ServerDb             *db,
                 ClmrsRecordType       t,
                 const char           *dir,
                 gint64                since,
                 guint64              *done,
                 guint64               total,
                 ServerExportProgress  progress,
                 gpointer              progress_data,
                 GError              **error)
{
  const char *type = clmrs_record_type_to_string (t);
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) row = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("%s.csv", type);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gboolean ok = FALSE;
  FILE *out;
  int rc;

  stmt = db_prepare (db, db_dialect (db,
                                     "SELECT DISTINCT j.key FROM records r, json_each (CAST (r.line AS TEXT), '$.body') j "
                                     "WHERE r.seq > ? AND r.kind = 'record' AND r.type = ? AND r.quarantined IS NULL "
                                     "ORDER BY j.key",
                                     /* byte order, as SQLite's */
                                     "SELECT DISTINCT j.key COLLATE \"C\" FROM records r, "
                                     "jsonb_object_keys (convert_from (r.line, 'UTF8')::jsonb -> 'body') AS j (key) "
                                     "WHERE r.seq > ? AND r.kind = 'record' AND r.type = ? AND r.quarantined IS NULL "
                                     "ORDER BY 1"), error);
  if (stmt == NULL)
    return FALSE;
  db_bind_int64 (stmt, 1, since);
  db_bind_text (stmt, 2, type);
  while ((rc = db_step (stmt)) == DB_ROW)
    g_ptr_array_add (columns, g_strdup ((const char *) db_column_text (stmt, 0)));
  if (rc != DB_DONE)
    return db_fail (db, "export", error);
  g_clear_pointer (&stmt, db_finalize);

  out = csv_open (path, error);
  if (out == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (csv_envelope_columns); i++)
    csv_field (row, csv_envelope_columns[i], FALSE);
  for (guint i = 0; i < columns->len; i++)
    {
      g_autofree char *column = g_strconcat ("body.", (const char *) columns->pdata[i], NULL);
      csv_field (row, column, FALSE);
    }
  g_string_append_c (row, '\n');
  if (!flush_row (out, row, path, error))
    goto out;

  stmt = db_prepare_cursor (db, "SELECT line FROM records WHERE seq > ? AND kind = 'record' AND type = ? "
                         "AND quarantined IS NULL ORDER BY seq", error);
  if (stmt == NULL)
    goto out;
  db_bind_int64 (stmt, 1, since);
  db_bind_text (stmt, 2, type);
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      g_autoptr(JsonNode) node = clmrs_wire_parse_json (db_column_blob (stmt, 0),
                                                        (gsize) db_column_bytes (stmt, 0), 1, NULL);
      JsonObject *env, *body;

      if (node == NULL)
        continue;
      env = json_node_get_object (node);
      body = json_object_get_object_member (env, "body");
      for (guint i = 0; i < G_N_ELEMENTS (csv_envelope_columns); i++)
        {
          gboolean is_number;
          g_autofree char *value = csv_value (json_object_get_member (env, csv_envelope_columns[i]), &is_number);
          csv_field (row, value, is_number);
        }
      for (guint i = 0; i < columns->len; i++)
        {
          gboolean is_number;
          g_autofree char *value = csv_value (json_object_get_member (body, columns->pdata[i]), &is_number);
          csv_field (row, value, is_number);
        }
      g_string_append_c (row, '\n');
      if (!flush_row (out, row, path, error))
        goto out;
      export_progress (progress, progress_data, ++*done, total, FALSE);
    }
  if (rc != DB_DONE)
    {
      db_fail (db, "export", error);
      goto out;
    }
  ok = TRUE;
out:
  return csv_close (out, path, ok, error) && ok;
}

/**
 * server_db_export_csv:
 * @since: only the records stored after this cursor (0: all)
 * @cursor: (out): the cursor to give as @since next time
 * @progress: (nullable): told the records written so far
 *
 * One CSV per record type (`<type>.csv`) in @dir: the envelope's fields,
 * then each top-level body member in its own column (nested values as
 * JSON), every revision in server order; and `conflicts.csv` (all of
 * them, whatever @since).  Rows are written as they are read, from one
 * read transaction: memory does not grow with the records.
 */
gboolean
server_db_export_csv (ServerDb             *db,
                      const char           *dir,
                      gint64                since,
                      gint64               *cursor,
                      ServerExportProgress  progress,
                      gpointer              progress_data,
                      GError              **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(GString) row = g_string_new ("conflict,id,rev,type,community_id,pushed_by,sha256,received,line\n");
  g_autofree char *path = g_build_filename (dir, "conflicts.csv", NULL);
  guint64 total = 0, done = 0;
  gboolean ok = FALSE;
  FILE *out = NULL;
  int rc;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (!db_exec (db, "BEGIN", error))
    return FALSE;
  if (!export_bounds (db, since, cursor, &total, error))
    goto out;
  for (int t = 0; t < CLMRS_RECORD_N_TYPES; t++)
    if (!export_csv_type (db, (ClmrsRecordType) t, dir, since, &done, total, progress, progress_data, error))
      goto out;

  stmt = db_prepare_cursor (db, "SELECT conflict, id, rev, type, community_id, pushed_by, sha256, received, "
                         "CAST (line AS TEXT) FROM conflicts ORDER BY conflict", error);
  if (stmt == NULL || (out = csv_open (path, error)) == NULL)
    goto out;
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      for (int c = 0; c < 9; c++)
        csv_field (row, (const char *) db_column_text (stmt, c),
                   db_column_is_integer (stmt, c));
      g_string_append_c (row, '\n');
      if (!flush_row (out, row, path, error))
        break;
    }
  if (rc != DB_DONE && rc != DB_ROW)
    db_fail (db, "export", error);
  if (!csv_close (out, path, rc == DB_DONE && (error == NULL || *error == NULL), error) || rc != DB_DONE)
    goto out;
  export_progress (progress, progress_data, done, total, TRUE);
  ok = TRUE;
out:
  db_exec (db, "COMMIT", NULL);
  return ok;
}
