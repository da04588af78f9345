/* casebook.c: cases and the facilitator's lists, read from the store. */
#define G_LOG_DOMAIN "clmrs-casebook"

#include "casebook.h"

#include "indicators.h"
#include "rules.h"
#include "supports.h"
#include "util.h"

#include <string.h>

/* What the case rules read from an assessment row (a), besides its status:
 * the follow-up's since-last-visit recall (ClmrsHazardSinceLast: a
 * hazardous task in it is the reason hazardous_task_since_last_visit; the
 * profile has tasks_since_last when it was asked), and the alternative
 * (ClmrsAlternative) the profile shows besides school, which cases.c reads
 * from in_school: permitted work is work at 15 or older (C138's basic
 * minimum age) out of school, in a finding the rules did not call child
 * labour.  And a support's state, kept in its body (delivered when absent,
 * as every support recorded before the states). */
#define CASE_RECALL_SQL \
  "CASE WHEN instr (a.reasons, '\"hazardous_task_since_last_visit\"') > 0 THEN 2" \
  " WHEN json_type (a.profile, '$.tasks_since_last') = 'array' THEN 1 ELSE 0 END"
#define CASE_ALTERNATIVE_SQL \
  "CASE WHEN json_extract (a.profile, '$.in_school') = 0 AND a.age >= 15" \
  " AND json_extract (a.profile, '$.econ_hours_7d') > 0 THEN 4 ELSE 0 END"
/* An assessment from an adult's answers: the household form's roster says
 * the child was not there (children/child/present = no). */
#define PROXY_SQL \
  "EXISTS (SELECT 1 FROM json_each (v.answers, '$.children.child') j" \
  " WHERE json_extract (j.value, '$.child_id') = a.child_id AND json_extract (j.value, '$.present') = 'no')"
/* A closure visit's reason, as case_closure.xml answers it. */
#define CLOSURE_REASON_SQL "json_extract (v.answers, '$.child.closure_reason')"
#define CASE_SUPPORT_STATE_SQL \
  "coalesce (json_extract (s.body, '$.state'), 'delivered')"

/*
 * Loading is shared by the one-child refresh, the all-children refresh and
 * the indicators: rows are read once, their strings interned in a chunk,
 * and grouped per child for cases.c.
 */
typedef struct {
  GStringChunk *strings;
  GHashTable   *children;      /* child id -> ChildRows */
  GHashTable   *household_supports; /* household id -> GArray of ClmrsCaseSupport */
  GPtrArray    *order;         /* ChildRows in load order */
} Book;

typedef struct {
  const char *id;
  const char *household_id;
  const char *dob;
  const char *sex;
  GArray     *visits;          /* ClmrsCaseVisit */
  GArray     *supports;        /* ClmrsCaseSupport (the child's own) */
  GArray     *closures;        /* ClmrsCaseClosure */
} ChildRows;

static void
child_rows_free (gpointer data)
{
  ChildRows *c = data;

  g_array_unref (c->visits);
  g_array_unref (c->supports);
  g_array_unref (c->closures);
  g_free (c);
}

static void
book_init (Book *book)
{
  book->strings = g_string_chunk_new (64 * 1024);
  book->children = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, child_rows_free);
  book->household_supports = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                    (GDestroyNotify) g_array_unref);
  book->order = g_ptr_array_new ();
}

static void
book_clear (Book *book)
{
  g_ptr_array_unref (book->order);
  g_hash_table_unref (book->household_supports);
  g_hash_table_unref (book->children);
  g_string_chunk_free (book->strings);
}

static const char *
intern (Book *book, sqlite3_stmt *stmt, int col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);

  return text ? g_string_chunk_insert_const (book->strings, text) : NULL;
}

static gboolean
sqlite_failed (ClmrsStore *store, int rc, const char *what, GError **error)
{
  if (rc == SQLITE_DONE)
    return FALSE;
  g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "%s: %s", what,
               sqlite3_errmsg (clmrs_store_get_db (store)));
  return TRUE;
}

/* Loads children (one when @child_id is set, those of @household_id when
 * that is set), their visits and supports. */
