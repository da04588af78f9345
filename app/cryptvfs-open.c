/* cryptvfs-open.c: opening, creating and migrating databases encrypted by the clmrs-crypt VFS. */
#define G_LOG_DOMAIN "clmrs-cryptvfs"

#include "cryptvfs-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (clmrs-cryptvfs-error-quark, clmrs_cryptvfs_error)

static gboolean
sqlite_failed (sqlite3     *db,
               int          rc,
               const char  *what,
               const char  *path,
               GError     **error)
{
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return FALSE;
  g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s: %s: %s", path, what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return TRUE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *path,
          GError     **error)
{
  return !sqlite_failed (db, sqlite3_exec (db, sql, NULL, NULL, NULL), sql, path, error);
}

/* The first column of @sql's first row, or NULL. */
static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

gboolean
_clmrs_cryptvfs_fsync_path (const char  *path,
            gboolean     directory,
            GError     **error)
{
  int fd = g_open (path, directory ? O_RDONLY | O_DIRECTORY : O_RDWR, 0);
  int saved;

  if (fd < 0 || fsync (fd) != 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s: cannot sync: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
_clmrs_cryptvfs_rename_durably (const char  *from,
                const char  *to,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (to);

  if (g_rename (from, to) != 0)
    {
      int saved = errno;

      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "cannot rename %s to %s: %s",
                   from, to, g_strerror (saved));
      return FALSE;
    }
  return _clmrs_cryptvfs_fsync_path (dir, TRUE, error);
}

void
_clmrs_cryptvfs_unlink_database (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_unlink (name);
    }
}

static sqlite3 *
open_with_key (const char    *path,
               const guint8  *key,
               int            flags,
               GError       **error)
{
  g_autofree char *slot = clmrs_cryptvfs_key_slot_add (key);
  g_autofree char *uri = clmrs_cryptvfs_uri (path, slot);
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (uri, &db, flags | SQLITE_OPEN_URI, CLMRS_CRYPTVFS_NAME);
  clmrs_cryptvfs_key_slot_remove (slot);   /* the file has its own copy now */
  if (rc == SQLITE_NOTADB)
    g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY,
                 "%s: wrong key, or not an encrypted CLMRS database", path);
  else if (rc != SQLITE_OK)
    sqlite_failed (db, rc, "cannot open", path, error);
  if (rc != SQLITE_OK)
    {
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* Switches a database no one else has open to WAL without a rollback
 * journal (the VFS refuses one): through journal_mode=OFF. */
static gboolean
ensure_wal (sqlite3     *db,
            const char  *path,
            GError     **error)
{
  g_autofree char *mode = query_text (db, "PRAGMA journal_mode");
  g_autofree char *now = NULL;

  if (g_strcmp0 (mode, "wal") == 0)
    return TRUE;
  if (!exec_sql (db, "PRAGMA journal_mode = OFF", path, error))
    return FALSE;
  now = query_text (db, "PRAGMA journal_mode = WAL");
  if (g_strcmp0 (now, "wal") != 0)
    {
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s: cannot switch to WAL: %s",
                   path, sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

/* A new, empty encrypted database at @path: made aside, then renamed. */
static gboolean
create_database (const char    *path,
                 const guint8  *key,
                 GError       **error)
{
  g_autofree char *tmp = g_strconcat (path, ".crypt-new", NULL);
  sqlite3 *db;
  int reserve = CLMRS_CRYPTVFS_RESERVE;
  gboolean ok;

  _clmrs_cryptvfs_unlink_database (tmp);
  db = open_with_key (tmp, key, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
  if (db == NULL)
    return FALSE;
  /* before the first write: SQLite keeps 40 bytes a page for the seal */
  sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
  ok = ensure_wal (db, tmp, error);
  if (sqlite3_close (db) != SQLITE_OK && ok)
    ok = !sqlite_failed (NULL, SQLITE_BUSY, "closing", tmp, error);
  /* readable by the app's user only (defence in depth: it is encrypted) */
  g_chmod (tmp, 0600);
  ok = ok && _clmrs_cryptvfs_fsync_path (tmp, FALSE, error) && _clmrs_cryptvfs_rename_durably (tmp, path, error);
  if (!ok)
    _clmrs_cryptvfs_unlink_database (tmp);
  return ok;
}

gboolean
clmrs_cryptvfs_is_encrypted (const char *path)
{
  guint8 header[24];
  gssize n = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = g_open (path, O_RDONLY, 0);
  if (fd < 0)
    return FALSE;
  n = read (fd, header, sizeof header);
  close (fd);
  return n == sizeof header && _clmrs_cryptvfs_header_is_encrypted (header);
}

static gboolean
is_plain_sqlite (const char *path)
{
  guint8 header[16] = { 0 };
  int fd = g_open (path, O_RDONLY, 0);
  gboolean plain;

  if (fd < 0)
    return FALSE;
  plain = read (fd, header, sizeof header) == sizeof header && _clmrs_cryptvfs_header_is_plain (header);
  close (fd);
  return plain;
}

/**
 * clmrs_cryptvfs_open:
 *
 * Returns: (transfer full): the connection (close with sqlite3_close_v2),
 * or %NULL with @error; CLMRS_CRYPTVFS_ERROR_WRONG_KEY when the key does
 * not open page 1, CLMRS_CRYPTVFS_ERROR_NOT_ENCRYPTED for a plain database.
 */
sqlite3 *
clmrs_cryptvfs_open (const char    *path,
                     const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES],
                     int            flags,
                     GError       **error)
{
  GStatBuf st;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!clmrs_cryptvfs_register (error))
    return NULL;
  if ((flags & SQLITE_OPEN_CREATE) && (g_stat (path, &st) != 0 || st.st_size == 0) &&
      !create_database (path, key, error))
    return NULL;
  if (is_plain_sqlite (path))
    {
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_NOT_ENCRYPTED,
                   "%s is a plain database: encrypt it first", path);
      return NULL;
    }

  db = open_with_key (path, key, flags & ~SQLITE_OPEN_CREATE, error);
  if (db == NULL)
    return NULL;
  rc = sqlite3_prepare_v2 (db, "SELECT count (*) FROM sqlite_schema", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_NOTADB)
        g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY,
                     "%s: wrong key, or not an encrypted CLMRS database", path);
      else
        sqlite_failed (db, rc, "cannot read", path, error);
      sqlite3_close_v2 (db);
      return NULL;
    }
  if (!exec_sql (db, "PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 0", path, error) ||
      ((flags & SQLITE_OPEN_READWRITE) && !ensure_wal (db, path, error)))
    {
      sqlite3_close_v2 (db);
      return NULL;
    }
  return db;
}

