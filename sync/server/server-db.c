/* server-db.c: clmrs-server's SQLite store: schema and migrations, secrets, devices and codes, enrolment, pull (push, records, people, publications and exports have files of their own). */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

G_DEFINE_QUARK (clmrs-server-error-quark, server_error)


/* One table `records` holds the server order (seq) of everything a device
 * may pull: pushed records (kind 'record') and publications (kind 'form'
 * or 'rule_set'), each with the exact bytes of its NDJSON line. */
static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS devices ("
  "  device_id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  token_sha256 TEXT NOT NULL UNIQUE,"
  "  all_communities INTEGER NOT NULL DEFAULT 0,"
  "  enrolled TEXT NOT NULL,"
  "  revoked TEXT);"
  "CREATE TABLE IF NOT EXISTS device_communities ("
  "  device_id TEXT NOT NULL REFERENCES devices (device_id),"
  "  community_id TEXT NOT NULL,"
  "  PRIMARY KEY (device_id, community_id));"
  "CREATE TABLE IF NOT EXISTS enrol_codes ("
  "  code_sha256 TEXT PRIMARY KEY,"
  "  communities TEXT NOT NULL,"
  "  created TEXT NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  used TEXT,"
  "  device_id TEXT);"
  "CREATE TABLE IF NOT EXISTS records ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  kind TEXT NOT NULL CHECK (kind IN ('record', 'form', 'rule_set')),"
  "  id TEXT NOT NULL,"
  "  rev INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  community_id TEXT,"
  "  pushed_by TEXT,"
  "  sha256 TEXT NOT NULL,"
  "  line BLOB NOT NULL,"
  "  received TEXT NOT NULL,"
  "  UNIQUE (kind, id, rev));"
  "CREATE INDEX IF NOT EXISTS records_by_id ON records (id, rev);"
  "CREATE TABLE IF NOT EXISTS conflicts ("
  "  conflict INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  id TEXT NOT NULL,"
  "  rev INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  community_id TEXT NOT NULL,"
  "  pushed_by TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  line BLOB NOT NULL,"
  "  received TEXT NOT NULL,"
  "  UNIQUE (id, rev, sha256));"
  "CREATE TABLE IF NOT EXISTS idempotency ("
  "  device_id TEXT NOT NULL,"
  "  key TEXT NOT NULL,"
  "  request_sha256 TEXT NOT NULL,"
  "  response BLOB NOT NULL,"
  "  created TEXT NOT NULL,"
  "  PRIMARY KEY (device_id, key));";

/* Each step takes a database from the version before it to its own, in
 * the transaction that sets user_version: step 0 is the first schema. */
static const char *const migrations[] = {
  schema_sql,
  /* 2: who owns each record (the device that created it, or the one it
   * was handed to), the local id each device stamps its envelopes with,
   * records an administrator set aside, and the administrators' log. */
  "CREATE TABLE record_owners ("
  "  id TEXT PRIMARY KEY,"
  "  type TEXT NOT NULL,"
  "  community_id TEXT NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  max_rev INTEGER NOT NULL);"
  "INSERT INTO record_owners (id, type, community_id, device_id, max_rev)"
  "  SELECT r.id, r.type, r.community_id, r.pushed_by,"
  "         (SELECT max (rev) FROM records m WHERE m.kind = 'record' AND m.id = r.id)"
  "  FROM records r WHERE r.kind = 'record' AND r.rev ="
  "    (SELECT min (rev) FROM records m WHERE m.kind = 'record' AND m.id = r.id);"
  "CREATE INDEX record_owners_by_device ON record_owners (device_id);"
  "ALTER TABLE records ADD COLUMN quarantined TEXT;"
  "ALTER TABLE devices ADD COLUMN local_id TEXT;"
  "CREATE UNIQUE INDEX devices_by_local_id ON devices (local_id);"
  "ALTER TABLE devices ADD COLUMN wipe INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE device_problems ("
  "  device_id TEXT NOT NULL,"
  "  record_id TEXT NOT NULL,"
  "  rev INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  first_seen TEXT,"
  "  reported TEXT NOT NULL,"
  "  PRIMARY KEY (device_id, record_id, rev));"
  "CREATE TABLE admin_log ("
  "  entry INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  at TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  target TEXT NOT NULL,"
  "  detail TEXT,"
  "  reason TEXT NOT NULL);",
  /* 3: what `clmrs-server devices` shows of each device's last contact. */
  "ALTER TABLE devices ADD COLUMN last_contact TEXT;"
  "ALTER TABLE devices ADD COLUMN last_address TEXT;"
  "ALTER TABLE devices ADD COLUMN queue_size INTEGER;",
  /* 4: the people the server knows (server-people.c): added by an
   * administrator, or declared by the device that was set up with them
   * (declared_by), whose records only that device may push. */
  "CREATE TABLE people ("
  "  person_id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),"
  "  role TEXT NOT NULL CHECK (role IN ('facilitator', 'supervisor')),"
  "  all_communities INTEGER NOT NULL DEFAULT 0,"
  "  created TEXT NOT NULL,"
  "  disabled TEXT,"
  "  declared_by TEXT,"
  "  one_time_pin_hash TEXT);"
  "CREATE TABLE person_communities ("
  "  person_id TEXT NOT NULL REFERENCES people (person_id),"
  "  community_id TEXT NOT NULL,"
  "  PRIMARY KEY (person_id, community_id));",
  /* 5: media files kept with their visit (server-media.c): the chunks
   * received so far, then the whole file. */
  "CREATE TABLE media ("
  "  id TEXT PRIMARY KEY,"
  "  record_id TEXT NOT NULL,"
  "  ref TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  mime TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  received INTEGER NOT NULL DEFAULT 0,"
  "  content BLOB,"
  "  created TEXT NOT NULL,"
  "  completed TEXT);"
  "CREATE INDEX media_by_record ON media (record_id);"
  "CREATE TABLE media_chunks ("
  "  media_id TEXT NOT NULL REFERENCES media (id),"
  "  at_byte INTEGER NOT NULL,"
  "  data BLOB NOT NULL,"
  "  PRIMARY KEY (media_id, at_byte));",
  /* 6: a person's first sign-in on a device with the one-time PIN, online
   * (server-people.c): each device's unlock secret, which its keyring
   * wraps the data key with, and the wrong one-time PINs a person typed. */
  "CREATE TABLE device_unlock ("
  "  device_id TEXT PRIMARY KEY REFERENCES devices (device_id),"
  "  secret BLOB NOT NULL,"
  "  created TEXT NOT NULL);"
  "ALTER TABLE people ADD COLUMN one_time_pin_failures INTEGER NOT NULL DEFAULT 0;",
  /* 7: a device's pull reads its communities' records and the
   * publications after its cursor (server_db_pull()), not every record
   * stored since. */
  "CREATE INDEX records_by_community ON records (community_id, seq);"
  "CREATE INDEX records_publications ON records (seq) WHERE kind != 'record';",
};
#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

gboolean
db_fail (ServerDb    *db,
         const char  *what,
         GError     **error)
{
  DbErrorKind kind = db_error_kind (db);

  /* The device is told plainly; the administrator reads the details in the log. */
  if (kind == DB_FULL)
    {
      g_message ("database full: %s: %s", what, db_error_message (db));
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_STORAGE,
                           "the server's disk is full; nothing was stored, try again later");
      return FALSE;
    }
  g_set_error (error, SERVER_ERROR, kind == DB_BUSY ? SERVER_ERROR_BUSY : SERVER_ERROR_INTERNAL,
               "database: %s: %s", what, db_error_message (db));
  return FALSE;
}