static gboolean
book_load (Book        *book,
           ClmrsStore  *store,
           const char  *child_id,
           const char  *household_id,
           GError     **error)
{
  const char *key = child_id ? child_id : household_id;
  const char *filter = child_id ? " WHERE c.id = ?1" : household_id ? " WHERE c.household_id = ?1" : "";
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  sql = g_strdup_printf ("SELECT c.id, c.household_id, c.dob, c.sex FROM children c%s", filter);
  if ((stmt = clmrs_store_prepare (store, sql, error)) == NULL)
    return FALSE;
  if (key)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChildRows *c = g_new0 (ChildRows, 1);

      c->id = intern (book, stmt, 0);
      c->household_id = intern (book, stmt, 1);
      c->dob = intern (book, stmt, 2);
      c->sex = intern (book, stmt, 3);
      c->visits = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseVisit));
      c->supports = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseSupport));
      c->closures = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseClosure));
      g_hash_table_insert (book->children, (gpointer) c->id, c);
      g_ptr_array_add (book->order, c);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading children", error))
    return FALSE;

  /* assessed visits, then follow-ups that found the child gone, in the
   * order they happened (same-day visits in finalisation order) */
  g_free (sql);
  sql = g_strdup_printf (
      "SELECT c.id, v.visit_date, v.kind, a.status, v.child_status, a.immediate_danger, a.age,"
      "  CASE json_extract (a.profile, '$.in_school') WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END,"
      "  v.finalised, " CASE_RECALL_SQL ", " CASE_ALTERNATIVE_SQL " "
      "FROM assessments a JOIN visits v ON v.id = a.visit_id JOIN children c ON c.id = a.child_id"
      " WHERE " CLMRS_SQL_NOT_CORRECTED ("v.id") "%s "
      "UNION ALL "
      "SELECT c.id, v.visit_date, v.kind, NULL, v.child_status, 0, 0, NULL, v.finalised, 0, 0 "
      "FROM visits v JOIN children c ON c.id = v.child_id "
      "WHERE v.state = 'final' AND v.kind = 'follow_up' AND v.child_status IN ('moved', 'lost')"
      "  AND " CLMRS_SQL_NOT_CORRECTED ("v.id") "%s "
      "ORDER BY 2, 9",
      child_id ? " AND c.id = ?1" : household_id ? " AND c.household_id = ?1" : "",
      child_id ? " AND c.id = ?1" : household_id ? " AND c.household_id = ?1" : "");
  if ((stmt = clmrs_store_prepare (store, sql, error)) == NULL)
    return FALSE;
  if (key)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChildRows *c = g_hash_table_lookup (book->children, sqlite3_column_text (stmt, 0));
      ClmrsCaseVisit v = { 0 };

      if (c == NULL)
        continue;
      v.date = intern (book, stmt, 1);
      v.kind = intern (book, stmt, 2);
      v.status = intern (book, stmt, 3);
      v.child_status = intern (book, stmt, 4);
      v.immediate_danger = sqlite3_column_int (stmt, 5);
      v.age = sqlite3_column_int (stmt, 6);
      v.in_school = intern (book, stmt, 7);
      v.hazard_since_last = sqlite3_column_int (stmt, 9);
      v.alternative = sqlite3_column_int (stmt, 10);
      g_array_append_val (c->visits, v);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading visits", error))
    return FALSE;

  /* the closures (case_closure.xml) */
  g_free (sql);
  sql = g_strdup_printf (
      "SELECT c.id, v.visit_date, " CLOSURE_REASON_SQL " FROM visits v JOIN children c ON c.id = v.child_id "
      "WHERE v.kind = 'closure' AND v.state = 'final' AND " CLMRS_SQL_NOT_CORRECTED ("v.id") "%s",
      child_id ? " AND c.id = ?1" : household_id ? " AND c.household_id = ?1" : "");
  if ((stmt = clmrs_store_prepare (store, sql, error)) == NULL)
    return FALSE;
  if (key)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChildRows *c = g_hash_table_lookup (book->children, sqlite3_column_text (stmt, 0));
      ClmrsCaseClosure closure = { intern (book, stmt, 1), intern (book, stmt, 2) };

      if (c != NULL)
        g_array_append_val (c->closures, closure);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading closures", error))
    return FALSE;

  g_free (sql);
  sql = g_strdup_printf (
      "SELECT s.child_id, s.household_id, s.type, s.support_date, " CASE_SUPPORT_STATE_SQL " FROM supports s"
      " WHERE " CLMRS_SQL_NOT_CORRECTED ("s.visit_id") "%s",
      child_id ? " AND (s.child_id = ?1 OR (s.child_id IS NULL AND s.household_id = "
                 "(SELECT household_id FROM children WHERE id = ?1)))"
      : household_id ? " AND (s.household_id = ?1 OR s.child_id IN "
                       "(SELECT id FROM children WHERE household_id = ?1))" : "");
  if ((stmt = clmrs_store_prepare (store, sql, error)) == NULL)
    return FALSE;
  if (key)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsCaseSupport s = { intern (book, stmt, 3), intern (book, stmt, 2), intern (book, stmt, 4) };

      if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          ChildRows *c = g_hash_table_lookup (book->children, sqlite3_column_text (stmt, 0));
          if (c != NULL)
            g_array_append_val (c->supports, s);
        }
      else if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        {
          const char *hh = intern (book, stmt, 1);
          GArray *list = g_hash_table_lookup (book->household_supports, hh);

          if (list == NULL)
            {
              list = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseSupport));
              g_hash_table_insert (book->household_supports, (gpointer) hh, list);
            }
          g_array_append_val (list, s);
        }
    }
  sqlite3_finalize (stmt);
  return !sqlite_failed (store, rc, "loading supports", error);
}

