/* retention.c: children whose case closed long ago leave the device once the server holds everything about them. */
#define G_LOG_DOMAIN "clmrs-retention"

#include "retention.h"

#include "util.h"

/*
 * A handheld that is lost should hold as few children as it needs: a
 * child whose case was closed (a closure visit) or who exited with no
 * yearly monitoring left is kept for the programme's closed_keep_days
 * (assets/programme/case_rules.json), then forgotten, but only once the
 * server acknowledged every record about them and no draft of theirs
 * waits.  The server keeps them; a device enrolled afresh pulls them back.
 * What a household visit's answers say of the child stays with the
 * household's visit (it is the household's record).
 */

/* The records about the child ?1 (their own, their visits', supports' and reviews' ids). */
#define CHILD_RECORDS \
  "SELECT ?1 UNION ALL SELECT id FROM visits WHERE child_id = ?1 " \
  "UNION ALL SELECT id FROM supports WHERE child_id = ?1 " \
  "UNION ALL SELECT r.id FROM reviews r JOIN visits v ON v.id = r.visit_id WHERE v.child_id = ?1"

static const char list_sql[] =
  "SELECT child_id, household_id, status, last, n FROM ("
  "  SELECT c.child_id, k.household_id, c.status,"
  "    max (coalesce (c.last_visit, ''),"
  "         coalesce ((SELECT max (substr (v.visit_date, 1, 10)) FROM visits v WHERE v.child_id = c.child_id), ''),"
  "         coalesce ((SELECT max (substr (s.support_date, 1, 10)) FROM supports s WHERE s.child_id = c.child_id), '')"
  "    ) AS last,"
  "    (SELECT count (*) FROM visits v WHERE v.child_id = c.child_id) AS n"
  "  FROM cases c JOIN children k ON k.id = c.child_id"
  "  WHERE c.open = 0 AND c.status IN ('closed', 'exited')"
  "    AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.child_id = c.child_id AND v.state = 'draft')"
  "    AND NOT EXISTS (SELECT 1 FROM media m JOIN visits v ON v.id = m.visit_id"
  "                    WHERE v.child_id = c.child_id AND m.acked IS NULL)"
  "    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.state <> 'sent' AND o.record_id IN ("
  "      SELECT c.child_id UNION ALL SELECT id FROM visits WHERE child_id = c.child_id"
  "      UNION ALL SELECT id FROM supports WHERE child_id = c.child_id"
  "      UNION ALL SELECT r.id FROM reviews r JOIN visits v ON v.id = r.visit_id WHERE v.child_id = c.child_id)))"
  "WHERE last <> '' AND last <= ?1 ORDER BY last, child_id";

/* In this order: each statement reads what the later ones delete. */
static const char *const purge_sql[] = {
  "DELETE FROM outbox WHERE state = 'sent' AND record_id IN (" CHILD_RECORDS ")",
  "DELETE FROM reviews WHERE visit_id IN (SELECT id FROM visits WHERE child_id = ?1)",
  "DELETE FROM assessments WHERE child_id = ?1 OR visit_id IN (SELECT id FROM visits WHERE child_id = ?1)",
  "DELETE FROM awareness_sessions WHERE visit_id IN (SELECT id FROM visits WHERE child_id = ?1)",
  "DELETE FROM supports WHERE child_id = ?1 OR visit_id IN (SELECT id FROM visits WHERE child_id = ?1)",
  "DELETE FROM answers WHERE visit_id IN (SELECT id FROM visits WHERE child_id = ?1)",
  "DELETE FROM media WHERE visit_id IN (SELECT id FROM visits WHERE child_id = ?1)",
  "DELETE FROM visits WHERE child_id = ?1",
  "DELETE FROM cases WHERE child_id = ?1",
  "DELETE FROM children WHERE id = ?1",
};

void
clmrs_retention_child_free (ClmrsRetentionChild *child)
{
  if (child == NULL)
    return;
  g_free (child->child_id);
  g_free (child->household_id);
  g_free (child->status);
  g_free (child->last_activity);
  g_free (child);
}

GPtrArray *
clmrs_retention_list (ClmrsStore   *store,
                      const GDate  *today,
                      guint         keep_days,
                      GError      **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_retention_child_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *cutoff_text = NULL;
  GDate cutoff;
  ClmrsStep step;

  g_return_val_if_fail (store != NULL && today != NULL, NULL);

  if (keep_days == 0)
    return g_steal_pointer (&children);
  cutoff = *today;
  g_date_subtract_days (&cutoff, keep_days);
  cutoff_text = clmrs_date_format (&cutoff);
  stmt = clmrs_store_prepare (store, list_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, cutoff_text, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      ClmrsRetentionChild *child = g_new0 (ClmrsRetentionChild, 1);

      child->child_id = clmrs_store_column_dup (stmt, 0);
      child->household_id = clmrs_store_column_dup (stmt, 1);
      child->status = clmrs_store_column_dup (stmt, 2);
      child->last_activity = clmrs_store_column_dup (stmt, 3);
      child->n_visits = sqlite3_column_int (stmt, 4);
      g_ptr_array_add (children, child);
    }
  return step == CLMRS_STEP_DONE ? g_steal_pointer (&children) : NULL;
}

gboolean
clmrs_retention_purge (ClmrsStore   *store,
                       const GDate  *today,
                       guint         keep_days,
                       guint        *n_purged,
                       GError      **error)
{
  g_autoptr(GPtrArray) children = NULL;

  g_return_val_if_fail (store != NULL && today != NULL, FALSE);

  if (n_purged != NULL)
    *n_purged = 0;
  if (!clmrs_store_begin (store, error))
    return FALSE;
  /* listed inside the transaction: nothing is queued between the two */
  children = clmrs_retention_list (store, today, keep_days, error);
  if (children == NULL)
    goto fail;
  for (guint i = 0; i < children->len; i++)
    {
      const ClmrsRetentionChild *child = g_ptr_array_index (children, i);

      for (gsize s = 0; s < G_N_ELEMENTS (purge_sql); s++)
        {
          sqlite3_stmt *stmt = clmrs_store_prepare (store, purge_sql[s], error);

          if (stmt == NULL)
            goto fail;
          sqlite3_bind_text (stmt, 1, child->child_id, -1, SQLITE_TRANSIENT);
          /* finalizes the statement */
          if (!clmrs_store_step_done (store, stmt, error))
            goto fail;
        }
    }
  if (!clmrs_store_commit (store, error))
    goto fail;
  if (n_purged != NULL)
    *n_purged = children->len;
  return TRUE;

fail:
  clmrs_store_rollback (store);
  g_prefix_error (error, "forgetting closed cases: ");
  return FALSE;
}
