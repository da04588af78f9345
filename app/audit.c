/* audit.c: the device's audit trail.
 *
 * Who signed in (and who typed a wrong PIN), who signed out or was locked
 * out by inactivity, who opened which household or visit, who approved or
 * returned what.  Each entry is kept in the `audit` table and leaves as an
 * `audit` record like any other, so the server keeps every device's trail
 * (`clmrs-server audit`) and no device receives another's.  An entry names
 * people and records by id, never a child's name or an answer.
 */
#define G_LOG_DOMAIN "clmrs-audit"

#include "audit.h"

#include "outbox.h"
#include "record.h"
#include "store-private.h"
#include "util.h"

#include <json-glib/json-glib.h>

/* The community an entry travels under, in @community: the first the
 * device syncs, else its first own; NULL on a device with neither (the
 * entry stays local).  FALSE with @error when the store cannot say. */
static gboolean
audit_community (ClmrsStore  *store,
                 char       **community,
                 GError     **error)
{
  g_autofree char *synced = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  *community = NULL;
  if (!clmrs_store_get_meta (store, "sync_communities", &synced, error))
    return FALSE;
  node = synced != NULL ? json_from_string (synced, NULL) : NULL;
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0)
    {
      const char *first = json_array_get_string_element (json_node_get_array (node), 0);

      if (first != NULL)
        {
          *community = g_strdup (first);
          return TRUE;
        }
    }
  stmt = clmrs_store_prepare (store, "SELECT id FROM communities ORDER BY rowid LIMIT 1", error);
  return stmt != NULL && _clmrs_store_step_text (store, stmt, community, error);
}