/* The child's own supports followed by its household's. */
static GArray *
child_supports (Book *book, ChildRows *c)
{
  GArray *all = g_array_copy (c->supports);
  GArray *hh = c->household_id ? g_hash_table_lookup (book->household_supports, c->household_id) : NULL;

  if (hh != NULL)
    g_array_append_vals (all, hh->data, hh->len);
  return all;
}

static gboolean
evaluate (Book                  *book,
          ChildRows             *c,
          const GDate           *today,
          const ClmrsCaseConfig *config,
          ClmrsCase             *out,
          GError               **error)
{
  g_autoptr(GArray) supports = child_supports (book, c);
  ClmrsCaseInput input = {
    .birth_date = c->dob,
    .visits = (ClmrsCaseVisit *) c->visits->data,
    .n_visits = c->visits->len,
    .supports = (ClmrsCaseSupport *) supports->data,
    .n_supports = supports->len,
    .closures = (ClmrsCaseClosure *) c->closures->data,
    .n_closures = c->closures->len,
  };
  ClmrsCaseConfig defaults;

  if (config == NULL)
    {
      clmrs_case_config_init (&defaults);
      config = &defaults;
    }
  if (!clmrs_case_evaluate (&input, config, today, out, error))
    {
      g_prefix_error (error, "child %s: ", c->id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_case (ClmrsStore      *store,
           sqlite3_stmt    *stmt,
           const char      *child_id,
           const ClmrsCase *kase,
           GError         **error)
{
  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, child_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, clmrs_case_status_to_string (kase->status), -1, SQLITE_STATIC);
  /* "open" is "on the follow-ups list": an open case until 18, and an
   * exited one while its yearly monitoring goes on (a closed one never) */
  sqlite3_bind_int (stmt, 3, (kase->open && kase->status != CLMRS_CASE_AGED_OUT) ||
                             (kase->status == CLMRS_CASE_EXITED && kase->next_due_date[0] != '\0'));
  sqlite3_bind_text (stmt, 4, *kase->identification_date ? kase->identification_date : NULL, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, *kase->last_visit_date ? kase->last_visit_date : NULL, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, *kase->next_due_date ? kase->next_due_date : NULL, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 7, kase->n_follow_ups);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "saving the case of %s: %s",
                   child_id, sqlite3_errmsg (clmrs_store_get_db (store)));
      return FALSE;
    }
  return TRUE;
}

#define SAVE_CASE_SQL \
  "INSERT INTO cases (child_id, status, open, identified_on, last_visit, next_due, follow_ups) " \
  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (child_id) DO UPDATE SET status = excluded.status," \
  " open = excluded.open, identified_on = excluded.identified_on, last_visit = excluded.last_visit," \
  " next_due = excluded.next_due, follow_ups = excluded.follow_ups"

gboolean
clmrs_casebook_refresh_child (ClmrsStore            *store,
                              const char            *child_id,
                              const GDate           *today,
                              const ClmrsCaseConfig *config,
                              GError               **error)
{
  Book book;
  ChildRows *c;
  ClmrsCase kase;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  book_init (&book);
  if (!book_load (&book, store, child_id, NULL, error))
    goto out;
  c = g_hash_table_lookup (book.children, child_id);
  if (c == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no child %s", child_id);
      goto out;
    }
  if (!evaluate (&book, c, today, config, &kase, error))
    goto out;
  if ((stmt = clmrs_store_prepare (store, SAVE_CASE_SQL, error)) == NULL)
    goto out;
  ok = save_case (store, stmt, child_id, &kase, error);
  sqlite3_finalize (stmt);

out:
  book_clear (&book);
  return ok;
}

gboolean
clmrs_casebook_refresh_all (ClmrsStore            *store,
                            const GDate           *today,
                            const ClmrsCaseConfig *config,
                            guint                 *n_cases,
                            GError               **error)
{
  Book book;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  book_init (&book);
  if (!clmrs_store_begin (store, error))
    goto out;
  if (!book_load (&book, store, NULL, NULL, error) ||
      (stmt = clmrs_store_prepare (store, SAVE_CASE_SQL, error)) == NULL)
    goto out;
  for (guint i = 0; i < book.order->len; i++)
    {
      ChildRows *c = g_ptr_array_index (book.order, i);
      ClmrsCase kase;

      if (!evaluate (&book, c, today, config, &kase, error) ||
          !save_case (store, stmt, c->id, &kase, error))
        goto out;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  ok = clmrs_store_commit (store, error);
  if (ok && n_cases != NULL)
    *n_cases = book.order->len;

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!ok)
    clmrs_store_rollback (store);
  book_clear (&book);
  return ok;
}

