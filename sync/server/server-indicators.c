/* server-indicators.c: the server's indicators, computed by the device's own code. */
#define G_LOG_DOMAIN "clmrs-server"

#include "server.h"

#include "casebook.h"
#include "syncstore.h"
#include "util.h"
#include "wire.h"

/*
 * One copy of every rule: the server replays its records, in server
 * order, into an in-memory device store with clmrs_pull_apply() (what a
 * device does with a pull), then asks the casebook for the indicators, so
 * cases and indicators come from app/cases.c and app/indicators.c exactly
 * as on a device.
 */

#define PAGE 500

/**
 * server_db_indicators_json:
 * @from: (nullable): first day of the period, YYYY-MM-DD
 * @to: (nullable): last day of the period
 *
 * Returns: (transfer full): the indicators as JSON text, or %NULL.
 */
char *
server_db_indicators_json (sqlite3     *db,
                           const char  *from,
                           const char  *to,
                           GError     **error)
{
  g_autoptr(ClmrsStore) store = clmrs_store_open (":memory:", error);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonNode) result = NULL;
  sqlite3_stmt *stmt = NULL;
  GDate today;
  int rc;

  if (store == NULL)
    return NULL;
  if (sqlite3_prepare_v2 (db, "SELECT line FROM records WHERE kind = 'record' AND quarantined IS NULL ORDER BY seq", -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "reading records: %s", sqlite3_errmsg (db));
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GError) local = NULL;
      JsonNode *node = clmrs_wire_parse_json (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0),
                                              0, &local);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_clear_pointer (&node, json_node_unref);
          continue;  /* stored lines were validated on push: nothing to count here */
        }
      g_ptr_array_add (page, json_object_ref (json_node_get_object (node)));
      json_node_unref (node);
      if (page->len == PAGE)
        {
          if (!clmrs_pull_apply (store, page, NULL, NULL, error))
            goto fail;
          g_ptr_array_set_size (page, 0);
        }
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "reading records: %s", sqlite3_errmsg (db));
      return NULL;
    }
  if (page->len > 0 && !clmrs_pull_apply (store, page, NULL, NULL, error))
    return NULL;

  clmrs_date_today (&today);
  result = clmrs_casebook_indicators (store, from, to, &today, error);
  if (result == NULL)
    return NULL;
  return clmrs_json_to_string (result);

fail:
  sqlite3_finalize (stmt);
  return NULL;
}
