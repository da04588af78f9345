/* device.c: the device's own database and its keyring: made encrypted, signed in to, migrated from plain. */
#define G_LOG_DOMAIN "clmrs-device"

#include "device.h"

#include "assets.h"
#include "cryptvfs.h"
#include "demo.h"

#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-device-error-quark, clmrs_device_error)

char *
clmrs_device_keyring_path (const char *db_path)
{
  g_return_val_if_fail (db_path != NULL, NULL);

  return g_strconcat (db_path, ".keyring", NULL);
}

gboolean
clmrs_device_has_keyring (const char *db_path)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
clmrs_device_parse_recovery_key (const char  *text,
                                 guint8       key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                 GError     **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));
  g_autofree guchar *bytes = NULL;
  gsize len = 0;

  for (const char *c = copy; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
      {
        len = (gsize) -1;
        break;
      }
  if (len == 0 && *copy != '\0')
    bytes = g_base64_decode (copy, &len);
  if (bytes == NULL || len != CLMRS_KEYRING_RECOVERY_KEY_BYTES)
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_FAILED,
                   "a recovery public key is %d bytes in base64 on one line",
                   CLMRS_KEYRING_RECOVERY_KEY_BYTES);
      return FALSE;
    }
  memcpy (key, bytes, CLMRS_KEYRING_RECOVERY_KEY_BYTES);
  return TRUE;
}

gboolean
clmrs_device_default_recovery_key (guint8   key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                   GError **error)
{
  g_autoptr(GBytes) bytes = clmrs_assets_lookup ("recovery/recovery-public.key", error);
  g_autofree char *text = NULL;

  if (bytes == NULL)
    return FALSE;
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (!clmrs_device_parse_recovery_key (text, key, error))
    {
      g_prefix_error (error, "the shipped recovery key: ");
      return FALSE;
    }
  return TRUE;
}

gboolean
clmrs_device_recovery_key_for (ClmrsStore  *store,
                               guint8       key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                               GError     **error)
{
  g_autofree char *from_server = NULL;

  if (store != NULL && !clmrs_store_get_meta (store, "recovery_public_key", &from_server, error))
    return FALSE;
  if (from_server != NULL)
    return clmrs_device_parse_recovery_key (from_server, key, error);
  return clmrs_device_default_recovery_key (key, error);
}

void
clmrs_device_remove_files (const char *db_path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal", ".keyring", ".keyring-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
}

ClmrsStore *
clmrs_device_create (const char    *db_path,
                     ClmrsDataKey **out_key,
                     GError       **error)
{
  g_autoptr(ClmrsDataKey) key = NULL;
  ClmrsStore *store;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (out_key != NULL && *out_key == NULL, NULL);

  if (g_file_test (db_path, G_FILE_TEST_EXISTS) || clmrs_device_has_keyring (db_path))
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_EXISTS,
                   "%s: a device database (or its keyring) is there already", db_path);
      return NULL;
    }
  key = clmrs_data_key_new_random ();
  store = clmrs_store_open_encrypted (db_path, key, error);
  if (store == NULL)
    {
      clmrs_device_remove_files (db_path);
      return NULL;
    }
  clmrs_store_hold_key (db_path, key);
  *out_key = g_steal_pointer (&key);
  return store;
}

gboolean
clmrs_device_write_keyring (const char              *db_path,
                            const ClmrsDataKey      *key,
                            const guint8            *recovery_key,
                            const ClmrsDevicePerson *people,
                            guint                    n_people,
                            GError                 **error)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = NULL;
  guint8 shipped[CLMRS_KEYRING_RECOVERY_KEY_BYTES];

  g_return_val_if_fail (key != NULL, FALSE);

  if (n_people == 0 && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_FAILED,
                   "a device needs at least one person who can sign in");
      return FALSE;
    }
  if (recovery_key == NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!clmrs_device_default_recovery_key (shipped, error))
        return FALSE;
      recovery_key = shipped;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    keyring = clmrs_keyring_open (path, error);
  else
    {
      keyring = clmrs_keyring_create_for_key (path, recovery_key, key, people[0].id, people[0].name,
                                              people[0].pin, error);
      people++;
      n_people--;
    }
  if (keyring == NULL)
    return FALSE;
  for (guint i = 0; i < n_people; i++)
    if (!clmrs_keyring_add_person (keyring, key, people[i].id, people[i].name, people[i].pin, error))
      {
        g_prefix_error (error, "%s: ", people[i].name);
        return FALSE;
      }
  return TRUE;
}