/* Inside the caller's transaction. */
static gboolean
record_in (ClmrsStore  *store,
           const char  *person_id,
           const char  *action,
           const char  *subject_type,
           const char  *subject_id,
           const char  *detail,
           GError     **error)
{
  g_autofree char *id = clmrs_uuid_new ();
  g_autofree char *now = clmrs_now_rfc3339 ();
  g_autofree char *community = NULL;
  sqlite3_stmt *stmt;

  if (!audit_community (store, &community, error))
    return FALSE;
  stmt = clmrs_store_prepare (store,
      "INSERT INTO audit (id, at, person_id, action, subject_type, subject_id, detail)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, person_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, action, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, subject_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, subject_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, detail, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    return FALSE;

  /* an entry of nobody (no person chosen) or of a device with no
   * community stays here: the server would refuse it */
  if (person_id != NULL && community != NULL)
    {
      JsonObject *body = json_object_new ();
      JsonNode *node = json_node_alloc ();
      ClmrsRecordHeader header = {
        .type = CLMRS_RECORD_AUDIT, .id = id, .rev = 1,
        .device_id = clmrs_store_get_device_id (store), .author = person_id,
        .community_id = community, .created = now, .modified = now, .schema = "clmrs.audit@1",
      };
      g_autofree char *line = NULL;

      json_object_set_string_member (body, "action", action);
      json_object_set_string_member (body, "at", now);
      clmrs_json_set_nullable (body, "subject_type", subject_type);
      clmrs_json_set_nullable (body, "subject_id", subject_id);
      clmrs_json_set_nullable (body, "detail", detail);
      json_node_init_object (node, body);
      json_object_unref (body);
      line = clmrs_record_envelope_line (&header, node);
      if (!clmrs_outbox_enqueue (store, id, 1, CLMRS_RECORD_AUDIT, person_id, line, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * clmrs_audit_record:
 * @person_id: (nullable): who, when known
 * @detail: (nullable): a code or count, never a name or an answer
 *
 * Adds an entry to the audit trail, and queues it for the server, in the
 * transaction already open on @store or in its own.
 */
gboolean
clmrs_audit_record (ClmrsStore  *store,
                    const char  *person_id,
                    const char  *action,
                    const char  *subject_type,
                    const char  *subject_id,
                    const char  *detail,
                    GError     **error)
{
  g_return_val_if_fail (store != NULL && action != NULL, FALSE);

  if (clmrs_store_in_transaction (store))
    return record_in (store, person_id, action, subject_type, subject_id, detail, error);
  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!record_in (store, person_id, action, subject_type, subject_id, detail, error))
    {
      clmrs_store_rollback (store);
      return FALSE;
    }
  return clmrs_store_commit (store, error);
}

void
clmrs_audit_entry_free (ClmrsAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->at);
  g_free (entry->person_id);
  g_free (entry->action);
  g_free (entry->subject_type);
  g_free (entry->subject_id);
  g_free (entry->detail);
  g_free (entry);
}

static char *
column (sqlite3_stmt *stmt,
        int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

GPtrArray *
clmrs_audit_list (ClmrsStore  *store,
                  guint        limit,
                  GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_audit_entry_free);
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT at, person_id, action, subject_type, subject_id, detail FROM audit ORDER BY seq DESC LIMIT ?", error);
  ClmrsStep step;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      ClmrsAuditEntry *e = g_new0 (ClmrsAuditEntry, 1);

      e->at = column (stmt, 0);
      e->person_id = column (stmt, 1);
      e->action = column (stmt, 2);
      e->subject_type = column (stmt, 3);
      e->subject_id = column (stmt, 4);
      e->detail = column (stmt, 5);
      g_ptr_array_add (entries, e);
    }
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&entries);
}

/**
 * clmrs_audit_sign_in:
 *
 * Checks @person_id's PIN (clmrs_store_check_pin()); a wrong PIN is noted
 * in the trail, a right one names @person_id as the connection's actor
 * from now on and notes the sign-in.  A trail that cannot be written (a
 * full disk) does not keep the person out: it is logged, without data.
 */
gboolean
clmrs_audit_sign_in (ClmrsStore  *store,
                     const char  *person_id,
                     const char  *pin,
                     GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GError) audit_error = NULL;

  if (!clmrs_store_check_pin (store, person_id, pin, &local))
    {
      if (g_error_matches (local, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN) &&
          !clmrs_audit_record (store, person_id, CLMRS_AUDIT_WRONG_PIN, NULL, NULL, NULL, &audit_error))
        g_message ("Could not add to the audit trail: %s", audit_error->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  clmrs_store_set_actor (store, person_id);
  if (!clmrs_audit_record (store, person_id, CLMRS_AUDIT_SIGN_IN, NULL, NULL, NULL, &audit_error))
    g_message ("Could not add to the audit trail: %s", audit_error->message);
  return TRUE;
}

/* The actor signs out (@locked: the inactivity lock did it); nobody is
 * named for what the connection does next. */
gboolean
clmrs_audit_sign_out (ClmrsStore  *store,
                      gboolean     locked,
                      GError     **error)
{
  g_autofree char *actor = g_strdup (clmrs_store_get_actor (store));

  clmrs_store_set_actor (store, NULL);
  if (actor == NULL)
    return TRUE;
  return clmrs_audit_record (store, actor, locked ? CLMRS_AUDIT_LOCKED : CLMRS_AUDIT_SIGN_OUT,
                             NULL, NULL, NULL, error);
}

/* Notes that the actor opened record @id of @type ("household", "visit"),
 * if someone is signed in; the record is shown whether or not the note
 * could be written. */
void
clmrs_audit_open (ClmrsStore *store,
                  const char *type,
                  const char *id)
{
  g_autoptr(GError) error = NULL;
  const char *action = g_strcmp0 (type, "household") == 0 ? CLMRS_AUDIT_OPEN_HOUSEHOLD : CLMRS_AUDIT_OPEN_VISIT;

  if (clmrs_store_get_actor (store) == NULL)
    return;
  if (!clmrs_audit_record (store, clmrs_store_get_actor (store), action, type, id, NULL, &error))
    g_message ("Could not add to the audit trail: %s", error->message);
}