/* Closes @db (NULL is fine). */
void
server_db_close (ServerDb *db)
{
  server_store_close (db);
}

/**
 * server_db_open:
 * @location: a SQLite file, or a PostgreSQL URI (postgresql://...)
 *
 * Opens (creating when needed) the server database at the current schema
 * version.  SQLite: WAL mode with synchronous=FULL, foreign keys on and a
 * busy timeout.  PostgreSQL: a connection from this process's pool (a
 * new one is checked for the schema version, and migrated).
 *
 * Returns: (transfer full): the connection, or %NULL and an error.
 */
ServerDb *
server_db_open (const char  *location,
                GError     **error)
{
  g_autoptr(ServerDb) db = NULL;
  int version;

  g_return_val_if_fail (location != NULL, NULL);

  db = server_store_open (location, error);
  if (db == NULL)
    return NULL;
  if (server_store_reused (db))
    return g_steal_pointer (&db);
  if (!db_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                error))
    return NULL;
  /* Tests only: a database that cannot grow past this many pages is how
   * the tests fill the disk (SQLITE_FULL) without a small file system. */
  if (g_getenv ("CLMRS_SERVER_TEST_MAX_PAGE_COUNT") != NULL)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count=%" G_GUINT64_FORMAT,
                                              g_ascii_strtoull (g_getenv ("CLMRS_SERVER_TEST_MAX_PAGE_COUNT"),
                                                                NULL, 10));

      if (!db_exec (db, sql, error))
        return NULL;
    }

  /* The version is read outside a transaction first, so opening an
   * up-to-date database takes no write lock; a migration runs under it. */
  if (!server_store_get_version (db, &version, error))
    return NULL;
  if (version < SCHEMA_VERSION)
    {
      if (!db_exec (db, "BEGIN IMMEDIATE", error))
        return NULL;
      /* another process may have migrated it meanwhile */
      if (!server_store_get_version (db, &version, error))
        {
          db_rollback (db);
          return NULL;
        }
      for (int step = version; step < SCHEMA_VERSION; step++)
        if (!db_exec (db, migrations[step], error))
          {
            g_prefix_error (error, "database %s: migrating to schema version %d: ",
                            server_store_name (db), step + 1);
            db_rollback (db);
            return NULL;
          }
      if ((version < SCHEMA_VERSION && !server_store_set_version (db, SCHEMA_VERSION, error))
          || !db_exec (db, "COMMIT", error))
        {
          db_rollback (db);
          return NULL;
        }
    }
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL,
                   "database %s: schema version %d is newer than this server's %d",
                   server_store_name (db), version, SCHEMA_VERSION);
      return NULL;
    }
  return g_steal_pointer (&db);
}