void
clmrs_due_item_free (ClmrsDueItem *item)
{
  if (item == NULL)
    return;
  g_free (item->child_id);
  g_free (item->child_name);
  g_free (item->household_id);
  g_free (item->head_name);
  g_free (item->community);
  g_free (item->status);
  g_free (item->next_due);
  g_free (item);
}

GPtrArray *
clmrs_casebook_follow_ups_due (ClmrsStore   *store,
                               const GDate  *today,
                               int           horizon_days,
                               guint         limit,
                               GError      **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_due_item_free);
  g_autofree char *today_text = clmrs_date_format (today);
  GDate until = *today;
  g_autofree char *until_text = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_date_add_days (&until, MAX (horizon_days, 0));
  until_text = clmrs_date_format (&until);
  stmt = clmrs_store_prepare (store,
      "SELECT k.child_id, c.name, c.household_id, h.head_name, m.name, k.status, k.next_due,"
      "  CAST (julianday (?1) - julianday (k.next_due) AS INTEGER) "
      "FROM cases k JOIN children c ON c.id = k.child_id JOIN households h ON h.id = c.household_id"
      " LEFT JOIN communities m ON m.id = h.community_id "
      "WHERE k.open = 1 AND k.next_due <= ?2 ORDER BY k.next_due, c.name LIMIT ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, today_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, until_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsDueItem *item = g_new0 (ClmrsDueItem, 1);

      item->child_id = clmrs_store_column_dup (stmt, 0);
      item->child_name = clmrs_store_column_dup (stmt, 1);
      item->household_id = clmrs_store_column_dup (stmt, 2);
      item->head_name = clmrs_store_column_dup (stmt, 3);
      item->community = clmrs_store_column_dup (stmt, 4);
      item->status = clmrs_store_column_dup (stmt, 5);
      item->next_due = clmrs_store_column_dup (stmt, 6);
      item->days_late = sqlite3_column_int (stmt, 7);
      g_ptr_array_add (items, item);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "listing follow-ups due", error))
    return NULL;
  return g_steal_pointer (&items);
}

void
clmrs_household_item_free (ClmrsHouseholdItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->head_name);
  g_free (item->community);
  g_free (item);
}

/* @prefix folded as the names are (clmrs_fold_for_search) and made a LIKE
 * pattern: "50%" or "a_b" match literally. */
static char *
name_pattern (const char *prefix)
{
  g_autofree char *folded = clmrs_fold_for_search (prefix);
  GString *pattern = g_string_new (NULL);

  for (const char *p = folded; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* the head's folded name, or a word of it, starts with the folded pattern
 * ?1: "kyei" finds "Abena Kyei", "kouame" finds "Kouamé" (a full scan of
 * the index on the name and its key, in name order; see docs/benchmarks.md) */
#define NAME_MATCHES \
  "(h.search_key LIKE ?1 ESCAPE '\\' OR h.search_key LIKE '% ' || ?1 ESCAPE '\\')"

GPtrArray *
clmrs_casebook_search_households_page (ClmrsStore  *store,
                                       const char  *prefix,
                                       guint        offset,
                                       guint        limit,
                                       GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_household_item_free);
  g_autofree char *pattern = name_pattern (prefix);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clmrs_store_prepare (store,
      "SELECT h.id, h.head_name, m.name,"
      "  (SELECT count (*) FROM children c WHERE c.household_id = h.id) "
      "FROM households h LEFT JOIN communities m ON m.id = h.community_id "
      "WHERE " NAME_MATCHES " ORDER BY h.head_name COLLATE NOCASE LIMIT ?2 OFFSET ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, offset);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsHouseholdItem *item = g_new0 (ClmrsHouseholdItem, 1);

      item->id = clmrs_store_column_dup (stmt, 0);
      item->head_name = clmrs_store_column_dup (stmt, 1);
      item->community = clmrs_store_column_dup (stmt, 2);
      item->n_children = sqlite3_column_int (stmt, 3);
      g_ptr_array_add (items, item);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "searching households", error))
    return NULL;
  return g_steal_pointer (&items);
}

GPtrArray *
clmrs_casebook_search_households (ClmrsStore  *store,
                                  const char  *prefix,
                                  guint        limit,
                                  GError     **error)
{
  return clmrs_casebook_search_households_page (store, prefix, 0, limit, error);
}