/* Every table of the source has as many rows in the copy, and the same schema. */
static gboolean
verify_copy (sqlite3     *plain,
             const char  *encrypted_path,
             GError     **error)
{
  sqlite3_stmt *tables = NULL;
  GString *mismatch = g_string_new (NULL);
  int rc;

  rc = sqlite3_prepare_v2 (plain,
      "SELECT m.name, (SELECT count (*) FROM enc.sqlite_schema e"
      "                WHERE e.type = m.type AND e.name = m.name AND e.sql IS m.sql), m.type = 'table' "
      "FROM main.sqlite_schema m WHERE m.name NOT LIKE 'sqlite_%'"
      " UNION ALL SELECT 'schema objects', (SELECT count (*) FROM main.sqlite_schema)"
      " = (SELECT count (*) FROM enc.sqlite_schema), 0", -1, &tables, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (tables)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *quoted = g_strdelimit (g_strdup (name), "\"", '_');
      g_autofree char *sql = NULL;
      g_autofree char *same = NULL;

      if (sqlite3_column_int (tables, 1) != 1)
        {
          g_string_append_printf (mismatch, " %s (schema)", name);
          continue;
        }
      if (sqlite3_column_int (tables, 2) == 0)
        continue;   /* an index, view or trigger: its definition is the same */
      if (strcmp (quoted, name) != 0)
        {
          g_string_append_printf (mismatch, " %s (cannot compare)", name);
          continue;
        }
      sql = g_strdup_printf ("SELECT (SELECT count (*) FROM main.\"%s\") = (SELECT count (*) FROM enc.\"%s\")",
                             name, name);
      same = query_text (plain, sql);
      if (g_strcmp0 (same, "1") != 0)
        g_string_append_printf (mismatch, " %s (rows)", name);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (tables);
  if (rc != SQLITE_DONE)
    {
      g_string_free (mismatch, TRUE);
      return !sqlite_failed (plain, rc, "comparing the copy", encrypted_path, error);
    }
  {
    g_autofree char *a = query_text (plain, "PRAGMA main.user_version");
    g_autofree char *b = query_text (plain, "PRAGMA enc.user_version");

    if (g_strcmp0 (a, b) != 0)
      g_string_append (mismatch, " user_version");
  }
  if (mismatch->len > 0)
    {
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_MISMATCH,
                   "%s: the encrypted copy differs from its source:%s", encrypted_path, mismatch->str);
      g_string_free (mismatch, TRUE);
      return FALSE;
    }
  g_string_free (mismatch, TRUE);
  return TRUE;
}