/* ---- Secrets ---------------------------------------------------------------- */

static gboolean
random_bytes (guint8  *buffer,
              gsize    length,
              GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "getrandom: %s",
                       g_strerror (errno));
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* A random token: 32 bytes, base64url without padding (43 characters). */
static char *
make_token (GError **error)
{
  guint8 bytes[32];
  g_autofree char *b64 = NULL;

  if (!random_bytes (bytes, sizeof bytes, error))
    return NULL;
  b64 = g_base64_encode (bytes, sizeof bytes);
  for (char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return g_steal_pointer (&b64);
}

/* An enrolment code a person can type: 4 groups of 4 from an alphabet
 * without 0/O and 1/I/L (31 symbols, about 79 bits), drawn without bias. */
static char *
make_code (GError **error)
{
  static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  g_autoptr(GString) code = g_string_new (NULL);
  guint drawn = 0;

  while (drawn < 16)
    {
      guint8 bytes[32];

      if (!random_bytes (bytes, sizeof bytes, error))
        return NULL;
      for (guint i = 0; i < sizeof bytes && drawn < 16; i++)
        {
          if (bytes[i] >= 248)     /* 248 = 8 * 31: keeps every symbol equally likely */
            continue;
          if (drawn > 0 && drawn % 4 == 0)
            g_string_append_c (code, '-');
          g_string_append_c (code, alphabet[bytes[i] % 31]);
          drawn++;
        }
    }
  return g_string_free (g_steal_pointer (&code), FALSE);
}

/* Upper-cases and drops spaces and hyphens, so "k7qm 3xpa ...",
 * "K7QM3XPA..." and "K7QM-3XPA-..." are the same code. */
static char *
normalise_code (const char *code)
{
  GString *out = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    if (*p != ' ' && *p != '-')
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

char *
now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---- Administration ---------------------------------------------------------- */

/**
 * server_db_make_code:
 * @communities: "all", or community UUIDs separated by commas
 * @lifetime_seconds: how long the code stays valid
 *
 * Stores a one-time enrolment code (only its SHA-256).
 *
 * Returns: (transfer full): the code, or %NULL and
 * %SERVER_ERROR_BAD_REQUEST naming a community that is not a UUID.
 */
char *
server_db_make_code (ServerDb    *db,
                     const char  *communities,
                     gint64       lifetime_seconds,
                     GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) stored = g_string_new (NULL);
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *code = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *normal = NULL;
  g_autofree char *now = now_rfc3339 ();

  g_return_val_if_fail (db != NULL && communities != NULL, NULL);

  if (g_strcmp0 (communities, "all") == 0)
    g_string_append (stored, "all");
  else
    {
      parts = g_strsplit (communities, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (!g_uuid_string_is_valid (parts[i]))
            {
              g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                           "--communities: \"%s\" is not a community UUID (or use \"all\")",
                           parts[i]);
              return NULL;
            }
          if (stored->len > 0)
            g_string_append_c (stored, ',');
          g_string_append (stored, parts[i]);
        }
      if (stored->len == 0)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                       "--communities: no community given");
          return NULL;
        }
    }

  code = make_code (error);
  if (code == NULL)
    return NULL;
  normal = normalise_code (code);
  hash = sha256_hex (normal);
  stmt = db_prepare (db, "INSERT INTO enrol_codes (code_sha256, communities, created, expires) "
                         "VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  db_bind_text (stmt, 1, hash);
  db_bind_text (stmt, 2, stored->str);
  db_bind_text (stmt, 3, now);
  db_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC + lifetime_seconds);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "storing the code", error);
      return NULL;
    }
  return g_steal_pointer (&code);
}

