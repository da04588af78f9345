/* device-rekey.c: a new data key for the device: the database copied under it, the keyring resealed, switched so that no crash loses either. */
#define G_LOG_DOMAIN "clmrs-device"

#include "device.h"

#include "cryptvfs-private.h"

#include <glib/gstdio.h>
#include <unistd.h>

/*
 * The order, and what a crash at each point leaves:
 *
 *   1. PATH.rekey-new: the database copied page by page under the new key
 *      (VACUUM INTO through the VFS, checked table by table, synced);
 *   2. PATH.keyring.rekey-new: a copy of the keyring, resealed to the new
 *      key (clmrs_keyring_rekey()), synced;
 *   3. the keyring copy renamed over the keyring: the commit point;
 *   4. the database copy renamed over the database.
 *
 * Before 3 the old keyring opens the old database, untouched; the next
 * sign-in removes the copies.  After 3 the keyring gives the new key, and
 * the next sign-in finishes 4 (clmrs_device_finish_rekey()).
 */

#define REKEY_SUFFIX    ".rekey-new"
/* Tests only: "copied" or "committed" ends the process (_exit (9)) there. */
#define REKEY_CRASH_ENV "CLMRS_TEST_REKEY_CRASH"

static void
crash_point (const char *name)
{
  if (g_strcmp0 (g_getenv (REKEY_CRASH_ENV), name) == 0)
    _exit (9);
}

/* A synced copy of the keyring at @to, readable by its owner only. */
static gboolean
copy_keyring (const char  *from,
              const char  *to,
              GError     **error)
{
  g_autofree char *bytes = NULL;
  gsize length;

  if (!g_file_get_contents (from, &bytes, &length, error) ||
      !g_file_set_contents_full (to, bytes, length, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;
  return TRUE;
}

/* Step 4: the new database in place of the old one (its WAL, empty since
 * the copy's checkpoint, goes first: it belongs to the old file). */
static gboolean
switch_database (const char  *db_path,
                 const char  *new_db,
                 GError     **error)
{
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

  g_unlink (wal);
  g_unlink (shm);
  return _clmrs_cryptvfs_rename_durably (new_db, db_path, error);
}

gboolean
clmrs_device_finish_rekey (const char          *db_path,
                           const ClmrsDataKey  *key,
                           GError             **error)
{
  g_autofree char *new_db = g_strconcat (db_path, REKEY_SUFFIX, NULL);
  g_autofree char *keyring_path = clmrs_device_keyring_path (db_path);
  g_autofree char *new_keyring = g_strconcat (keyring_path, REKEY_SUFFIX, NULL);
  g_autofree char *new_journal = g_strconcat (new_keyring, "-journal", NULL);
  g_autoptr(GError) local = NULL;
  sqlite3 *db;

  g_return_val_if_fail (db_path != NULL && key != NULL, FALSE);

  /* a keyring copy still there was never committed */
  g_unlink (new_keyring);
  g_unlink (new_journal);
  if (!g_file_test (new_db, G_FILE_TEST_EXISTS))
    return TRUE;
  db = clmrs_cryptvfs_open (new_db, clmrs_data_key_get_bytes (key), SQLITE_OPEN_READWRITE, &local);
  if (db == NULL && g_error_matches (local, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY))
    {
      /* the keyring holds the old key: the rekey never reached its commit */
      _clmrs_cryptvfs_unlink_database (new_db);
      g_message ("%s: an interrupted change of key was undone", db_path);
      return TRUE;
    }
  if (db == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "finishing a change of key: ");
      return FALSE;
    }
  sqlite3_close (db);
  if (!switch_database (db_path, new_db, error))
    return FALSE;
  g_message ("%s: an interrupted change of key was finished", db_path);
  return TRUE;
}

gboolean
clmrs_device_rekey (const char          *db_path,
                    const ClmrsDataKey  *old_key,
                    ClmrsDataKey       **out_key,
                    guint               *n_erased,
                    GError             **error)
{
  g_autoptr(ClmrsDataKey) new_key = clmrs_data_key_new_random ();
  g_autofree char *new_db = g_strconcat (db_path, REKEY_SUFFIX, NULL);
  g_autofree char *keyring_path = clmrs_device_keyring_path (db_path);
  g_autofree char *new_keyring = g_strconcat (keyring_path, REKEY_SUFFIX, NULL);

  g_return_val_if_fail (db_path != NULL && old_key != NULL, FALSE);

  if (!clmrs_device_has_keyring (db_path))
    {
      g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NO_KEYRING,
                   "%s has no keyring: only an encrypted device has a key to change", db_path);
      return FALSE;
    }
  /* what an earlier attempt left, under the old key */
  if (!clmrs_device_finish_rekey (db_path, old_key, error))
    return FALSE;

  if (!clmrs_cryptvfs_rekey_copy (db_path, clmrs_data_key_get_bytes (old_key), new_db,
                                  clmrs_data_key_get_bytes (new_key), error) ||
      !copy_keyring (keyring_path, new_keyring, error))
    goto fail;
  {
    g_autoptr(ClmrsKeyring) keyring = clmrs_keyring_open (new_keyring, error);

    if (keyring == NULL || !clmrs_keyring_rekey (keyring, old_key, new_key, n_erased, error))
      goto fail;
  }
  if (!_clmrs_cryptvfs_fsync_path (new_keyring, FALSE, error))
    goto fail;
  crash_point ("copied");
  if (!_clmrs_cryptvfs_rename_durably (new_keyring, keyring_path, error))
    goto fail;
  crash_point ("committed");
  /* committed: a failure from here is finished at the next sign-in */
  if (!switch_database (db_path, new_db, error))
    return FALSE;
  clmrs_store_hold_key (db_path, new_key);
  if (out_key != NULL)
    *out_key = g_steal_pointer (&new_key);
  return TRUE;

fail:
  _clmrs_cryptvfs_unlink_database (new_db);
  g_unlink (new_keyring);
  return FALSE;
}
