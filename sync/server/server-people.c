/* server-people.c: the facilitators and supervisors the server knows, and who may author what.
 *
 * People are managed here, not on devices: an administrator adds them
 * (`clmrs-server people add`), with their role and communities, and every
 * device of those communities receives them (at enrolment, and from
 * `GET /api/v1/people` at each sync).  A device set up offline declares
 * its own people when it enrols; the server keeps them as facilitators
 * declared by that device (a role is never taken from a device: an
 * administrator promotes with `people set-role`), whose records only that
 * device may push.  server-push.c asks server_people_check_author() about
 * every pushed record's `author`.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "pin.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/random.h>

static gboolean
valid_sex (const char *sex)
{
  return g_strcmp0 (sex, "male") == 0 || g_strcmp0 (sex, "female") == 0;
}

static gboolean
valid_role (const char *role)
{
  return g_strcmp0 (role, "facilitator") == 0 || g_strcmp0 (role, "supervisor") == 0;
}

/* A name as people type it: 1 to 200 characters, none of them control characters. */
static gboolean
valid_name (const char *name)
{
  glong length;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  length = g_utf8_strlen (name, -1);
  if (length < 1 || length > 200)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
bad_request (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_request (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;
  g_return_val_if_fail (*error == NULL, FALSE);
  va_start (args, format);
  *error = g_error_new_valist (SERVER_ERROR, SERVER_ERROR_BAD_REQUEST, format, args);
  va_end (args);
  return FALSE;
}

/* Six random digits, uniformly drawn. */
static char *
make_one_time_pin (GError **error)
{
  guint32 value;

  do
    {
      if (getrandom (&value, sizeof value, 0) != sizeof value)
        {
          g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "getrandom failed");
          return NULL;
        }
    }
  while (value >= 4294000000u);   /* a multiple of 10^6: no digit favoured */
  return g_strdup_printf ("%06u", value % 1000000u);
}

static gboolean
person_exists (ServerDb    *db,
               const char  *person_id,
               gboolean    *exists,
               GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, "SELECT 1 FROM people WHERE person_id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, person_id);
  rc = db_step (stmt);
  if (rc != DB_ROW && rc != DB_DONE)
    return db_fail (db, "looking a person up", error);
  *exists = rc == DB_ROW;
  return TRUE;
}

static gboolean
insert_person (ServerDb    *db,
               const char  *person_id,
               const char  *name,
               const char  *sex,
               const char  *role,
               gboolean     all_communities,
               const char  *declared_by,
               const char  *pin_hash,
               GError     **error)
{
  g_autofree char *now = now_rfc3339 ();
  g_autoptr(ServerStmt) stmt = NULL;

  stmt = db_prepare (db, "INSERT INTO people (person_id, name, sex, role, all_communities, created, "
                         "  declared_by, one_time_pin_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, person_id);
  db_bind_text (stmt, 2, name);
  db_bind_text (stmt, 3, sex);
  db_bind_text (stmt, 4, role);
  db_bind_int64 (stmt, 5, all_communities);
  db_bind_text (stmt, 6, now);
  db_bind_text (stmt, 7, declared_by);
  db_bind_text (stmt, 8, pin_hash);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "adding a person", error);
  return TRUE;
}

/**
 * server_db_people_add:
 * @person_id: (nullable): an id the person already has (made on a device,
 *   or in another system); %NULL makes a new one
 * @communities: "all", or community UUIDs separated by commas
 * @one_time_pin: (out) (optional): when not %NULL, a random 6-digit PIN is
 *   made and returned here; its hash goes to devices, where the person
 *   signs in with it once and then chooses their own
 *
 * Returns: (transfer full): the new person's id, or %NULL and an error
 *   (%SERVER_ERROR_BAD_REQUEST naming the value that was wrong).
 */
char *
server_db_people_add (ServerDb    *db,
                      const char  *person_id,
                      const char  *name,
                      const char  *sex,
                      const char  *role,
                      const char  *communities,
                      char       **one_time_pin,
                      GError     **error)
{
  g_autofree char *id = person_id != NULL ? g_strdup (person_id) : g_uuid_string_random ();
  g_autofree char *pin = NULL;
  g_autofree char *pin_hash = NULL;
  g_auto(GStrv) parts = NULL;
  gboolean all = g_strcmp0 (communities, "all") == 0;
  gboolean exists = FALSE;

  if (!g_uuid_string_is_valid (id))
    {
      bad_request (error, "--id: expected a UUID, got \"%s\"", id);
      return NULL;
    }
  if (!valid_name (name))
    {
      bad_request (error, "--name: expected 1 to 200 characters, no control characters");
      return NULL;
    }
  if (!valid_sex (sex))
    {
      bad_request (error, "--sex: expected male or female, got \"%s\"", sex ? sex : "");
      return NULL;
    }
  if (!valid_role (role))
    {
      bad_request (error, "--role: expected facilitator or supervisor, got \"%s\"", role ? role : "");
      return NULL;
    }
  if (communities == NULL || *communities == '\0')
    {
      bad_request (error, "--communities: expected community UUIDs separated by commas, or all");
      return NULL;
    }
  if (!all)
    {
      parts = g_strsplit (communities, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (!g_uuid_string_is_valid (parts[i]))
          {
            bad_request (error, "--communities: \"%s\" is not a community UUID (or all)", parts[i]);
            return NULL;
          }
    }
  if (one_time_pin != NULL)
    {
      pin = make_one_time_pin (error);
      if (pin == NULL)
        return NULL;
      pin_hash = clmrs_pin_hash (pin, error);
      if (pin_hash == NULL)
        return NULL;
    }

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!person_exists (db, id, &exists, error))
    goto fail;
  if (exists)
    {
      bad_request (error, "--id: a person %s exists already (see people list)", id);
      goto fail;
    }
  if (!insert_person (db, id, name, sex, role, all, NULL, pin_hash, error))
    goto fail;
  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      g_autoptr(ServerStmt) stmt = db_prepare (db, "INSERT OR IGNORE INTO person_communities VALUES (?, ?)",
                                                 error);

      if (stmt == NULL)
        goto fail;
      db_bind_text (stmt, 1, id);
      db_bind_text (stmt, 2, parts[i]);
      if (db_step (stmt) != DB_DONE)
        {
          db_fail (db, "adding a person's communities", error);
          goto fail;
        }
    }
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  if (one_time_pin != NULL)
    *one_time_pin = g_steal_pointer (&pin);
  return g_steal_pointer (&id);

fail:
  db_rollback (db);
  return NULL;
}

