/* server-derived.c: cases and indicators kept up to date beside the records, by the devices' own code.
 *
 * The server keeps a second SQLite file beside its database, `<db>.derived`:
 * a device store (app/store.c's schema) into which every stored record is
 * applied with clmrs_pull_apply(), exactly as a device applies a pull, so
 * its cases and indicators come from app/cases.c and app/indicators.c and
 * never from a second copy of the rules.  `indicators` then reads that
 * store (clmrs_casebook_indicators()) instead of replaying all history.
 *
 * Crash safety across the two files.  The derived store's pull cursor
 * (meta `pull_cursor`, written by clmrs_pull_apply() in the transaction of
 * the records it covers) is a mark "SEQ:GENERATION:SHA256": the last
 * server seq applied, the administrators' generation it was applied under
 * (see below) and the sha256 the server holds for that seq.  A push
 * commits its records first, then brings the derived store up to its
 * newest seq; a crash between the two commits leaves the mark behind,
 * and the next update (the next push, `serve` starting, `indicators`,
 * `stats`, `rebuild`) applies what is missing, once.
 *
 * Rebuilds.  Quarantine, release and deletion change what was applied
 * long ago; the core has no "un-apply", so they make the store be rebuilt
 * from the records: the generation is the newest admin_log entry of those
 * actions, written in their own transaction, and a mark of another
 * generation means rebuild.  So does a mark past the newest seq, or one
 * whose sha256 is not the server's at that seq: the server database was
 * restored from a backup older than the derived store.
 *
 * One updater at a time: an exclusive flock() on `<db>.derived.lock`
 * (across processes and connections).  A push does not wait for it: when
 * another connection is updating, that one (or the next) applies the
 * push's records.  A reader holds the lock shared while it reads.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"

#include "casebook.h"
#include "syncstore.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Records applied in one transaction of the derived store. */
#define DERIVED_PAGE 1000

typedef struct {
  gint64  seq;
  gint64  generation;
  char   *sha256;
} Mark;

static void
mark_clear (Mark *mark)
{
  g_clear_pointer (&mark->sha256, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Mark, mark_clear)

static gboolean
mark_parse (const char *text,
            Mark       *mark)
{
  g_auto(GStrv) parts = text != NULL ? g_strsplit (text, ":", 3) : NULL;
  guint64 seq, generation;

  if (parts == NULL || g_strv_length (parts) != 3
      || !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXINT64, &seq, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXINT64, &generation, NULL))
    return FALSE;
  mark->seq = (gint64) seq;
  mark->generation = (gint64) generation;
  mark->sha256 = g_strdup (parts[2]);
  return TRUE;
}

/**
 * server_derived_path:
 *
 * The derived store is a device store, so SQLite whatever the server's
 * store: beside a SQLite database (`<db>.derived`); for a PostgreSQL
 * database, a local cache of this host, `derived-<hash of the URI>.db` in
 * $CLMRS_SERVER_DERIVED_DIR (else the user's cache folder,
 * `~/.cache/clmrs-server/`).  Each host keeps its own and brings it up to
 * the newest seq by itself; its mark (seq and sha256) makes it be rebuilt
 * when it does not match the database.
 *
 * Returns: (transfer full): the derived store's path, or %NULL and an
 *   error for a SQLite database that has no file.
 */
char *
server_derived_path (ServerDb  *db,
                     GError   **error)
{
  const char *main_path;

  if (server_store_test_path (db) != NULL)
    return g_strconcat (server_store_test_path (db), ".derived", NULL);
  if (server_store_is_postgres (db))
    {
      const char *dir = g_getenv ("CLMRS_SERVER_DERIVED_DIR");
      g_autofree char *folder = dir != NULL && *dir != '\0' ? g_strdup (dir)
                                : g_build_filename (g_get_user_cache_dir (), "clmrs-server", NULL);
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, server_store_name (db), -1);
      g_autofree char *name = NULL;

      if (g_mkdir_with_parents (folder, 0700) != 0)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "the derived store's folder %s: %s", folder,
                       g_strerror (errno));
          return NULL;
        }
      hash[16] = '\0';
      name = g_strdup_printf ("derived-%s.db", hash);
      return g_build_filename (folder, name, NULL);
    }
  main_path = sqlite3_db_filename (server_store_sqlite (db), "main");
  if (main_path == NULL || *main_path == '\0')
    {
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_INTERNAL,
                           "the server database has no file: no derived store beside it");
      return NULL;
    }
  return g_strconcat (main_path, ".derived", NULL);
}