/* Marks @device_id revoked: its token stops working at once (403).  With
 * @wipe, the device is told at its next contact to erase its data (it
 * does, client.c).  Logged with @reason. */
gboolean
server_db_revoke (ServerDb    *db,
                  const char  *device_id,
                  gboolean     wipe,
                  const char  *reason,
                  GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *now = now_rfc3339 ();

  g_return_val_if_fail (db != NULL && device_id != NULL, FALSE);

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  stmt = db_prepare (db, "UPDATE devices SET revoked = coalesce (revoked, ?1), "
                         "wipe = CASE WHEN wipe > ?2 THEN wipe ELSE ?2 END WHERE device_id = ?3", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, now);
  db_bind_int64 (stmt, 2, wipe ? 1 : 0);
  db_bind_text (stmt, 3, device_id);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "revoking", error);
      goto fail;
    }
  if (db_changes (db) == 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_UNKNOWN_DEVICE,
                   "no enrolled device has the id \"%s\"", device_id);
      goto fail;
    }
  if (!server_db_log_admin (db, wipe ? "revoke-and-wipe" : "revoke", device_id, NULL,
                            reason != NULL ? reason : "revoked by an administrator", error) ||
      !db_exec (db, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  db_rollback (db);
  return FALSE;
}

static gint64
count_of (ServerDb   *db,
          const char *sql)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, sql, NULL);

  if (stmt != NULL && db_step (stmt) == DB_ROW)
    return db_column_int64 (stmt, 0);
  return -1;
}

/* Returns: (transfer full): counts of devices, records by type, conflicts,
 * publications and codes as one JSON object. */
