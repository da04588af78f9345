/* store-migrations.c: the device store's schema, as numbered migrations applied in order. */
#define G_LOG_DOMAIN "clmrs-store"

#include "store.h"
#include "store-private.h"

#include "util.h"

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
  int version = _clmrs_store_user_version (db);
  int foreign_keys;

  g_return_val_if_fail (target <= CLMRS_STORE_SCHEMA_VERSION, FALSE);

  if (version < 0)
    return _clmrs_store_sqlite_error (error, db, "reading the schema version");
  if (sqlite3_create_function_v2 (db, "clmrs_fold", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                  NULL, fold_sql, NULL, NULL, NULL) != SQLITE_OK)
    return _clmrs_store_sqlite_error (error, db, "registering clmrs_fold");
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
  if (foreign_keys > 0 && !_clmrs_store_exec_db (db, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  for (; version < target; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!_clmrs_store_exec_db (db, "BEGIN IMMEDIATE", error))
        break;
      if (!_clmrs_store_exec_db (db, migrations[version], error) ||
          !_clmrs_store_exec_db (db, bump, error))
        {
          _clmrs_store_exec_db (db, "ROLLBACK", NULL);
          g_prefix_error (error, "migrating to schema %d: ", version + 1);
          break;
        }
      if (!_clmrs_store_exec_db (db, "COMMIT", error))
        break;
    }
  if (foreign_keys > 0 && !_clmrs_store_exec_db (db, "PRAGMA foreign_keys = ON", version < target ? NULL : error))
    return FALSE;
  return version == target;
}
