/* store-drafts.c: visits in progress: drafts made, answers autosaved one by one, loaded, corrected, discarded. */
#define G_LOG_DOMAIN "clmrs-store"

#include "store.h"
#include "store-private.h"

#include "util.h"
#include "xform.h"

/**
 * clmrs_store_draft_create:
 *
 * Returns: (transfer full): the new draft visit's id.
 */
char *
clmrs_store_draft_create (ClmrsStore  *store,
                          const char  *kind,
                          const char  *form_id,
                          const char  *form_version,
                          const char  *facilitator_id,
                          const char  *community_id,
                          const char  *household_id,
                          const char  *child_id,
                          GError     **error)
{
  g_autofree char *id = clmrs_uuid_new ();
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id,"
      "  community_id, household_id, child_id, started, modified) "
      "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, form_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, form_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, facilitator_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, community_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, household_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, child_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    {
      g_prefix_error (error, "creating a %s draft: ", kind);
      return NULL;
    }
  return g_steal_pointer (&id);
}

static gboolean
check_draft (ClmrsStore  *store,
             const char  *visit_id,
             GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT state FROM visits WHERE id = ?", error);
  int rc;
  gboolean is_draft = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    is_draft = g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "draft");
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   "no visit %s", visit_id);
      return FALSE;
    }
  if (!is_draft)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s is finalised: its answers cannot change", visit_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
touch_visit (ClmrsStore  *store,
             const char  *visit_id,
             GError     **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "UPDATE visits SET modified = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit_id, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

/**
 * clmrs_store_draft_save_answer:
 *
 * Writes one answer of a draft durably (its own transaction, fsync'd by
 * synchronous=FULL) before returning.  A ref answered before keeps its
 * place; a new one goes last.
 */
gboolean
clmrs_store_draft_save_answer (ClmrsStore  *store,
                               const char  *visit_id,
                               const char  *ref,
                               const char  *value,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!check_draft (store, visit_id, error))
    goto fail;
  stmt = clmrs_store_prepare (store,
      "INSERT INTO answers (visit_id, ref, seq, value) "
      "VALUES (?1, ?2, (SELECT coalesce (max (seq), 0) + 1 FROM answers WHERE visit_id = ?1), ?3) "
      "ON CONFLICT (visit_id, ref) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error) ||
      !touch_visit (store, visit_id, error))
    goto fail;
  return clmrs_store_commit (store, error);

fail:
  clmrs_store_rollback (store);
  return FALSE;
}

/* Inside an open transaction: replaces every saved answer of @visit_id. */
static gboolean
write_all_answers (ClmrsStore  *store,
                   const char  *visit_id,
                   GPtrArray   *values,
                   GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "DELETE FROM answers WHERE visit_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    return FALSE;

  stmt = clmrs_store_prepare (store,
      "INSERT INTO answers (visit_id, ref, seq, value) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < values->len; i++)
    {
      const ClmrsFormValue *v = g_ptr_array_index (values, i);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, v->ref, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 3, i + 1);
      sqlite3_bind_text (stmt, 4, v->value, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                       "saving answer %s: %s", v->ref, sqlite3_errmsg (clmrs_store_get_db (store)));
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

/**
 * clmrs_store_draft_save_all:
 *
 * Replaces a draft's saved answers with @values in one transaction: used
 * when a repeat instance is added or removed, which renumbers refs.
 */
gboolean
clmrs_store_draft_save_all (ClmrsStore  *store,
                            const char  *visit_id,
                            GPtrArray   *values,
                            GError     **error)
{
  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!_clmrs_store_draft_replace_answers (store, visit_id, values, error))
    {
      clmrs_store_rollback (store);
      return FALSE;
    }
  return clmrs_store_commit (store, error);
}

gboolean
_clmrs_store_draft_replace_answers (ClmrsStore  *store,
                                    const char  *visit_id,
                                    GPtrArray   *values,
                                    GError     **error)
{
  g_return_val_if_fail (clmrs_store_in_transaction (store), FALSE);

  return check_draft (store, visit_id, error) &&
         write_all_answers (store, visit_id, values, error) &&
         touch_visit (store, visit_id, error);
}

gboolean
_clmrs_store_list_household_children (ClmrsStore  *store,
                                      const char  *household_id,
                                      GPtrArray   *ids,
                                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, "SELECT id FROM children WHERE household_id = ?", error);
  ClmrsStep step;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, household_id, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    g_ptr_array_add (ids, clmrs_store_column_dup (stmt, 0));
  return step == CLMRS_STEP_DONE;
}