/* Runs an UPDATE of one person (?1) with @text as ?2, logged; NOT_FOUND when no such person. */
static gboolean
change_person (ServerDb    *db,
               const char  *sql,
               const char  *person_id,
               const char  *text,
               const char  *action,
               const char  *detail,
               const char  *reason,
               GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (reason != NULL ? reason : ""));

  if (*stripped == '\0')
    return bad_request (error, "--reason: say why (it is kept in the administrators' log)");
  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  stmt = db_prepare (db, sql, error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, person_id);
  db_bind_text (stmt, 2, text);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, action, error);
      goto fail;
    }
  if (db_changes (db) == 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_NOT_FOUND, "no person %s (see people list)", person_id);
      goto fail;
    }
  if (!server_db_log_admin (db, action, person_id, detail, reason, error) || !db_exec (db, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  db_rollback (db);
  return FALSE;
}

/**
 * server_db_people_disable:
 *
 * Disables a person: devices set them inactive (nobody signs in as them)
 * at their next sync, and the server refuses records they author from
 * then on.  Their stored records stay.  Logged with @reason.
 */
gboolean
server_db_people_disable (ServerDb    *db,
                          const char  *person_id,
                          const char  *reason,
                          GError     **error)
{
  g_autofree char *now = now_rfc3339 ();

  return change_person (db, "UPDATE people SET disabled = coalesce (disabled, ?2) WHERE person_id = ?1",
                        person_id, now, "disable-person", NULL, reason, error);
}

/**
 * server_db_people_set_role:
 *
 * Gives a person another role ("facilitator" or "supervisor"), logged
 * with @reason: the only way a person declared by a device becomes a
 * supervisor.
 */
gboolean
server_db_people_set_role (ServerDb    *db,
                           const char  *person_id,
                           const char  *role,
                           const char  *reason,
                           GError     **error)
{
  g_autofree char *detail = NULL;

  if (!valid_role (role))
    return bad_request (error, "--role: expected facilitator or supervisor, got \"%s\"", role ? role : "");
  detail = g_strdup_printf ("role %s", role);
  return change_person (db, "UPDATE people SET role = ?2 WHERE person_id = ?1", person_id, role,
                        "set-role", detail, reason, error);
}

/**
 * server_db_people_list:
 * @json: a JSON array instead of a table
 *
 * Every person, oldest first: id, name, sex, role, communities, created,
 * disabled, the device that declared them, whether a one-time PIN waits.
 *
 * Returns: (transfer full): the text, ending with a newline.
 */
char *
server_db_people_list (ServerDb    *db,
                       gboolean     json,
                       GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) table = g_string_new (NULL);
  g_autofree char *text = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT p.person_id, p.name, p.sex, p.role, p.all_communities, "
                         "  (SELECT group_concat (community_id, ',') FROM "
                         "    (SELECT community_id FROM person_communities c WHERE c.person_id = p.person_id "
                         "     ORDER BY community_id) AS ordered), "
                         "  p.created, p.disabled, p.declared_by, p.one_time_pin_hash IS NOT NULL "
                         "FROM people p ORDER BY p.created, p.rowid", error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  g_string_append_printf (table, "%-36s  %-24s  %-6s  %-11s  %-20s  %-20s  %-36s  %s\n", "person", "name", "sex",
                          "role", "created", "disabled", "declared by", "communities");
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      const char *id = (const char *) db_column_text (stmt, 0);
      const char *name = (const char *) db_column_text (stmt, 1);
      const char *sex = (const char *) db_column_text (stmt, 2);
      const char *role = (const char *) db_column_text (stmt, 3);
      gboolean all = db_column_int (stmt, 4);
      const char *communities = (const char *) db_column_text (stmt, 5);
      const char *created = (const char *) db_column_text (stmt, 6);
      const char *disabled = (const char *) db_column_text (stmt, 7);
      const char *declared_by = (const char *) db_column_text (stmt, 8);
      gboolean one_time = db_column_int (stmt, 9);
      g_auto(GStrv) list = communities != NULL ? g_strsplit (communities, ",", -1) : g_new0 (char *, 1);
      g_autofree char *shown = g_utf8_substring (name, 0, MIN (g_utf8_strlen (name, -1), 24));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "sex");
      json_builder_add_string_value (b, sex);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, role);
      json_builder_set_member_name (b, "all_communities");
      json_builder_add_boolean_value (b, all);
      json_builder_set_member_name (b, "communities");
      json_builder_begin_array (b);
      for (guint i = 0; list[i] != NULL; i++)
        json_builder_add_string_value (b, list[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "disabled");
      if (disabled != NULL)
        json_builder_add_string_value (b, disabled);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "declared_by");
      if (declared_by != NULL)
        json_builder_add_string_value (b, declared_by);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "one_time_pin");
      json_builder_add_boolean_value (b, one_time);
      json_builder_end_object (b);

      /* a declared name was typed on a device: no control characters */
      for (char *p = shown; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = '?';
      g_string_append_printf (table, "%-36s  %-24s  %-6s  %-11s  %-20s  %-20s  %-36s  %s\n", id, shown, sex, role,
                              created, disabled != NULL ? disabled : "-", declared_by != NULL ? declared_by : "-",
                              all ? "all" : (communities != NULL ? communities : "-"));
    }
  if (rc != DB_DONE)
    {
      db_fail (db, "listing people", error);
      return NULL;
    }
  json_builder_end_array (b);
  if (!json)
    return g_string_free (g_steal_pointer (&table), FALSE);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  return g_strconcat (text, "\n", NULL);
}