/* Takes the updaters' lock of @path (LOCK_EX or LOCK_SH); with @wait
 * FALSE returns -1 and no error when someone else holds it. */
static int
derived_lock (const char  *path,
              int          operation,
              gboolean     wait,
              GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", lock_path, g_strerror (errno));
      return -1;
    }
  while (flock (fd, operation | (wait ? 0 : LOCK_NB)) != 0)
    {
      if (errno == EINTR)
        continue;
      if (errno != EWOULDBLOCK)
        g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", lock_path, g_strerror (errno));
      close (fd);
      return -1;
    }
  return fd;
}

static void
derived_unlock (int fd)
{
  if (fd >= 0)
    close (fd);   /* releases the flock */
}

/* The administrators' generation: the newest log entry of an action that
 * changes records already applied.  Written in that action's transaction. */
static gboolean
admin_generation (ServerDb    *db,
                  gint64      *generation,
                  GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, "SELECT coalesce (max (entry), 0) FROM admin_log "
                                                 "WHERE action IN ('quarantine', 'release', 'delete')", error);

  if (stmt == NULL)
    return FALSE;
  if (db_step (stmt) != DB_ROW)
    return db_fail (db, "reading the administrators' log", error);
  *generation = db_column_int64 (stmt, 0);
  return TRUE;
}

