/* review.c: a supervisor approves a visit or returns it to its facilitator with a message. */
#define G_LOG_DOMAIN "clmrs-review"

#include "review.h"

#include "audit.h"
#include "catalog.h"

#include "outbox.h"
#include "record.h"
#include "util.h"

/**
 * clmrs_review_record:
 *
 * Returns: (transfer full): the review's id, or %NULL with @error naming
 * what was refused (unknown or draft visit, not a supervisor, no message).
 */
char *
clmrs_review_record (ClmrsStore  *store,
                     const char  *visit_id,
                     const char  *supervisor_id,
                     const char  *decision,
                     const char  *message,
                     GError     **error)
{
  g_autofree char *id = clmrs_uuid_new ();
  g_autofree char *now = clmrs_now_rfc3339 ();
  g_autofree char *community = NULL;
  g_autofree char *state = NULL;
  g_autofree char *role = NULL;
  g_autofree char *line = NULL;
  gint64 rev = 0;
  JsonObject *body;
  JsonNode *node;
  sqlite3_stmt *stmt;

  if (g_strcmp0 (decision, "approved") != 0 && g_strcmp0 (decision, "returned") != 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "a review decision is approved or returned, not '%s'", decision ? decision : "");
      return NULL;
    }
  if (g_str_equal (decision, "returned") && (message == NULL || *message == '\0'))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                           "returning a visit needs a message telling the facilitator what to correct");
      return NULL;
    }
  if (!clmrs_store_begin (store, error))
    return NULL;

  stmt = clmrs_store_prepare (store,
      "SELECT v.state, v.rev, v.community_id, (SELECT role FROM facilitators WHERE id = ?2 AND active) "
      "FROM visits v WHERE v.id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, supervisor_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      rev = sqlite3_column_int64 (stmt, 1);
      community = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      role = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_finalize (stmt);
  if (state == NULL || !g_str_equal (state, "final"))
    {
      g_set_error (error, CLMRS_STORE_ERROR, state ? CLMRS_STORE_ERROR_STATE : CLMRS_STORE_ERROR_NOT_FOUND,
                   state ? "visit %s is a draft: only finalised visits are reviewed" : "no visit %s", visit_id);
      goto fail;
    }
  if (g_strcmp0 (role, "supervisor") != 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "%s is not an active supervisor on this device", supervisor_id);
      goto fail;
    }

  stmt = clmrs_store_prepare (store,
      "INSERT INTO reviews (id, visit_id, visit_rev, supervisor_id, decision, message, created)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, rev);
  sqlite3_bind_text (stmt, 4, supervisor_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, decision, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, message, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;

  stmt = clmrs_store_prepare (store,
      "UPDATE visits SET review_state = ?, review_message = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, decision, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, message, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;

  body = json_object_new ();
  json_object_set_string_member (body, "visit_id", visit_id);
  json_object_set_int_member (body, "visit_rev", rev);
  json_object_set_string_member (body, "decision", decision);
  if (message != NULL)
    json_object_set_string_member (body, "message", message);
  else
    json_object_set_null_member (body, "message");
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, body);
  {
    ClmrsRecordHeader header = {
      .type = CLMRS_RECORD_REVIEW, .id = id, .rev = 1,
      .device_id = clmrs_store_get_device_id (store), .author = supervisor_id,
      .community_id = community, .created = now, .modified = now,
      .schema = "clmrs.review@1", .rules = NULL,
    };
    line = clmrs_record_envelope_line (&header, node);
  }
  if (!clmrs_outbox_enqueue (store, id, 1, CLMRS_RECORD_REVIEW, supervisor_id, line, error) ||
      !clmrs_audit_record (store, supervisor_id, CLMRS_AUDIT_REVIEW, "visit", visit_id, decision, error) ||
      !clmrs_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&id);

fail:
  clmrs_store_rollback (store);
  g_prefix_error (error, "reviewing visit %s: ", visit_id);
  return NULL;
}

void
clmrs_visit_summary_free (ClmrsVisitSummary *visit)
{
  if (visit == NULL)
    return;
  g_free (visit->id);
  g_free (visit->kind);
  g_free (visit->facilitator_id);
  g_free (visit->facilitator_name);
  g_free (visit->household);
  g_free (visit->child);
  g_free (visit->community);
  g_free (visit->visit_date);
  g_free (visit->review_state);
  g_free (visit->review_message);
  g_free (visit->answers);
  g_free (visit->form_id);
  g_free (visit->form_version);
  g_clear_pointer (&visit->form, clmrs_form_unref);
  g_free (visit->assessments);
  g_free (visit->corrects);
  g_free (visit->corrects_date);
  g_free (visit->corrected_by);
  g_free (visit);
}

#define VISIT_COLUMNS \
  "SELECT v.id, v.kind, v.facilitator_id, coalesce (f.name, v.facilitator_id), h.head_name," \
  "  m.name, v.visit_date, v.review_state, v.review_message, c.name, v.answers, v.form_id, v.form_version," \
  "  v.corrects, (SELECT o.visit_date FROM visits o WHERE o.id = v.corrects)," \
  "  (SELECT x.id FROM visits x WHERE x.corrects = v.id AND x.state = 'final' LIMIT 1) " \
  "FROM visits v LEFT JOIN facilitators f ON f.id = v.facilitator_id" \
  "  LEFT JOIN households h ON h.id = v.household_id" \
  "  LEFT JOIN children c ON c.id = v.child_id" \
  "  LEFT JOIN communities m ON m.id = coalesce (v.community_id, h.community_id) "

static ClmrsVisitSummary *
visit_from_row (sqlite3_stmt *stmt,
                gboolean      with_answers)
{
  ClmrsVisitSummary *visit = g_new0 (ClmrsVisitSummary, 1);

  visit->id = clmrs_store_column_dup (stmt, 0);
  visit->kind = clmrs_store_column_dup (stmt, 1);
  visit->facilitator_id = clmrs_store_column_dup (stmt, 2);
  visit->facilitator_name = clmrs_store_column_dup (stmt, 3);
  visit->household = clmrs_store_column_dup (stmt, 4);
  visit->community = clmrs_store_column_dup (stmt, 5);
  visit->visit_date = clmrs_store_column_dup (stmt, 6);
  visit->review_state = clmrs_store_column_dup (stmt, 7);
  visit->review_message = clmrs_store_column_dup (stmt, 8);
  visit->child = clmrs_store_column_dup (stmt, 9);
  visit->corrects = clmrs_store_column_dup (stmt, 13);
  visit->corrects_date = clmrs_store_column_dup (stmt, 14);
  visit->corrected_by = clmrs_store_column_dup (stmt, 15);
  if (with_answers)
    {
      visit->answers = clmrs_store_column_dup (stmt, 10);
      visit->form_id = clmrs_store_column_dup (stmt, 11);
      visit->form_version = clmrs_store_column_dup (stmt, 12);
    }
  return visit;
}

GPtrArray *
clmrs_review_list_visits (ClmrsStore  *store,
                          const char  *review_state,
                          const char  *facilitator_id,
                          guint        limit,
                          GError     **error)
{
  g_autoptr(GPtrArray) visits = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_visit_summary_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  g_return_val_if_fail (review_state != NULL, NULL);

  stmt = clmrs_store_prepare (store,
      VISIT_COLUMNS
      "WHERE v.state = 'final' AND v.review_state = ?1 AND (?2 IS NULL OR v.facilitator_id = ?2)"
      "  AND (?1 <> 'returned' OR " CLMRS_SQL_NOT_CORRECTED ("v.id") ") "
      "ORDER BY v.finalised DESC, v.rowid DESC LIMIT ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, review_state, -1, SQLITE_TRANSIENT);
  if (facilitator_id != NULL)
    sqlite3_bind_text (stmt, 2, facilitator_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    g_ptr_array_add (visits, visit_from_row (stmt, FALSE));
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&visits);
}

ClmrsVisitSummary *
clmrs_review_get_visit (ClmrsStore  *store,
                        const char  *visit_id,
                        GError     **error)
{
  g_autoptr(ClmrsVisitSummary) visit = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) children = NULL;
  ClmrsStep step;

  g_return_val_if_fail (visit_id != NULL, NULL);

  stmt = clmrs_store_prepare (store, VISIT_COLUMNS "WHERE v.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, error);
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  if (step == CLMRS_STEP_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no visit %s", visit_id);
      return NULL;
    }
  visit = visit_from_row (stmt, TRUE);
  if (visit->form_id != NULL)
    {
      g_autoptr(GError) form_error = NULL;

      /* read with the labels of the version that made it */
      visit->form = clmrs_catalog_load_form (store, visit->form_id, visit->form_version, NULL, &form_error);
      if (visit->form == NULL)
        {
          g_debug ("visit %s: %s; the newest version instead", visit_id, form_error->message);
          visit->form = clmrs_catalog_load_form (store, visit->form_id, NULL, NULL, NULL);
        }
    }

  /* the children it assessed, in the order it assessed them */
  children = clmrs_store_prepare (store,
      "SELECT json_group_array (json_object ('name', c.name, 'age', a.age, 'status', a.status,"
      "  'reasons', json (a.reasons), 'rules', a.rules)) FROM"
      "  (SELECT * FROM assessments WHERE visit_id = ?1 ORDER BY rowid) a"
      "  JOIN children c ON c.id = a.child_id", error);
  if (children == NULL)
    return NULL;
  sqlite3_bind_text (children, 1, visit_id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, children, error);
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  visit->assessments = clmrs_store_column_dup (children, 0);
  clmrs_audit_open (store, "visit", visit_id);
  return g_steal_pointer (&visit);
}

char *
clmrs_review_start_correction (ClmrsStore  *store,
                               const char  *visit_id,
                               const char  *facilitator_id,
                               GError     **error)
{
  g_autoptr(ClmrsVisitSummary) visit = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(JsonNode) answers = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (visit_id != NULL && facilitator_id != NULL, NULL);

  visit = clmrs_review_get_visit (store, visit_id, error);
  if (visit == NULL)
    return NULL;
  if (visit->form == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   "correcting visit %s: its form %s is not on this device", visit_id, visit->form_id);
      return NULL;
    }
  answers = visit->answers ? json_from_string (visit->answers, &local_error) : NULL;
  session = clmrs_form_session_new (visit->form, error);
  if (session == NULL)
    return NULL;
  if (answers == NULL || !clmrs_form_session_load_json (session, answers, &local_error))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "correcting visit %s: its answers cannot be read with form %s@%s: %s", visit_id,
                   visit->form_id, visit->form_version, local_error ? local_error->message : "none stored");
      return NULL;
    }
  values = clmrs_form_session_list_values (session);
  return clmrs_store_draft_create_correction (store, visit_id, facilitator_id,
                                              clmrs_form_get_version (visit->form), values, error);
}