GPtrArray *
clmrs_device_list_people (const char  *db_path,
                          GError     **error)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NO_KEYRING,
                   "no keyring at %s", path);
      return NULL;
    }
  g_autoptr(GPtrArray) people = NULL;
  g_autoptr(GPtrArray) arrivals = NULL;

  keyring = clmrs_keyring_open (path, error);
  if (keyring == NULL || (people = clmrs_keyring_list_people (keyring, error)) == NULL ||
      (arrivals = clmrs_keyring_list_arrivals (keyring, error)) == NULL)
    return NULL;
  for (guint i = 0; i < arrivals->len; i++)
    {
      ClmrsKeyringPerson *person = g_ptr_array_index (arrivals, i);

      person->one_time = TRUE;
      g_ptr_array_add (people, g_steal_pointer (&arrivals->pdata[i]));
    }
  return g_steal_pointer (&people);
}

char *
clmrs_device_find_person (const char  *db_path,
                          const char  *who,
                          GError     **error)
{
  g_autoptr(GPtrArray) people = clmrs_device_list_people (db_path, error);
  const char *found = NULL;
  guint named = 0;

  if (people == NULL)
    return NULL;
  for (guint i = 0; i < people->len; i++)
    {
      const ClmrsKeyringPerson *p = g_ptr_array_index (people, i);

      if (g_str_equal (p->person_id, who))
        return g_strdup (p->person_id);
      if (g_strcmp0 (p->display_name, who) == 0)
        {
          found = p->person_id;
          named++;
        }
    }
  if (named == 1)
    return g_strdup (found);
  if (named > 1)
    g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_NOT_FOUND,
                 "%u people on this device are named '%s': give the id", named, who);
  else
    g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_NOT_FOUND,
                 "nobody who can sign in on this device is '%s' (an id or a name)", who);
  return NULL;
}

ClmrsStore *
clmrs_device_sign_in (const char    *db_path,
                      const char    *person_id,
                      const char    *pin,
                      ClmrsDataKey **out_key,
                      GError       **error)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  ClmrsStore *store;

  g_return_val_if_fail (db_path != NULL && person_id != NULL && pin != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_file_test (db_path, G_FILE_TEST_EXISTS) && !clmrs_cryptvfs_is_encrypted (db_path))
        g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NOT_ENCRYPTED,
                     "%s is not encrypted yet: the first sign-in encrypts it", db_path);
      else
        g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NO_KEYRING,
                     "no keyring at %s: nobody can sign in (see docs/security-at-rest.md, recovery)", path);
      return NULL;
    }
  keyring = clmrs_keyring_open (path, error);
  if (keyring == NULL)
    return NULL;
  key = clmrs_keyring_unlock (keyring, person_id, pin, error);
  if (key == NULL)
    return NULL;
  /* a migration a crash cut between the keyring and the encrypted file */
  if (g_file_test (db_path, G_FILE_TEST_EXISTS) && !clmrs_cryptvfs_is_encrypted (db_path) &&
      !clmrs_cryptvfs_encrypt_in_place (db_path, clmrs_data_key_get_bytes (key), error))
    return NULL;
  /* a change of key a crash cut */
  if (!clmrs_device_finish_rekey (db_path, key, error))
    return NULL;
  store = clmrs_store_open_encrypted (db_path, key, error);
  if (store == NULL)
    return NULL;
  /* enrolled since the keyring was made: the recovery copy follows the
   * server's key (a failure here keeps the old copy and the sign-in) */
  {
    g_autoptr(GError) local = NULL;
    g_autofree char *from_server = NULL;
    guint8 server_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
    gboolean changed = FALSE;

    if (!clmrs_store_get_meta (store, "recovery_public_key", &from_server, &local) ||
        (from_server != NULL &&
         (!clmrs_device_parse_recovery_key (from_server, server_key, &local) ||
          !clmrs_keyring_reseal (keyring, key, server_key, &changed, &local))))
      g_warning ("Could not seal the key to the server's recovery key: %s", local->message);
    else if (changed)
      g_message ("The device's key is now sealed to the server's recovery key");
  }
  clmrs_store_hold_key (db_path, key);
  if (out_key != NULL)
    *out_key = g_steal_pointer (&key);
  return store;
}

