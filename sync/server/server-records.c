/* server-records.c: what an administrator does to stored records, each logged with a reason.
 *
 * A record that slipped past the checks (stored by an older server, or
 * wrong in a way no check sees) can be quarantined (kept, but no device
 * receives it any more, nor the exports and indicators), released again,
 * or deleted; a device's records can be handed over to another device,
 * which may then revise them.  Every action goes to `admin_log` in the
 * same transaction, with who-knows-why in the administrator's words.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* One row of a listing on @out: a JSON object a line with @json (a NULL
 * value is null; the columns in @numbers are JSON integers), else the
 * values tab-separated, "-" for NULL, each flattened to one line whatever
 * it holds. */
static void
print_row (FILE               *out,
           gboolean            json,
           guint               n,
           const char * const *names,
           const char * const *values,
           guint               numbers)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      for (guint i = 0; i < n; i++)
        {
          json_builder_set_member_name (b, names[i]);
          if (values[i] == NULL)
            json_builder_add_null_value (b);
          else if (numbers & (1u << i))
            json_builder_add_int_value (b, g_ascii_strtoll (values[i], NULL, 10));
          else
            json_builder_add_string_value (b, values[i]);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, FALSE);
      fprintf (out, "%s\n", text);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *flat = g_strdup (values[i] != NULL ? values[i] : "-");

      g_strdelimit (flat, "\t\r\n", ' ');
      fprintf (out, "%s%s", i ? "\t" : "", flat);
    }
  fputc ('\n', out);
}

/* Each row of @stmt through print_row(), its columns named @names. */
static gboolean
print_rows (ServerDb           *db,
            ServerStmt         *stmt,
            FILE               *out,
            gboolean            json,
            guint               n,
            const char * const *names,
            guint               numbers,
            const char         *what,
            GError            **error)
{
  int rc;

  while ((rc = db_step (stmt)) == DB_ROW)
    {
      const char *values[16];

      g_assert (n <= G_N_ELEMENTS (values));
      for (guint i = 0; i < n; i++)
        values[i] = (const char *) db_column_text (stmt, i);
      print_row (out, json, n, names, values, numbers);
    }
  if (rc != DB_DONE)
    return db_fail (db, what, error);
  return TRUE;
}

gboolean
server_db_log_admin (ServerDb    *db,
                     const char  *action,
                     const char  *target,
                     const char  *detail,
                     const char  *reason,
                     GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *now = now_rfc3339 ();

  stmt = db_prepare (db, "INSERT INTO admin_log (at, action, target, detail, reason) VALUES (?, ?, ?, ?, ?)",
                     error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, now);
  db_bind_text (stmt, 2, action);
  db_bind_text (stmt, 3, target);
  db_bind_text (stmt, 4, detail);
  db_bind_text (stmt, 5, reason);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "writing the administrators' log", error);
  return TRUE;
}

static gboolean
check_reason (const char  *reason,
              GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (reason ? reason : ""));

  if (*stripped == '\0')
    {
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                           "--reason: say why (it is kept in the administrators' log)");
      return FALSE;
    }
  return TRUE;
}

/* Runs @sql with @id bound as ?1 (and @text as ?2) in the transaction;
 * sets @changes to the number of rows changed. */
static gboolean
run (ServerDb    *db,
     const char  *sql,
     const char  *id,
     const char  *text,
     int         *changes,
     GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, id);
  if (text != NULL)
    db_bind_text (stmt, 2, text);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, sql, error);
  if (changes != NULL)
    *changes = db_changes (db);
  return TRUE;
}

static gboolean
no_record (const char  *id,
           GError     **error)
{
  g_set_error (error, SERVER_ERROR, SERVER_ERROR_NOT_FOUND, "no record %s is stored", id);
  return FALSE;
}

/**
 * server_db_quarantine:
 * @quarantine: %TRUE to set record @id aside, %FALSE to release it
 *
 * A quarantined record stays stored, every revision of it, but no pull,
 * export or indicator reads it.  Devices that received it before keep
 * their copy (a device sets aside what it cannot apply on its own).
 */