/**
 * server_people_check_declared:
 *
 * Checks the `people` member of an enrolment request before anything is
 * stored: an array of at most 1000 objects `{id, name, sex[, role]}` (the
 * role is read past: a device never sets one).
 */
gboolean
server_people_check_declared (JsonNode  *people,
                              GError   **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (people))
    return bad_request (error, "people: expected an array of {\"id\", \"name\", \"sex\"}");
  array = json_node_get_array (people);
  if (json_array_get_length (array) > 1000)
    return bad_request (error, "people: at most 1000 people");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = o ? json_object_get_string_member_with_default (o, "id", NULL) : NULL;
      const char *name = o ? json_object_get_string_member_with_default (o, "name", NULL) : NULL;
      const char *sex = o ? json_object_get_string_member_with_default (o, "sex", NULL) : NULL;

      if (o == NULL)
        return bad_request (error, "people[%u]: expected an object {\"id\", \"name\", \"sex\"}", i);
      if (id == NULL || !g_uuid_string_is_valid (id))
        return bad_request (error, "people[%u].id: expected a UUID", i);
      if (!valid_name (name))
        return bad_request (error, "people[%u].name: expected 1 to 200 characters, no control characters", i);
      if (!valid_sex (sex))
        return bad_request (error, "people[%u].sex: expected male or female", i);
    }
  return TRUE;
}