ClmrsDataKey *
clmrs_device_recover (const char    *db_path,
                      const guint8   server_secret_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                      GError       **error)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = clmrs_keyring_open (path, error);

  return keyring != NULL ? clmrs_keyring_recover (keyring, server_secret_key, error) : NULL;
}

void
clmrs_device_sign_out (const char *db_path)
{
  clmrs_store_release_key (db_path);
}

/* The person's name in @store, or NULL with @error. */
static char *
person_name (ClmrsStore  *store,
             const char  *person_id,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT name FROM facilitators WHERE id = ? AND active", error);
  char *name = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  if (clmrs_store_step (store, stmt, error) == CLMRS_STEP_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (error == NULL || *error == NULL)
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                 "no active person %s on this device", person_id);
  return name;
}

ClmrsStore *
clmrs_device_migrate (const char    *db_path,
                      const char    *person_id,
                      const char    *old_pin,
                      const char    *new_pin,
                      ClmrsDataKey **out_key,
                      GError       **error)
{
  g_autofree char *keyring_path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autofree char *name = NULL;
  guint8 recovery[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  const char *pin;
  ClmrsStore *store;

  g_return_val_if_fail (db_path != NULL && person_id != NULL && old_pin != NULL, NULL);

  if (clmrs_device_has_keyring (db_path) || clmrs_cryptvfs_is_encrypted (db_path))
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_EXISTS,
                   "%s is encrypted already: sign in", db_path);
      return NULL;
    }
  {
    g_autoptr(ClmrsStore) plain = clmrs_store_open (db_path, error);

    if (plain == NULL ||
        !clmrs_store_check_pin (plain, person_id, old_pin, error) ||
        (name = person_name (plain, person_id, error)) == NULL)
      return NULL;
  }
  if (new_pin != NULL)
    {
      if (!clmrs_keyring_check_new_pin (new_pin, error))
        return NULL;
      pin = new_pin;
    }
  else if (strlen (old_pin) < CLMRS_KEYRING_MIN_PIN_DIGITS)
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NEW_PIN,
                   "a PIN has at least %d digits now: choose a new one", CLMRS_KEYRING_MIN_PIN_DIGITS);
      return NULL;
    }
  else
    pin = old_pin;

  if (!clmrs_device_default_recovery_key (recovery, error))
    return NULL;
  keyring = clmrs_keyring_create (keyring_path, recovery, person_id, name, pin, &key, error);
  if (keyring == NULL)
    return NULL;
  /* from here a crash is finished by clmrs_device_sign_in() with the new PIN */
  if (!clmrs_cryptvfs_encrypt_in_place (db_path, clmrs_data_key_get_bytes (key), error))
    return NULL;
  store = clmrs_store_open_encrypted (db_path, key, error);
  if (store == NULL)
    return NULL;
  clmrs_store_hold_key (db_path, key);
  if (out_key != NULL)
    *out_key = g_steal_pointer (&key);
  return store;
}