char *
server_db_stats_json (ServerDb    *db,
                      GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(ServerStmt) stmt = NULL;
  static const struct { const char *name; const char *sql; } counts[] = {
    { "devices", "SELECT count(*) FROM devices" },
    { "devices_revoked", "SELECT count(*) FROM devices WHERE revoked IS NOT NULL" },
    { "records", "SELECT count(*) FROM records WHERE kind = 'record'" },
    { "conflicts", "SELECT count(*) FROM conflicts" },
    { "publications", "SELECT count(*) FROM records WHERE kind != 'record'" },
    { "codes_unused", "SELECT count(*) FROM enrol_codes WHERE used IS NULL" },
    { "batches", "SELECT count(*) FROM idempotency" },
  };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "server");
  json_builder_add_string_value (b, SERVER_NAME);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      gint64 n = count_of (db, counts[i].sql);

      if (n < 0)
        {
          db_fail (db, counts[i].name, error);
          return NULL;
        }
      json_builder_set_member_name (b, counts[i].name);
      json_builder_add_int_value (b, n);
    }
  /* how far the derived store (indicators) is behind the records */
  {
    gint64 applied = 0, newest = count_of (db, "SELECT coalesce (max (seq), 0) FROM records");

    if (newest < 0)
      {
        db_fail (db, "records", error);
        return NULL;
      }
    if (!server_derived_applied_seq (db, &applied, error))
      return NULL;
    json_builder_set_member_name (b, "newest_seq");
    json_builder_add_int_value (b, newest);
    json_builder_set_member_name (b, "derived_applied_seq");
    json_builder_add_int_value (b, applied);
  }
  json_builder_set_member_name (b, "records_by_type");
  json_builder_begin_object (b);
  stmt = db_prepare (db, "SELECT type, count(*) FROM records WHERE kind = 'record' GROUP BY type ORDER BY type",
                     error);
  if (stmt == NULL)
    return NULL;
  while (db_step (stmt) == DB_ROW)
    {
      json_builder_set_member_name (b, (const char *) db_column_text (stmt, 0));
      json_builder_add_int_value (b, db_column_int64 (stmt, 1));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

static void
add_text_or_null (JsonBuilder *b,
                  const char  *name,
                  const char  *text)
{
  json_builder_set_member_name (b, name);
  if (text != NULL)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}

/**
 * server_db_devices:
 * @json: a JSON array instead of a table for people
 *
 * Every device, in enrolment order: id, name, communities ("all" or the
 * list), enrolled, revoked, last contact (time and client address of its
 * last authenticated request) and the queue size it last reported.
 *
 * Returns: (transfer full): the text, ending with a newline.
 */
char *
server_db_devices (ServerDb    *db,
                   gboolean     json,
                   GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) table = g_string_new (NULL);
  g_autofree char *text = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT d.device_id, d.name, d.all_communities, "
                         "  (SELECT group_concat (community_id, ',') FROM "
                         "    (SELECT community_id FROM device_communities c WHERE c.device_id = d.device_id "
                         "     ORDER BY community_id) AS ordered), "
                         "  d.enrolled, d.revoked, d.last_contact, d.last_address, d.queue_size "
                         "FROM devices d ORDER BY d.enrolled, d.rowid", error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  g_string_append_printf (table, "%-36s  %-20s  %-20s  %-20s  %-20s  %-15s  %5s  %s\n", "device", "name",
                          "enrolled", "revoked", "last contact", "address", "queue", "communities");
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      const char *id = (const char *) db_column_text (stmt, 0);
      const char *name = (const char *) db_column_text (stmt, 1);
      gboolean all = db_column_int (stmt, 2);
      const char *communities = (const char *) db_column_text (stmt, 3);
      const char *enrolled = (const char *) db_column_text (stmt, 4);
      const char *revoked = (const char *) db_column_text (stmt, 5);
      const char *contact = (const char *) db_column_text (stmt, 6);
      const char *address = (const char *) db_column_text (stmt, 7);
      gboolean has_queue = !db_column_is_null (stmt, 8);
      gint64 queue = db_column_int64 (stmt, 8);
      g_auto(GStrv) list = communities != NULL ? g_strsplit (communities, ",", -1) : g_new0 (char *, 1);
      g_autofree char *queue_text = has_queue ? g_strdup_printf ("%" G_GINT64_FORMAT, queue) : g_strdup ("-");

      json_builder_begin_object (b);
      add_text_or_null (b, "device_id", id);
      add_text_or_null (b, "name", name);
      json_builder_set_member_name (b, "all_communities");
      json_builder_add_boolean_value (b, all);
      json_builder_set_member_name (b, "communities");
      json_builder_begin_array (b);
      for (guint i = 0; list[i] != NULL; i++)
        json_builder_add_string_value (b, list[i]);
      json_builder_end_array (b);
      add_text_or_null (b, "enrolled", enrolled);
      add_text_or_null (b, "revoked", revoked);
      add_text_or_null (b, "last_contact", contact);
      add_text_or_null (b, "last_address", address);
      json_builder_set_member_name (b, "queue_size");
      if (has_queue)
        json_builder_add_int_value (b, queue);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);

      /* The name was typed on a device: cut short, no control characters. */
      {
        g_autofree char *shown = g_utf8_substring (name, 0, MIN (g_utf8_strlen (name, -1), 20));

        for (char *p = shown; *p != '\0'; p++)
          if ((guchar) *p < 0x20 || *p == 0x7f)
            *p = '?';
        g_string_append_printf (table, "%-36s  %-20s  %-20s  %-20s  %-20s  %-15s  %5s  %s\n", id, shown,
                                enrolled, revoked != NULL ? revoked : "-", contact != NULL ? contact : "-",
                                address != NULL ? address : "-", queue_text,
                                all ? "all" : (communities != NULL ? communities : "-"));
      }
    }
  if (rc != DB_DONE)
    {
      db_fail (db, "listing devices", error);
      return NULL;
    }
  json_builder_end_array (b);
  if (!json)
    return g_string_free (g_steal_pointer (&table), FALSE);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  return g_strconcat (text, "\n", NULL);
}

/* Deletes stored batch responses older than @max_age_seconds. */
gboolean
server_db_prune (ServerDb    *db,
                 gint64       max_age_seconds,
                 GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) limit = g_date_time_add_seconds (now, (gdouble) -max_age_seconds);
  g_autofree char *cutoff = g_date_time_format (limit, "%Y-%m-%dT%H:%M:%SZ");

  stmt = db_prepare (db, "DELETE FROM idempotency WHERE created < ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, cutoff);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "pruning batch responses", error);
  return TRUE;
}

/* ---- Protocol ----------------------------------------------------------------- */

/* A device enrolling again with the token it held: the old entry is
 * revoked, and the new one takes over its records, the people it
 * declared and the local id it stamps them with (the same handheld goes
 * on revising its own records, by its own people).  A token that is unknown or already revoked changes nothing. */