gboolean
server_db_quarantine (ServerDb    *db,
                      const char  *id,
                      gboolean     quarantine,
                      const char  *reason,
                      GError     **error)
{
  int changes = 0;

  if (!check_reason (reason, error) || !db_exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!run (db, quarantine ? "UPDATE records SET quarantined = ?2 WHERE kind = 'record' AND id = ?1"
                           : "UPDATE records SET quarantined = NULL WHERE kind = 'record' AND id = ?1",
            id, quarantine ? reason : NULL, &changes, error))
    goto fail;
  if (changes == 0)
    {
      no_record (id, error);
      goto fail;
    }
  if (!server_db_log_admin (db, quarantine ? "quarantine" : "release", id, NULL, reason, error) ||
      !db_exec (db, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  db_rollback (db);
  return FALSE;
}

/**
 * server_db_delete_record:
 *
 * Deletes every revision of record @id, its conflicts and its owner:
 * for a record that must not be kept at all (entered by mistake, or
 * child data that should never have been sent).  The log keeps its id,
 * type and community, never its content.
 */
gboolean
server_db_delete_record (ServerDb    *db,
                         const char  *id,
                         const char  *reason,
                         GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *detail = NULL;
  int changes = 0;

  if (!check_reason (reason, error) || !db_exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  stmt = db_prepare (db, "SELECT type, community_id, count(*) FROM records WHERE kind = 'record' AND id = ? "
                         "GROUP BY type, community_id", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, id);
  if (db_step (stmt) != DB_ROW)
    {
      no_record (id, error);
      goto fail;
    }
  detail = g_strdup_printf ("%s of community %s, %d revision%s", db_column_text (stmt, 0),
                            db_column_text (stmt, 1), db_column_int (stmt, 2),
                            db_column_int (stmt, 2) == 1 ? "" : "s");
  g_clear_pointer (&stmt, db_finalize);
  if (!run (db, "DELETE FROM records WHERE kind = 'record' AND id = ?1", id, NULL, &changes, error) ||
      !run (db, "DELETE FROM conflicts WHERE id = ?1", id, NULL, NULL, error) ||
      !run (db, "DELETE FROM record_owners WHERE id = ?1", id, NULL, NULL, error) ||
      !server_db_log_admin (db, "delete", id, detail, reason, error) ||
      !db_exec (db, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  db_rollback (db);
  return FALSE;
}

static gboolean
device_exists (ServerDb    *db,
               const char  *device_id,
               GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, "SELECT 1 FROM devices WHERE device_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, device_id);
  if (db_step (stmt) != DB_ROW)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_UNKNOWN_DEVICE, "no device %s is enrolled", device_id);
      return FALSE;
    }
  return TRUE;
}

/**
 * server_db_hand_over:
 * @from: the device that owns the records now
 * @to: the device that may revise them from now on
 * @record_id: (nullable): one record, or %NULL for every record of @from;
 *   then @to also takes the local id @from stamped its records with (a
 *   handheld whose token was lost and that enrolled again with a new code)
 *
 * Returns: the number of records handed over, or -1 with an error.
 */
gint64
server_db_hand_over (ServerDb    *db,
                     const char  *from,
                     const char  *to,
                     const char  *record_id,
                     const char  *reason,
                     GError     **error)
{
  g_autofree char *detail = NULL;
  int changes = 0;

  if (!check_reason (reason, error))
    return -1;
  if (g_strcmp0 (from, to) == 0)
    {
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST, "--from and --to are the same device");
      return -1;
    }
  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return -1;
  if (!device_exists (db, from, error) || !device_exists (db, to, error))
    goto fail;
  if (record_id != NULL)
    {
      g_autoptr(ServerStmt) stmt = db_prepare (db, "UPDATE record_owners SET device_id = ?3 "
                                                     "WHERE id = ?1 AND device_id = ?2", error);

      if (stmt == NULL)
        goto fail;
      db_bind_text (stmt, 1, record_id);
      db_bind_text (stmt, 2, from);
      db_bind_text (stmt, 3, to);
      if (db_step (stmt) != DB_DONE)
        {
          db_fail (db, "handing over", error);
          goto fail;
        }
      changes = db_changes (db);
      if (changes == 0)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_NOT_FOUND,
                       "device %s owns no record %s", from, record_id);
          goto fail;
        }
      detail = g_strdup_printf ("record %s from device %s to device %s", record_id, from, to);
    }
  else
    {
      g_autofree char *local_id = NULL;
      g_autoptr(ServerStmt) stmt = NULL;

      if (!run (db, "UPDATE record_owners SET device_id = ?2 WHERE device_id = ?1", from, to, &changes, error))
        goto fail;
      /* the local id goes with the records, unless @to has its own */
      stmt = db_prepare (db, "SELECT local_id FROM devices WHERE device_id = ?", error);
      if (stmt == NULL)
        goto fail;
      db_bind_text (stmt, 1, from);
      if (db_step (stmt) == DB_ROW && db_column_text (stmt, 0) != NULL)
        local_id = g_strdup ((const char *) db_column_text (stmt, 0));
      g_clear_pointer (&stmt, db_finalize);
      if (local_id != NULL &&
          (!run (db, "UPDATE devices SET local_id = NULL WHERE device_id = ?1", from, NULL, NULL, error) ||
           !run (db, "UPDATE devices SET local_id = ?2 WHERE device_id = ?1 AND local_id IS NULL",
                 to, local_id, NULL, error)))
        goto fail;
      detail = g_strdup_printf ("%d records from device %s to device %s", changes, from, to);
    }
  if (!server_db_log_admin (db, "hand-over", record_id ? record_id : from, detail, reason, error) ||
      !db_exec (db, "COMMIT", error))
    goto fail;
  return changes;

fail:
  db_rollback (db);
  return -1;
}

