/* syncstore.c: the store's side of sync: batches out, acknowledgements in, pulled records applied. */
#define G_LOG_DOMAIN "clmrs-syncstore"

#include "syncstore.h"

#include "casebook.h"
#include "store-private.h"
#include "form-media.h"
#include "record.h"
#include "util.h"

#include <string.h>

void
clmrs_outgoing_free (ClmrsOutgoing *outgoing)
{
  if (outgoing == NULL)
    return;
  g_free (outgoing->record_id);
  g_free (outgoing->line);
  g_free (outgoing);
}

GPtrArray *
clmrs_outbox_next_batch (ClmrsStore  *store,
                         gsize        max_bytes,
                         guint        max_records,
                         GError     **error)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_outgoing_free);
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT record_id, rev, envelope, bytes FROM outbox WHERE state = 'queued' ORDER BY rowid LIMIT ?", error);
  gsize total = 0;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, max_records);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gsize bytes = sqlite3_column_int64 (stmt, 3) + 1;
      ClmrsOutgoing *o;

      if (batch->len > 0 && total + bytes > max_bytes)
        break;
      o = g_new0 (ClmrsOutgoing, 1);
      o->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      o->rev = sqlite3_column_int64 (stmt, 1);
      o->line = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      g_ptr_array_add (batch, o);
      total += bytes;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "reading the outbox: %s",
                   sqlite3_errmsg (clmrs_store_get_db (store)));
      return NULL;
    }
  return g_steal_pointer (&batch);
}

gboolean
clmrs_outbox_count_queued (ClmrsStore  *store,
                           gint64      *count,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (count != NULL, FALSE);

  *count = -1;
  stmt = clmrs_store_prepare (store, "SELECT count (*) FROM outbox WHERE state = 'queued'", error);
  if (stmt == NULL || clmrs_store_step (store, stmt, error) != CLMRS_STEP_ROW)
    {
      g_prefix_error (error, "counting the records waiting to leave: ");
      return FALSE;
    }
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* Inside a transaction: moves one record to @state. */
static gboolean
set_state (ClmrsStore  *store,
           const char  *record_id,
           gint64       rev,
           const char  *state,
           const char  *reason,
           GError     **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "UPDATE outbox SET state = ?1, sent_at = ?2, reject_reason = ?3, last_error = NULL,"
      "  attempts = attempts + 1 WHERE record_id = ?4 AND rev = ?5 AND state != 'sent'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, record_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, rev);
  return clmrs_store_step_done (store, stmt, error);
}

/* Whether the outbox holds @record_id at @rev: 1, 0, or -1 with @error. */
static int
outbox_has (ClmrsStore  *store,
            const char  *record_id,
            gint64       rev,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT 1 FROM outbox WHERE record_id = ? AND rev = ?", error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, record_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, rev);
  return clmrs_store_step (store, stmt, error);
}

gboolean
clmrs_outbox_apply_results (ClmrsStore  *store,
                            GPtrArray   *results,
                            guint       *counts,
                            GError     **error)
{
  guint local[CLMRS_PUSH_N_OUTCOMES] = { 0 };

  if (!clmrs_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < results->len; i++)
    {
      const ClmrsPushResult *r = g_ptr_array_index (results, i);
      const char *id = r->id;
      const char *reason = r->reason;
      gint64 rev = r->rev;
      ClmrsPushOutcome kind = r->outcome;
      g_autofree char *why = NULL;
      gboolean ok;
      int sent = id != NULL ? outbox_has (store, id, rev, error) : 0;

      if (sent < 0)
        {
          clmrs_store_rollback (store);
          return FALSE;
        }
      if (sent == 0)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                       "the server answered result %u (%s %s rev %" G_GINT64_FORMAT ") for no record sent",
                       i + 1, clmrs_push_outcome_to_string (kind), id ? id : "(no id)", rev);
          clmrs_store_rollback (store);
          return FALSE;
        }
      if (kind == CLMRS_PUSH_STORED || kind == CLMRS_PUSH_DUPLICATE)
        ok = set_state (store, id, rev, "sent", NULL, error);
      else
        {
          if (kind == CLMRS_PUSH_REJECTED)
            why = g_strdup (reason ? reason : "rejected by the server");
          else if (reason != NULL)
            why = g_strdup_printf ("conflict: kept aside by the server for review: %s", reason);
          else
            why = g_strdup ("conflict: the server holds other content for this revision and "
                            "kept this one aside for review");
          ok = set_state (store, id, rev, "rejected", why, error);
        }
      if (!ok)
        {
          clmrs_store_rollback (store);
          return FALSE;
        }
      local[kind]++;
    }
  if (!clmrs_store_commit (store, error))
    return FALSE;
  if (counts != NULL)
    memcpy (counts, local, sizeof local);
  return TRUE;
}