/**
 * server_people_declare:
 * @people: a `people` member that passed server_people_check_declared()
 *
 * Inside the enrolment transaction: records every person whose id the
 * server does not know as a facilitator declared by @device_id, in the
 * device's communities.  Known ids are left as they are.
 */
gboolean
server_people_declare (ServerDb    *db,
                       const char  *device_id,
                       JsonNode    *people,
                       GError     **error)
{
  JsonArray *array = json_node_get_array (people);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (o, "id");
      g_autoptr(ServerStmt) stmt = NULL;
      gboolean exists = FALSE;

      if (!person_exists (db, id, &exists, error))
        return FALSE;
      if (exists)
        continue;
      stmt = db_prepare (db, "SELECT all_communities FROM devices WHERE device_id = ?", error);
      if (stmt == NULL)
        return FALSE;
      db_bind_text (stmt, 1, device_id);
      if (db_step (stmt) != DB_ROW)
        return db_fail (db, "declaring a device's people", error);
      /* a role is never taken from a device */
      if (!insert_person (db, id, json_object_get_string_member (o, "name"),
                          json_object_get_string_member (o, "sex"), "facilitator",
                          db_column_int (stmt, 0), device_id, NULL, error))
        return FALSE;
      g_clear_pointer (&stmt, db_finalize);
      stmt = db_prepare (db, "INSERT OR IGNORE INTO person_communities (person_id, community_id) "
                             "SELECT ?1, community_id FROM device_communities WHERE device_id = ?2", error);
      if (stmt == NULL)
        return FALSE;
      db_bind_text (stmt, 1, id);
      db_bind_text (stmt, 2, device_id);
      if (db_step (stmt) != DB_DONE)
        return db_fail (db, "declaring a device's people", error);
    }
  return TRUE;
}

/**
 * server_people_add_for_device:
 *
 * Adds to @b (inside an object) the member `people`: every person who
 * works in one of @device_id's communities (every person for a device of
 * all communities), `{id, name, sex, role, one_time_pin_hash, disabled}`.
 */
gboolean
server_people_add_for_device (ServerDb     *db,
                              const char   *device_id,
                              JsonBuilder  *b,
                              GError      **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT p.person_id, p.name, p.sex, p.role, p.one_time_pin_hash, p.disabled IS NOT NULL "
                         "FROM people p, devices d WHERE d.device_id = ?1 AND "
                         "  (p.all_communities != 0 OR d.all_communities != 0 OR EXISTS "
                         "    (SELECT 1 FROM person_communities pc JOIN device_communities dc "
                         "       ON dc.community_id = pc.community_id "
                         "     WHERE pc.person_id = p.person_id AND dc.device_id = d.device_id)) "
                         "ORDER BY p.created, p.rowid", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, device_id);
  json_builder_set_member_name (b, "people");
  json_builder_begin_array (b);
  while ((rc = db_step (stmt)) == DB_ROW)
    server_people_add_json (b, stmt, 4, 5);
  json_builder_end_array (b);
  if (rc != DB_DONE)
    return db_fail (db, "listing a device's people", error);
  return TRUE;
}

/**
 * server_db_people_json:
 *
 * Returns: (transfer full): the answer of `GET /api/v1/people`,
 *   `{"people":[...]}` (server_people_add_for_device()).
 */