/* Whether the server still holds what @mark says was applied last. */
static gboolean
mark_matches (ServerDb    *db,
              const Mark  *mark,
              gboolean    *matches,
              GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  *matches = FALSE;
  if (mark->seq == 0)
    {
      *matches = TRUE;
      return TRUE;
    }
  stmt = db_prepare (db, "SELECT sha256 FROM records WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_int64 (stmt, 1, mark->seq);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    *matches = g_strcmp0 ((const char *) db_column_text (stmt, 0), mark->sha256) == 0;
  else if (rc != DB_DONE)
    return db_fail (db, "reading the records", error);
  return TRUE;
}

/* The people the server knows, as GET /api/v1/people gives them to a
 * device of every community (without one-time PIN hashes), and their
 * sha256 (what a cached answer was computed with). */
static JsonNode *
people_json (ServerDb    *db,
             char       **sha256,
             GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT person_id, name, sex, role, disabled IS NOT NULL FROM people ORDER BY person_id",
                     error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  /* as devices receive them, never with a one-time PIN */
  while ((rc = db_step (stmt)) == DB_ROW)
    server_people_add_json (b, stmt, -1, 4);
  if (rc != DB_DONE)
    {
      db_fail (db, "reading the people", error);
      return NULL;
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  text = clmrs_json_to_string (root);
  *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  return g_steal_pointer (&root);
}

/* Applies the people to @store with the devices' clmrs_store_apply_people():
 * the indicators' facilitator sex comes from them, as on a device. */
static gboolean
apply_people (ServerDb    *db,
              ClmrsStore  *store,
              char       **sha256,
              GError     **error)
{
  g_autofree char *sha = NULL;
  g_autoptr(JsonNode) people = people_json (db, &sha, error);

  if (people == NULL || !clmrs_store_apply_people (store, json_node_get_array (people), NULL, error))
    return FALSE;
  if (sha256 != NULL)
    *sha256 = g_steal_pointer (&sha);
  return TRUE;
}

/**
 * server_replay_records:
 * @after: apply the records of seq greater than this
 * @generation: written in the marks; -1 to write the plain seq
 * @progress: (nullable): told the records applied so far, after each page
 * @cancellable: (nullable): checked between pages
 *
 * Applies the server's records (not publications, not quarantined ones)
 * after @after, in server order, to @store with the core's
 * clmrs_pull_apply(), a page a transaction, each page's mark its cursor.
 */
gboolean
server_replay_records (ServerDb          *db,
                       ClmrsStore        *store,
                       gint64             after,
                       gint64             generation,
                       ServerProgressFunc progress,
                       gpointer           progress_data,
                       GCancellable      *cancellable,
                       guint64           *applied,
                       GError           **error)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gint64 last = after;

  *applied = 0;
  for (;;)
    {
      g_autoptr(ServerStmt) stmt = NULL;
      g_autofree char *last_sha = NULL;
      g_autofree char *mark = NULL;
      guint rows = 0;
      int rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      stmt = db_prepare (db, "SELECT seq, kind = 'record' AND quarantined IS NULL, sha256, "
                             "CASE WHEN kind = 'record' AND quarantined IS NULL THEN line END FROM records "
                             "WHERE seq > ? ORDER BY seq LIMIT " G_STRINGIFY (DERIVED_PAGE), error);
      if (stmt == NULL)
        return FALSE;
      db_bind_int64 (stmt, 1, last);
      while ((rc = db_step (stmt)) == DB_ROW)
        {
          rows++;
          last = db_column_int64 (stmt, 0);
          g_free (last_sha);
          last_sha = g_strdup ((const char *) db_column_text (stmt, 2));
          if (db_column_int (stmt, 1))
            {
              JsonNode *node = clmrs_wire_parse_json (db_column_blob (stmt, 3),
                                                      (gsize) db_column_bytes (stmt, 3), 0, NULL);

              /* stored lines were validated on push: one that no longer
               * parses has nothing to count */
              if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
                g_ptr_array_add (page, json_object_ref (json_node_get_object (node)));
              g_clear_pointer (&node, json_node_unref);
            }
        }
      if (rc != DB_DONE)
        return db_fail (db, "reading the records", error);
      if (rows == 0)
        return TRUE;
      mark = generation >= 0
             ? g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%s", last, generation, last_sha)
             : g_strdup_printf ("%" G_GINT64_FORMAT, last);
      if (!clmrs_pull_apply (store, page, mark, NULL, error))
        {
          g_prefix_error (error, "applying the records after seq %" G_GINT64_FORMAT ": ", after);
          return FALSE;
        }
      *applied += page->len;
      g_ptr_array_set_size (page, 0);
      if (progress != NULL)
        progress (*applied, progress_data);
    }
}

/**
 * server_derived_update:
 * @wait: wait for another updater to finish; with %FALSE, return at once
 *   (%TRUE, *@updated %FALSE) when one is at work
 * @rebuild: wipe the derived store and apply every record again
 * @progress: (nullable): told the records applied so far
 * @cancellable: (nullable): stops between two pages (what was applied stays)
 * @updated: (out) (optional): whether this call brought the store up to date
 *
 * Brings the derived store beside @db up to the newest stored record:
 * rebuilt when asked, when a quarantine, release or deletion happened
 * since it was written, or when the server database is not the one it
 * was written from (restored from an older copy); else the records stored
 * since are applied.
 */
gboolean
server_derived_update (ServerDb          *db,
                       gboolean           wait,
                       gboolean           rebuild,
                       ServerProgressFunc progress,
                       gpointer           progress_data,
                       GCancellable      *cancellable,
                       gboolean          *updated,
                       GError           **error)
{
  g_autofree char *path = server_derived_path (db, error);
  g_autoptr(ClmrsStore) store = NULL;
  g_autofree char *cursor = NULL;
  g_auto(Mark) mark = { 0 };
  gint64 generation = 0;
  guint64 applied = 0;
  gboolean ok = FALSE;
  int lock;

  if (updated != NULL)
    *updated = FALSE;
  if (path == NULL)
    return FALSE;
  lock = derived_lock (path, LOCK_EX, wait, error);
  if (lock < 0)
    return error == NULL || *error == NULL;
  store = clmrs_store_open (path, error);
  if (store == NULL)
    {
      g_prefix_error (error, "derived store %s: ", path);
      goto out;
    }
  if (!admin_generation (db, &generation, error))
    goto out;
  cursor = clmrs_store_get_meta (store, "pull_cursor");
  if (cursor == NULL)
    mark.generation = generation;      /* nothing applied yet */
  else if (!mark_parse (cursor, &mark))
    rebuild = TRUE;                    /* not a mark of ours */
  if (!rebuild)
    {
      gboolean matches = FALSE;

      if (!mark_matches (db, &mark, &matches, error))
        goto out;
      rebuild = mark.generation != generation || !matches;
    }
  if (rebuild)
    {
      g_message ("derived store %s: rebuilding from the records", path);
      if (!clmrs_store_wipe (store, error))
        {
          g_prefix_error (error, "derived store %s: ", path);
          goto out;
        }
      mark.seq = 0;
    }
  ok = server_replay_records (db, store, mark.seq, generation, progress, progress_data, cancellable,
                              &applied, error)
       && apply_people (db, store, NULL, error);
  if (ok && updated != NULL)
    *updated = TRUE;

out:
  g_clear_pointer (&store, clmrs_store_close);
  derived_unlock (lock);
  return ok;
}

/**
 * server_derived_applied_seq:
 * @applied: (out): the last server seq the derived store holds (0: none,
 *   or no derived store yet)
 *
 * Reads the derived store's mark, read-only, without waiting for an
 * updater or opening it as a store (which would create or migrate it
 * beside the one at work): for `stats`.
 */
gboolean
server_derived_applied_seq (ServerDb *db,
                            gint64   *applied,
                            GError  **error)
{
  g_autofree char *path = server_derived_path (db, error);
  g_auto(Mark) mark = { 0 };
  sqlite3 *derived = NULL;
  sqlite3_stmt *stmt = NULL;

  *applied = 0;
  if (path == NULL)
    return FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  /* the derived store is a device store: SQLite, whatever the server's store */
  if (sqlite3_open_v2 (path, &derived, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "%s: %s", path,
                   derived != NULL ? sqlite3_errmsg (derived) : "out of memory");
      sqlite3_close (derived);
      return FALSE;
    }
  sqlite3_busy_timeout (derived, 10000);
  /* no meta table yet: a store being made, nothing applied */
  if (sqlite3_prepare_v2 (derived, "SELECT value FROM meta WHERE key = 'pull_cursor'", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW && mark_parse ((const char *) sqlite3_column_text (stmt, 0), &mark))
    *applied = mark.seq;
  sqlite3_finalize (stmt);
  sqlite3_close (derived);
  return TRUE;
}

/* What a cached answer depends on: the records applied (the mark), the
 * people, the day and the period. */
static char *
cache_stamp (ClmrsStore  *store,
             const char  *people_sha256,
             const char  *from,
             const char  *to)
{
  g_autofree char *mark = clmrs_store_get_meta (store, "pull_cursor");
  g_autofree char *today_text = NULL;
  GDate today;

  clmrs_date_today (&today);
  today_text = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&today), g_date_get_month (&today),
                                g_date_get_day (&today));
  return g_strdup_printf ("%s|%s|%s|%s|%s", mark ? mark : "", people_sha256, today_text, from ? from : "",
                          to ? to : "");
}

