/* store-people.c: the store's communities, people and their PINs, as enrolment and sign-in read and write them. */
#define G_LOG_DOMAIN "clmrs-store"

#include "store.h"
#include "store-private.h"

#include "pin.h"
#include "util.h"

#include <string.h>

gboolean
clmrs_store_add_community (ClmrsStore  *store,
                           const char  *id,
                           const char  *name,
                           const char  *district,
                           const char  *country,
                           GError     **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt;

  if (!clmrs_uuid_is_valid (id) || name == NULL || *name == '\0')
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "a community needs a UUID and a name (got id '%s')", id ? id : "");
      return FALSE;
    }
  stmt = clmrs_store_prepare (store,
      "INSERT INTO communities (id, name, district, country, created, modified) "
      "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, district, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, country, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

gboolean
clmrs_store_add_facilitator (ClmrsStore  *store,
                             const char  *id,
                             const char  *name,
                             const char  *sex,
                             const char  *role,
                             const char  *pin,
                             GError     **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;

  if (!clmrs_uuid_is_valid (id) || name == NULL || *name == '\0')
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "a facilitator needs a UUID and a name (got id '%s')", id ? id : "");
      return FALSE;
    }
  if (pin != NULL && (hash = clmrs_pin_hash (pin, error)) == NULL)
    return FALSE;
  stmt = clmrs_store_prepare (store,
      "INSERT INTO facilitators (id, name, sex, role, pin_hash, created) "
      "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, sex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    {
      g_prefix_error (error, "adding %s '%s': ", role, name);
      return FALSE;
    }
  return TRUE;
}

/* The active person's stored hash and whether it is a one-time PIN;
 * CLMRS_STORE_ERROR_NOT_FOUND when there is no such active person. */
static gboolean
lookup_pin (ClmrsStore  *store,
            const char  *facilitator_id,
            char       **hash,
            gboolean    *one_time,
            GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT pin_hash, pin_one_time FROM facilitators WHERE id = ? AND active", error);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, facilitator_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      *hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *one_time = sqlite3_column_int (stmt, 1);
    }
  sqlite3_finalize (stmt);
  if (!found)
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                 "no active facilitator %s", facilitator_id);
  return found;
}

/**
 * clmrs_store_check_pin:
 *
 * Whether @pin is the person's: their own PIN (a 4-digit one set before
 * PINs had 6 digits is still accepted), or the one-time PIN the server
 * gave (clmrs_store_get_pin_state() says so: they must then choose their
 * own).  %CLMRS_STORE_ERROR_PIN_NOT_SET when they have none yet.
 */
gboolean
clmrs_store_check_pin (ClmrsStore  *store,
                       const char  *facilitator_id,
                       const char  *pin,
                       GError     **error)
{
  g_autofree char *hash = NULL;
  gboolean one_time = FALSE;

  if (!lookup_pin (store, facilitator_id, &hash, &one_time, error))
    return FALSE;
  if (hash == NULL)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN_NOT_SET,
                           "no PIN yet: choose your own");
      return FALSE;
    }
  if (!clmrs_pin_verify (pin, hash))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN, "wrong PIN");
      return FALSE;
    }
  return TRUE;
}

gboolean
clmrs_store_get_pin_state (ClmrsStore    *store,
                           const char    *facilitator_id,
                           ClmrsPinState *state,
                           GError       **error)
{
  g_autofree char *hash = NULL;
  gboolean one_time = FALSE;

  g_return_val_if_fail (state != NULL, FALSE);

  if (!lookup_pin (store, facilitator_id, &hash, &one_time, error))
    return FALSE;
  *state = hash == NULL ? CLMRS_PIN_STATE_NONE : one_time ? CLMRS_PIN_STATE_ONE_TIME : CLMRS_PIN_STATE_SET;
  return TRUE;
}

/**
 * clmrs_store_set_own_pin:
 *
 * A person's first sign-in: they set their own PIN (6 to 12 digits,
 * clmrs_pin_is_acceptable()), when they have none, or after the one-time
 * PIN the server gave, which @one_time_pin must match.  A person who has
 * their own PIN already cannot have it replaced this way
 * (%CLMRS_STORE_ERROR_STATE).
 */