char *
server_db_people_json (ServerDb    *db,
                       const char  *device_id,
                       GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  if (!server_people_add_for_device (db, device_id, b, error))
    return NULL;
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/**
 * server_people_check_author:
 * @reason: (out): why the author may not have made this record, or %NULL
 *   when they may
 *
 * The author rules of a push: @author is a person the server knows, not
 * disabled, whose communities include @community_id; a person declared by
 * a device authors only records that device pushes; a review (approving
 * or returning a visit) needs a supervisor.  An audit record of a person
 * disabled since is kept: the trail is evidence, whenever it arrives.
 */
gboolean
server_people_check_author (ServerDb    *db,
                            const char  *device_id,
                            const char  *author,
                            const char  *community_id,
                            ClmrsRecordType type,
                            char       **reason,
                            GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  const char *role, *declared_by;
  int rc;

  *reason = NULL;
  stmt = db_prepare (db, "SELECT role, disabled IS NOT NULL, declared_by, all_communities != 0 OR EXISTS "
                         "  (SELECT 1 FROM person_communities WHERE person_id = ?1 AND community_id = ?2) "
                         "FROM people WHERE person_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, author);
  db_bind_text (stmt, 2, community_id);
  rc = db_step (stmt);
  if (rc != DB_ROW && rc != DB_DONE)
    return db_fail (db, "author lookup", error);
  /* the same words for an unknown person and one of another community:
   * nothing is told about people outside the device's communities */
  if (rc == DB_DONE || !db_column_int (stmt, 3))
    {
      *reason = g_strdup ("author: not a person of this community");
      return TRUE;
    }
  role = (const char *) db_column_text (stmt, 0);
  declared_by = (const char *) db_column_text (stmt, 2);
  if (db_column_int (stmt, 1) && type != CLMRS_RECORD_AUDIT)
    *reason = g_strdup ("author: this person was disabled on the server");
  else if (declared_by != NULL && g_strcmp0 (declared_by, device_id) != 0)
    *reason = g_strdup ("author: declared by another device; only that device may push their records");
  else if (type == CLMRS_RECORD_REVIEW && g_strcmp0 (role, "supervisor") != 0)
    *reason = g_strdup ("author: only a supervisor may approve or return a visit");
  return TRUE;
}

void
server_people_add_json (JsonBuilder  *b,
                        ServerStmt *  stmt,
                        int           hash_column,
                        int           disabled_column)
{
  const char *hash = hash_column >= 0 ? (const char *) db_column_text (stmt, hash_column) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, (const char *) db_column_text (stmt, 0));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, (const char *) db_column_text (stmt, 1));
  json_builder_set_member_name (b, "sex");
  json_builder_add_string_value (b, (const char *) db_column_text (stmt, 2));
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, (const char *) db_column_text (stmt, 3));
  json_builder_set_member_name (b, "one_time_pin_hash");
  if (hash != NULL)
    json_builder_add_string_value (b, hash);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "disabled");
  json_builder_add_boolean_value (b, db_column_int (stmt, disabled_column));
  json_builder_end_object (b);
}

/* The device's secret in base64, made when it has none; inside a transaction. */
static char *
unlock_secret (ServerDb    *db,
               const char  *device_id,
               GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, "SELECT secret FROM device_unlock WHERE device_id = ?", error);
  guint8 secret[32];
  int rc;

  if (stmt == NULL)
    return NULL;
  db_bind_text (stmt, 1, device_id);
  rc = db_step (stmt);
  if (rc == DB_ROW && db_column_bytes (stmt, 0) == sizeof secret)
    return g_base64_encode (db_column_blob (stmt, 0), sizeof secret);
  if (rc != DB_DONE)
    {
      db_fail (db, "reading a device's unlock secret", error);
      return NULL;
    }
  g_clear_pointer (&stmt, db_finalize);
  if (getrandom (secret, sizeof secret, 0) != sizeof secret)
    {
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "getrandom failed");
      return NULL;
    }
  stmt = db_prepare (db, "INSERT INTO device_unlock (device_id, secret, created) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  {
    g_autofree char *now = now_rfc3339 ();

    db_bind_text (stmt, 1, device_id);
    db_bind_blob (stmt, 2, secret, sizeof secret);
    db_bind_text (stmt, 3, now);
  }
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "making a device's unlock secret", error);
      return NULL;
    }
  return g_base64_encode (secret, sizeof secret);
}

/**
 * server_db_unlock_secret:
 *
 * A device's unlock secret: the device wraps its data key with it in its
 * keyring (never keeping the secret), so that someone listed on the
 * device who has only the administrator's one-time PIN can sign in there,
 * online, before anyone has given them a PIN (server_db_first_sign_in()).
 * Asked by the device's token; made on the first ask.
 */