/* The indicators of @store for the period, from the cache when nothing
 * they depend on changed since they were computed, else computed with
 * the devices' clmrs_casebook_indicators() and kept (one answer a
 * period, in the store's meta table). */
static char *
derived_indicators (ServerDb    *db,
                    ClmrsStore  *store,
                    const char  *from,
                    const char  *to,
                    GError     **error)
{
  g_autofree char *people_sha = NULL;
  g_autoptr(JsonNode) people = people_json (db, &people_sha, error);
  g_autofree char *stamp = NULL, *key = NULL, *cached = NULL, *text = NULL;
  g_autoptr(JsonNode) result = NULL;
  GDate today;

  if (people == NULL)
    return NULL;
  stamp = cache_stamp (store, people_sha, from, to);
  key = g_strdup_printf ("server_indicators:%s:%s", from ? from : "", to ? to : "");
  cached = clmrs_store_get_meta (store, key);
  if (cached != NULL && g_str_has_prefix (cached, stamp) && cached[strlen (stamp)] == '\n')
    return g_strdup (cached + strlen (stamp) + 1);

  clmrs_date_today (&today);
  result = clmrs_casebook_indicators (store, from, to, &today, error);
  if (result == NULL)
    return NULL;
  text = clmrs_json_to_string (result);
  {
    g_autofree char *value = g_strconcat (stamp, "\n", text, NULL);
    g_autoptr(GError) local = NULL;

    /* a cache: failing to keep it changes nothing but the next call's time */
    if (!clmrs_store_set_meta (store, key, value, &local))
      g_message ("derived store: keeping the indicators: %s", local->message);
  }
  return g_steal_pointer (&text);
}