static gboolean
take_over (ServerDb    *db,
           const char  *old_token,
           const char  *device_id,
           const char  *now,
           GError     **error)
{
  g_autofree char *old_hash = sha256_hex (old_token);
  g_autofree char *old_id = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(ServerStmt) stmt = NULL;
  int records;

  stmt = db_prepare (db, "SELECT device_id, local_id FROM devices WHERE token_sha256 = ? AND revoked IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, old_hash);
  if (db_step (stmt) != DB_ROW)
    return TRUE;
  old_id = g_strdup ((const char *) db_column_text (stmt, 0));
  local_id = g_strdup ((const char *) db_column_text (stmt, 1));
  g_clear_pointer (&stmt, db_finalize);

  stmt = db_prepare (db, "UPDATE devices SET revoked = ?1, local_id = NULL WHERE device_id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, now);
  db_bind_text (stmt, 2, old_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "revoking the previous token", error);
  g_clear_pointer (&stmt, db_finalize);

  stmt = db_prepare (db, "UPDATE devices SET local_id = ?1 WHERE device_id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, local_id);
  db_bind_text (stmt, 2, device_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "moving the device's local id", error);
  g_clear_pointer (&stmt, db_finalize);

  stmt = db_prepare (db, "UPDATE record_owners SET device_id = ?1 WHERE device_id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, device_id);
  db_bind_text (stmt, 2, old_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "handing over the device's records", error);
  records = db_changes (db);
  g_clear_pointer (&stmt, db_finalize);

  /* the people it declared go on authoring its records */
  stmt = db_prepare (db, "UPDATE people SET declared_by = ?1 WHERE declared_by = ?2", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, device_id);
  db_bind_text (stmt, 2, old_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "handing over the people the device declared", error);
  detail = g_strdup_printf ("%d records and %d people from device %s to device %s", records,
                            (int) db_changes (db), old_id, device_id);
  return server_db_log_admin (db, "re-enrol", old_id, detail,
                              "the device enrolled again with its previous token", error);
}

/**
 * server_db_enrol:
 *
 * @old_token: (nullable): the token the enrolling device held until now
 *
 * Consumes the one-time @code and creates a device with a fresh token
 * (stored only as its SHA-256), in one transaction.  The device entry of
 * @old_token, if any, is revoked in the same transaction: a device that
 * enrols again (a new code, a changed scope) keeps no second live token.
 * An unknown @old_token is ignored, so a stale one never blocks enrolment.
 * The people the device declares (@people, from a device set up offline)
 * whose ids the server does not know are recorded as facilitators
 * declared by the new device (server_people_declare()).
 *
 * Returns: (transfer full): `{"device_id","token","communities",
 * "all_communities","people"}`, `people` those of the device's
 * communities (server_people_add_for_device()), or %NULL and %SERVER_ERROR_INVALID_CODE,
 * %SERVER_ERROR_CODE_USED or %SERVER_ERROR_CODE_EXPIRED.
 */
char *
server_db_enrol (ServerDb    *db,
                 const char  *code,
                 const char  *device_name,
                 const char  *old_token,
                 JsonNode    *people,
                 GError     **error)
{
  g_autofree char *normal = normalise_code (code);
  g_autofree char *hash = sha256_hex (normal);
  g_autofree char *communities = NULL;
  g_autofree char *device_id = g_uuid_string_random ();
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *now = now_rfc3339 ();
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) parts = NULL;
  gboolean all;
  gint64 expires;
  gboolean used;

  token = make_token (error);
  if (token == NULL)
    return NULL;
  token_hash = sha256_hex (token);

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  stmt = db_prepare (db, "SELECT communities, expires, used IS NOT NULL FROM enrol_codes "
                         "WHERE code_sha256 = ?", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, hash);
  if (db_step (stmt) != DB_ROW)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_CODE,
                   "code: no such enrolment code");
      goto fail;
    }
  communities = g_strdup ((const char *) db_column_text (stmt, 0));
  expires = db_column_int64 (stmt, 1);
  used = db_column_int (stmt, 2);
  g_clear_pointer (&stmt, db_finalize);
  if (used)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_CODE_USED,
                   "code: this enrolment code was already used; ask for a new one");
      goto fail;
    }
  if (expires <= g_get_real_time () / G_USEC_PER_SEC)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_CODE_EXPIRED,
                   "code: this enrolment code has expired; ask for a new one");
      goto fail;
    }
  all = g_strcmp0 (communities, "all") == 0;

  stmt = db_prepare (db, "INSERT INTO devices (device_id, name, token_sha256, all_communities, enrolled) "
                         "VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, device_id);
  db_bind_text (stmt, 2, device_name);
  db_bind_text (stmt, 3, token_hash);
  db_bind_int64 (stmt, 4, all);
  db_bind_text (stmt, 5, now);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "enrolling", error);
      goto fail;
    }
  g_clear_pointer (&stmt, db_finalize);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device_id);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_set_member_name (b, "all_communities");
  json_builder_add_boolean_value (b, all);
  json_builder_set_member_name (b, "communities");
  json_builder_begin_array (b);
  if (!all)
    {
      parts = g_strsplit (communities, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          stmt = db_prepare (db, "INSERT OR IGNORE INTO device_communities VALUES (?, ?)", error);
          if (stmt == NULL)
            goto fail;
          db_bind_text (stmt, 1, device_id);
          db_bind_text (stmt, 2, parts[i]);
          if (db_step (stmt) != DB_DONE)
            {
              db_fail (db, "enrolling", error);
              goto fail;
            }
          g_clear_pointer (&stmt, db_finalize);
          json_builder_add_string_value (b, parts[i]);
        }
    }
  json_builder_end_array (b);
  if (people != NULL && !server_people_declare (db, device_id, people, error))
    goto fail;
  if (!server_people_add_for_device (db, device_id, b, error))
    goto fail;
  json_builder_end_object (b);

  stmt = db_prepare (db, "UPDATE enrol_codes SET used = ?, device_id = ? WHERE code_sha256 = ?", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, now);
  db_bind_text (stmt, 2, device_id);
  db_bind_text (stmt, 3, hash);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "enrolling", error);
      goto fail;
    }
  if (old_token != NULL && !take_over (db, old_token, device_id, now, error))
    goto fail;
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);