gint64
clmrs_casebook_count_households (ClmrsStore  *store,
                                 const char  *prefix,
                                 GError     **error)
{
  g_autofree char *pattern = name_pattern (prefix);
  sqlite3_stmt *stmt;
  gint64 count = -1;
  int rc;

  stmt = clmrs_store_prepare (store, "SELECT count (*) FROM households h WHERE " NAME_MATCHES, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite_failed (store, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "counting households", error);
      return -1;
    }
  return count;
}

void
clmrs_draft_item_free (ClmrsDraftItem *item)
{
  if (item == NULL)
    return;
  g_free (item->visit_id);
  g_free (item->kind);
  g_free (item->head_name);
  g_free (item->child_name);
  g_free (item->started);
  g_free (item->modified);
  g_free (item);
}

GPtrArray *
clmrs_casebook_drafts (ClmrsStore  *store,
                       const char  *facilitator_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_draft_item_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (facilitator_id != NULL, NULL);

  /* a new household's draft has no household row until it is finalised:
   * the head's name typed so far is its only name */
  stmt = clmrs_store_prepare (store,
      "SELECT v.id, v.kind,"
      "  coalesce (h.head_name, (SELECT nullif (trim (a.value), '') FROM answers a"
      "    WHERE a.visit_id = v.id AND a.ref LIKE '%/household/head_name')),"
      "  c.name, v.started, v.modified "
      "FROM visits v LEFT JOIN households h ON h.id = v.household_id "
      "LEFT JOIN children c ON c.id = v.child_id "
      "WHERE v.state = 'draft' AND v.facilitator_id = ?1 ORDER BY v.modified DESC, v.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, facilitator_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsDraftItem *item = g_new0 (ClmrsDraftItem, 1);

      item->visit_id = clmrs_store_column_dup (stmt, 0);
      item->kind = clmrs_store_column_dup (stmt, 1);
      item->head_name = clmrs_store_column_dup (stmt, 2);
      item->child_name = clmrs_store_column_dup (stmt, 3);
      item->started = clmrs_store_column_dup (stmt, 4);
      item->modified = clmrs_store_column_dup (stmt, 5);
      g_ptr_array_add (items, item);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "listing unfinished visits", error))
    return NULL;
  return g_steal_pointer (&items);
}

JsonNode *
clmrs_casebook_indicators (ClmrsStore   *store,
                           const char   *from,
                           const char   *to,
                           const GDate  *today,
                           GError      **error)
{
  return clmrs_casebook_indicators_full (store, from, to, today, NULL, error);
}