/* Computes (or finds cached) the indicators of @db's derived store under a
 * shared lock: no updater wipes it meanwhile. */
static char *
read_indicators (ServerDb    *db,
                 const char  *from,
                 const char  *to,
                 GError     **error)
{
  g_autofree char *path = server_derived_path (db, error);
  g_autoptr(ClmrsStore) store = NULL;
  char *text = NULL;
  int lock;

  if (path == NULL)
    return NULL;
  lock = derived_lock (path, LOCK_SH, TRUE, error);
  if (lock < 0)
    return NULL;
  store = clmrs_store_open (path, error);
  if (store != NULL)
    text = derived_indicators (db, store, from, to, error);
  g_clear_pointer (&store, clmrs_store_close);
  derived_unlock (lock);
  return text;
}

/**
 * server_db_indicators_json:
 * @from: (nullable): first day of the period, YYYY-MM-DD
 * @to: (nullable): last day of the period
 *
 * The indicators of every stored record: the derived store is brought up
 * to date, then asked with the devices' clmrs_casebook_indicators() (or
 * the answer computed since the last record, for the same day, people and
 * period, is given again: `serve` computes the whole-programme one after
 * each burst of pushes).
 *
 * Returns: (transfer full): the indicators as JSON text, or %NULL.
 */
char *
server_db_indicators_json (ServerDb    *db,
                           const char  *from,
                           const char  *to,
                           GError     **error)
{
  if (!server_derived_update (db, TRUE, FALSE, NULL, NULL, NULL, NULL, error))
    return NULL;
  return read_indicators (db, from, to, error);
}

/**
 * server_db_indicators_replay_json:
 *
 * The indicators as the server computed them before it kept a derived
 * store: every record replayed into an in-memory device store on each
 * call.  Kept as the baseline the benchmark measures, and as a check
 * (the same figures, by another path).
 */
char *
server_db_indicators_replay_json (ServerDb    *db,
                                  const char  *from,
                                  const char  *to,
                                  GError     **error)
{
  g_autoptr(ClmrsStore) store = clmrs_store_open (":memory:", error);
  g_autoptr(JsonNode) result = NULL;
  guint64 applied = 0;
  GDate today;

  if (store == NULL || !server_replay_records (db, store, 0, -1, NULL, NULL, NULL, &applied, error)
      || !apply_people (db, store, NULL, error))
    return NULL;
  clmrs_date_today (&today);
  result = clmrs_casebook_indicators (store, from, to, &today, error);
  return result != NULL ? clmrs_json_to_string (result) : NULL;
}

