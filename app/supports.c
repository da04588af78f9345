/* supports.c: supports planned and never given, and settling them (given or declined). */
#define G_LOG_DOMAIN "clmrs-supports"

#include "supports.h"

#include "casebook.h"
#include "outbox.h"
#include "record.h"
#include "util.h"

void
clmrs_overdue_support_free (ClmrsOverdueSupport *support)
{
  if (support == NULL)
    return;
  g_free (support->id);
  g_free (support->type);
  g_free (support->date);
  g_free (support->child_name);
  g_free (support);
}

JsonNode *
clmrs_support_record_body (const char *level,
                           const char *type,
                           const char *state,
                           const char *date,
                           const char *child_id,
                           const char *household_id,
                           const char *visit_id)
{
  JsonObject *body = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (body, "level", level);
  json_object_set_string_member (body, "type", type);
  json_object_set_string_member (body, "state", state);
  json_object_set_string_member (body, "date", date);
  clmrs_json_set_nullable (body, "child_id", child_id);
  clmrs_json_set_nullable (body, "household_id", household_id);
  clmrs_json_set_nullable (body, "visit_id", visit_id);
  json_node_take_object (node, body);
  return node;
}

GPtrArray *
clmrs_supports_overdue (ClmrsStore   *store,
                        const char   *household_id,
                        const GDate  *today,
                        guint         days,
                        GError      **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_overdue_support_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *today_text = NULL;
  ClmrsStep step;

  g_return_val_if_fail (household_id != NULL && today != NULL, NULL);

  if (days == 0)
    return g_steal_pointer (&list);
  today_text = clmrs_date_format (today);
  stmt = clmrs_store_prepare (store,
      "SELECT s.id, s.type, s.support_date, c.name FROM supports s LEFT JOIN children c ON c.id = s.child_id"
      " WHERE (s.household_id = ?1 OR c.household_id = ?1)"
      "  AND json_extract (s.body, '$.state') = 'planned'"
      "  AND julianday (s.support_date) + ?3 < julianday (?2)"
      "  AND " CLMRS_SQL_NOT_CORRECTED ("s.visit_id")
      " ORDER BY s.support_date, s.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, household_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, today_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, days);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      ClmrsOverdueSupport *s = g_new0 (ClmrsOverdueSupport, 1);

      s->id = clmrs_store_column_dup (stmt, 0);
      s->type = clmrs_store_column_dup (stmt, 1);
      s->date = clmrs_store_column_dup (stmt, 2);
      s->child_name = clmrs_store_column_dup (stmt, 3);
      g_ptr_array_add (list, s);
    }
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&list);
}

/* The children whose case support @id counts for: its child, or every
 * child of its household. */
static GPtrArray *
support_children (ClmrsStore  *store,
                  const char  *child_id,
                  const char  *household_id,
                  GError     **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  if (child_id != NULL)
    {
      g_ptr_array_add (children, g_strdup (child_id));
      return g_steal_pointer (&children);
    }
  stmt = clmrs_store_prepare (store, "SELECT id FROM children WHERE household_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, household_id, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    g_ptr_array_add (children, clmrs_store_column_dup (stmt, 0));
  return step == CLMRS_STEP_ERROR ? NULL : g_steal_pointer (&children);
}

gboolean
clmrs_support_settle (ClmrsStore            *store,
                      const char            *support_id,
                      const char            *state,
                      const char            *person_id,
                      const GDate           *today,
                      const ClmrsCaseConfig *config,
                      GError               **error)
{
  g_autofree char *level = NULL, *type = NULL, *date = NULL, *community = NULL, *household = NULL;
  g_autofree char *child = NULL, *visit = NULL, *created = NULL, *current = NULL;
  g_autofree char *now = clmrs_now_rfc3339 ();
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) children = NULL;
  JsonNode *node;              /* given to the envelope */
  sqlite3_stmt *stmt;
  gint64 rev = 0;
  ClmrsStep step;

  g_return_val_if_fail (support_id != NULL && person_id != NULL && today != NULL, FALSE);

  if (g_strcmp0 (state, "delivered") != 0 && g_strcmp0 (state, "declined") != 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "a planned support is settled as delivered or declined, not '%s'", state ? state : "");
      return FALSE;
    }
  if (!clmrs_store_begin (store, error))
    return FALSE;
  stmt = clmrs_store_prepare (store,
      "SELECT level, type, support_date, community_id, household_id, child_id, visit_id, created,"
      "  coalesce (json_extract (body, '$.state'), 'delivered'), coalesce (json_extract (body, '$.rev'), 1)"
      " FROM supports WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, support_id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, error);
  if (step == CLMRS_STEP_ROW)
    {
      level = clmrs_store_column_dup (stmt, 0);
      type = clmrs_store_column_dup (stmt, 1);
      date = clmrs_store_column_dup (stmt, 2);
      community = clmrs_store_column_dup (stmt, 3);
      household = clmrs_store_column_dup (stmt, 4);
      child = clmrs_store_column_dup (stmt, 5);
      visit = clmrs_store_column_dup (stmt, 6);
      created = clmrs_store_column_dup (stmt, 7);
      current = clmrs_store_column_dup (stmt, 8);
      rev = sqlite3_column_int64 (stmt, 9) + 1;
    }
  sqlite3_finalize (stmt);
  if (step == CLMRS_STEP_ERROR)
    goto fail;
  if (step == CLMRS_STEP_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no support %s", support_id);
      goto fail;
    }
  if (!g_str_equal (current, "planned"))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "support %s is %s already: only a planned support is settled", support_id, current);
      goto fail;
    }

  stmt = clmrs_store_prepare (store,
      "UPDATE supports SET body = json_set (body, '$.state', ?1, '$.rev', ?2) WHERE id = ?3", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, rev);
  sqlite3_bind_text (stmt, 3, support_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;

  /* the record's next revision: the same support, its new state */
  node = clmrs_support_record_body (level, type, state, date, child, household, visit);
  {
    ClmrsRecordHeader header = {
      .type = CLMRS_RECORD_SUPPORT, .id = support_id, .rev = rev,
      .device_id = clmrs_store_get_device_id (store), .author = person_id,
      .community_id = community, .created = created, .modified = now,
      .schema = "clmrs.support@1", .rules = NULL,
    };
    line = clmrs_record_envelope_line (&header, node);
  }
  if (!clmrs_outbox_enqueue (store, support_id, rev, CLMRS_RECORD_SUPPORT, person_id, line, error))
    goto fail;

  children = support_children (store, child, household, error);
  if (children == NULL)
    goto fail;
  for (guint i = 0; i < children->len; i++)
    if (!clmrs_casebook_refresh_child (store, g_ptr_array_index (children, i), today, config, error))
      goto fail;
  return clmrs_store_commit (store, error);

fail:
  clmrs_store_rollback (store);
  g_prefix_error (error, "settling support %s: ", support_id);
  return FALSE;
}