gboolean
clmrs_device_give_pin (ClmrsStore          *store,
                       const ClmrsDataKey  *key,
                       const char          *person_id,
                       const char          *pin,
                       GError             **error)
{
  g_autofree char *keyring_path = clmrs_device_keyring_path (clmrs_store_get_path (store));
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autofree char *name = person_name (store, person_id, error);

  if (name == NULL || !clmrs_keyring_check_new_pin (pin, error))
    return FALSE;
  keyring = clmrs_keyring_open (keyring_path, error);
  return keyring != NULL && clmrs_keyring_add_person (keyring, key, person_id, name, pin, error);
}

gboolean
clmrs_device_add_person (ClmrsStore          *store,
                         const ClmrsDataKey  *key,
                         const char          *person_id,
                         const char          *one_time_pin,
                         const char          *pin,
                         GError             **error)
{
  g_autofree char *keyring_path = clmrs_device_keyring_path (clmrs_store_get_path (store));
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autofree char *name = NULL;
  ClmrsPinState state;

  g_return_val_if_fail (store != NULL && key != NULL && person_id != NULL && pin != NULL, FALSE);

  if (!clmrs_store_get_pin_state (store, person_id, &state, error) ||
      (name = person_name (store, person_id, error)) == NULL)
    return FALSE;
  if (state == CLMRS_PIN_STATE_ONE_TIME &&
      (one_time_pin == NULL || !clmrs_store_check_pin (store, person_id, one_time_pin, NULL)))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN,
                   "%s has a one-time PIN from the server: %s", name,
                   one_time_pin == NULL ? "give it" : "that is not it");
      return FALSE;
    }
  if (!clmrs_keyring_check_new_pin (pin, error))
    return FALSE;
  if (one_time_pin != NULL && g_str_equal (one_time_pin, pin))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                           "choose a PIN other than the one-time PIN");
      return FALSE;
    }
  keyring = clmrs_keyring_open (keyring_path, error);
  if (keyring == NULL || !clmrs_keyring_add_person (keyring, key, person_id, name, pin, error))
    return FALSE;
  /* the one-time PIN is spent; the store's own hash follows the new PIN */
  if (state != CLMRS_PIN_STATE_SET &&
      !clmrs_store_set_own_pin (store, person_id, state == CLMRS_PIN_STATE_ONE_TIME ? one_time_pin : NULL,
                                pin, error))
    return FALSE;
  return TRUE;
}

void
clmrs_device_arrival_free (ClmrsDeviceArrival *arrival)
{
  if (arrival == NULL)
    return;
  g_free (arrival->id);
  g_free (arrival->name);
  g_free (arrival);
}

GPtrArray *
clmrs_device_list_arrivals (ClmrsStore  *store,
                            GError     **error)
{
  g_autoptr(GPtrArray) arrivals = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_device_arrival_free);
  g_autoptr(GHashTable) usable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) erased = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  g_return_val_if_fail (store != NULL, NULL);

  if (clmrs_device_has_keyring (clmrs_store_get_path (store)))
    {
      g_autoptr(GPtrArray) entries = clmrs_device_list_people (clmrs_store_get_path (store), error);

      if (entries == NULL)
        return NULL;
      for (guint i = 0; i < entries->len; i++)
        {
          const ClmrsKeyringPerson *entry = g_ptr_array_index (entries, i);

          if (!entry->one_time)
            g_hash_table_add (entry->erased ? erased : usable, g_strdup (entry->person_id));
        }
    }
  stmt = clmrs_store_prepare (store,
      "SELECT id, name, role = 'supervisor', pin_hash IS NOT NULL AND pin_one_time FROM facilitators "
      "WHERE active ORDER BY name COLLATE NOCASE, id", error);
  if (stmt == NULL)
    return NULL;
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      ClmrsDeviceArrival *arrival;

      if (g_hash_table_contains (usable, id))
        continue;
      arrival = g_new0 (ClmrsDeviceArrival, 1);
      arrival->id = g_strdup (id);
      arrival->name = clmrs_store_column_dup (stmt, 1);
      arrival->supervisor = sqlite3_column_int (stmt, 2);
      arrival->needs_one_time_pin = sqlite3_column_int (stmt, 3);
      arrival->erased = g_hash_table_contains (erased, id);
      g_ptr_array_add (arrivals, arrival);
    }
  return step == CLMRS_STEP_DONE ? g_steal_pointer (&arrivals) : NULL;
}

