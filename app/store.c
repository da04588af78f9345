/* store.c: the device's offline store (SQLite): schema, migrations, drafts, outbox. */
#define G_LOG_DOMAIN "clmrs-store"

#include "store.h"
#include "store-private.h"

#include "cryptvfs.h"
#include "pin.h"
#include "util.h"
#include "xform.h"

#include <string.h>

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

/*
 * Numbered migrations: migrations[n - 1] takes a database from version n - 1
 * to n.  A released migration is never edited; a change is a new one, with
 * a fixture of the old schema under tests/schema/ proving the step.
 */
static const char * const migrations[] = {
  /* 1: the data model (docs/store.md).  Authors (facilitator_id,
   * supervisor_id) are not foreign keys: records pulled from the server
   * name people enrolled on other devices. */
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);"

  "CREATE TABLE communities ("
  "  id       TEXT PRIMARY KEY,"
  "  name     TEXT NOT NULL,"
  "  district TEXT,"
  "  country  TEXT,"
  "  rev      INTEGER NOT NULL DEFAULT 1,"
  "  created  TEXT NOT NULL,"
  "  modified TEXT NOT NULL,"
  "  profile  TEXT);"

  "CREATE TABLE facilitators ("
  "  id       TEXT PRIMARY KEY,"
  "  name     TEXT NOT NULL,"
  "  sex      TEXT NOT NULL CHECK (sex IN ('male', 'female')),"
  "  role     TEXT NOT NULL CHECK (role IN ('facilitator', 'supervisor')),"
  "  pin_hash TEXT,"
  "  active   INTEGER NOT NULL DEFAULT 1,"
  "  created  TEXT NOT NULL);"

  "CREATE TABLE households ("
  "  id           TEXT PRIMARY KEY,"
  "  community_id TEXT NOT NULL REFERENCES communities (id),"
  "  head_name    TEXT NOT NULL,"
  "  head_sex     TEXT,"
  "  rev          INTEGER NOT NULL DEFAULT 1,"
  "  device_id    TEXT NOT NULL,"
  "  author       TEXT NOT NULL,"
  "  created      TEXT NOT NULL,"
  "  modified     TEXT NOT NULL,"
  "  body         TEXT NOT NULL DEFAULT '{}');"
  "CREATE INDEX households_head_name ON households (head_name COLLATE NOCASE);"
  "CREATE INDEX households_community ON households (community_id);"

  "CREATE TABLE children ("
  "  id           TEXT PRIMARY KEY,"
  "  household_id TEXT NOT NULL REFERENCES households (id),"
  "  name         TEXT NOT NULL,"
  "  sex          TEXT,"
  "  dob          TEXT,"
  "  age          INTEGER,"
  "  age_on       TEXT,"
  "  rev          INTEGER NOT NULL DEFAULT 1,"
  "  device_id    TEXT NOT NULL,"
  "  author       TEXT NOT NULL,"
  "  created      TEXT NOT NULL,"
  "  modified     TEXT NOT NULL,"
  "  body         TEXT NOT NULL DEFAULT '{}');"
  "CREATE INDEX children_household ON children (household_id);"

  "CREATE TABLE visits ("
  "  id             TEXT PRIMARY KEY,"
  "  kind           TEXT NOT NULL CHECK (kind IN ('household', 'follow_up', 'support', 'awareness', 'community')),"
  "  form_id        TEXT NOT NULL,"
  "  form_version   TEXT NOT NULL,"
  "  state          TEXT NOT NULL CHECK (state IN ('draft', 'final')),"
  "  facilitator_id TEXT NOT NULL,"
  "  community_id   TEXT REFERENCES communities (id),"
  "  household_id   TEXT REFERENCES households (id),"
  "  child_id       TEXT REFERENCES children (id),"
  "  child_status   TEXT CHECK (child_status IN ('present', 'moved', 'lost')),"
  "  visit_date     TEXT,"
  "  started        TEXT NOT NULL,"
  "  modified       TEXT NOT NULL,"
  "  finalised      TEXT,"
  "  rev            INTEGER NOT NULL DEFAULT 1,"
  "  rules          TEXT,"
  "  answers        TEXT,"
  "  review_state   TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'approved', 'returned')),"
  "  review_message TEXT);"
  "CREATE INDEX visits_state ON visits (state, facilitator_id);"
  "CREATE INDEX visits_household ON visits (household_id);"
  "CREATE INDEX visits_child ON visits (child_id);"

  "CREATE TABLE answers ("
  "  visit_id TEXT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,"
  "  ref      TEXT NOT NULL,"
  "  seq      INTEGER NOT NULL,"
  "  value    TEXT,"
  "  PRIMARY KEY (visit_id, ref)) WITHOUT ROWID;"

  "CREATE TABLE assessments ("
  "  id          TEXT PRIMARY KEY,"
  "  visit_id    TEXT NOT NULL REFERENCES visits (id),"
  "  child_id    TEXT NOT NULL REFERENCES children (id),"
  "  assessed_on TEXT NOT NULL,"
  "  age         INTEGER,"
  "  status      TEXT NOT NULL,"
  "  immediate_danger INTEGER NOT NULL DEFAULT 0,"
  "  reasons     TEXT NOT NULL,"
  "  rules       TEXT NOT NULL,"
  "  profile     TEXT NOT NULL,"
  "  UNIQUE (visit_id, child_id));"
  "CREATE INDEX assessments_child ON assessments (child_id, assessed_on);"

  "CREATE TABLE supports ("
  "  id             TEXT PRIMARY KEY,"
  "  level          TEXT NOT NULL CHECK (level IN ('child', 'household', 'community', 'referral')),"
  "  type           TEXT NOT NULL,"
  "  support_date   TEXT NOT NULL,"
  "  community_id   TEXT REFERENCES communities (id),"
  "  household_id   TEXT REFERENCES households (id),"
  "  child_id       TEXT REFERENCES children (id),"
  "  visit_id       TEXT REFERENCES visits (id),"
  "  facilitator_id TEXT NOT NULL,"
  "  created        TEXT NOT NULL,"
  "  body           TEXT NOT NULL DEFAULT '{}');"
  "CREATE INDEX supports_child ON supports (child_id);"
  "CREATE INDEX supports_household ON supports (household_id);"

  "CREATE TABLE awareness_sessions ("
  "  id             TEXT PRIMARY KEY,"
  "  community_id   TEXT NOT NULL REFERENCES communities (id),"
  "  session_date   TEXT NOT NULL,"
  "  level          TEXT NOT NULL,"
  "  topic          TEXT,"
  "  men            INTEGER NOT NULL DEFAULT 0,"
  "  women          INTEGER NOT NULL DEFAULT 0,"
  "  boys           INTEGER NOT NULL DEFAULT 0,"
  "  girls          INTEGER NOT NULL DEFAULT 0,"
  "  household_id   TEXT REFERENCES households (id),"
  "  visit_id       TEXT REFERENCES visits (id),"
  "  facilitator_id TEXT NOT NULL,"
  "  created        TEXT NOT NULL);"

  "CREATE TABLE reviews ("
  "  id            TEXT PRIMARY KEY,"
  "  visit_id      TEXT NOT NULL REFERENCES visits (id),"
  "  visit_rev     INTEGER NOT NULL,"
  "  supervisor_id TEXT NOT NULL,"
  "  decision      TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),"
  "  message       TEXT,"
  "  created       TEXT NOT NULL,"
  "  seen          INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX reviews_visit ON reviews (visit_id);"

  /* Derived, recomputable from visits and supports with cases.c: kept so
   * the follow-ups-due list is an index scan, not a pass over every child. */
  "CREATE TABLE cases ("
  "  child_id      TEXT PRIMARY KEY REFERENCES children (id),"
  "  status        TEXT NOT NULL,"
  "  open          INTEGER NOT NULL,"
  "  identified_on TEXT,"
  "  last_visit    TEXT,"
  "  next_due      TEXT,"
  "  follow_ups    INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
  "CREATE INDEX cases_due ON cases (open, next_due);"

  "CREATE TABLE outbox ("
  "  record_id      TEXT NOT NULL,"
  "  rev            INTEGER NOT NULL,"
  "  type           TEXT NOT NULL,"
  "  facilitator_id TEXT NOT NULL,"
  "  state          TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'rejected')),"
  "  envelope       TEXT NOT NULL,"
  "  bytes          INTEGER NOT NULL,"
  "  queued_at      TEXT NOT NULL,"
  "  sent_at        TEXT,"
  "  attempts       INTEGER NOT NULL DEFAULT 0,"
  "  last_error     TEXT,"
  "  reject_reason  TEXT,"
  "  PRIMARY KEY (record_id, rev));"
  "CREATE INDEX outbox_state ON outbox (state, queued_at);"

  /* Forms and rule sets published on the server, received by pull. */
  "CREATE TABLE published ("
  "  kind     TEXT NOT NULL CHECK (kind IN ('form', 'rule_set')),"
  "  id       TEXT NOT NULL,"
  "  version  TEXT NOT NULL,"
  "  rev      INTEGER NOT NULL,"
  "  sha256   TEXT NOT NULL,"
  "  content  TEXT NOT NULL,"
  "  received TEXT NOT NULL,"
  "  PRIMARY KEY (kind, id, version));",

  /* 2: the queue summary reads only this index, never the rows: an
   * outbox row's envelope spills onto overflow pages, and reading the
   * columns after it walked them all (92 s for 400,000 records). */
  "CREATE INDEX outbox_queue ON outbox (state, facilitator_id, queued_at, bytes, last_error);",

  /* 3: pulled records this device could not apply, kept (the whole
   * envelope) with the reason, tried again after each pull, instead of
   * one bad record stopping every pull for good. */
  "CREATE TABLE set_aside ("
  "  seq        INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  record_id  TEXT NOT NULL,"
  "  rev        INTEGER NOT NULL,"
  "  type       TEXT NOT NULL,"
  "  envelope   TEXT NOT NULL,"
  "  reason     TEXT NOT NULL,"
  "  first_seen TEXT NOT NULL,"
  "  attempts   INTEGER NOT NULL DEFAULT 1,"
  "  reported   INTEGER NOT NULL DEFAULT 0,"   /* told to the server (POST /api/v1/problems) */
  "  UNIQUE (record_id, rev));",

  /* 4: the audit trail: who signed in, who opened which record, who
   * reviewed what (audit.c); each entry also leaves as an `audit` record. */
  "CREATE TABLE audit ("
  "  seq          INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  id           TEXT NOT NULL UNIQUE,"
  "  at           TEXT NOT NULL,"
  "  person_id    TEXT,"
  "  action       TEXT NOT NULL,"
  "  subject_type TEXT,"
  "  subject_id   TEXT,"
  "  detail       TEXT);"
  /* the queue summary leaves the trail out (nobody's work to review), and
   * still reads only its index */
  "DROP INDEX outbox_queue;"
  "CREATE INDEX outbox_queue ON outbox (state, facilitator_id, type, queued_at, bytes, last_error);",

  /* 5: a person's pin_hash may be the one-time PIN the server gave: they
   * sign in with it once, then choose their own. */
  "ALTER TABLE facilitators ADD COLUMN pin_one_time INTEGER NOT NULL DEFAULT 0;",

  /* 6: households are searched by their head's name folded (lowercase, no
   * accents: "kouame" finds Kouamé), kept by triggers so every writer
   * (a visit, a pull, a test fixture) fills it alike.  The search scans
   * the name index in name order, reading the key from the index. */
  "ALTER TABLE households ADD COLUMN search_key TEXT NOT NULL DEFAULT '';"
  "UPDATE households SET search_key = clmrs_fold (head_name);"
  "DROP INDEX households_head_name;"
  "CREATE INDEX households_search ON households (head_name COLLATE NOCASE, search_key);"
  "CREATE TRIGGER households_search_insert AFTER INSERT ON households BEGIN"
  "  UPDATE households SET search_key = clmrs_fold (NEW.head_name) WHERE id = NEW.id;"
  " END;"
  "CREATE TRIGGER households_search_update AFTER UPDATE OF head_name ON households BEGIN"
  "  UPDATE households SET search_key = clmrs_fold (NEW.head_name) WHERE id = NEW.id;"
  " END;",

  /* 7: the media files published with a form version (jr://file/NAME:
   * lists as CSV or XML, pictures), pulled with it and kept as long as
   * the version (docs/authoring-forms.md). */
  "CREATE TABLE published_media ("
  "  kind     TEXT NOT NULL,"
  "  id       TEXT NOT NULL,"
  "  version  TEXT NOT NULL,"
  "  name     TEXT NOT NULL,"
  "  sha256   TEXT NOT NULL,"
  "  content  BLOB NOT NULL,"
  "  PRIMARY KEY (kind, id, version, name),"
  "  FOREIGN KEY (kind, id, version) REFERENCES published (kind, id, version) ON DELETE CASCADE);",

  /* 8: a visit may close a child's case ('closure': case_closure.xml,
   * docs/cases-and-indicators.md).  Adding a value to a CHECK changes no
   * stored row, so the table's text is edited in place (SQLite's
   * documented procedure for constraint changes, "ALTER TABLE" section 7)
   * rather than the table rebuilt under its five foreign keys; the index
   * (the casebook reads the closures of a child) also bumps the schema
   * cookie, so every other connection reads the new text. */
  "PRAGMA writable_schema = ON;"
  "UPDATE sqlite_schema SET sql = replace (sql, '''community''))', '''community'', ''closure''))')"
  " WHERE type = 'table' AND name = 'visits';"
  "PRAGMA writable_schema = RESET;"
  "CREATE INDEX visits_kind ON visits (kind, child_id);",

  /* 9: farm visits (farm_visit.xml, ICI's farm-visit form) are a visit
   * kind.  SQLite cannot change a CHECK in place: the table is rebuilt
   * (the migration runs with foreign keys off, see
   * clmrs_store_migrate_db, so dropping the old table cascades nothing), with
   * every kind migration 8 allowed and its index. */
  "CREATE TABLE visits_new ("
  "  id             TEXT PRIMARY KEY,"
  "  kind           TEXT NOT NULL CHECK (kind IN ('household', 'follow_up', 'support', 'awareness', 'community', 'closure', 'farm')),"
  "  form_id        TEXT NOT NULL,"
  "  form_version   TEXT NOT NULL,"
  "  state          TEXT NOT NULL CHECK (state IN ('draft', 'final')),"
  "  facilitator_id TEXT NOT NULL,"
  "  community_id   TEXT REFERENCES communities (id),"
  "  household_id   TEXT REFERENCES households (id),"
  "  child_id       TEXT REFERENCES children (id),"
  "  child_status   TEXT CHECK (child_status IN ('present', 'moved', 'lost')),"
  "  visit_date     TEXT,"
  "  started        TEXT NOT NULL,"
  "  modified       TEXT NOT NULL,"
  "  finalised      TEXT,"
  "  rev            INTEGER NOT NULL DEFAULT 1,"
  "  rules          TEXT,"
  "  answers        TEXT,"
  "  review_state   TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'approved', 'returned')),"
  "  review_message TEXT);"
  "INSERT INTO visits_new SELECT id, kind, form_id, form_version, state, facilitator_id, community_id,"
  "  household_id, child_id, child_status, visit_date, started, modified, finalised, rev, rules,"
  "  answers, review_state, review_message FROM visits;"
  "DROP TABLE visits;"
  "ALTER TABLE visits_new RENAME TO visits;"
  "CREATE INDEX visits_state ON visits (state, facilitator_id);"
  "CREATE INDEX visits_household ON visits (household_id);"
  "CREATE INDEX visits_child ON visits (child_id);"
  "CREATE INDEX visits_kind ON visits (kind, child_id);",

  /* 10: media answers (app/media.c): a photo or a signature kept with its
   * visit and question, inside the database so it is sealed like every
   * other page; `sent` is how many bytes the server has acknowledged,
   * `acked` when it held the whole file. */
  "CREATE TABLE media ("
  "  id       TEXT PRIMARY KEY,"
  "  visit_id TEXT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,"
  "  ref      TEXT NOT NULL,"
  "  name     TEXT NOT NULL UNIQUE,"
  "  mime     TEXT NOT NULL,"
  "  size     INTEGER NOT NULL,"
  "  sha256   TEXT NOT NULL,"
  "  content  BLOB NOT NULL,"
  "  created  TEXT NOT NULL,"
  "  sent     INTEGER NOT NULL DEFAULT 0,"
  "  acked    TEXT,"
  "  UNIQUE (visit_id, ref));"
  "CREATE INDEX media_unsent ON media (acked, created);",

  /* 11: a visit may correct one its supervisor returned (visits.corrects,
   * docs/store.md): once the correction is final, its assessments replace
   * the returned visit's in cases and indicators (CLMRS_SQL_NOT_CORRECTED).
   * Few visits are corrections: the index holds only them. */
  "ALTER TABLE visits ADD COLUMN corrects TEXT REFERENCES visits (id);"
  "CREATE INDEX visits_corrects ON visits (corrects) WHERE corrects IS NOT NULL;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CLMRS_STORE_SCHEMA_VERSION);

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *what)
{
  g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
               "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
exec_db (sqlite3     *db,
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

static int
get_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* clmrs_fold (text): clmrs_fold_for_search () in SQL, for the triggers
 * that keep households.search_key. */
static void
fold_sql (sqlite3_context  *context,
          int               argc,
          sqlite3_value   **argv)
{
  char *folded;

  if (sqlite3_value_type (argv[0]) == SQLITE_NULL)
    {
      sqlite3_result_null (context);
      return;
    }
  folded = clmrs_fold_for_search ((const char *) sqlite3_value_text (argv[0]));
  sqlite3_result_text (context, folded, -1, g_free);
}

/**
 * clmrs_store_migrate_db:
 * @target: the version to reach, at most %CLMRS_STORE_SCHEMA_VERSION
 *
 * Applies each missing migration in its own transaction together with the
 * new user_version, so an interrupted upgrade leaves a whole version.
 * Registers the SQL functions the schema's triggers call first: every
 * connection of the store comes through here.
 */
/* The first column of the first row of @sql, an integer; -1 on error. */
static int
get_pragma_int (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

gboolean
clmrs_store_migrate_db (sqlite3  *db,
                        int       target,
                        GError  **error)
{
  int version = get_user_version (db);
  int foreign_keys;

  g_return_val_if_fail (target <= CLMRS_STORE_SCHEMA_VERSION, FALSE);

  if (version < 0)
    return set_sqlite_error (error, db, "reading the schema version");
  if (sqlite3_create_function_v2 (db, "clmrs_fold", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  NULL, fold_sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (error, db, "registering clmrs_fold");
  if (version > CLMRS_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_VERSION,
                   "the database has schema version %d, newer than this program's %d: "
                   "update the program", version, CLMRS_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  if (version >= target)
    return TRUE;

  /* A migration may rebuild a table (SQLite's way to change a CHECK):
   * with foreign keys on, dropping the old table would cascade to the
   * rows that point at it.  They are off while migrating (the pragma is
   * ignored inside a transaction); a rebuild copies every row as it was,
   * so no reference changes. */
  foreign_keys = get_pragma_int (db, "PRAGMA foreign_keys");
  if (foreign_keys > 0 && !exec_db (db, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  for (; version < target; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_db (db, "BEGIN IMMEDIATE", error))
        break;
      if (!exec_db (db, migrations[version], error) ||
          !exec_db (db, bump, error))
        {
          exec_db (db, "ROLLBACK", NULL);
          g_prefix_error (error, "migrating to schema %d: ", version + 1);
          break;
        }
      if (!exec_db (db, "COMMIT", error))
        break;
    }
  if (foreign_keys > 0 && !exec_db (db, "PRAGMA foreign_keys = ON", version < target ? NULL : error))
    return FALSE;
  return version == target;
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

  if (!exec_db (store->db,
                "PRAGMA journal_mode = WAL;"
                "PRAGMA synchronous = FULL;"
                "PRAGMA foreign_keys = ON;"
                "PRAGMA temp_store = MEMORY;"
                /* what is deleted or pruned is overwritten, not left in
                   free pages for anyone who copies the file */
                "PRAGMA secure_delete = ON;",
                error) ||
      (extra_pragmas != NULL && !exec_db (store->db, extra_pragmas, error)) ||
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
  return get_user_version (store->db);
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
  if (!exec_db (store->db, "BEGIN IMMEDIATE", error))
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

  if (!exec_db (store->db, "COMMIT", error))
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
  exec_db (store->db, "ROLLBACK", NULL);
  store->in_transaction = FALSE;
  writers_release (store);
}

gboolean
clmrs_store_exec (ClmrsStore  *store,
                  const char  *sql,
                  GError     **error)
{
  return exec_db (store->db, sql, error);
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
  if (sqlite3_changes (store->db) != 1)
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
      n += sqlite3_changes (store->db);
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
      set_sqlite_error (error, store->db, "listing people");
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/**
 * clmrs_store_draft_create:
 *
 * Returns: (transfer full): the new draft visit's id.
 */
char *
clmrs_store_draft_create (ClmrsStore  *store,
                          const char  *kind,
                          const char  *form_id,
                          const char  *form_version,
                          const char  *facilitator_id,
                          const char  *community_id,
                          const char  *household_id,
                          const char  *child_id,
                          GError     **error)
{
  g_autofree char *id = clmrs_uuid_new ();
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "INSERT INTO visits (id, kind, form_id, form_version, state, facilitator_id,"
      "  community_id, household_id, child_id, started, modified) "
      "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, form_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, form_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, facilitator_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, community_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, household_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, child_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    {
      g_prefix_error (error, "creating a %s draft: ", kind);
      return NULL;
    }
  return g_steal_pointer (&id);
}

static gboolean
check_draft (ClmrsStore  *store,
             const char  *visit_id,
             GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT state FROM visits WHERE id = ?", error);
  int rc;
  gboolean is_draft = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    is_draft = g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "draft");
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   "no visit %s", visit_id);
      return FALSE;
    }
  if (!is_draft)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s is finalised: its answers cannot change", visit_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
touch_visit (ClmrsStore  *store,
             const char  *visit_id,
             GError     **error)
{
  g_autofree char *now = clmrs_now_rfc3339 ();
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "UPDATE visits SET modified = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit_id, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

/**
 * clmrs_store_draft_save_answer:
 *
 * Writes one answer of a draft durably (its own transaction, fsync'd by
 * synchronous=FULL) before returning.  A ref answered before keeps its
 * place; a new one goes last.
 */
gboolean
clmrs_store_draft_save_answer (ClmrsStore  *store,
                               const char  *visit_id,
                               const char  *ref,
                               const char  *value,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!check_draft (store, visit_id, error))
    goto fail;
  stmt = clmrs_store_prepare (store,
      "INSERT INTO answers (visit_id, ref, seq, value) "
      "VALUES (?1, ?2, (SELECT coalesce (max (seq), 0) + 1 FROM answers WHERE visit_id = ?1), ?3) "
      "ON CONFLICT (visit_id, ref) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error) ||
      !touch_visit (store, visit_id, error))
    goto fail;
  return clmrs_store_commit (store, error);

fail:
  clmrs_store_rollback (store);
  return FALSE;
}

/* Inside an open transaction: replaces every saved answer of @visit_id. */
static gboolean
write_all_answers (ClmrsStore  *store,
                   const char  *visit_id,
                   GPtrArray   *values,
                   GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "DELETE FROM answers WHERE visit_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    return FALSE;

  stmt = clmrs_store_prepare (store,
      "INSERT INTO answers (visit_id, ref, seq, value) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < values->len; i++)
    {
      const ClmrsFormValue *v = g_ptr_array_index (values, i);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, v->ref, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 3, i + 1);
      sqlite3_bind_text (stmt, 4, v->value, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE,
                       "saving answer %s: %s", v->ref, sqlite3_errmsg (store->db));
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

/**
 * clmrs_store_draft_save_all:
 *
 * Replaces a draft's saved answers with @values in one transaction: used
 * when a repeat instance is added or removed, which renumbers refs.
 */
gboolean
clmrs_store_draft_save_all (ClmrsStore  *store,
                            const char  *visit_id,
                            GPtrArray   *values,
                            GError     **error)
{
  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!_clmrs_store_draft_replace_answers (store, visit_id, values, error))
    {
      clmrs_store_rollback (store);
      return FALSE;
    }
  return clmrs_store_commit (store, error);
}

gboolean
_clmrs_store_draft_replace_answers (ClmrsStore  *store,
                                    const char  *visit_id,
                                    GPtrArray   *values,
                                    GError     **error)
{
  g_return_val_if_fail (store->in_transaction, FALSE);

  return check_draft (store, visit_id, error) &&
         write_all_answers (store, visit_id, values, error) &&
         touch_visit (store, visit_id, error);
}

gboolean
_clmrs_store_list_household_children (ClmrsStore  *store,
                                      const char  *household_id,
                                      GPtrArray   *ids,
                                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, "SELECT id FROM children WHERE household_id = ?", error);
  ClmrsStep step;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, household_id, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    g_ptr_array_add (ids, clmrs_store_column_dup (stmt, 0));
  return step == CLMRS_STEP_DONE;
}

/* The id of a draft of @facilitator_id correcting @visit_id, if any. */
static char *
correction_draft_of (ClmrsStore  *store,
                     const char  *visit_id,
                     const char  *facilitator_id)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT id FROM visits WHERE corrects = ?1 AND state = 'draft' AND facilitator_id = ?2"
      " ORDER BY modified DESC LIMIT 1", NULL);
  char *id = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facilitator_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = clmrs_store_column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return id;
}

char *
clmrs_store_draft_create_correction (ClmrsStore  *store,
                                     const char  *visit_id,
                                     const char  *facilitator_id,
                                     const char  *form_version,
                                     GPtrArray   *values,
                                     GError     **error)
{
  g_autofree char *kind = NULL, *form_id = NULL, *version = NULL, *community = NULL;
  g_autofree char *household = NULL, *child = NULL, *state = NULL, *review = NULL;
  g_autofree char *corrected_by = NULL;
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;
  ClmrsStep step;

  g_return_val_if_fail (visit_id != NULL && facilitator_id != NULL && values != NULL, NULL);

  if (!clmrs_store_begin (store, error))
    return NULL;
  stmt = clmrs_store_prepare (store,
      "SELECT kind, form_id, form_version, community_id, household_id, child_id, state, review_state,"
      "  (SELECT x.id FROM visits x WHERE x.corrects = v.id AND x.state = 'final' LIMIT 1)"
      " FROM visits v WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  step = clmrs_store_step (store, stmt, error);
  if (step == CLMRS_STEP_ROW)
    {
      kind = clmrs_store_column_dup (stmt, 0);
      form_id = clmrs_store_column_dup (stmt, 1);
      version = clmrs_store_column_dup (stmt, 2);
      community = clmrs_store_column_dup (stmt, 3);
      household = clmrs_store_column_dup (stmt, 4);
      child = clmrs_store_column_dup (stmt, 5);
      state = clmrs_store_column_dup (stmt, 6);
      review = clmrs_store_column_dup (stmt, 7);
      corrected_by = clmrs_store_column_dup (stmt, 8);
    }
  sqlite3_finalize (stmt);
  if (step == CLMRS_STEP_ERROR)
    goto fail;
  if (state == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no visit %s", visit_id);
      goto fail;
    }
  if (!g_str_equal (state, "final") || g_strcmp0 (review, "returned") != 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s was not returned by a supervisor: only a returned visit is corrected", visit_id);
      goto fail;
    }
  if (corrected_by != NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s is corrected already (by visit %s)", visit_id, corrected_by);
      goto fail;
    }
  id = correction_draft_of (store, visit_id, facilitator_id);
  if (id != NULL)
    {
      clmrs_store_rollback (store);
      return g_steal_pointer (&id);
    }
  id = clmrs_store_draft_create (store, kind, form_id, form_version ? form_version : version,
                                 facilitator_id, community,
                                 household, child, error);
  if (id == NULL)
    goto fail;
  stmt = clmrs_store_prepare (store, "UPDATE visits SET corrects = ? WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error) ||
      !write_all_answers (store, id, values, error) ||
      !clmrs_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&id);

fail:
  clmrs_store_rollback (store);
  g_prefix_error (error, "correcting visit %s: ", visit_id);
  return NULL;
}

gboolean
clmrs_store_draft_set_form_version (ClmrsStore  *store,
                                    const char  *visit_id,
                                    const char  *form_version,
                                    GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "UPDATE visits SET form_version = ? WHERE id = ? AND state = 'draft'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, form_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit_id, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

static void
form_value_free (gpointer data)
{
  ClmrsFormValue *v = data;

  g_free (v->ref);
  g_free (v->value);
  g_free (v);
}

/**
 * clmrs_store_draft_load:
 *
 * Returns: (transfer full): the saved answers of a draft in the order they
 * were first saved (repeat instances before their questions), ready for
 * clmrs_form_session_apply_values().
 */
GPtrArray *
clmrs_store_draft_load (ClmrsStore  *store,
                        const char  *visit_id,
                        GError     **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (form_value_free);
  sqlite3_stmt *stmt;
  int rc;

  if (!check_draft (store, visit_id, error))
    return NULL;
  stmt = clmrs_store_prepare (store,
      "SELECT ref, value FROM answers WHERE visit_id = ? ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsFormValue *v = g_new0 (ClmrsFormValue, 1);

      v->ref = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      v->value = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (values, v);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, store->db, "loading a draft");
      return NULL;
    }
  return g_steal_pointer (&values);
}

gboolean
clmrs_store_draft_discard (ClmrsStore  *store,
                           const char  *visit_id,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  if (!clmrs_store_begin (store, error))
    return FALSE;
  if (!check_draft (store, visit_id, error))
    goto fail;
  stmt = clmrs_store_prepare (store, "DELETE FROM visits WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;
  return clmrs_store_commit (store, error);

fail:
  clmrs_store_rollback (store);
  return FALSE;
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