gboolean
clmrs_outbox_reject (ClmrsStore  *store,
                     const char  *record_id,
                     gint64       rev,
                     const char  *reason,
                     GError     **error)
{
  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!set_state (store, record_id, rev, "rejected", reason, error))
    {
      clmrs_store_rollback (store);
      return FALSE;
    }
  return clmrs_store_commit (store, error);
}

gboolean
clmrs_outbox_note_failure (ClmrsStore  *store,
                           GPtrArray   *batch,
                           const char  *message,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  if (!clmrs_store_begin (store, error))
    return FALSE;
  stmt = clmrs_store_prepare (store,
      "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE record_id = ? AND rev = ?", error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < batch->len; i++)
    {
      const ClmrsOutgoing *o = g_ptr_array_index (batch, i);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, message, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, o->record_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, o->rev);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "noting a sync error: %s",
                       sqlite3_errmsg (clmrs_store_get_db (store)));
          sqlite3_finalize (stmt);
          goto fail;
        }
    }
  sqlite3_finalize (stmt);
  return clmrs_store_commit (store, error);

fail:
  clmrs_store_rollback (store);
  return FALSE;
}

/* --- pull --- */

typedef struct {
  ClmrsStore *store;
  GPtrArray  *touched;   /* child ids whose case must be refreshed */
} Pull;

static const char *
str (JsonObject *o, const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
num (JsonObject *o, const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return 0;
  return json_node_get_int (node);
}

static char *
to_text (JsonNode *node)
{
  return node ? clmrs_json_to_string (node) : g_strdup ("{}");
}

/* The local revision of @id in @table: 0 when absent, -1 on an error. */
static gint64
local_rev (ClmrsStore  *store,
           const char  *table,
           const char  *id,
           GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rev FROM %s WHERE id = ?", table);
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, sql, error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW: return sqlite3_column_int64 (stmt, 0);
    case CLMRS_STEP_DONE: return 0;
    default: return -1;
    }
}

/* Whether @id is in @table: 1 or 0, -1 on an error (never read as absent). */
static int
exists (ClmrsStore  *store,
        const char  *table,
        const char  *id,
        GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?", table);
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, sql, error);
  ClmrsStep step;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, error);
  return step == CLMRS_STEP_ERROR ? -1 : step == CLMRS_STEP_ROW;
}

