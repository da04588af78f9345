/* people.c: the people who can sign in on this device, as the sign-in screen lists them. */
#define G_LOG_DOMAIN "clmrs-people"

#include "people.h"

#include "device.h"

void
clmrs_person_free (ClmrsPerson *person)
{
  if (person == NULL)
    return;
  g_free (person->id);
  g_free (person->name);
  g_free (person->sex);
  g_free (person);
}

#define PERSON_COLUMNS "id, name, sex, role, pin_hash IS NULL, pin_one_time"

static ClmrsPerson *
read_person (sqlite3_stmt *stmt)
{
  ClmrsPerson *person = g_new0 (ClmrsPerson, 1);

  person->id = clmrs_store_column_dup (stmt, 0);
  person->name = clmrs_store_column_dup (stmt, 1);
  person->sex = clmrs_store_column_dup (stmt, 2);
  person->supervisor = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "supervisor") == 0;
  person->pin_state = sqlite3_column_int (stmt, 4) ? CLMRS_PIN_STATE_NONE
                    : sqlite3_column_int (stmt, 5) ? CLMRS_PIN_STATE_ONE_TIME : CLMRS_PIN_STATE_SET;
  return person;
}

GPtrArray *
clmrs_people_list (ClmrsStore  *store,
                   GError     **error)
{
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_person_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  g_return_val_if_fail (store != NULL, NULL);

  stmt = clmrs_store_prepare (store,
      "SELECT " PERSON_COLUMNS " FROM facilitators WHERE active = 1 "
      "ORDER BY role = 'supervisor', name COLLATE NOCASE", error);
  if (stmt == NULL)
    return NULL;
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    g_ptr_array_add (people, read_person (stmt));
  if (step == CLMRS_STEP_ERROR)
    {
      g_prefix_error (error, "listing the people who can sign in: ");
      return NULL;
    }
  return g_steal_pointer (&people);
}

GPtrArray *
clmrs_people_list_keyring (const char  *db_path,
                           GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) people = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);

  entries = clmrs_device_list_people (db_path, error);
  if (entries == NULL)
    return NULL;
  people = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_person_free);
  for (guint i = 0; i < entries->len; i++)
    {
      const ClmrsKeyringPerson *entry = g_ptr_array_index (entries, i);
      ClmrsPerson *person = g_new0 (ClmrsPerson, 1);

      person->id = g_strdup (entry->person_id);
      person->name = g_strdup (entry->display_name ? entry->display_name : entry->person_id);
      /* listed for a first sign-in online with the server's one-time PIN */
      person->pin_state = entry->one_time ? CLMRS_PIN_STATE_ONE_TIME : CLMRS_PIN_STATE_SET;
      person->from_keyring = TRUE;
      person->failures = entry->failures;
      person->locked_until = entry->locked_until;
      person->erased = entry->erased;
      g_ptr_array_add (people, person);
    }
  return g_steal_pointer (&people);
}

ClmrsPerson *
clmrs_people_lookup (ClmrsStore  *store,
                     const char  *person_id,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL && person_id != NULL, NULL);

  stmt = clmrs_store_prepare (store, "SELECT " PERSON_COLUMNS " FROM facilitators WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW:
      return read_person (stmt);
    case CLMRS_STEP_DONE:
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   "no person %s on this device", person_id);
      return NULL;
    case CLMRS_STEP_ERROR:
    default:
      return NULL;
    }
}