fail:
  db_rollback (db);
  return NULL;
}

/**
 * server_db_authenticate:
 *
 * Returns: (transfer full): the device id owning @token, or %NULL and
 * %SERVER_ERROR_UNAUTHORIZED (unknown token) or %SERVER_ERROR_REVOKED.
 */
char *
server_db_authenticate (ServerDb    *db,
                        const char  *token,
                        GError     **error)
{
  g_autofree char *hash = sha256_hex (token);
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT device_id, revoked IS NOT NULL, wipe FROM devices WHERE token_sha256 = ?",
                     error);
  if (stmt == NULL)
    return NULL;
  db_bind_text (stmt, 1, hash);
  rc = db_step (stmt);
  if (rc == DB_DONE)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_UNAUTHORIZED,
                   "Authorization: the bearer token is not valid");
      return NULL;
    }
  if (rc != DB_ROW)
    {
      db_fail (db, "authenticating", error);
      return NULL;
    }
  if (db_column_int (stmt, 1) && db_column_int (stmt, 2))
    {
      /* the device erases its data on this answer (client.c) */
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_WIPE,
                   "this device was revoked and must erase its data");
      return NULL;
    }
  if (db_column_int (stmt, 1))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_REVOKED,
                   "this device was revoked; enrol it again with a new code");
      return NULL;
    }
  return g_strdup ((const char *) db_column_text (stmt, 0));
}

/**
 * server_db_note_contact:
 * @address: the client's address
 * @queue_size: the records the device says wait in its queue, or -1 when
 *   it did not say (the last reported value is kept)
 *
 * Records the time and address of an authenticated request.  Waits at
 * most 200 ms for the write lock (then fails with %SERVER_ERROR_BUSY).
 */
gboolean
server_db_note_contact (ServerDb    *db,
                        const char  *device_id,
                        const char  *address,
                        gint64       queue_size,
                        GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *now = now_rfc3339 ();
  gboolean ok;

  stmt = db_prepare (db, "UPDATE devices SET last_contact = ?1, last_address = ?2, "
                         "queue_size = CASE WHEN ?3 < 0 THEN queue_size ELSE ?3 END WHERE device_id = ?4",
                     error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, now);
  db_bind_text (stmt, 2, address);
  db_bind_int64 (stmt, 3, queue_size);
  db_bind_text (stmt, 4, device_id);
  /* Bookkeeping must not hold a pull up behind another device's long
   * push transaction: it waits a moment for the write lock, then gives up. */
  db_set_busy_timeout (db, 200);
  ok = db_step (stmt) == DB_DONE;
  db_set_busy_timeout (db, 10000);
  if (!ok)
    return db_fail (db, "noting the last contact", error);
  return TRUE;
}

/**
 * server_db_pull:
 * @cursor: the last seq the device has applied (0 at first)
 * @next_cursor: (out): the seq of the last line returned; at the end of
 *   the stream, the newest seq of all (nothing up to it is for the device)
 * @has_more: (out): whether lines remain after this page
 *
 * One page of the device's stream in server order: records of its
 * communities that another device pushed, and every publication; at most
 * @max_records lines and about @max_bytes (always at least one line).
 *
 * Returns: (transfer full): the NDJSON page (uncompressed).
 */
