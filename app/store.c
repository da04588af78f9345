/* store.c: the device's offline store (SQLite): opening (plain or encrypted), the writers' turns, transactions, statements, meta, wipe. */
#define G_LOG_DOMAIN "clmrs-store"

#include "store.h"
#include "store-private.h"

#include "cryptvfs.h"
#include "util.h"

G_DEFINE_QUARK (clmrs-store-error-quark, clmrs_store_error)

struct _ClmrsStore
{
  sqlite3  *db;
  char     *path;
  char     *device_id;
  gboolean  in_transaction;
  char     *actor;       /* the person signed in on this connection, for the audit trail */
  struct _Writers *writers;  /* this process's writers of the same database */
  gboolean  holds_writers;   /* its transaction holds them */
  int       busy_skip;       /* busy calls spent waiting on them, for the timeout */
};

gboolean
_clmrs_store_sqlite_error (GError     **error,
                           sqlite3     *db,
                           const char  *what)
{
  g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
               "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

gboolean
_clmrs_store_exec_db (sqlite3     *db,
                      const char  *sql,
                      GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                   "%s (in: %.80s)", message ? message : sqlite3_errmsg (db), sql);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

int
_clmrs_store_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* The data keys this process holds while someone is signed in, by the
 * database's canonical path: sign-in puts one (clmrs_store_hold_key()),
 * lock and sign-out take it away.  Every connection to an encrypted
 * database opened by path (the app's worker, a sync thread) takes its key
 * from here, so no caller carries the key around. */
static GMutex held_lock;
static GHashTable *held_keys;   /* char *path -> ClmrsDataKey * */

static char *
canonical_path (const char *path)
{
  return g_canonicalize_filename (path, NULL);
}

void
clmrs_store_hold_key (const char         *path,
                      const ClmrsDataKey *key)
{
  g_return_if_fail (path != NULL && key != NULL);

  g_mutex_lock (&held_lock);
  if (held_keys == NULL)
    held_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) clmrs_data_key_free);
  g_hash_table_replace (held_keys, canonical_path (path),
                        clmrs_data_key_new_from_bytes (clmrs_data_key_get_bytes (key)));
  g_mutex_unlock (&held_lock);
}

void
clmrs_store_release_key (const char *path)
{
  g_autofree char *canonical = canonical_path (path);

  g_mutex_lock (&held_lock);
  if (held_keys != NULL)
    g_hash_table_remove (held_keys, canonical);   /* wiped by clmrs_data_key_free */
  g_mutex_unlock (&held_lock);
}

ClmrsDataKey *
clmrs_store_dup_held_key (const char *path)
{
  g_autofree char *canonical = canonical_path (path);
  ClmrsDataKey *copy = NULL;
  const ClmrsDataKey *key;

  g_mutex_lock (&held_lock);
  key = held_keys != NULL ? g_hash_table_lookup (held_keys, canonical) : NULL;
  if (key != NULL)
    copy = clmrs_data_key_new_from_bytes (clmrs_data_key_get_bytes (key));
  g_mutex_unlock (&held_lock);
  return copy;
}

/*
 * Writer arbitration.  In WAL mode SQLite lets any number of connections
 * read while one writes; a second writer gets SQLITE_BUSY and polls until
 * the busy timeout.  The app has two connections to its database, the
 * worker's and the sync's (docs/architecture.md, "Threads"), and a sync
 * applies page after page of records: polling for a fixed time would fail
 * a facilitator's save with "database is locked" whenever one of the
 * sync's transactions outlasted it.  So the connections of one process to
 * one database share a Writers: a transaction of clmrs_store_begin() holds
 * it, another transaction waits for it in turn, and a single statement
 * that finds the database busy while such a transaction runs on another
 * thread waits for its end, however long it lasts, instead of failing.
 * Another process (the command line beside the app) is met with SQLite's
 * busy timeout, as before.
 */