gboolean
clmrs_device_needs_unlock_secret (ClmrsStore *store)
{
  g_autofree char *path = clmrs_device_keyring_path (clmrs_store_get_path (store));
  g_autofree char *enrolled = NULL;
  g_autofree char *wrapped_for = NULL;
  g_autoptr(ClmrsKeyring) keyring = NULL;

  /* unreadable: not now; the next sync asks again */
  if (!clmrs_store_get_meta (store, "server_device_id", &enrolled, NULL) || enrolled == NULL || !g_file_test (path, G_FILE_TEST_EXISTS) ||
      (keyring = clmrs_keyring_open (path, NULL)) == NULL)
    return FALSE;
  return !clmrs_keyring_get_unlock_server (keyring, NULL, &wrapped_for, NULL) ||
         g_strcmp0 (wrapped_for, enrolled) != 0;
}

gboolean
clmrs_device_set_unlock_secret (ClmrsStore          *store,
                                const ClmrsDataKey  *key,
                                const guint8         secret[CLMRS_KEYRING_KEY_BYTES],
                                GError             **error)
{
  g_autofree char *path = clmrs_device_keyring_path (clmrs_store_get_path (store));
  g_autofree char *url = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *ca_pem = NULL;
  g_autoptr(ClmrsKeyring) keyring = NULL;

  if (!clmrs_store_get_meta (store, "server_url", &url, error) ||
      !clmrs_store_get_meta (store, "server_device_id", &device_id, error) ||
      !clmrs_store_get_meta (store, "server_ca_pem", &ca_pem, error))
    return FALSE;
  if (url == NULL || device_id == NULL)
    {
      g_set_error_literal (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_FAILED,
                           "this device is not enrolled with a server");
      return FALSE;
    }
  keyring = clmrs_keyring_open (path, error);
  return keyring != NULL && clmrs_keyring_set_unlock (keyring, key, secret, url, device_id, ca_pem, error);
}

gboolean
clmrs_device_write_arrivals (ClmrsStore  *store,
                             GError     **error)
{
  g_autofree char *path = clmrs_device_keyring_path (clmrs_store_get_path (store));
  g_autoptr(GPtrArray) arrivals = clmrs_device_list_arrivals (store, error);
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_keyring_person_free);
  g_autoptr(ClmrsKeyring) keyring = NULL;

  if (arrivals == NULL)
    return FALSE;
  for (guint i = 0; i < arrivals->len; i++)
    {
      const ClmrsDeviceArrival *arrival = g_ptr_array_index (arrivals, i);
      ClmrsKeyringPerson *person;

      /* an erased entry is given a new PIN by a colleague, or recovered */
      if (!arrival->needs_one_time_pin || arrival->erased)
        continue;
      person = g_new0 (ClmrsKeyringPerson, 1);
      person->person_id = g_strdup (arrival->id);
      person->display_name = g_strdup (arrival->name);
      g_ptr_array_add (people, person);
    }
  keyring = clmrs_keyring_open (path, error);
  return keyring != NULL && clmrs_keyring_set_arrivals (keyring, people, error);
}