JsonNode *
clmrs_casebook_indicators_full (ClmrsStore            *store,
                                const char            *from,
                                const char            *to,
                                const GDate           *today,
                                const ClmrsCaseConfig *config,
                                GError               **error)
{
  GStringChunk *strings = g_string_chunk_new (64 * 1024);
  g_autoptr(GArray) households = g_array_new (FALSE, TRUE, sizeof (ClmrsHouseholdRow));
  g_autoptr(GArray) children = g_array_new (FALSE, TRUE, sizeof (ClmrsChildRow));
  g_autoptr(GArray) assessments = g_array_new (FALSE, TRUE, sizeof (ClmrsAssessmentRow));
  g_autoptr(GArray) supports = g_array_new (FALSE, TRUE, sizeof (ClmrsSupportRow));
  g_autoptr(GArray) sessions = g_array_new (FALSE, TRUE, sizeof (ClmrsAwarenessRow));
  g_autoptr(GArray) closures = g_array_new (FALSE, TRUE, sizeof (ClmrsClosureRow));
  ClmrsIndicatorsInput input = { 0 };
  JsonNode *result = NULL;
  sqlite3_stmt *stmt;
  int rc;
#define S(col) (sqlite3_column_type (stmt, col) == SQLITE_NULL ? NULL : \
                g_string_chunk_insert_const (strings, (const char *) sqlite3_column_text (stmt, col)))

  /* one read transaction: a consistent snapshot */
  if (!clmrs_store_exec (store, "BEGIN", error))
    goto out;

  if ((stmt = clmrs_store_prepare (store, "SELECT id, community_id FROM households", error)) == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsHouseholdRow r = { S (0), S (1) };
      g_array_append_val (households, r);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading households", error))
    goto out;

  if ((stmt = clmrs_store_prepare (store, "SELECT id, household_id, sex, dob FROM children", error)) == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsChildRow r = { S (0), S (1), S (2), S (3) };
      g_array_append_val (children, r);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading children", error))
    goto out;

  stmt = clmrs_store_prepare (store,
      "SELECT v.id, a.child_id, v.kind, v.visit_date, a.status, v.child_status, a.immediate_danger, a.age,"
      "  CASE json_extract (a.profile, '$.in_school') WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END,"
      "  v.facilitator_id, coalesce (f.sex, json_extract (v.answers, '$.facilitator_sex')),"
      "  v.community_id, v.finalised, " CASE_RECALL_SQL ", " CASE_ALTERNATIVE_SQL ", " PROXY_SQL ","
      "  CASE v.kind WHEN 'follow_up' THEN json_extract (v.answers, '$.child.support_received') END "
      "FROM assessments a JOIN visits v ON v.id = a.visit_id LEFT JOIN facilitators f ON f.id = v.facilitator_id "
      "WHERE " CLMRS_SQL_NOT_CORRECTED ("v.id") " "
      "UNION ALL "
      "SELECT v.id, v.child_id, v.kind, v.visit_date, NULL, v.child_status, 0, 0, NULL,"
      "  v.facilitator_id, coalesce (f.sex, json_extract (v.answers, '$.facilitator_sex')),"
      "  v.community_id, v.finalised, 0, 0, 0, NULL "
      "FROM visits v LEFT JOIN facilitators f ON f.id = v.facilitator_id "
      "WHERE v.state = 'final' AND v.kind = 'follow_up' AND v.child_status IN ('moved', 'lost')"
      "  AND " CLMRS_SQL_NOT_CORRECTED ("v.id") " "
      "ORDER BY 4, 13", error);
  if (stmt == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsAssessmentRow r = {
        .visit_id = S (0), .child_id = S (1), .kind = S (2), .date = S (3), .status = S (4),
        .child_status = S (5), .immediate_danger = sqlite3_column_int (stmt, 6),
        .age = sqlite3_column_int (stmt, 7), .in_school = S (8), .facilitator_id = S (9),
        .facilitator_sex = S (10), .community = S (11),
        .hazard_since_last = sqlite3_column_int (stmt, 13),
        .alternative = sqlite3_column_int (stmt, 14),
        .proxy = sqlite3_column_int (stmt, 15),
        .support_received = S (16),
      };
      g_array_append_val (assessments, r);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading assessments", error))
    goto out;

  if ((stmt = clmrs_store_prepare (store, "SELECT child_id, household_id, type, support_date, " CASE_SUPPORT_STATE_SQL " FROM supports s"
                                        " WHERE " CLMRS_SQL_NOT_CORRECTED ("s.visit_id"), error)) == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsSupportRow r = { S (0), S (1), S (2), S (3), S (4) };
      g_array_append_val (supports, r);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading supports", error))
    goto out;

  stmt = clmrs_store_prepare (store,
      "SELECT session_date, community_id, level, men, women, boys, girls, household_id FROM awareness_sessions s"
      " WHERE " CLMRS_SQL_NOT_CORRECTED ("s.visit_id"), error);
  if (stmt == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsAwarenessRow r = {
        S (0), S (1), S (2), sqlite3_column_int (stmt, 3), sqlite3_column_int (stmt, 4),
        sqlite3_column_int (stmt, 5), sqlite3_column_int (stmt, 6), S (7),
      };
      g_array_append_val (sessions, r);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading awareness sessions", error))
    goto out;

  stmt = clmrs_store_prepare (store,
      "SELECT v.child_id, v.visit_date, " CLOSURE_REASON_SQL " FROM visits v"
      " WHERE v.kind = 'closure' AND v.state = 'final' AND v.child_id IS NOT NULL"
      " AND " CLMRS_SQL_NOT_CORRECTED ("v.id"), error);
  if (stmt == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsClosureRow r = { S (0), S (1), S (2) };
      g_array_append_val (closures, r);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (store, rc, "loading closures", error))
    goto out;
#undef S

  input.households = (ClmrsHouseholdRow *) households->data;
  input.n_households = households->len;
  input.children = (ClmrsChildRow *) children->data;
  input.n_children = children->len;
  input.assessments = (ClmrsAssessmentRow *) assessments->data;
  input.n_assessments = assessments->len;
  input.supports = (ClmrsSupportRow *) supports->data;
  input.n_supports = supports->len;
  input.sessions = (ClmrsAwarenessRow *) sessions->data;
  input.n_sessions = sessions->len;
  input.closures = (ClmrsClosureRow *) closures->data;
  input.n_closures = closures->len;
  input.from = from;
  input.case_config = config;
  input.to = to;
  result = clmrs_indicators_compute (&input, today, error);

out:
  clmrs_store_exec (store, "COMMIT", NULL);
  g_string_chunk_free (strings);
  return result;
}

/* --- one household, as a facilitator sees it --- */

static void
household_child_free (ClmrsHouseholdChild *child)
{
  g_free (child->child_id);
  g_free (child->name);
  g_free (child->sex);
  g_free (child->last_status);
  g_free (child->last_finding);
  g_free (child);
}

static void
household_visit_free (ClmrsHouseholdVisit *visit)
{
  g_free (visit->visit_id);
  g_free (visit->kind);
  g_free (visit->form_id);
  g_free (visit->visit_date);
  g_free (visit->facilitator_id);
  g_free (visit->facilitator_name);
  g_free (visit->child_name);
  g_free (visit->review_state);
  g_free (visit->outbox_state);
  g_free (visit);
}

void
clmrs_household_file_free (ClmrsHouseholdFile *file)
{
  if (file == NULL)
    return;
  g_free (file->id);
  g_free (file->head_name);
  g_free (file->head_sex);
  g_free (file->community);
  g_free (file->last_visit);
  g_clear_pointer (&file->children, g_ptr_array_unref);
  g_clear_pointer (&file->visits, g_ptr_array_unref);
  g_clear_pointer (&file->drafts, g_ptr_array_unref);
  g_clear_pointer (&file->overdue_supports, g_ptr_array_unref);
  g_free (file);
}

/* The household's head and community; NULL with NOT_FOUND when there is none. */
static ClmrsHouseholdFile *
household_read_head (ClmrsStore  *store,
                     const char  *household_id,
                     GError     **error)
{
  g_autoptr(ClmrsHouseholdFile) file = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = clmrs_store_prepare (store,
      "SELECT h.id, h.head_name, h.head_sex, m.name,"
      "  (SELECT max (v.visit_date) FROM visits v WHERE v.household_id = h.id AND v.state = 'final') "
      "FROM households h LEFT JOIN communities m ON m.id = h.community_id WHERE h.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, household_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      file = g_new0 (ClmrsHouseholdFile, 1);
      file->id = clmrs_store_column_dup (stmt, 0);
      file->head_name = clmrs_store_column_dup (stmt, 1);
      file->head_sex = clmrs_store_column_dup (stmt, 2);
      file->community = clmrs_store_column_dup (stmt, 3);
      file->last_visit = clmrs_store_column_dup (stmt, 4);
      file->children = g_ptr_array_new_with_free_func ((GDestroyNotify) household_child_free);
      file->visits = g_ptr_array_new_with_free_func ((GDestroyNotify) household_visit_free);
      file->drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) household_visit_free);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no household %s", household_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      sqlite_failed (store, rc, "reading a household", error);
      return NULL;
    }
  return g_steal_pointer (&file);
}

/* Each child with their case, by name. */
static gboolean
household_read_children (ClmrsStore            *store,
                         ClmrsHouseholdFile    *file,
                         const GDate           *today,
                         const ClmrsCaseConfig *config,
                         GError               **error)
{
  g_autofree char *today_text = clmrs_date_format (today);
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  Book book;
  int rc;

  book_init (&book);
  if (!book_load (&book, store, NULL, file->id, error))
    goto out;

  /* the latest finding and the latest finding in child labour, among the
   * assessments the case sees (none dated after today) */
  stmt = clmrs_store_prepare (store,
      "SELECT c.id, c.name, c.sex, c.age, c.age_on,"
      "  (SELECT a.status FROM assessments a JOIN visits v ON v.id = a.visit_id"
      "   WHERE a.child_id = c.id AND v.visit_date <= ?2 AND " CLMRS_SQL_NOT_CORRECTED ("v.id") " "
      "   ORDER BY v.visit_date DESC, v.finalised DESC LIMIT 1),"
      "  (SELECT a.status FROM assessments a JOIN visits v ON v.id = a.visit_id"
      "   WHERE a.child_id = c.id AND v.visit_date <= ?2 AND " CLMRS_SQL_NOT_CORRECTED ("v.id") " "
      "     AND a.status IN ('child_labour', 'hazardous_child_labour', 'worst_form')"
      "   ORDER BY v.visit_date DESC, v.finalised DESC LIMIT 1) "
      "FROM children c WHERE c.household_id = ?1 ORDER BY c.name COLLATE NOCASE, c.id", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, file->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, today_text, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChildRows *rows = g_hash_table_lookup (book.children, sqlite3_column_text (stmt, 0));
      ClmrsHouseholdChild *child;

      if (rows == NULL)
        continue;
      child = g_new0 (ClmrsHouseholdChild, 1);
      g_ptr_array_add (file->children, child);
      child->child_id = clmrs_store_column_dup (stmt, 0);
      child->name = clmrs_store_column_dup (stmt, 1);
      child->sex = clmrs_store_column_dup (stmt, 2);
      child->last_status = clmrs_store_column_dup (stmt, 5);
      child->last_finding = clmrs_store_column_dup (stmt, 6);
      if (!evaluate (&book, rows, today, config, &child->kase, error))
        {
          sqlite3_finalize (stmt);
          goto out;
        }
      child->age = child->kase.age;
      /* never assessed and no date of birth: the age the roster gave, on its day */
      if (child->age < 0 && sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        {
          GDate age_on;

          child->age = sqlite3_column_int (stmt, 3);
          if (clmrs_date_parse ((const char *) sqlite3_column_text (stmt, 4), &age_on) &&
              g_date_compare (&age_on, today) <= 0)
            child->age += clmrs_age_on (&age_on, today);
        }
      /* found out of scope when too young (4), in scope today (5): that
         finding no longer says anything about the child, who is not
         assessed at an age in scope yet ("Boy, 5 years old" beside "Not 5
         to 17 years old" otherwise) */
      if (g_strcmp0 (child->last_status, "out_of_scope") == 0 && clmrs_age_in_scope (child->age))
        g_clear_pointer (&child->last_status, g_free);
    }
  sqlite3_finalize (stmt);
  ok = !sqlite_failed (store, rc, "reading a household's children", error);

out:
  book_clear (&book);
  return ok;
}

/* The household's visits in @state ("final": newest visit day first;
 * "draft": the last touched first), at most @limit, into @into. */
static gboolean
household_read_visits (ClmrsStore          *store,
                       ClmrsHouseholdFile  *file,
                       const char          *state,
                       guint                limit,
                       GPtrArray           *into,
                       GError             **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clmrs_store_prepare (store,
      "SELECT v.id, v.kind, v.form_id, v.visit_date, v.facilitator_id, coalesce (f.name, v.facilitator_id),"
      "  c.name, v.review_state,"
      "  (SELECT o.state FROM outbox o WHERE o.record_id = v.id ORDER BY o.rev DESC LIMIT 1) "
      "FROM visits v LEFT JOIN facilitators f ON f.id = v.facilitator_id"
      "  LEFT JOIN children c ON c.id = v.child_id "
      "WHERE v.household_id = ?1 AND v.state = ?3 "
      "ORDER BY CASE WHEN ?3 = 'draft' THEN v.modified END DESC,"
      "  v.visit_date DESC, v.finalised DESC, v.rowid DESC LIMIT ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, file->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_text (stmt, 3, state, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsHouseholdVisit *visit = g_new0 (ClmrsHouseholdVisit, 1);

      visit->visit_id = clmrs_store_column_dup (stmt, 0);
      visit->kind = clmrs_store_column_dup (stmt, 1);
      visit->form_id = clmrs_store_column_dup (stmt, 2);
      visit->visit_date = clmrs_store_column_dup (stmt, 3);
      visit->facilitator_id = clmrs_store_column_dup (stmt, 4);
      visit->facilitator_name = clmrs_store_column_dup (stmt, 5);
      visit->child_name = clmrs_store_column_dup (stmt, 6);
      visit->review_state = clmrs_store_column_dup (stmt, 7);
      visit->outbox_state = clmrs_store_column_dup (stmt, 8);
      g_ptr_array_add (into, visit);
    }
  sqlite3_finalize (stmt);
  return !sqlite_failed (store, rc, "reading a household's visits", error);
}

ClmrsHouseholdFile *
clmrs_casebook_household (ClmrsStore            *store,
                          const char            *household_id,
                          const GDate           *today,
                          const ClmrsCaseConfig *config,
                          guint                  visit_limit,
                          GError               **error)
{
  g_autoptr(ClmrsHouseholdFile) file = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (household_id != NULL, NULL);
  g_return_val_if_fail (today != NULL && g_date_valid (today), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* one read transaction: a consistent snapshot */
  if (!clmrs_store_exec (store, "BEGIN", error))
    return NULL;
  file = household_read_head (store, household_id, error);
  if (file != NULL &&
      (!household_read_children (store, file, today, config, error) ||
       !household_read_visits (store, file, "final", visit_limit, file->visits, error) ||
       !household_read_visits (store, file, "draft", visit_limit, file->drafts, error)))
    g_clear_pointer (&file, clmrs_household_file_free);
  if (file != NULL)
    {
      ClmrsCaseConfig defaults;

      if (config == NULL)
        clmrs_case_config_init (&defaults);
      file->overdue_supports = clmrs_supports_overdue (store, household_id, today,
                                                       (config ? config : &defaults)->support_overdue_days, error);
      if (file->overdue_supports == NULL)
        g_clear_pointer (&file, clmrs_household_file_free);
    }
  clmrs_store_exec (store, "COMMIT", NULL);
  return g_steal_pointer (&file);
}

gboolean
clmrs_casebook_visit_children (ClmrsStore  *store,
                               const char  *visit_id,
                               GPtrArray   *children,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT child_id FROM assessments WHERE visit_id = ?1"
      " UNION SELECT child_id FROM visits WHERE id = ?1 AND child_id IS NOT NULL", error);
  ClmrsStep step;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    g_ptr_array_add (children, clmrs_store_column_dup (stmt, 0));
  return step == CLMRS_STEP_DONE;
}