#define BUSY_TIMEOUT_MS 5000

typedef struct _Writers {
  char       *path;       /* canonical */
  guint       connections;
  ClmrsStore *holder;     /* whose transaction holds them, or NULL */
  GThread    *owner;      /* the thread it runs on */
} Writers;

static GMutex writers_lock;
static GCond writers_cond;
static GHashTable *writers_by_path;   /* char *canonical path -> Writers * */

static void
writers_free (Writers *w)
{
  g_free (w->path);
  g_free (w);
}

static Writers *
writers_attach (const char *path)
{
  g_autofree char *canonical = canonical_path (path);
  Writers *w;

  g_mutex_lock (&writers_lock);
  if (writers_by_path == NULL)
    writers_by_path = g_hash_table_new (g_str_hash, g_str_equal);
  w = g_hash_table_lookup (writers_by_path, canonical);
  if (w == NULL)
    {
      w = g_new0 (Writers, 1);
      w->path = g_steal_pointer (&canonical);
      g_hash_table_insert (writers_by_path, w->path, w);
    }
  w->connections++;
  g_mutex_unlock (&writers_lock);
  return w;
}

static void
writers_detach (Writers *w)
{
  g_mutex_lock (&writers_lock);
  if (--w->connections == 0)
    {
      g_hash_table_remove (writers_by_path, w->path);
      writers_free (w);
    }
  g_mutex_unlock (&writers_lock);
}

/* Whether @store must wait for the transaction holding its writers: one
 * of another connection on another thread (a thread that holds them
 * itself and opens a second connection would wait for itself). */
static gboolean
writers_held_elsewhere (ClmrsStore *store)
{
  Writers *w = store->writers;

  return w->holder != NULL && w->holder != store && w->owner != g_thread_self ();
}

/* Before BEGIN IMMEDIATE: waits for this process's other writer. */
static void
writers_acquire (ClmrsStore *store)
{
  Writers *w = store->writers;

  g_mutex_lock (&writers_lock);
  while (writers_held_elsewhere (store))
    g_cond_wait (&writers_cond, &writers_lock);
  if (w->holder == NULL)
    {
      w->holder = store;
      w->owner = g_thread_self ();
      store->holds_writers = TRUE;
    }
  g_mutex_unlock (&writers_lock);
}

/* After COMMIT or ROLLBACK. */
static void
writers_release (ClmrsStore *store)
{
  Writers *w = store->writers;

  if (!store->holds_writers)
    return;
  g_mutex_lock (&writers_lock);
  w->holder = NULL;
  w->owner = NULL;
  store->holds_writers = FALSE;
  g_cond_broadcast (&writers_cond);
  g_mutex_unlock (&writers_lock);
}

/* SQLite's busy handler: waits for a transaction of this process on
 * another connection to end; otherwise SQLite's own busy timeout (its
 * delays, BUSY_TIMEOUT_MS in all). */
static int
busy_cb (void *data,
         int   count)
{
  static const int delays[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
  static const int totals[] = { 0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228 };
  ClmrsStore *store = data;
  gboolean waited = FALSE;
  int n, delay, prior;

  if (count == 0)
    store->busy_skip = 0;
  g_mutex_lock (&writers_lock);
  while (writers_held_elsewhere (store))
    {
      g_cond_wait (&writers_cond, &writers_lock);
      waited = TRUE;
    }
  g_mutex_unlock (&writers_lock);
  if (waited)
    {
      store->busy_skip = count + 1;
      return 1;
    }

  n = count - store->busy_skip;
  if (n < (int) G_N_ELEMENTS (delays))
    {
      delay = delays[n];
      prior = totals[n];
    }
  else
    {
      delay = delays[G_N_ELEMENTS (delays) - 1];
      prior = totals[G_N_ELEMENTS (totals) - 1] + delay * (n - ((int) G_N_ELEMENTS (delays) - 1));
    }
  if (prior + delay > BUSY_TIMEOUT_MS)
    {
      delay = BUSY_TIMEOUT_MS - prior;
      if (delay <= 0)
        return 0;
    }
  sqlite3_sleep (delay);
  return 1;
}

/* A plain connection to @path (created empty if missing). */
static sqlite3 *
open_plain (const char  *path,
            GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                   "cannot open %s: %s", path, db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close_v2 (db);
      return NULL;
    }
  return db;
}