/* ---- the applier: `serve`'s thread that keeps the derived store up to date */

/* How long pushes must stop before the applier computes the indicators. */
#define APPLIER_QUIET_US (5 * G_USEC_PER_SEC)

struct _ServerApplier {
  char         *db_path;
  GThread      *thread;
  GMutex        lock;
  GCond         wake;
  gboolean      pending;
  GCancellable *stop;
};

static gpointer
applier_run (gpointer data)
{
  ServerApplier *a = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ServerDb) db = NULL;
      gboolean updated = FALSE;

      g_mutex_lock (&a->lock);
      while (!a->pending && !g_cancellable_is_cancelled (a->stop))
        g_cond_wait (&a->wake, &a->lock);
      a->pending = FALSE;
      g_mutex_unlock (&a->lock);
      if (g_cancellable_is_cancelled (a->stop))
        return NULL;
      db = server_db_open (a->db_path, &error);
      if (db == NULL || !server_derived_update (db, FALSE, FALSE, NULL, NULL, a->stop, &updated, &error))
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_message ("derived store: %s (tried again after the next push)", error->message);
        }
      else if (updated)
        {
          gboolean more;
          g_autofree char *text = NULL;
          gint64 until = g_get_monotonic_time () + APPLIER_QUIET_US;

          /* once pushes stop for a moment, the whole programme's
           * indicators are computed, so `indicators` answers from them at
           * once; not between the pushes of a burst, where each would
           * take the cores from the pushes and the records */
          g_mutex_lock (&a->lock);
          while (!a->pending && !g_cancellable_is_cancelled (a->stop)
                 && g_cond_wait_until (&a->wake, &a->lock, until))
            ;
          more = a->pending;
          g_mutex_unlock (&a->lock);
          if (!more && !g_cancellable_is_cancelled (a->stop))
            {
              text = read_indicators (db, NULL, NULL, &error);
              if (text == NULL)
                g_message ("derived store: indicators: %s", error->message);
            }
        }
      else
        {
          /* another updater (a rebuild in another process) holds the
           * store: try again shortly, so no push's records are left
           * behind when it finishes, and a stop is never held up by it */
          g_usleep (G_USEC_PER_SEC / 5);
          g_mutex_lock (&a->lock);
          a->pending = TRUE;
          g_mutex_unlock (&a->lock);
        }
    }
}

/**
 * server_applier_start:
 *
 * Starts the thread that applies stored records to the derived store:
 * once now (records stored before a crash, or a store to rebuild), then
 * after each server_applier_poke().  Pushes are answered without waiting
 * for it: a batch's records are stored (and acknowledged) in the push's
 * transaction, and reach the derived store moments later.
 */
ServerApplier *
server_applier_start (const char *db_path)
{
  ServerApplier *a = g_new0 (ServerApplier, 1);

  a->db_path = g_strdup (db_path);
  g_mutex_init (&a->lock);
  g_cond_init (&a->wake);
  a->pending = TRUE;
  a->stop = g_cancellable_new ();
  a->thread = g_thread_new ("derived", applier_run, a);
  return a;
}

/* Records were stored: apply them. */
void
server_applier_poke (ServerApplier *a)
{
  g_mutex_lock (&a->lock);
  a->pending = TRUE;
  g_cond_signal (&a->wake);
  g_mutex_unlock (&a->lock);
}

/* Stops the thread after the page it is applying, if any. */
void
server_applier_stop (ServerApplier *a)
{
  g_mutex_lock (&a->lock);
  g_cancellable_cancel (a->stop);
  g_cond_signal (&a->wake);
  g_mutex_unlock (&a->lock);
  g_thread_join (a->thread);
  g_object_unref (a->stop);
  g_mutex_clear (&a->lock);
  g_cond_clear (&a->wake);
  g_free (a->db_path);
  g_free (a);
}