/**
 * server_db_admin_log:
 *
 * Writes the administrators' log, oldest first: one JSON object a line
 * with @json, else one tab-separated line each.
 */
gboolean
server_db_admin_log (ServerDb    *db,
                     gboolean     json,
                     FILE        *out,
                     GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  static const char *const names[] = { "at", "action", "target", "detail", "reason" };

  stmt = db_prepare (db, "SELECT at, action, target, detail, reason FROM admin_log ORDER BY entry", error);
  if (stmt == NULL)
    return FALSE;
  return print_rows (db, stmt, out, json, G_N_ELEMENTS (names), names, 0,
                     "reading the administrators' log", error);
}

/**
 * server_db_audit:
 * @person: (nullable): only this person's entries
 *
 * Writes the devices' audit trails, in the order received: one JSON
 * object a line with @json (at, device, person, action, subject_type,
 * subject_id, detail), else one tab-separated line each.
 */
gboolean
server_db_audit (ServerDb    *db,
                 const char  *person,
                 gboolean     json,
                 FILE        *out,
                 GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  static const char *const names[] = { "at", "device", "person", "action", "subject_type", "subject_id", "detail" };
  int rc;

  stmt = db_prepare (db, "SELECT pushed_by, line FROM records WHERE kind = 'record' AND type = 'audit' "
                         "AND quarantined IS NULL ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      g_autoptr(JsonNode) node = json_from_string ((const char *) db_column_text (stmt, 1), NULL);
      JsonObject *env, *body;
      const char *values[7];

      /* stored lines passed the envelope and body checks on push */
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      env = json_node_get_object (node);
      body = json_object_get_object_member (env, "body");
      values[2] = json_object_get_string_member_with_default (env, "author", "");
      if (person != NULL && g_strcmp0 (values[2], person) != 0)
        continue;
      values[1] = (const char *) db_column_text (stmt, 0);
      values[0] = json_object_get_string_member_with_default (body, "at", NULL);
      for (guint i = 3; i < G_N_ELEMENTS (names); i++)
        values[i] = json_object_get_string_member_with_default (body, i == 3 ? "action" : names[i], NULL);
      print_row (out, json, G_N_ELEMENTS (names), names, values, 0);
    }
  if (rc != DB_DONE)
    return db_fail (db, "reading the audit trail", error);
  return TRUE;
}

/* Longest text kept from a device's problem report. */
#define PROBLEM_TEXT_MAX 1000
#define PROBLEMS_MAX 500