GBytes *
server_db_pull (ServerDb    *db,
                const char  *device_id,
                gint64       cursor,
                guint        max_records,
                gsize        max_bytes,
                gint64      *next_cursor,
                gboolean    *has_more,
                guint       *count,
                GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gboolean all_communities;
  int rc;

  *next_cursor = cursor;
  *has_more = FALSE;
  *count = 0;

  /* A read transaction, so the page is one consistent snapshot. */
  if (!db_exec (db, "BEGIN", error))
    return NULL;
  /* A device of some communities reads the publications (their own
   * index) and its communities' records (an index by community and seq)
   * after its cursor, not every record stored since (a publication
   * has no community_id: only pushed records meet a community); one of
   * all communities reads them all.  Never its own records nor the
   * audit trail. */
  stmt = db_prepare (db, "SELECT all_communities != 0 FROM devices WHERE device_id = ?", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, device_id);
  rc = db_step (stmt);
  if (rc != DB_ROW && rc != DB_DONE)
    {
      db_fail (db, "pull", error);
      goto fail;
    }
  all_communities = rc == DB_ROW && db_column_int (stmt, 0);
  g_clear_pointer (&stmt, db_finalize);
  if (all_communities)
    stmt = db_prepare (db,
                       "SELECT seq, line FROM records WHERE seq > ?1 AND quarantined IS NULL AND (kind != 'record' OR "
                       " (type != 'audit' AND (pushed_by IS NULL OR pushed_by != ?2))) ORDER BY seq LIMIT ?3",
                       error);
  else
    stmt = db_prepare (db,
                       "SELECT seq, line FROM records WHERE seq IN ("
                       " SELECT seq FROM records WHERE kind != 'record' AND seq > ?1 AND quarantined IS NULL"
                       " UNION ALL"
                       " SELECT r.seq FROM device_communities c, records r WHERE c.device_id = ?2"
                       "  AND r.community_id = c.community_id AND r.seq > ?1 AND r.type != 'audit'"
                       "  AND (r.pushed_by IS NULL OR r.pushed_by != ?2) AND r.quarantined IS NULL"
                       " ORDER BY 1 LIMIT ?3) ORDER BY seq",
                       error);
  if (stmt == NULL)
    goto fail;
  db_bind_int64 (stmt, 1, cursor);
  db_bind_text (stmt, 2, device_id);
  db_bind_int64 (stmt, 3, (gint64) max_records + 1);
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      gsize n = (gsize) db_column_bytes (stmt, 1);

      if (*count >= max_records || (*count > 0 && out->len + n + 1 > max_bytes))
        {
          *has_more = TRUE;
          break;
        }
      g_byte_array_append (out, db_column_blob (stmt, 1), (guint) n);
      g_byte_array_append (out, (const guint8 *) "\n", 1);
      *next_cursor = db_column_int64 (stmt, 0);
      (*count)++;
    }
  if (rc != DB_ROW && rc != DB_DONE)
    {
      db_fail (db, "pull", error);
      goto fail;
    }
  g_clear_pointer (&stmt, db_finalize);

  /* At the end of the stream nothing up to the newest seq is for this
   * device: move the cursor there, so the next pull scans only new lines. */
  if (!*has_more)
    {
      stmt = db_prepare (db, "SELECT coalesce (max (seq), 0) FROM records", error);
      if (stmt == NULL)
        goto fail;
      if (db_step (stmt) == DB_ROW)
        {
          gint64 newest = db_column_int64 (stmt, 0);

          /* a cursor this server never gave: it was restored from an older
           * copy, or the device talks to another server.  Going on from
           * there would skip every record pushed since; the device starts
           * again from 0 (applying a record twice changes nothing). */
          if (cursor > newest)
            {
              g_set_error (error, SERVER_ERROR, SERVER_ERROR_CURSOR_AHEAD,
                           "cursor: %" G_GINT64_FORMAT " is past the newest record (%" G_GINT64_FORMAT
                           "); pull again from 0", cursor, newest);
              g_clear_pointer (&stmt, db_finalize);
              goto fail;
            }
          *next_cursor = MAX (*next_cursor, newest);
        }
      g_clear_pointer (&stmt, db_finalize);
    }
  db_exec (db, "COMMIT", NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));

fail:
  db_rollback (db);
  return NULL;
}
