/* draft.c: a visit's draft as the app opens it: started (where, with which form, prefilled) or resumed. */
#define G_LOG_DOMAIN "clmrs-draft"

#include "draft.h"

#include "catalog.h"
#include "prefill.h"
#include "store-private.h"

void
clmrs_draft_free (ClmrsDraft *draft)
{
  if (draft == NULL)
    return;
  g_clear_pointer (&draft->session, clmrs_form_session_free);
  g_clear_pointer (&draft->form, clmrs_form_unref);
  g_free (draft->visit_id);
  g_free (draft->household_id);
  g_free (draft->child_id);
  g_free (draft->community_id);
  g_free (draft->country);
  g_free (draft->anchor);
  g_free (draft);
}

/* The form (the file @form_path, else @form_id at @version of the
 * catalog, its newest when NULL) and a fresh session of it in @language. */
static gboolean
open_form (ClmrsStore   *store,
           const char   *form_path,
           const char   *form_id,
           const char   *version,
           const char   *language,
           ClmrsDraft   *draft,
           GError      **error)
{
  if (form_path != NULL)
    draft->form = clmrs_form_load_file (form_path, error);
  else
    draft->form = clmrs_catalog_load_form (store, form_id, version, NULL, error);
  if (draft->form == NULL)
    return FALSE;
  draft->session = clmrs_form_session_new (draft->form, error);
  if (draft->session == NULL)
    return FALSE;
  if (language != NULL)
    clmrs_form_session_set_language (draft->session, language);
  return TRUE;
}

/* The household of @child_id into @household_id; left NULL for a child
 * the device does not know. */
static gboolean
child_household (ClmrsStore  *store,
                 const char  *child_id,
                 char       **household_id,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, "SELECT household_id FROM children WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, child_id, -1, SQLITE_TRANSIENT);
  return _clmrs_store_step_text (store, stmt, household_id, error);
}

/* The community @wanted, else that of the draft's household, else the
 * device's first, and its country. */
static gboolean
find_community (ClmrsStore  *store,
                const char  *wanted,
                ClmrsDraft  *draft,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT m.id, coalesce (m.country, '') FROM communities m "
      "LEFT JOIN households h ON h.community_id = m.id AND h.id = ?1 "
      "WHERE ?2 IS NULL OR m.id = ?2 "
      "ORDER BY h.id IS NULL, m.rowid LIMIT 1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, draft->household_id ? draft->household_id : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, wanted, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW:
      draft->community_id = clmrs_store_column_dup (stmt, 0);
      draft->country = clmrs_store_column_dup (stmt, 1);
      return TRUE;
    case CLMRS_STEP_DONE:
      if (wanted != NULL)
        g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no community %s on this device", wanted);
      else
        g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                             "this device has no community: a visit needs one");
      return FALSE;
    case CLMRS_STEP_ERROR:
    default:
      return FALSE;
    }
}