static const char *
problem_string (JsonObject  *o,
                const char  *name,
                gboolean     required,
                guint        i,
                GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST, "problems[%u].%s: missing", i, name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      g_utf8_strlen (json_node_get_string (node), -1) > PROBLEM_TEXT_MAX)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "problems[%u].%s: expected a string of at most %d characters", i, name, PROBLEM_TEXT_MAX);
      return NULL;
    }
  return json_node_get_string (node);
}

/**
 * server_db_report_problems:
 * @report: `{"problems":[{id, rev, type, reason, first_seen}]}`
 * @recorded: (out): how many were new or changed
 *
 * Keeps what device @device_id says it received and could not apply, so
 * an administrator sees it (`clmrs-server problems`) and can quarantine
 * the record.  The same report again changes nothing.
 */
gboolean
server_db_report_problems (ServerDb    *db,
                           const char  *device_id,
                           JsonNode    *report,
                           guint       *recorded,
                           GError     **error)
{
  g_autofree char *now = now_rfc3339 ();
  JsonArray *problems;

  *recorded = 0;
  if (!JSON_NODE_HOLDS_OBJECT (report) ||
      !json_object_has_member (json_node_get_object (report), "problems") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (report), "problems")))
    {
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                           "expected {\"problems\":[{\"id\", \"rev\", \"type\", \"reason\", \"first_seen\"}]}");
      return FALSE;
    }
  problems = json_object_get_array_member (json_node_get_object (report), "problems");
  if (json_array_get_length (problems) > PROBLEMS_MAX)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "problems: at most %d in one report", PROBLEMS_MAX);
      return FALSE;
    }
  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonNode *element = json_array_get_element (problems, i);
      g_autoptr(ServerStmt) stmt = NULL;
      JsonObject *o;
      const char *id, *type, *reason, *first_seen;
      JsonNode *rev;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST, "problems[%u]: expected an object", i);
          goto fail;
        }
      o = json_node_get_object (element);
      rev = json_object_get_member (o, "rev");
      if ((id = problem_string (o, "id", TRUE, i, error)) == NULL ||
          (type = problem_string (o, "type", TRUE, i, error)) == NULL ||
          (reason = problem_string (o, "reason", TRUE, i, error)) == NULL)
        goto fail;
      first_seen = problem_string (o, "first_seen", FALSE, i, error);
      if (first_seen == NULL && *error != NULL)
        goto fail;
      if (rev == NULL || !JSON_NODE_HOLDS_VALUE (rev) || json_node_get_value_type (rev) != G_TYPE_INT64)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST, "problems[%u].rev: expected an integer", i);
          goto fail;
        }
      stmt = db_prepare (db, "INSERT INTO device_problems (device_id, record_id, rev, type, reason, first_seen, "
                             "reported) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                             "ON CONFLICT (device_id, record_id, rev) DO UPDATE SET reason = ?5, reported = ?7 "
                             "WHERE device_problems.reason != ?5", error);
      if (stmt == NULL)
        goto fail;
      db_bind_text (stmt, 1, device_id);
      db_bind_text (stmt, 2, id);
      db_bind_int64 (stmt, 3, json_node_get_int (rev));
      db_bind_text (stmt, 4, type);
      db_bind_text (stmt, 5, reason);
      db_bind_text (stmt, 6, first_seen);
      db_bind_text (stmt, 7, now);
      if (db_step (stmt) != DB_DONE)
        {
          db_fail (db, "keeping a problem report", error);
          goto fail;
        }
      *recorded += db_changes (db);
    }
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  db_rollback (db);
  return FALSE;
}

/* The problems devices reported, newest first: tab-separated, or JSON lines. */
gboolean
server_db_problems (ServerDb    *db,
                    gboolean     json,
                    FILE        *out,
                    GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  static const char *const names[] = { "reported", "device", "id", "rev", "type", "reason", "first_seen" };

  stmt = db_prepare (db, "SELECT reported, device_id, record_id, rev, type, reason, first_seen FROM device_problems "
                         "ORDER BY reported DESC, device_id, record_id", error);
  if (stmt == NULL)
    return FALSE;
  return print_rows (db, stmt, out, json, G_N_ELEMENTS (names), names, 1u << 3,
                     "reading the problem reports", error);
}