/* VACUUM INTO @tmp through the VFS under @key, from @source (open, its
 * WAL checkpointed), then the copy switched to WAL, checked whole and
 * compared with @source.  @tmp is left for the caller to sync and rename. */
static gboolean
vacuum_verified (sqlite3       *source,
                 const char    *tmp,
                 const char    *dest_path,
                 const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES],
                 GError       **error)
{
  g_autofree char *slot = clmrs_cryptvfs_key_slot_add (key);
  g_autofree char *uri = clmrs_cryptvfs_uri (tmp, slot);
  sqlite3 *copy = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (source, "VACUUM INTO ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (source, rc, "VACUUM INTO the encrypted copy", tmp, error))
    goto out;

  copy = open_with_key (tmp, key, SQLITE_OPEN_READWRITE, error);
  if (copy == NULL || !ensure_wal (copy, tmp, error))
    goto out;
  {
    g_autofree char *check = query_text (copy, "PRAGMA integrity_check");

    if (g_strcmp0 (check, "ok") != 0)
      {
        g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_MISMATCH,
                     "%s: the encrypted copy fails its integrity check: %s", tmp, check ? check : sqlite3_errmsg (copy));
        goto out;
      }
  }
  g_clear_pointer (&copy, sqlite3_close);

  /* compare, through the same connection: the copy attached by key slot */
  rc = sqlite3_prepare_v2 (source, "ATTACH ?1 AS enc", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (source, rc, "attaching the encrypted copy", tmp, error))
    goto out;
  ok = verify_copy (source, dest_path, error);
  exec_sql (source, "DETACH enc", tmp, NULL);

out:
  clmrs_cryptvfs_key_slot_remove (slot);
  g_clear_pointer (&copy, sqlite3_close_v2);
  return ok;
}

/**
 * clmrs_cryptvfs_rekey_copy:
 *
 * The encrypted database at @path (under @old_key; nobody may write to it
 * meanwhile) copied page by page under @new_key to @new_path, through
 * VACUUM INTO, checked against its source, synced and renamed into place
 * (@new_path.crypt-new until then).  The original is not touched.
 */
gboolean
clmrs_cryptvfs_rekey_copy (const char    *path,
                           const guint8   old_key[CLMRS_CRYPTVFS_KEY_BYTES],
                           const char    *new_path,
                           const guint8   new_key[CLMRS_CRYPTVFS_KEY_BYTES],
                           GError       **error)
{
  g_autofree char *tmp = g_strconcat (new_path, ".crypt-new", NULL);
  sqlite3 *source;
  gboolean ok;

  g_return_val_if_fail (path != NULL && old_key != NULL && new_path != NULL && new_key != NULL, FALSE);

  _clmrs_cryptvfs_unlink_database (tmp);
  source = clmrs_cryptvfs_open (path, old_key, SQLITE_OPEN_READWRITE, error);
  if (source == NULL)
    return FALSE;
  sqlite3_busy_timeout (source, 5000);
  ok = exec_sql (source, "PRAGMA wal_checkpoint(TRUNCATE)", path, error) &&
       vacuum_verified (source, tmp, new_path, new_key, error);
  ok = sqlite3_close (source) == SQLITE_OK && ok;
  g_chmod (tmp, 0600);
  ok = ok && _clmrs_cryptvfs_fsync_path (tmp, FALSE, error) && _clmrs_cryptvfs_rename_durably (tmp, new_path, error);
  if (!ok)
    _clmrs_cryptvfs_unlink_database (tmp);
  if (!ok && error != NULL && *error == NULL)
    g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s: cannot copy under the new key", path);
  return ok;
}

/**
 * clmrs_cryptvfs_encrypt_copy:
 *
 * VACUUM INTO a new file through the VFS (the source's requested reserve
 * set to 40 bytes first, which VACUUM INTO gives the copy), switch the copy
 * to WAL, check it against the source, sync it and rename it into place.
 */
