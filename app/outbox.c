/* outbox.c: the records waiting to leave the device, and what became of them. */
#define G_LOG_DOMAIN "clmrs-outbox"

#include "outbox.h"

#include "util.h"

#include <string.h>

static void
rejection_free (gpointer data)
{
  ClmrsRejection *r = data;

  g_free (r->record_id);
  g_free (r->type);
  g_free (r->reason);
  g_free (r);
}

void
clmrs_queue_row_free (ClmrsQueueRow *row)
{
  if (row == NULL)
    return;
  g_free (row->facilitator_id);
  g_free (row->facilitator_name);
  g_free (row->oldest);
  g_free (row->last_error);
  g_ptr_array_unref (row->rejections);
  g_free (row);
}

/**
 * clmrs_outbox_enqueue:
 *
 * Must run inside the transaction that wrote the record itself, so a
 * record is finalised and queued together or not at all.  Refuses a line
 * with a string holding a NUL character (%CLMRS_STORE_ERROR_INVALID), as
 * the server would.
 */
gboolean
clmrs_outbox_enqueue (ClmrsStore       *store,
                      const char       *record_id,
                      gint64            rev,
                      ClmrsRecordType   type,
                      const char       *facilitator_id,
                      const char       *line,
                      GError          **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  g_autofree char *nul_path = NULL;
  gboolean in_name = FALSE;
  sqlite3_stmt *stmt;

  /* The device builds its lines from C strings, which cannot hold a NUL;
   * a line made any other way is refused here, on the device, rather than
   * queued for the server to refuse (clmrs_wire_check_no_nul()). */
  if (clmrs_json_text_find_nul (line, strlen (line), &nul_path, &in_name))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "queueing %s %s rev %" G_GINT64_FORMAT ": %s%s%s holds a NUL character (\\u0000)",
                   clmrs_record_type_to_string (type), record_id, rev,
                   nul_path, *nul_path != '\0' ? ": " : "", in_name ? "a member name" : "a string");
      return FALSE;
    }
  stmt = clmrs_store_prepare (store,
      "INSERT INTO outbox (record_id, rev, type, facilitator_id, state, envelope, bytes, queued_at) "
      "VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, record_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, rev);
  sqlite3_bind_text (stmt, 3, clmrs_record_type_to_string (type), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, facilitator_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, line, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, strlen (line));
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    {
      g_prefix_error (error, "queueing %s %s rev %" G_GINT64_FORMAT ": ",
                      clmrs_record_type_to_string (type), record_id, rev);
      return FALSE;
    }
  return TRUE;
}

/**
 * clmrs_outbox_queue_by_facilitator:
 *
 * Returns: (transfer full): one row per facilitator who has records queued
 * or rejected, busiest first.
 */
GPtrArray *
clmrs_outbox_queue_by_facilitator (ClmrsStore  *store,
                                   GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_queue_row_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clmrs_store_prepare (store,
      "SELECT o.facilitator_id, coalesce (f.name, o.facilitator_id),"
      "  sum (o.state = 'queued'), min (CASE WHEN o.state = 'queued' THEN o.queued_at END),"
      "  coalesce (sum (CASE WHEN o.state = 'queued' THEN o.bytes END), 0),"
      "  sum (o.state = 'rejected'),"
      "  (SELECT last_error FROM outbox l WHERE l.facilitator_id = o.facilitator_id"
      "     AND l.last_error IS NOT NULL AND l.state = 'queued' ORDER BY l.rowid DESC LIMIT 1) "
      "FROM outbox o LEFT JOIN facilitators f ON f.id = o.facilitator_id "
      "WHERE o.state IN ('queued', 'rejected') AND o.type != 'audit' "
      "GROUP BY o.facilitator_id ORDER BY 3 DESC, 2", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsQueueRow *row = g_new0 (ClmrsQueueRow, 1);

      row->facilitator_id = clmrs_store_column_dup (stmt, 0);
      row->facilitator_name = clmrs_store_column_dup (stmt, 1);
      row->queued = sqlite3_column_int64 (stmt, 2);
      row->oldest = clmrs_store_column_dup (stmt, 3);
      row->bytes = sqlite3_column_int64 (stmt, 4);
      row->rejected = sqlite3_column_int64 (stmt, 5);
      row->last_error = clmrs_store_column_dup (stmt, 6);
      row->rejections = g_ptr_array_new_with_free_func (rejection_free);
      g_ptr_array_add (rows, row);
      g_hash_table_insert (by_id, row->facilitator_id, row);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                   "reading the queue: %s", sqlite3_errmsg (clmrs_store_get_db (store)));
      return NULL;
    }

  stmt = clmrs_store_prepare (store,
      "SELECT facilitator_id, record_id, type, rev, coalesce (reject_reason, '') FROM outbox "
      "WHERE state = 'rejected' AND type != 'audit' ORDER BY rowid", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClmrsQueueRow *row = g_hash_table_lookup (by_id, sqlite3_column_text (stmt, 0));
      ClmrsRejection *r;

      if (row == NULL)
        continue;
      r = g_new0 (ClmrsRejection, 1);
      r->record_id = clmrs_store_column_dup (stmt, 1);
      r->type = clmrs_store_column_dup (stmt, 2);
      r->rev = sqlite3_column_int64 (stmt, 3);
      r->reason = clmrs_store_column_dup (stmt, 4);
      g_ptr_array_add (row->rejections, r);
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&rows);
}