char *
server_db_unlock_secret (ServerDb    *db,
                         const char  *device_id,
                         GError     **error)
{
  g_autofree char *secret = NULL;

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  secret = unlock_secret (db, device_id, error);
  if (secret == NULL || !db_exec (db, "COMMIT", error))
    {
      db_rollback (db);
      return NULL;
    }
  return g_steal_pointer (&secret);
}

/**
 * server_db_first_sign_in:
 *
 * @device_id must be enrolled, not revoked, and have asked for its
 * unlock secret; @person_id a person of its communities, not disabled,
 * holding a one-time PIN.  When @one_time_pin is that PIN it is spent
 * (no device can use it again) and the device's unlock secret returned.
 * A wrong PIN is counted: the 10th cancels the one-time PIN (logged), so
 * guessing it online is hopeless.  Every refusal says as little as a
 * wrong PIN does about who exists: SERVER_ERROR_INVALID_CODE.
 */
char *
server_db_first_sign_in (ServerDb    *db,
                         const char  *device_id,
                         const char  *person_id,
                         const char  *one_time_pin,
                         GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *secret = NULL;
  gint64 failures;
  int rc;

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  stmt = db_prepare (db, "SELECT p.one_time_pin_hash, p.one_time_pin_failures FROM people p, devices d "
                         "WHERE p.person_id = ?1 AND d.device_id = ?2 AND d.revoked IS NULL "
                         "  AND p.disabled IS NULL AND p.one_time_pin_hash IS NOT NULL "
                         "  AND EXISTS (SELECT 1 FROM device_unlock u WHERE u.device_id = d.device_id) "
                         "  AND (p.all_communities != 0 OR d.all_communities != 0 OR EXISTS "
                         "    (SELECT 1 FROM person_communities pc JOIN device_communities dc "
                         "       ON dc.community_id = pc.community_id "
                         "     WHERE pc.person_id = p.person_id AND dc.device_id = d.device_id))", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, person_id);
  db_bind_text (stmt, 2, device_id);
  rc = db_step (stmt);
  if (rc != DB_ROW && rc != DB_DONE)
    {
      db_fail (db, "looking up a one-time PIN", error);
      goto fail;
    }
  if (rc == DB_DONE)
    {
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_INVALID_CODE,
                           "no one-time PIN waits for this person on this device (ask the administrator)");
      goto fail;
    }
  hash = g_strdup (db_column_text (stmt, 0));
  failures = db_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, db_finalize);

  if (!clmrs_pin_verify (one_time_pin, hash))
    {
      gboolean cancel = failures + 1 >= 10;

      stmt = db_prepare (db, cancel ? "UPDATE people SET one_time_pin_failures = 0, one_time_pin_hash = NULL "
                                      "WHERE person_id = ?"
                                    : "UPDATE people SET one_time_pin_failures = one_time_pin_failures + 1 "
                                      "WHERE person_id = ?", error);
      if (stmt == NULL)
        goto fail;
      db_bind_text (stmt, 1, person_id);
      if (db_step (stmt) != DB_DONE)
        {
          db_fail (db, "counting a wrong one-time PIN", error);
          goto fail;
        }
      if (cancel && !server_db_log_admin (db, "one-time-pin-cancelled", person_id, device_id,
                                          "10 wrong one-time PINs", error))
        goto fail;
      if (!db_exec (db, "COMMIT", error))
        goto fail;
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_INVALID_CODE,
                           cancel ? "wrong one-time PIN, the 10th: it is cancelled (ask the administrator for a new one)"
                                  : "wrong one-time PIN");
      return NULL;
    }
  stmt = db_prepare (db, "UPDATE people SET one_time_pin_hash = NULL, one_time_pin_failures = 0 "
                         "WHERE person_id = ?", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, person_id);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "spending a one-time PIN", error);
      goto fail;
    }
  secret = unlock_secret (db, device_id, error);
  if (secret == NULL || !server_db_log_admin (db, "one-time-pin-used", person_id, device_id,
                                              "first sign-in on the device", error) ||
      !db_exec (db, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&secret);

fail:
  db_rollback (db);
  return NULL;
}