/* The store around a connection: pragmas, migrations, a device id of its
 * own.  Takes @db, closing it on failure. */
static ClmrsStore *
store_set_up (const char  *path,
              sqlite3     *db,
              const char  *extra_pragmas,
              GError     **error)
{
  g_autoptr(ClmrsStore) store = g_new0 (ClmrsStore, 1);
  char *device_id;

  store->path = g_strdup (path);
  store->db = db;
  store->writers = writers_attach (path);
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_handler (store->db, busy_cb, store);

  if (!_clmrs_store_exec_db (store->db,
                "PRAGMA journal_mode = WAL;"
                "PRAGMA synchronous = FULL;"
                "PRAGMA foreign_keys = ON;"
                "PRAGMA temp_store = MEMORY;"
                /* what is deleted or pruned is overwritten, not left in
                   free pages for anyone who copies the file */
                "PRAGMA secure_delete = ON;",
                error) ||
      (extra_pragmas != NULL && !_clmrs_store_exec_db (store->db, extra_pragmas, error)) ||
      !clmrs_store_migrate_db (store->db, CLMRS_STORE_SCHEMA_VERSION, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  if (!clmrs_store_get_meta (store, "device_id", &device_id, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (device_id == NULL)
    {
      g_autofree char *now = clmrs_now_rfc3339 ();

      device_id = clmrs_uuid_new ();
      if (!clmrs_store_set_meta (store, "device_id", device_id, error) ||
          !clmrs_store_set_meta (store, "created", now, error))
        {
          g_free (device_id);
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
    }
  store->device_id = device_id;
  return g_steal_pointer (&store);
}

/**
 * clmrs_store_open:
 * @path: the database file; created plain with the newest schema if missing
 *
 * An encrypted database (clmrs_cryptvfs_is_encrypted()) opens with the
 * key this process holds for it (clmrs_store_hold_key()), or fails with
 * %CLMRS_STORE_ERROR_LOCKED.  A plain one opens plain: tests and the
 * server's own working databases; a device's database is made encrypted
 * (app/device.c).
 *
 * Returns: (transfer full): the store, migrated to the newest schema, with a
 * device id of its own, or %NULL with @error naming the file.
 */
ClmrsStore *
clmrs_store_open (const char  *path,
                  GError     **error)
{
  sqlite3 *db;

  g_return_val_if_fail (path != NULL, NULL);

  if (clmrs_cryptvfs_is_encrypted (path))
    {
      g_autoptr(ClmrsDataKey) key = clmrs_store_dup_held_key (path);

      if (key == NULL)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_LOCKED,
                       "%s is encrypted and nobody is signed in: sign in first", path);
          return NULL;
        }
      return clmrs_store_open_encrypted (path, key, error);
    }
  db = open_plain (path, error);
  if (db == NULL)
    return NULL;
  return store_set_up (path, db, NULL, error);
}

/**
 * clmrs_store_open_encrypted:
 * @path: the database file; created encrypted with the newest schema if missing
 *
 * The store on a connection through the encrypting VFS (app/cryptvfs.c),
 * with a 16 MiB page cache: every page read from the file is decrypted,
 * and SQLite's default 2 MB cache makes the follow-ups-due list cost twice
 * as much (docs/benchmarks.md).  A plain database at @path is refused
 * (%CLMRS_CRYPTVFS_ERROR_NOT_ENCRYPTED: migrate it first), a wrong key too.
 */
ClmrsStore *
clmrs_store_open_encrypted (const char          *path,
                            const ClmrsDataKey  *key,
                            GError             **error)
{
  sqlite3 *db;

  g_return_val_if_fail (path != NULL && key != NULL, NULL);

  db = clmrs_cryptvfs_open (path, clmrs_data_key_get_bytes (key),
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, error);
  if (db == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return store_set_up (path, db, "PRAGMA cache_size = -16384;", error);
}

/* Closes the connection; a transaction left open is rolled back. */
void
clmrs_store_close (ClmrsStore *store)
{
  if (store == NULL)
    return;
  if (store->in_transaction)
    clmrs_store_rollback (store);
  if (store->db != NULL)
    sqlite3_close_v2 (store->db);
  if (store->writers != NULL)
    writers_detach (store->writers);
  g_free (store->path);
  g_free (store->actor);
  g_free (store->device_id);
  g_free (store);
}

int
clmrs_store_get_schema_version (ClmrsStore *store)
{
  return _clmrs_store_user_version (store->db);
}

const char *
clmrs_store_get_device_id (ClmrsStore *store)
{
  return store->device_id;
}

const char *
clmrs_store_get_path (ClmrsStore *store)
{
  return store->path;
}

sqlite3 *
clmrs_store_get_db (ClmrsStore *store)
{
  return store->db;
}

gboolean
clmrs_store_begin (ClmrsStore  *store,
                   GError     **error)
{
  if (store->in_transaction)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                           "a transaction is already open");
      return FALSE;
    }
  writers_acquire (store);
  if (!_clmrs_store_exec_db (store->db, "BEGIN IMMEDIATE", error))
    {
      writers_release (store);
      return FALSE;
    }
  store->in_transaction = TRUE;
  return TRUE;
}

gboolean
clmrs_store_commit (ClmrsStore  *store,
                    GError     **error)
{
  g_return_val_if_fail (store->in_transaction, FALSE);

  if (!_clmrs_store_exec_db (store->db, "COMMIT", error))
    {
      clmrs_store_rollback (store);
      return FALSE;
    }
  store->in_transaction = FALSE;
  writers_release (store);
  return TRUE;
}

void
clmrs_store_rollback (ClmrsStore *store)
{
  if (!store->in_transaction)
    return;
  _clmrs_store_exec_db (store->db, "ROLLBACK", NULL);
  store->in_transaction = FALSE;
  writers_release (store);
}

gboolean
clmrs_store_exec (ClmrsStore  *store,
                  const char  *sql,
                  GError     **error)
{
  return _clmrs_store_exec_db (store->db, sql, error);
}

/* Returns: (transfer full): a prepared statement, or %NULL with @error
 * carrying SQLite's message and the start of the statement. */
sqlite3_stmt *
clmrs_store_prepare (ClmrsStore  *store,
                     const char  *sql,
                     GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                   "%s (in: %.80s)", sqlite3_errmsg (store->db), sql);
      return NULL;
    }
  return stmt;
}

