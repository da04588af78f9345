/* server-export.c: what the server holds, for M&E staff: NDJSON as received, or one CSV per type.
 *
 * Quarantined records are left out; every CSV cell goes through
 * clmrs_csv_append_cell(), so a name typed as a formula is shown, not run.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "util.h"
#include "wire.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* Writes every stored record's line exactly as received, in server order. */
gboolean
server_db_export_ndjson (sqlite3     *db,
                         FILE        *out,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT line FROM records WHERE kind = 'record' AND quarantined IS NULL ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      fwrite (sqlite3_column_blob (stmt, 0), 1, (size_t) sqlite3_column_bytes (stmt, 0), out);
      fputc ('\n', out);
    }
  if (rc != SQLITE_DONE)
    return db_fail (db, "export", error);
  if (fflush (out) != 0 || ferror (out))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "export: write failed: %s",
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
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

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static const char *const csv_envelope_columns[] = {
  "id", "rev", "type", "device_id", "author", "community_id", "created", "modified",
  "schema", "rules",
};

/* One CSV per record type (`<type>.csv`) in @dir: the envelope's fields,
 * then each top-level body member in its own column (nested values as
 * JSON), every revision in server order; and `conflicts.csv`. */
gboolean
server_db_export_csv (sqlite3     *db,
                      const char  *dir,
                      GError     **error)
{
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }

  for (int t = 0; t < CLMRS_RECORD_N_TYPES; t++)
    {
      const char *type = clmrs_record_type_to_string ((ClmrsRecordType) t);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) columns = g_ptr_array_new ();
      g_autoptr(GString) csv = g_string_new (NULL);
      g_autofree char *name = g_strdup_printf ("%s.csv", type);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      int rc;

      stmt = db_prepare (db, "SELECT line FROM records WHERE kind = 'record' AND type = ? AND quarantined IS NULL ORDER BY seq",
                         error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, type, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          JsonNode *node = clmrs_wire_parse_json (sqlite3_column_blob (stmt, 0),
                                                  (gsize) sqlite3_column_bytes (stmt, 0), 1, NULL);
          JsonObject *body;

          if (node == NULL)
            continue;
          g_ptr_array_add (nodes, node);
          body = json_object_get_object_member (json_node_get_object (node), "body");
          {
            g_autoptr(GList) members = json_object_get_members (body);

            for (GList *m = members; m != NULL; m = m->next)
              if (!g_hash_table_contains (keys, m->data))
                {
                  g_hash_table_add (keys, m->data);
                  g_ptr_array_add (columns, m->data);
                }
          }
        }
      if (rc != SQLITE_DONE)
        return db_fail (db, "export", error);
      g_ptr_array_sort (columns, compare_names);

      for (guint i = 0; i < G_N_ELEMENTS (csv_envelope_columns); i++)
        csv_field (csv, csv_envelope_columns[i], FALSE);
      for (guint i = 0; i < columns->len; i++)
        {
          g_autofree char *column = g_strconcat ("body.", (const char *) columns->pdata[i], NULL);
          csv_field (csv, column, FALSE);
        }
      g_string_append_c (csv, '\n');
      for (guint r = 0; r < nodes->len; r++)
        {
          JsonObject *env = json_node_get_object (nodes->pdata[r]);
          JsonObject *body = json_object_get_object_member (env, "body");

          for (guint i = 0; i < G_N_ELEMENTS (csv_envelope_columns); i++)
            {
              gboolean is_number;
              g_autofree char *value = csv_value (json_object_get_member (env, csv_envelope_columns[i]),
                                                  &is_number);
              csv_field (csv, value, is_number);
            }
          for (guint i = 0; i < columns->len; i++)
            {
              gboolean is_number;
              g_autofree char *value = csv_value (json_object_get_member (body, columns->pdata[i]),
                                                  &is_number);
              csv_field (csv, value, is_number);
            }
          g_string_append_c (csv, '\n');
        }
      if (!g_file_set_contents (path, csv->str, (gssize) csv->len, error))
        return FALSE;
    }

  {
    g_autoptr(sqlite3_stmt) stmt = NULL;
    g_autoptr(GString) csv = g_string_new ("conflict,id,rev,type,community_id,pushed_by,sha256,received,line\n");
    g_autofree char *path = g_build_filename (dir, "conflicts.csv", NULL);
    int rc;

    stmt = db_prepare (db, "SELECT conflict, id, rev, type, community_id, pushed_by, sha256, received, "
                           "CAST (line AS TEXT) FROM conflicts ORDER BY conflict", error);
    if (stmt == NULL)
      return FALSE;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        for (int c = 0; c < 9; c++)
          csv_field (csv, (const char *) sqlite3_column_text (stmt, c),
                     sqlite3_column_type (stmt, c) == SQLITE_INTEGER);
        g_string_append_c (csv, '\n');
      }
    if (rc != SQLITE_DONE)
      return db_fail (db, "export", error);
    if (!g_file_set_contents (path, csv->str, (gssize) csv->len, error))
      return FALSE;
  }
  return TRUE;
}