gboolean
clmrs_cryptvfs_encrypt_copy (const char    *plain_path,
                             const char    *encrypted_path,
                             const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES],
                             GError       **error)
{
  g_autofree char *tmp = g_strconcat (encrypted_path, ".crypt-new", NULL);
  sqlite3 *plain = NULL;
  int reserve = CLMRS_CRYPTVFS_RESERVE;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (plain_path != NULL && encrypted_path != NULL && key != NULL, FALSE);

  if (!clmrs_cryptvfs_register (error))
    return FALSE;
  if (!is_plain_sqlite (plain_path))
    {
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s is not a plain SQLite database", plain_path);
      return FALSE;
    }
  if (g_file_test (encrypted_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s already exists", encrypted_path);
      return FALSE;
    }
  _clmrs_cryptvfs_unlink_database (tmp);

  rc = sqlite3_open_v2 (plain_path, &plain, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);
  if (sqlite_failed (plain, rc, "cannot open", plain_path, error))
    goto out;
  sqlite3_extended_result_codes (plain, 1);
  sqlite3_busy_timeout (plain, 5000);
  /* sorts for the copy's indexes stay in memory: no plaintext spills to /tmp */
  if (!exec_sql (plain, "PRAGMA temp_store = MEMORY; PRAGMA wal_checkpoint(TRUNCATE)", plain_path, error))
    goto out;
  sqlite3_file_control (plain, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);

  ok = vacuum_verified (plain, tmp, encrypted_path, key, error);
  ok = ok && sqlite3_close (plain) == SQLITE_OK;
  plain = NULL;
  g_chmod (tmp, 0600);
  ok = ok && _clmrs_cryptvfs_fsync_path (tmp, FALSE, error) && _clmrs_cryptvfs_rename_durably (tmp, encrypted_path, error);

out:
  g_clear_pointer (&plain, sqlite3_close_v2);
  if (!ok)
    _clmrs_cryptvfs_unlink_database (tmp);
  if (!ok && error != NULL && *error == NULL)
    g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "%s: cannot encrypt", plain_path);
  return ok;
}

/* Overwrites @path with zeros, syncs it and unlinks it.  On flash storage
 * the old blocks may survive in the controller: full-disk encryption is
 * the answer to that, not this. */
static void
scrub_file (const char *path)
{
  int fd = g_open (path, O_WRONLY, 0);
  GStatBuf st;

  if (fd >= 0 && g_stat (path, &st) == 0)
    {
      static const guint8 zeros[65536];
      goffset left = st.st_size;

      while (left > 0)
        {
          gssize n = write (fd, zeros, MIN ((goffset) sizeof zeros, left));

          if (n <= 0)
            break;
          left -= n;
        }
      fsync (fd);
    }
  if (fd >= 0)
    close (fd);
  g_unlink (path);
}

gboolean
clmrs_cryptvfs_encrypt_in_place (const char    *path,
                                 const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES],
                                 GError       **error)
{
  g_autofree char *encrypted = g_strconcat (path, ".crypt", NULL);
  g_autofree char *old = g_strconcat (path, ".plain-old", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;

  g_return_val_if_fail (path != NULL && key != NULL, FALSE);

  if (clmrs_cryptvfs_is_encrypted (path))
    {
      /* done before; a crash may have left the old plain file behind */
      if (g_file_test (old, G_FILE_TEST_EXISTS))
        scrub_file (old);
      return TRUE;
    }
  /* leftovers of an attempt that did not reach the rename: @old is only
   * a second name of @path then, never scrub it */
  g_unlink (old);
  _clmrs_cryptvfs_unlink_database (encrypted);

  if (!clmrs_cryptvfs_encrypt_copy (path, encrypted, key, error))
    return FALSE;
  if (g_stat (wal, &st) == 0 && st.st_size > 0)
    {
      _clmrs_cryptvfs_unlink_database (encrypted);
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED,
                   "%s is still in use (its WAL is not empty): close it first", path);
      return FALSE;
    }
  if (link (path, old) != 0)
    {
      int saved = errno;

      _clmrs_cryptvfs_unlink_database (encrypted);
      g_set_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED, "cannot link %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!_clmrs_cryptvfs_rename_durably (encrypted, path, error))
    {
      g_unlink (old);
      _clmrs_cryptvfs_unlink_database (encrypted);
      return FALSE;
    }
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_unlink (shm);
  scrub_file (old);
  return TRUE;
}