gboolean
clmrs_device_arrival_server (const char  *db_path,
                             const char  *person_id,
                             char       **server_url,
                             char       **device_id,
                             char       **ca_pem,
                             GError     **error)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = clmrs_keyring_open (path, error);
  g_autoptr(GPtrArray) arrivals = NULL;
  gboolean listed = FALSE;

  if (keyring == NULL || (arrivals = clmrs_keyring_list_arrivals (keyring, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < arrivals->len; i++)
    listed = listed || g_str_equal (((ClmrsKeyringPerson *) g_ptr_array_index (arrivals, i))->person_id, person_id);
  if (!listed || !clmrs_keyring_get_unlock_server (keyring, server_url, device_id, ca_pem))
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_NOT_FOUND,
                   "%s has no first sign-in with a one-time PIN waiting on this device", person_id);
      return FALSE;
    }
  return TRUE;
}

ClmrsStore *
clmrs_device_first_sign_in (const char    *db_path,
                            const char    *person_id,
                            const char    *one_time_pin,
                            const char    *new_pin,
                            const guint8   secret[CLMRS_KEYRING_KEY_BYTES],
                            ClmrsDataKey **out_key,
                            GError       **error)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autoptr(ClmrsStore) store = NULL;

  g_return_val_if_fail (db_path != NULL && person_id != NULL && one_time_pin != NULL && new_pin != NULL, NULL);

  keyring = clmrs_keyring_open (path, error);
  if (keyring == NULL || (key = clmrs_keyring_unlock_with_secret (keyring, secret, error)) == NULL)
    return NULL;
  store = clmrs_store_open_encrypted (db_path, key, error);
  if (store == NULL ||
      !clmrs_device_add_person (store, key, person_id, one_time_pin, new_pin, error) ||
      !clmrs_device_write_arrivals (store, error))
    return NULL;
  clmrs_store_hold_key (db_path, key);
  if (out_key != NULL)
    *out_key = g_steal_pointer (&key);
  return g_steal_pointer (&store);
}

GPtrArray *
clmrs_device_demo_people (ClmrsStore  *store,
                          GError     **error)
{
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT id, name, role FROM facilitators ORDER BY role DESC, rowid", error);
  guint i = 0;
  ClmrsStep step;

  if (stmt == NULL)
    return NULL;
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      const char *role = (const char *) sqlite3_column_text (stmt, 2);
      char **person = g_new0 (char *, 5);

      person[0] = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      person[1] = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      person[2] = g_str_equal (role, "supervisor") ? g_strdup (CLMRS_DEMO_SUPERVISOR_PIN)
                                                  : clmrs_demo_facilitator_pin (i++);
      person[3] = g_strdup (role);
      g_ptr_array_add (people, person);
    }
  return step == CLMRS_STEP_DONE ? g_steal_pointer (&people) : NULL;
}

gboolean
clmrs_device_write_demo_keyring (ClmrsStore          *store,
                                 const char          *db_path,
                                 const ClmrsDataKey  *key,
                                 GError             **error)
{
  g_autoptr(GPtrArray) people = clmrs_device_demo_people (store, error);
  g_autofree ClmrsDevicePerson *entries = NULL;

  if (people == NULL)
    return FALSE;
  entries = g_new0 (ClmrsDevicePerson, people->len + 1);
  for (guint i = 0; i < people->len; i++)
    {
      char **p = g_ptr_array_index (people, i);

      entries[i] = (ClmrsDevicePerson) { p[0], p[1], p[2] };
    }
  if (!clmrs_device_write_keyring (db_path, key, NULL, entries, people->len, error))
    return FALSE;
  {
    g_autofree char *path = clmrs_device_keyring_path (db_path);
    g_autoptr(ClmrsKeyring) keyring = clmrs_keyring_open (path, error);

    return keyring != NULL && clmrs_keyring_set_label (keyring, "demo", "1", error);
  }
}

gboolean
clmrs_device_is_demo (const char *db_path)
{
  g_autofree char *path = clmrs_device_keyring_path (db_path);
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autofree char *demo = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS) || (keyring = clmrs_keyring_open (path, NULL)) == NULL)
    return FALSE;
  demo = clmrs_keyring_get_label (keyring, "demo");
  return g_strcmp0 (demo, "1") == 0;
}
