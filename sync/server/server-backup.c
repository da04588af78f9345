/* server-backup.c: a consistent copy of the server database while it serves (SQLite's online backup). */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"

#include <errno.h>
#include <glib/gstdio.h>

/* Pages copied between two looks at the source, so pushes go on meanwhile. */
#define BACKUP_PAGES 4096

/**
 * server_db_backup:
 * @to: the copy to make; refused when it exists
 * @pages: (out) (optional): the pages copied
 *
 * Copies @db, as it is at one instant, to @to with SQLite's online backup
 * API, a few thousand pages at a time; a write to @db meanwhile makes the
 * copy start again from its first page, as SQLite does.  The copy is
 * written beside @to and takes its name only when whole.  The derived
 * store is not copied: it is made again from the records.
 */
gboolean
server_db_backup (ServerDb    *db,
                  const char  *to,
                  gint        *pages,
                  GError     **error)
{
  g_autofree char *part = g_strconcat (to, ".part", NULL);
  sqlite3 *copy = NULL;
  sqlite3_backup *backup;
  gboolean ok = FALSE;
  int rc;

  if (server_store_is_postgres (db))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "%s is a PostgreSQL database: back it up with pg_dump or a base backup "
                   "(docs/operations.md)", server_store_name (db));
      return FALSE;
    }
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST, "--to %s: the file exists; give a new name", to);
      return FALSE;
    }
  g_unlink (part);
  if (sqlite3_open_v2 (part, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", part,
                   copy != NULL ? sqlite3_errmsg (copy) : "out of memory");
      goto out;
    }
  backup = sqlite3_backup_init (copy, "main", server_store_sqlite (db), "main");
  if (backup == NULL)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "backup: %s", sqlite3_errmsg (copy));
      goto out;
    }
  do
    {
      rc = sqlite3_backup_step (backup, BACKUP_PAGES);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        g_usleep (50 * 1000);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  if (pages != NULL)
    *pages = sqlite3_backup_pagecount (backup);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, SERVER_ERROR, rc == SQLITE_FULL ? SERVER_ERROR_STORAGE : SERVER_ERROR_INTERNAL,
                   "backup: %s", sqlite3_errstr (rc));
      goto out;
    }
  /* the copy is whole on disk before it takes its name */
  if (sqlite3_exec (copy, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "backup: %s", sqlite3_errmsg (copy));
      goto out;
    }
  ok = TRUE;

out:
  if (copy != NULL && sqlite3_close (copy) != SQLITE_OK)
    ok = FALSE;
  if (ok && g_rename (part, to) != 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", to, g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (part);
  return ok;
}