gboolean
clmrs_store_step_done (ClmrsStore    *store,
                       sqlite3_stmt  *stmt,
                       GError       **error)
{
  int rc = sqlite3_step (stmt);
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW;

  if (!ok)
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                 "%s (in: %.80s)", sqlite3_errmsg (store->db), sqlite3_sql (stmt));
  sqlite3_finalize (stmt);
  return ok;
}

gboolean
clmrs_store_wipe (ClmrsStore  *store,
                  GError     **error)
{
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_return_val_if_fail (!store->in_transaction, FALSE);

  stmt = clmrs_store_prepare (store, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name NOT IN ('meta', 'sqlite_sequence')", error);
  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  /* references among the tables do not matter when all of them go */
  if (!clmrs_store_exec (store, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  if (!clmrs_store_begin (store, error))
    goto out;
  for (guint i = 0; i < tables->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM \"%s\"", (char *) g_ptr_array_index (tables, i));

      if (!clmrs_store_exec (store, sql, error))
        {
          clmrs_store_rollback (store);
          goto out;
        }
    }
  stmt = clmrs_store_prepare (store, "DELETE FROM meta WHERE key NOT IN ('device_id', 'created')", error);
  if (stmt == NULL || !clmrs_store_step_done (store, stmt, error) ||
      !clmrs_store_set_meta (store, "wiped", now, error) ||
      !clmrs_store_commit (store, error))
    {
      clmrs_store_rollback (store);
      goto out;
    }
  clmrs_store_set_actor (store, NULL);
  ok = clmrs_store_exec (store, "VACUUM", error) &&
       clmrs_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", error);

out:
  if (!clmrs_store_exec (store, "PRAGMA foreign_keys = ON", ok ? error : NULL))
    ok = FALSE;
  return ok;
}

/* Who acts through this connection (signed in with their PIN), or NULL:
 * the audit trail names them (audit.c). */
void
clmrs_store_set_actor (ClmrsStore *store,
                       const char *person_id)
{
  g_free (store->actor);
  store->actor = g_strdup (person_id);
}

const char *
clmrs_store_get_actor (ClmrsStore *store)
{
  return store->actor;
}

/* Whether a transaction of clmrs_store_begin() is open. */
gboolean
clmrs_store_in_transaction (ClmrsStore *store)
{
  return store->in_transaction;
}

ClmrsStep
clmrs_store_step (ClmrsStore    *store,
                  sqlite3_stmt  *stmt,
                  GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return CLMRS_STEP_ROW;
  if (rc == SQLITE_DONE)
    return CLMRS_STEP_DONE;
  g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
               "%s (in: %.80s)", sqlite3_errmsg (store->db), sqlite3_sql (stmt));
  return CLMRS_STEP_ERROR;
}

char *
clmrs_store_column_dup (sqlite3_stmt *stmt,
                        int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/**
 * clmrs_store_get_meta:
 * @value: (out) (transfer full) (nullable): the value stored under @key,
 *   NULL when there is none
 *
 * Returns: TRUE, or FALSE with @error when the value cannot be read (a
 * failing read is never taken for an absent value: a token, a cursor or
 * the device id read as missing would be made again).
 */
gboolean
clmrs_store_get_meta (ClmrsStore  *store,
                      const char  *key,
                      char       **value,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL && key != NULL && value != NULL, FALSE);

  *value = NULL;
  stmt = clmrs_store_prepare (store, "SELECT value FROM meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (!_clmrs_store_step_text (store, stmt, value, error))
    {
      g_prefix_error (error, "reading %s: ", key);
      return FALSE;
    }
  return TRUE;
}

gboolean
_clmrs_store_step_text (ClmrsStore    *store,
                        sqlite3_stmt  *stmt,
                        char         **value,
                        GError       **error)
{
  ClmrsStep step = clmrs_store_step (store, stmt, error);

  *value = step == CLMRS_STEP_ROW ? clmrs_store_column_dup (stmt, 0) : NULL;
  return step != CLMRS_STEP_ERROR;
}

gboolean
clmrs_store_set_meta (ClmrsStore  *store,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "INSERT INTO meta (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

gboolean
clmrs_store_exec_older_than (ClmrsStore  *store,
                             const char  *sql,
                             guint        days,
                             gint64      *changed,
                             GError     **error)
{
  g_autoptr(GDateTime) now = clmrs_now ();
  g_autoptr(GDateTime) cutoff = g_date_time_add_days (now, -(gint) days);
  g_autofree char *cutoff_text = clmrs_time_to_rfc3339 (cutoff);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  *changed = 0;
  stmt = clmrs_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cutoff_text, -1, SQLITE_TRANSIENT);
  if (clmrs_store_step (store, stmt, error) == CLMRS_STEP_ERROR)
    return FALSE;
  *changed = sqlite3_changes (store->db);
  return TRUE;
}