static gboolean
apply_community (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  gint64 rev;
  g_autofree char *profile = NULL;
  sqlite3_stmt *stmt;

  rev = local_rev (pull->store, "communities", id, error);
  if (rev < 0)
    return FALSE;
  if (rev >= num (env, "rev"))
    return TRUE;
  profile = json_object_has_member (body, "profile") ? to_text (json_object_get_member (body, "profile")) : NULL;
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO communities (id, name, district, country, rev, created, modified, profile)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET name = ?2,"
      " district = ?3, country = ?4, rev = ?5, modified = ?7, profile = coalesce (?8, profile)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (body, "name") ? str (body, "name") : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, str (body, "district"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, str (body, "country"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, num (env, "rev"));
  sqlite3_bind_text (stmt, 6, str (env, "created"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, str (env, "modified"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, profile, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (pull->store, stmt, error);
}

static gboolean
apply_household (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  gint64 rev;
  g_autofree char *text = to_text (json_object_get_member (env, "body"));
  sqlite3_stmt *stmt;

  rev = local_rev (pull->store, "households", id, error);
  if (rev < 0)
    return FALSE;
  if (rev >= num (env, "rev"))
    return TRUE;
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO households (id, community_id, head_name, head_sex, rev, device_id, author, created,"
      " modified, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO UPDATE SET"
      " community_id = ?2, head_name = ?3, head_sex = ?4, rev = ?5, modified = ?9, body = ?10", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (env, "community_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, str (body, "head_name") ? str (body, "head_name") : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, str (body, "head_sex"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, num (env, "rev"));
  sqlite3_bind_text (stmt, 6, str (env, "device_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, str (env, "author"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, str (env, "created"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, str (env, "modified"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, text, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (pull->store, stmt, error);
}

static gboolean
apply_child (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  gint64 rev;
  g_autofree char *text = to_text (json_object_get_member (env, "body"));
  sqlite3_stmt *stmt;

  rev = local_rev (pull->store, "children", id, error);
  if (rev < 0)
    return FALSE;
  if (rev >= num (env, "rev"))
    return TRUE;
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO children (id, household_id, name, sex, dob, age, age_on, rev, device_id, author,"
      " created, modified, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
      " ON CONFLICT (id) DO UPDATE SET household_id = ?2, name = ?3, sex = ?4, dob = ?5, age = ?6,"
      " age_on = ?7, rev = ?8, modified = ?12, body = ?13", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (body, "household_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, str (body, "name") ? str (body, "name") : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, str (body, "sex"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, str (body, "dob"), -1, SQLITE_TRANSIENT);
  if (json_object_has_member (body, "age") && !json_object_get_null_member (body, "age"))
    sqlite3_bind_int64 (stmt, 6, num (body, "age"));
  sqlite3_bind_text (stmt, 7, str (body, "age_on"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, num (env, "rev"));
  sqlite3_bind_text (stmt, 9, str (env, "device_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, str (env, "author"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, str (env, "created"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, str (env, "modified"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 13, text, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (pull->store, stmt, error))
    return FALSE;
  g_ptr_array_add (pull->touched, g_strdup (id));
  return TRUE;
}

/* The children of a visit a pulled correction replaces: their cases are
 * evaluated again without it. */
static gboolean
touch_corrected (Pull        *pull,
                 const char  *visit_id,
                 GError     **error)
{
  return clmrs_casebook_visit_children (pull->store, visit_id, pull->touched, error);
}

/* Sets @reason when the stored visit @ref names does not hold what @ref
 * says it must (a correction's: its kind, household and child). */
static gboolean
check_visit_target (Pull                  *pull,
                    const ClmrsRecordRef  *ref,
                    char                 **reason,
                    GError               **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (pull->store,
      "SELECT kind, household_id, child_id FROM visits WHERE id = ?", error);
  g_autoptr(JsonObject) target = json_object_new ();
  g_autoptr(GError) invalid = NULL;
  static const char *const names[] = { "kind", "household_id", "child_id" };
  ClmrsStep step;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ref->id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (pull->store, stmt, error);
  if (step == CLMRS_STEP_ERROR)
    return FALSE;
  for (guint i = 0; step == CLMRS_STEP_ROW && i < G_N_ELEMENTS (names); i++)
    clmrs_json_set_nullable (target, names[i], (const char *) sqlite3_column_text (stmt, i));
  if (!clmrs_record_ref_check_target (ref, target, &invalid))
    *reason = g_strdup (invalid->message);
  return TRUE;
}

static gboolean
apply_visit (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  int known;
  const char *schema = str (env, "schema");
  g_autofree char *form_id = NULL;
  const char *version = NULL;
  g_autofree char *answers = to_text (json_object_get_member (body, "answers"));
  JsonArray *assessments = json_object_has_member (body, "assessments")
                           ? json_object_get_array_member (body, "assessments") : NULL;
  sqlite3_stmt *stmt;

  known = exists (pull->store, "visits", id, error);
  if (known != 0)
    return known > 0;  /* visits are immutable once final */
  form_id = g_strdup (schema ? schema : "unknown@0");
  if (strchr (form_id, '@') != NULL)
    {
      *strchr (form_id, '@') = '\0';
      version = strchr (schema, '@') + 1;
    }
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id, community_id,"
      " household_id, child_id, child_status, visit_date, started, modified, finalised, rev, rules, answers,"
      " corrects)"
      " VALUES (?1, ?2, ?3, ?4, 'final', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (body, "kind"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, form_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, version ? version : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, str (env, "author"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, str (env, "community_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, str (body, "household_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, str (body, "child_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, str (body, "child_status"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, str (body, "date"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, str (body, "started") ? str (body, "started") : str (env, "created"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, str (env, "modified"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 13, num (env, "rev"));
  sqlite3_bind_text (stmt, 14, str (env, "rules"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 15, answers, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 16, str (body, "corrects"), -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (pull->store, stmt, error))
    return FALSE;
  if (str (body, "corrects") != NULL && !touch_corrected (pull, str (body, "corrects"), error))
    return FALSE;
  if (str (body, "child_id") != NULL)
    g_ptr_array_add (pull->touched, g_strdup (str (body, "child_id")));

  for (guint i = 0; assessments != NULL && i < json_array_get_length (assessments); i++)
    {
      JsonObject *a = json_array_get_object_element (assessments, i);
      JsonObject *profile = a && json_object_has_member (a, "profile") ? json_object_get_object_member (a, "profile") : NULL;
      g_autofree char *assessment_id = clmrs_uuid_new ();
      g_autofree char *reasons = a ? to_text (json_object_get_member (a, "reasons")) : NULL;
      g_autofree char *profile_text = a ? to_text (json_object_get_member (a, "profile")) : NULL;

      if (a == NULL || str (a, "child_id") == NULL || str (a, "status") == NULL)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                       "visit %s: assessment %u has no child_id or status", id, i + 1);
          return FALSE;
        }
      stmt = clmrs_store_prepare (pull->store,
          "INSERT INTO assessments (id, visit_id, child_id, assessed_on, age, status, immediate_danger,"
          " reasons, rules, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, assessment_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, str (a, "child_id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, str (body, "date"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 5, num (profile, "age"));
      sqlite3_bind_text (stmt, 6, str (a, "status"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 7, profile && json_object_get_boolean_member_with_default (profile, "immediate_danger", FALSE));
      sqlite3_bind_text (stmt, 8, reasons, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 9, str (a, "rules") ? str (a, "rules") : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 10, profile_text, -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (pull->store, stmt, error))
        return FALSE;
      g_ptr_array_add (pull->touched, g_strdup (str (a, "child_id")));
    }
  return TRUE;
}

static gboolean
apply_support (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  int known;
  int visit_here;
  sqlite3_stmt *stmt;

  known = exists (pull->store, "supports", id, error);
  if (known < 0)
    return FALSE;
  if (known > 0)
    {
      /* a later revision settles a planned support (given or declined,
       * supports.c): its state changes, nothing else does */
      stmt = clmrs_store_prepare (pull->store,
          "UPDATE supports SET body = json_set (body, '$.state', ?1, '$.rev', ?2)"
          " WHERE id = ?3 AND coalesce (json_extract (body, '$.rev'), 1) < ?2 AND ?1 IS NOT NULL", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, str (body, "state"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, num (env, "rev"));
      sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (pull->store, stmt, error))
        return FALSE;
      if (sqlite3_changes (clmrs_store_get_db (pull->store)) == 0)
        return TRUE;
    }
  else
    {
      /* a support's visit is a link only: dropped when the visit is not here */
      visit_here = str (body, "visit_id") != NULL ? exists (pull->store, "visits", str (body, "visit_id"), error) : 0;
      if (visit_here < 0)
        return FALSE;
      stmt = clmrs_store_prepare (pull->store,
          "INSERT INTO supports (id, level, type, support_date, community_id, household_id, child_id, visit_id,"
          " facilitator_id, created, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
          " CASE WHEN ?11 IS NULL THEN '{}' ELSE json_object ('state', ?11) END)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, str (body, "level"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, str (body, "type"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, str (body, "date"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, str (env, "community_id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, str (body, "household_id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, str (body, "child_id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 8, visit_here > 0 ? str (body, "visit_id") : NULL, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 9, str (env, "author"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 10, str (env, "created"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 11, str (body, "state"), -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (pull->store, stmt, error))
        return FALSE;
    }
  if (str (body, "child_id") != NULL)
    g_ptr_array_add (pull->touched, g_strdup (str (body, "child_id")));
  else if (str (body, "household_id") != NULL)
    return _clmrs_store_list_household_children (pull->store, str (body, "household_id"), pull->touched, error);
  return TRUE;
}

static gboolean
apply_awareness (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  int known;
  sqlite3_stmt *stmt;

  known = exists (pull->store, "awareness_sessions", id, error);
  if (known != 0)
    return known > 0;
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO awareness_sessions (id, community_id, session_date, level, topic, men, women, boys, girls,"
      " household_id, facilitator_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (env, "community_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, str (body, "date"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, str (body, "level") ? str (body, "level") : "community", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, str (body, "topic"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, num (body, "men"));
  sqlite3_bind_int64 (stmt, 7, num (body, "women"));
  sqlite3_bind_int64 (stmt, 8, num (body, "boys"));
  sqlite3_bind_int64 (stmt, 9, num (body, "girls"));
  sqlite3_bind_text (stmt, 10, str (body, "household_id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 11, str (env, "author"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, str (env, "created"), -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (pull->store, stmt, error);
}

/* A supervisor's decision: recorded, and shown on the visit if it is here. */
static gboolean
apply_review (Pull *pull, JsonObject *env, JsonObject *body, GError **error)
{
  const char *id = str (env, "id");
  const char *visit = str (body, "visit_id");
  sqlite3_stmt *stmt;
  int known, visit_here;

  known = exists (pull->store, "reviews", id, error);
  if (known < 0)
    return FALSE;
  visit_here = visit != NULL ? exists (pull->store, "visits", visit, error) : 0;
  if (visit_here < 0)
    return FALSE;
  if (known || !visit_here)
    return TRUE;  /* a review of a visit this device does not hold concerns nobody here */
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO reviews (id, visit_id, visit_rev, supervisor_id, decision, message, created)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, num (body, "visit_rev"));
  sqlite3_bind_text (stmt, 4, str (env, "author"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, str (body, "decision"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, str (body, "message"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, str (env, "created"), -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (pull->store, stmt, error))
    return FALSE;
  stmt = clmrs_store_prepare (pull->store,
      "UPDATE visits SET review_state = ?, review_message = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, str (body, "decision"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (body, "message"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, visit, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (pull->store, stmt, error);
}

/* The media files of a publication (form-media.h), replacing those of
 * an older rev of the same version. */
static gboolean
apply_published_media (Pull *pull, JsonObject *item, GError **error)
{
  g_autoptr(ClmrsFormMedia) media = clmrs_form_media_from_json (json_object_get_member (item, "media"), error);
  g_auto(GStrv) names = NULL;
  sqlite3_stmt *stmt;

  if (media == NULL)
    {
      g_prefix_error (error, "%s %s version %s: ", str (item, "type"), str (item, "id"), str (item, "version"));
      return FALSE;
    }
  stmt = clmrs_store_prepare (pull->store, "DELETE FROM published_media WHERE kind = ? AND id = ? AND version = ?",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, str (item, "type"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (item, "id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, str (item, "version"), -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (pull->store, stmt, error))
    return FALSE;
  names = clmrs_form_media_list (media);
  for (guint i = 0; names[i] != NULL; i++)
    {
      GBytes *bytes = clmrs_form_media_lookup (media, names[i]);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      gsize size = 0;
      const void *data = g_bytes_get_data (bytes, &size);

      stmt = clmrs_store_prepare (pull->store,
          "INSERT INTO published_media (kind, id, version, name, sha256, content) VALUES (?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, str (item, "type"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, str (item, "id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, str (item, "version"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, names[i], -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, sha, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (stmt, 6, size > 0 ? data : "", (int) size, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (pull->store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* A form or rule set published on the server. */
static gboolean
apply_published (Pull *pull, JsonObject *item, GError **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt;

  if (str (item, "id") == NULL || str (item, "version") == NULL || str (item, "content") == NULL)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                           "a published form or rule set has no id, version or content");
      return FALSE;
    }
  stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO published (kind, id, version, rev, sha256, content, received) VALUES (?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (kind, id, version) DO UPDATE SET rev = excluded.rev, sha256 = excluded.sha256,"
      " content = excluded.content, received = excluded.received WHERE excluded.rev > published.rev", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, str (item, "type"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, str (item, "id"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, str (item, "version"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, num (item, "rev"));
  sqlite3_bind_text (stmt, 5, str (item, "sha256") ? str (item, "sha256") : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, str (item, "content"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (pull->store, stmt, error))
    return FALSE;
  /* an older rev of a version already here changes nothing, media included */
  if (sqlite3_changes (clmrs_store_get_db (pull->store)) == 0)
    return TRUE;
  return apply_published_media (pull, item, error);
}

/* The device table of records of @type. */
static const char *
table_of (ClmrsRecordType type)
{
  switch (type)
    {
    case CLMRS_RECORD_COMMUNITY: return "communities";
    case CLMRS_RECORD_HOUSEHOLD: return "households";
    case CLMRS_RECORD_CHILD: return "children";
    case CLMRS_RECORD_VISIT: return "visits";
    case CLMRS_RECORD_SUPPORT: return "supports";
    case CLMRS_RECORD_AWARENESS_SESSION: return "awareness_sessions";
    case CLMRS_RECORD_REVIEW: return "reviews";
    case CLMRS_RECORD_AUDIT: return "audit";
    default: g_assert_not_reached ();
    }
}

/* Sets @reason to why the pulled record cannot be applied here, or
 * leaves it %NULL: its body (the check the server runs on push), what it
 * points at, its community.  %FALSE only when the store fails. */
static gboolean
check_pulled (Pull             *pull,
              ClmrsRecordType   kind,
              JsonObject       *env,
              JsonObject       *body,
              char            **reason,
              GError          **error)
{
  g_autoptr(GError) invalid = NULL;
  g_autoptr(GPtrArray) refs = NULL;
  const char *community = str (env, "community_id");
  int here;

  *reason = NULL;
  if (!clmrs_record_check_body (kind, body, &invalid))
    {
      *reason = g_strdup (invalid->message);
      return TRUE;
    }
  refs = clmrs_record_references (kind, body);
  for (guint i = 0; i < refs->len; i++)
    {
      const ClmrsRecordRef *ref = g_ptr_array_index (refs, i);

      /* a review of a visit not here concerns nobody here; a support's
       * visit is only a link (apply_review and apply_support skip them) */
      if (kind == CLMRS_RECORD_REVIEW || (kind == CLMRS_RECORD_SUPPORT && ref->type == CLMRS_RECORD_VISIT))
        continue;
      here = exists (pull->store, table_of (ref->type), ref->id, error);
      if (here < 0)
        return FALSE;
      if (!here)
        {
          *reason = g_strdup_printf ("%s: %s %s is not on this device", ref->member,
                                     clmrs_record_type_to_string (ref->type), ref->id);
          return TRUE;
        }
      if (ref->same != NULL && ref->type == CLMRS_RECORD_VISIT)
        {
          if (!check_visit_target (pull, ref, reason, error))
            return FALSE;
          if (*reason != NULL)
            return TRUE;
        }
    }
  if (kind == CLMRS_RECORD_COMMUNITY || kind == CLMRS_RECORD_CHILD || kind == CLMRS_RECORD_REVIEW ||
      kind == CLMRS_RECORD_AUDIT)
    return TRUE;
  here = community != NULL ? exists (pull->store, "communities", community, error) : 0;
  if (here < 0)
    return FALSE;
  if (!here)
    *reason = g_strdup_printf ("community_id: community %s is not on this device", community ? community : "(none)");
  return TRUE;
}

/* Whether a failed statement is about the record (a constraint it breaks,
 * a value of the wrong type) rather than the store (disk full, I/O). */
static gboolean
is_record_problem (ClmrsStore   *store,
                   const GError *error)
{
  int code = sqlite3_errcode (clmrs_store_get_db (store)) & 0xff;

  if (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID))
    return TRUE;
  return code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_RANGE || code == SQLITE_TOOBIG;
}

/* Keeps @env aside with @reason (or counts one more try). */
static gboolean
set_aside (Pull        *pull,
           JsonObject  *env,
           const char  *reason,
           GError     **error)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), env);
  g_autofree char *line = clmrs_json_to_string (node);
  g_autofree char *now = clmrs_now_rfc3339 ();
  const char *type = str (env, "type");
  sqlite3_stmt *stmt = clmrs_store_prepare (pull->store,
      "INSERT INTO set_aside (record_id, rev, type, envelope, reason, first_seen) VALUES (?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (record_id, rev) DO UPDATE SET attempts = attempts + 1, reason = excluded.reason,"
      " envelope = excluded.envelope, reported = reported AND reason = excluded.reason", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, str (env, "id") ? str (env, "id") : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, num (env, "rev"));
  sqlite3_bind_text (stmt, 3, type ? type : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, line, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (pull->store, stmt, error);
}

/* Applies one pulled record in a savepoint.  A record this device cannot
 * apply is set aside (@applied FALSE), never fails the pull; %FALSE only
 * when the store itself fails. */
static gboolean
apply_one (Pull        *pull,
           JsonObject  *env,
           const char  *invalid,
           gboolean    *applied,
           GError     **error)
{
  const char *type = str (env, "type");
  JsonObject *body = json_object_has_member (env, "body") &&
                     JSON_NODE_HOLDS_OBJECT (json_object_get_member (env, "body"))
                     ? json_object_get_object_member (env, "body") : NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *reason = NULL;
  guint touched = pull->touched->len;
  ClmrsRecordType kind;
  gboolean done;

  *applied = FALSE;
  if (invalid != NULL)
    reason = g_strdup (invalid);
  else if (!clmrs_record_type_from_string (type, &kind) || body == NULL || str (env, "id") == NULL)
    reason = g_strdup_printf ("type '%s' unknown, or no id or body", type ? type : "");
  else if (!check_pulled (pull, kind, env, body, &reason, error))
    return FALSE;
  if (reason != NULL)
    return set_aside (pull, env, reason, error);

  if (!clmrs_store_exec (pull->store, "SAVEPOINT pulled", error))
    return FALSE;
  switch (kind)
    {
    case CLMRS_RECORD_COMMUNITY: done = apply_community (pull, env, body, &local); break;
    case CLMRS_RECORD_HOUSEHOLD: done = apply_household (pull, env, body, &local); break;
    case CLMRS_RECORD_CHILD: done = apply_child (pull, env, body, &local); break;
    case CLMRS_RECORD_VISIT: done = apply_visit (pull, env, body, &local); break;
    case CLMRS_RECORD_SUPPORT: done = apply_support (pull, env, body, &local); break;
    case CLMRS_RECORD_AWARENESS_SESSION: done = apply_awareness (pull, env, body, &local); break;
    case CLMRS_RECORD_REVIEW: done = apply_review (pull, env, body, &local); break;
    /* another device's audit trail is the server's to keep: never sent
       to devices, and nothing to apply here if one came */
    case CLMRS_RECORD_AUDIT: done = TRUE; break;
    default: done = FALSE; g_assert_not_reached ();
    }
  if (done)
    {
      *applied = TRUE;
      return clmrs_store_exec (pull->store, "RELEASE pulled", error);
    }
  if (!is_record_problem (pull->store, local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "applying pulled %s %s: ", type, str (env, "id"));
      return FALSE;
    }
  g_ptr_array_set_size (pull->touched, touched);
  if (!clmrs_store_exec (pull->store, "ROLLBACK TO pulled", error) ||
      !clmrs_store_exec (pull->store, "RELEASE pulled", error))
    return FALSE;
  return set_aside (pull, env, local->message, error);
}

/* Tries the records set aside again, oldest first: what they pointed at
 * may have arrived since. */
static gboolean
retry_set_aside (Pull     *pull,
                 guint    *n,
                 GError  **error)
{
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = clmrs_store_prepare (pull->store, "SELECT seq, envelope FROM set_aside ORDER BY seq", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (seqs, seq);
      g_ptr_array_add (lines, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "reading the records set aside: %s",
                   sqlite3_errmsg (clmrs_store_get_db (pull->store)));
      return FALSE;
    }
  for (guint i = 0; i < lines->len; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (g_ptr_array_index (lines, i), NULL);
      gboolean applied = FALSE;

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;  /* kept as it came, for someone to look at */
      if (!apply_one (pull, json_node_get_object (node), NULL, &applied, error))
        return FALSE;
      if (applied)
        {
          stmt = clmrs_store_prepare (pull->store, "DELETE FROM set_aside WHERE seq = ?", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, g_array_index (seqs, gint64, i));
          if (!clmrs_store_step_done (pull->store, stmt, error))
            return FALSE;
          (*n)++;
        }
    }
  return TRUE;
}

gboolean
clmrs_pull_apply (ClmrsStore  *store,
                  GPtrArray   *envelopes,
                  const char  *next_cursor,
                  guint       *applied,
                  GError     **error)
{
  ClmrsPullCounts counts = { 0 };

  if (!clmrs_pull_apply_full (store, envelopes, NULL, next_cursor, &counts, error))
    return FALSE;
  if (applied != NULL)
    *applied = counts.applied;
  return TRUE;
}

gboolean
clmrs_pull_apply_full (ClmrsStore       *store,
                       GPtrArray        *envelopes,
                       GPtrArray        *invalid,
                       const char       *next_cursor,
                       ClmrsPullCounts  *counts,
                       GError          **error)
{
  Pull pull = { .store = store, .touched = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GHashTable) refreshed = NULL;
  guint n = 0;
  gint64 aside = 0;
  gint64 before = -1;
  GDate today;
  gboolean ok = FALSE;

  g_return_val_if_fail (invalid == NULL || invalid->len == envelopes->len, FALSE);

  if (!clmrs_store_begin (store, error))
    goto out;
  before = clmrs_pull_count_set_aside (store, error);
  if (before < 0)
    goto fail;
  for (guint i = 0; i < envelopes->len; i++)
    {
      JsonObject *env = g_ptr_array_index (envelopes, i);
      const char *type = str (env, "type");
      const char *reason = invalid != NULL ? g_ptr_array_index (invalid, i) : NULL;
      gboolean done = FALSE;

      if (reason == NULL && (g_strcmp0 (type, "form") == 0 || g_strcmp0 (type, "rule_set") == 0))
        {
          if (!apply_published (&pull, env, error))
            goto fail;
          n++;
          continue;
        }
      /* No skipping by device_id: a record this device made is here at
       * the same rev, and is left alone as any other known revision. */
      if (!apply_one (&pull, env, reason, &done, error))
        goto fail;
      if (done)
        n++;
    }
  if (!retry_set_aside (&pull, &n, error))
    goto fail;

  clmrs_date_today (&today);
  /* each child once: a page touches a child for each of its records
   * (the child, its visits, assessments, supports), and a refresh reads
   * only what the page left, so a second one would give the same case
   * (and most of a refresh is preparing its statements) */
  refreshed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < pull.touched->len; i++)
    {
      const char *child_id = g_ptr_array_index (pull.touched, i);

      if (!g_hash_table_add (refreshed, (gpointer) child_id))
        continue;
      if (!clmrs_casebook_refresh_child (store, child_id, &today, NULL, error))
        goto fail;
    }
  if (next_cursor != NULL && !clmrs_store_set_meta (store, "pull_cursor", next_cursor, error))
    goto fail;
  aside = clmrs_pull_count_set_aside (store, error);
  if (aside < 0)
    goto fail;
  if (!clmrs_store_commit (store, error))
    goto out;
  if (counts != NULL)
    {
      counts->applied = n;
      counts->set_aside = aside;
      counts->newly_set_aside = aside > before ? aside - before : 0;
    }
  ok = TRUE;
  goto out;

fail:
  clmrs_store_rollback (store);
out:
  g_ptr_array_unref (pull.touched);
  return ok;
}

/* How many pulled records wait set aside. */
gint64
clmrs_pull_count_set_aside (ClmrsStore  *store,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, "SELECT count (*) FROM set_aside", error);

  if (stmt == NULL || clmrs_store_step (store, stmt, error) != CLMRS_STEP_ROW)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

void
clmrs_set_aside_free (ClmrsSetAside *item)
{
  if (item == NULL)
    return;
  g_free (item->record_id);
  g_free (item->type);
  g_free (item->reason);
  g_free (item->first_seen);
  g_free (item);
}

/* The pulled records set aside, oldest first. */
GPtrArray *
clmrs_pull_list_set_aside (ClmrsStore  *store,
                           GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_set_aside_free);
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT record_id, rev, type, reason, first_seen, attempts FROM set_aside ORDER BY seq", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsSetAside *item = g_new0 (ClmrsSetAside, 1);

      item->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      item->rev = sqlite3_column_int64 (stmt, 1);
      item->type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      item->first_seen = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      item->attempts = sqlite3_column_int (stmt, 5);
      g_ptr_array_add (items, item);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "reading the records set aside: %s",
                   sqlite3_errmsg (clmrs_store_get_db (store)));
      return NULL;
    }
  return g_steal_pointer (&items);
}

/* The records set aside that the server has not been told about yet, as
 * the body of POST /api/v1/problems; NULL when there are none. */
char *
clmrs_pull_problem_report (ClmrsStore  *store,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT record_id, rev, type, reason, first_seen FROM set_aside WHERE NOT reported ORDER BY seq LIMIT 500",
      error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n = 0;
  ClmrsStep step;

  if (stmt == NULL)
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (b, "rev");
      json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 1));
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 2));
      /* a reason names fields and ids, never a child's data */
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 3));
      json_builder_set_member_name (b, "first_seen");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 4));
      json_builder_end_object (b);
      n++;
    }
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  if (n == 0)
    return NULL;
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* The server took the report: those records are not reported again
 * (unless their reason changes). */
gboolean
clmrs_pull_mark_reported (ClmrsStore  *store,
                          const char  *report,
                          GError     **error)
{
  g_autoptr(JsonNode) node = json_from_string (report, error);
  JsonArray *problems;

  if (node == NULL)
    return FALSE;
  problems = json_object_get_array_member (json_node_get_object (node), "problems");
  if (!clmrs_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *p = json_array_get_object_element (problems, i);
      sqlite3_stmt *stmt = clmrs_store_prepare (store,
          "UPDATE set_aside SET reported = 1 WHERE record_id = ? AND rev = ? AND reason = ?", error);

      if (stmt == NULL)
        {
          clmrs_store_rollback (store);
          return FALSE;
        }
      sqlite3_bind_text (stmt, 1, json_object_get_string_member (p, "id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, json_object_get_int_member (p, "rev"));
      sqlite3_bind_text (stmt, 3, json_object_get_string_member (p, "reason"), -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (store, stmt, error))
        {
          clmrs_store_rollback (store);
          return FALSE;
        }
    }
  return clmrs_store_commit (store, error);
}