gboolean
clmrs_store_set_own_pin (ClmrsStore  *store,
                         const char  *facilitator_id,
                         const char  *one_time_pin,
                         const char  *new_pin,
                         GError     **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *new_hash = NULL;
  g_autoptr(GError) local = NULL;
  gboolean one_time = FALSE;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (facilitator_id != NULL, FALSE);
  g_return_val_if_fail (new_pin != NULL, FALSE);

  if (!lookup_pin (store, facilitator_id, &hash, &one_time, error))
    return FALSE;
  if (hash != NULL && !one_time)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                           "this person has chosen a PIN already");
      return FALSE;
    }
  if (hash != NULL && !clmrs_pin_verify (one_time_pin, hash))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN, "wrong one-time PIN");
      return FALSE;
    }
  if (one_time_pin != NULL && g_strcmp0 (one_time_pin, new_pin) == 0)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                           "choose a PIN other than the one-time PIN");
      return FALSE;
    }
  if (!clmrs_pin_is_acceptable (new_pin, &local))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID, local->message);
      return FALSE;
    }
  new_hash = clmrs_pin_hash (new_pin, error);
  if (new_hash == NULL)
    return FALSE;
  /* only the hash seen above is replaced: two first sign-ins at once cannot both win */
  stmt = clmrs_store_prepare (store,
      "UPDATE facilitators SET pin_hash = ?1, pin_one_time = 0 "
      "WHERE id = ?2 AND active AND pin_hash IS ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, new_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facilitator_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, hash, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (clmrs_store_get_db (store)) != 1)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                           "the PIN changed meanwhile; sign in again");
      return FALSE;
    }
  return TRUE;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

/* One person of the server's list: set when it is well formed. */
static gboolean
read_person (JsonArray   *people,
             guint        i,
             const char **id,
             const char **name,
             const char **sex,
             const char **role,
             const char **one_time_pin_hash,
             gboolean    *disabled,
             GError     **error)
{
  JsonNode *node = json_array_get_element (people, i);
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *flag = o != NULL ? json_object_get_member (o, "disabled") : NULL;

  *id = o ? member_string (o, "id") : NULL;
  *name = o ? member_string (o, "name") : NULL;
  *sex = o ? member_string (o, "sex") : NULL;
  *role = o ? member_string (o, "role") : NULL;
  *one_time_pin_hash = o ? member_string (o, "one_time_pin_hash") : NULL;
  *disabled = flag != NULL && json_node_get_value_type (flag) == G_TYPE_BOOLEAN && json_node_get_boolean (flag);
  if (!clmrs_uuid_is_valid (*id) || *name == NULL || **name == '\0' ||
      (g_strcmp0 (*sex, "male") != 0 && g_strcmp0 (*sex, "female") != 0) ||
      (g_strcmp0 (*role, "facilitator") != 0 && g_strcmp0 (*role, "supervisor") != 0))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "people[%u]: expected {id, name, sex, role, one_time_pin_hash, disabled}", i);
      return FALSE;
    }
  return TRUE;
}

/**
 * clmrs_store_apply_people:
 *
 * The server is the authority on people: a new person is added with no
 * PIN (they choose one at their first sign-in), or with the server's
 * one-time PIN hash; a known one gets the server's name, sex and role
 * (a supervisor made on this device stays a facilitator until the server
 * says otherwise) and is set inactive when disabled.  A person's own PIN
 * is never replaced.  People of this device the server did not list are
 * left as they are.  One transaction: all or nothing.
 */
gboolean
clmrs_store_apply_people (ClmrsStore  *store,
                          JsonArray   *people,
                          guint       *changed,
                          GError     **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  guint n = 0;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (people != NULL, FALSE);

  if (!clmrs_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (people); i++)
    {
      const char *id, *name, *sex, *role, *hash;
      gboolean disabled;
      sqlite3_stmt *stmt;

      if (!read_person (people, i, &id, &name, &sex, &role, &hash, &disabled, error))
        goto fail;
      stmt = clmrs_store_prepare (store,
          "INSERT INTO facilitators (id, name, sex, role, pin_hash, pin_one_time, active, created) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?5 IS NOT NULL, ?6, ?7) "
          "ON CONFLICT (id) DO UPDATE SET name = ?2, sex = ?3, role = ?4, active = ?6, "
          "  pin_one_time = CASE WHEN pin_hash IS NULL THEN ?5 IS NOT NULL ELSE pin_one_time END, "
          "  pin_hash = coalesce (pin_hash, ?5) "
          "WHERE name IS NOT ?2 OR sex IS NOT ?3 OR role IS NOT ?4 OR active IS NOT ?6 "
          "  OR (pin_hash IS NULL AND ?5 IS NOT NULL)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, sex, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, role, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 6, !disabled);
      sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (store, stmt, error))
        goto fail;
      n += sqlite3_changes (clmrs_store_get_db (store));
    }
  if (!clmrs_store_commit (store, error))
    goto fail;
  if (changed != NULL)
    *changed = n;
  return TRUE;

fail:
  clmrs_store_rollback (store);
  g_prefix_error (error, "applying the server's people: ");
  return FALSE;
}

JsonNode *
clmrs_store_list_people_json (ClmrsStore  *store,
                              GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT id, name, sex, role FROM facilitators WHERE active ORDER BY created, rowid", error);
  static const char *const names[] = { "id", "name", "sex", "role" };
  int rc;

  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      for (int i = 0; i < 4; i++)
        {
          json_builder_set_member_name (b, names[i]);
          json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, i));
        }
      json_builder_end_object (b);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _clmrs_store_sqlite_error (error, clmrs_store_get_db (store), "listing people");
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