/* The id of a draft of @facilitator_id correcting @visit_id, if any. */
static char *
correction_draft_of (ClmrsStore  *store,
                     const char  *visit_id,
                     const char  *facilitator_id)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT id FROM visits WHERE corrects = ?1 AND state = 'draft' AND facilitator_id = ?2"
      " ORDER BY modified DESC LIMIT 1", NULL);
  char *id = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facilitator_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = clmrs_store_column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return id;
}

char *
clmrs_store_draft_create_correction (ClmrsStore  *store,
                                     const char  *visit_id,
                                     const char  *facilitator_id,
                                     const char  *form_version,
                                     GPtrArray   *values,
                                     GError     **error)
{
  g_autofree char *kind = NULL, *form_id = NULL, *version = NULL, *community = NULL;
  g_autofree char *household = NULL, *child = NULL, *state = NULL, *review = NULL;
  g_autofree char *corrected_by = NULL;
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;
  ClmrsStep step;

  g_return_val_if_fail (visit_id != NULL && facilitator_id != NULL && values != NULL, NULL);

  if (!clmrs_store_begin (store, error))
    return NULL;
  stmt = clmrs_store_prepare (store,
      "SELECT kind, form_id, form_version, community_id, household_id, child_id, state, review_state,"
      "  (SELECT x.id FROM visits x WHERE x.corrects = v.id AND x.state = 'final' LIMIT 1)"
      " FROM visits v WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, error);
  if (step == CLMRS_STEP_ROW)
    {
      kind = clmrs_store_column_dup (stmt, 0);
      form_id = clmrs_store_column_dup (stmt, 1);
      version = clmrs_store_column_dup (stmt, 2);
      community = clmrs_store_column_dup (stmt, 3);
      household = clmrs_store_column_dup (stmt, 4);
      child = clmrs_store_column_dup (stmt, 5);
      state = clmrs_store_column_dup (stmt, 6);
      review = clmrs_store_column_dup (stmt, 7);
      corrected_by = clmrs_store_column_dup (stmt, 8);
    }
  sqlite3_finalize (stmt);
  if (step == CLMRS_STEP_ERROR)
    goto fail;
  if (state == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no visit %s", visit_id);
      goto fail;
    }
  if (!g_str_equal (state, "final") || g_strcmp0 (review, "returned") != 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s was not returned by a supervisor: only a returned visit is corrected", visit_id);
      goto fail;
    }
  if (corrected_by != NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s is corrected already (by visit %s)", visit_id, corrected_by);
      goto fail;
    }
  id = correction_draft_of (store, visit_id, facilitator_id);
  if (id != NULL)
    {
      clmrs_store_rollback (store);
      return g_steal_pointer (&id);
    }
  id = clmrs_store_draft_create (store, kind, form_id, form_version ? form_version : version,
                                 facilitator_id, community,
                                 household, child, error);
  if (id == NULL)
    goto fail;
  stmt = clmrs_store_prepare (store, "UPDATE visits SET corrects = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error) ||
      !write_all_answers (store, id, values, error) ||
      !clmrs_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&id);

fail:
  clmrs_store_rollback (store);
  g_prefix_error (error, "correcting visit %s: ", visit_id);
  return NULL;
}

gboolean
clmrs_store_draft_set_form_version (ClmrsStore  *store,
                                    const char  *visit_id,
                                    const char  *form_version,
                                    GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "UPDATE visits SET form_version = ? WHERE id = ? AND state = 'draft'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, form_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit_id, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

static void
form_value_free (gpointer data)
{
  ClmrsFormValue *v = data;

  g_free (v->ref);
  g_free (v->value);
  g_free (v);
}

/**
 * clmrs_store_draft_load:
 *
 * Returns: (transfer full): the saved answers of a draft in the order they
 * were first saved (repeat instances before their questions), ready for
 * clmrs_form_session_apply_values().
 */
GPtrArray *
clmrs_store_draft_load (ClmrsStore  *store,
                        const char  *visit_id,
                        GError     **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (form_value_free);
  sqlite3_stmt *stmt;
  int rc;

  if (!check_draft (store, visit_id, error))
    return NULL;
  stmt = clmrs_store_prepare (store,
      "SELECT ref, value FROM answers WHERE visit_id = ? ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsFormValue *v = g_new0 (ClmrsFormValue, 1);

      v->ref = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      v->value = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (values, v);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _clmrs_store_sqlite_error (error, clmrs_store_get_db (store), "loading a draft");
      return NULL;
    }
  return g_steal_pointer (&values);
}

gboolean
clmrs_store_draft_discard (ClmrsStore  *store,
                           const char  *visit_id,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!check_draft (store, visit_id, error))
    goto fail;
  stmt = clmrs_store_prepare (store, "DELETE FROM visits WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;
  return clmrs_store_commit (store, error);

fail:
  clmrs_store_rollback (store);
  return FALSE;
}