/* Returns: (transfer full): {"facilitators": [...], "total": {...}}. */
JsonNode *
clmrs_outbox_queue_to_json (GPtrArray *rows)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 queued = 0, bytes = 0, rejected = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "facilitators");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      const ClmrsQueueRow *r = g_ptr_array_index (rows, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, r->facilitator_id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, r->facilitator_name);
      json_builder_set_member_name (b, "queued");
      json_builder_add_int_value (b, r->queued);
      json_builder_set_member_name (b, "oldest");
      if (r->oldest)
        json_builder_add_string_value (b, r->oldest);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, r->bytes);
      json_builder_set_member_name (b, "rejected");
      json_builder_add_int_value (b, r->rejected);
      json_builder_set_member_name (b, "last_error");
      if (r->last_error)
        json_builder_add_string_value (b, r->last_error);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "rejections");
      json_builder_begin_array (b);
      for (guint j = 0; j < r->rejections->len; j++)
        {
          const ClmrsRejection *x = g_ptr_array_index (r->rejections, j);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, x->record_id);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, x->type);
          json_builder_set_member_name (b, "rev");
          json_builder_add_int_value (b, x->rev);
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, x->reason);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      queued += r->queued;
      bytes += r->bytes;
      rejected += r->rejected;
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "queued");
  json_builder_add_int_value (b, queued);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, bytes);
  json_builder_set_member_name (b, "rejected");
  json_builder_add_int_value (b, rejected);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
clmrs_outbox_foreach (ClmrsStore         *store,
                      gboolean            only_queued,
                      ClmrsEnvelopeFunc   func,
                      gpointer            user_data,
                      GError            **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      only_queued ? "SELECT envelope FROM outbox WHERE state = 'queued' ORDER BY rowid"
                  : "SELECT envelope FROM outbox WHERE envelope != '' ORDER BY rowid", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!func ((const char *) sqlite3_column_text (stmt, 0), user_data, error))
      {
        sqlite3_finalize (stmt);
        return FALSE;
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                   "reading the outbox: %s", sqlite3_errmsg (clmrs_store_get_db (store)));
      return FALSE;
    }
  return TRUE;
}

/**
 * clmrs_outbox_prune_sent:
 * @days: how long an acknowledged envelope is kept after it was sent
 *
 * Drops the text of envelopes the server acknowledged more than @days
 * ago.  The store runs with secure_delete, so the text is overwritten,
 * not merely unlinked.  Queued and rejected envelopes are never touched.
 */
gboolean
clmrs_outbox_prune_sent (ClmrsStore  *store,
                         guint        days,
                         gint64      *pruned,
                         GError     **error)
{
  return clmrs_store_exec_older_than (store, "UPDATE outbox SET envelope = '' "
                                             "WHERE state = 'sent' AND envelope != '' AND sent_at < ?",
                                      days, pruned, error);
}