ClmrsDraft *
clmrs_draft_start (ClmrsStore               *store,
                   const ClmrsDraftRequest  *request,
                   GError                  **error)
{
  g_autoptr(ClmrsDraft) draft = NULL;
  g_autoptr(GPtrArray) values = NULL;
  ClmrsPrefill prefill = { 0 };

  g_return_val_if_fail (store != NULL && request != NULL, NULL);
  g_return_val_if_fail (request->form_id != NULL || request->form_path != NULL, NULL);
  g_return_val_if_fail (request->facilitator_id != NULL, NULL);
  g_return_val_if_fail (!clmrs_store_in_transaction (store), NULL);

  draft = g_new0 (ClmrsDraft, 1);
  /* the form is read before the write lock is taken */
  if (!open_form (store, request->form_path, request->form_id, NULL, request->language, draft, error))
    return NULL;
  if (!clmrs_store_begin (store, error))
    return NULL;
  draft->household_id = g_strdup (request->household_id);
  draft->child_id = g_strdup (request->child_id);
  if (draft->child_id != NULL && draft->household_id == NULL &&
      !child_household (store, draft->child_id, &draft->household_id, error))
    goto fail;
  if (!find_community (store, request->community_id, draft, error))
    goto fail;
  draft->visit_id = clmrs_store_draft_create (store, clmrs_catalog_visit_kind (clmrs_form_get_id (draft->form)),
                                              clmrs_form_get_id (draft->form), clmrs_form_get_version (draft->form),
                                              request->facilitator_id, draft->community_id,
                                              draft->household_id, draft->child_id, error);
  if (draft->visit_id == NULL)
    goto fail;

  prefill.facilitator_id = request->facilitator_id;
  prefill.facilitator_name = request->facilitator_name;
  prefill.facilitator_sex = request->facilitator_sex;
  prefill.date = request->date;
  prefill.community_id = draft->community_id;
  prefill.household_id = draft->household_id;
  prefill.child_id = draft->child_id;
  prefill.support_type = request->support_type;
  if (!clmrs_prefill_session (draft->session, store, &prefill, error))
    goto fail;
  values = clmrs_form_session_list_values (draft->session);
  if (!_clmrs_store_draft_replace_answers (store, draft->visit_id, values, error) ||
      !clmrs_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&draft);

fail:
  clmrs_store_rollback (store);
  return NULL;
}

/* Where the facilitator stopped: the first question still to answer. */
static char *
first_unanswered (ClmrsFormSession *session)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);

  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (p->kind == CLMRS_PROMPT_QUESTION && !p->readonly && p->required && p->value == NULL)
        return g_strdup (p->ref);
    }
  return NULL;
}

ClmrsDraft *
clmrs_draft_resume (ClmrsStore  *store,
                    const char  *draft_id,
                    const char  *language,
                    GError     **error)
{
  g_autoptr(ClmrsDraft) draft = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autofree char *form_id = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (store != NULL && draft_id != NULL, NULL);

  stmt = clmrs_store_prepare (store,
      "SELECT v.form_id, v.form_version, v.household_id, v.child_id, v.community_id, coalesce (m.country, '') "
      "FROM visits v LEFT JOIN communities m ON m.id = v.community_id "
      "WHERE v.id = ?1 AND v.state = 'draft'", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, draft_id, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW:
      break;
    case CLMRS_STEP_DONE:
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no draft %s", draft_id);
      return NULL;
    case CLMRS_STEP_ERROR:
    default:
      return NULL;
    }
  draft = g_new0 (ClmrsDraft, 1);
  form_id = clmrs_store_column_dup (stmt, 0);
  version = clmrs_store_column_dup (stmt, 1);
  draft->household_id = clmrs_store_column_dup (stmt, 2);
  draft->child_id = clmrs_store_column_dup (stmt, 3);
  draft->community_id = clmrs_store_column_dup (stmt, 4);
  draft->country = clmrs_store_column_dup (stmt, 5);
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* it finishes on the form version it started with; begun on a version
   * this build no longer has (a built-in form changed since), it goes on
   * with the newest, its answers kept */
  if (!open_form (store, NULL, form_id, version, language, draft, &local))
    {
      g_debug ("draft %s: %s; the newest version instead", draft_id, local->message);
      g_clear_pointer (&draft->session, clmrs_form_session_free);
      g_clear_pointer (&draft->form, clmrs_form_unref);
      if (!open_form (store, NULL, form_id, NULL, language, draft, error) ||
          !clmrs_store_draft_set_form_version (store, draft_id, clmrs_form_get_version (draft->form), error))
        return NULL;
    }
  values = clmrs_store_draft_load (store, draft_id, error);
  if (values == NULL || !clmrs_form_session_apply_values (draft->session, values, error))
    return NULL;
  draft->visit_id = g_strdup (draft_id);
  draft->anchor = first_unanswered (draft->session);
  return g_steal_pointer (&draft);
}
