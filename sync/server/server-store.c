/* server-store.c: the server's store interface (server-store.h) over SQLite and over PostgreSQL (libpq). */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-store.h"
#include "server.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

/* The advisory lock every PostgreSQL write transaction takes ("CLMR"). */
#define WRITE_LOCK_KEY 0x434c4d52
/* Rows a PostgreSQL cursor fetches at a time (db_prepare_cursor()). */
#define CURSOR_PAGE 1000
/* Idle PostgreSQL connections this process keeps for reuse. */
#define POOL_MAX 32

#define BYTEAOID 17
#define INT8OID 20
#define INT2OID 21
#define INT4OID 23

struct _ServerDb {
  char        *location;    /* as given: a path or a URI */
  char        *name;        /* shown in messages, no password */
  sqlite3     *sqlite;
  PGconn      *pg;
  gboolean     reused;      /* a PostgreSQL connection taken from the pool */
  gboolean     test_path;   /* a SQLite path run on PostgreSQL (tests) */
  DbErrorKind  error_kind;  /* PostgreSQL: the last error */
  char        *error_message;
  gint64       changes;
  guint        cursors;     /* serial for cursor names */
  GHashTable  *prepared;    /* PostgreSQL: translated text -> its prepared statement's name */
  guint64      round_trips; /* PostgreSQL: requests sent and answered (db_round_trips()) */
};

struct _ServerStmt {
  ServerDb     *db;
  sqlite3_stmt *sqlite;
  /* PostgreSQL: the translated text and its parameters */
  char         *sql;
  int           n_params;
  char        **values;
  int          *lengths;
  int          *formats;
  Oid          *types;
  PGresult     *result;
  int           row;
  gboolean      executed;
  gboolean      use_cursor;
  char         *cursor;     /* its name while declared */
  GPtrArray    *decoded;    /* bytea cells of the current row, decoded (GBytes or NULL) */
};

/* ---- Shared --------------------------------------------------------------------- */

gboolean
server_store_is_uri (const char *location)
{
  return location != NULL
         && (g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://"));
}

gboolean
server_store_is_postgres (ServerDb *db)
{
  return db->pg != NULL;
}

const char *
server_store_name (ServerDb *db)
{
  return db->name;
}

sqlite3 *
server_store_sqlite (ServerDb *db)
{
  return db->sqlite;
}

const char *
server_store_test_path (ServerDb *db)
{
  return db->test_path ? db->location : NULL;
}

const char *
db_dialect (ServerDb   *db,
            const char *sqlite,
            const char *postgres)
{
  return db->pg != NULL ? postgres : sqlite;
}

static void
pg_set_error (ServerDb       *db,
              const PGresult *result)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *message = result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (db->pg);

  g_free (db->error_message);
  db->error_message = g_strstrip (g_strdup (message != NULL && *message != '\0' ? message
                                            : PQerrorMessage (db->pg)));
  db->error_kind = DB_FAILED;
  if (state != NULL)
    {
      /* serialization failure, deadlock, lock wait timed out, statement timeout */
      if (g_str_equal (state, "40001") || g_str_equal (state, "40P01") || g_str_equal (state, "55P03")
          || g_str_equal (state, "57014"))
        db->error_kind = DB_BUSY;
      else if (g_str_equal (state, "53100"))
        db->error_kind = DB_FULL;
    }
}

DbErrorKind
db_error_kind (ServerDb *db)
{
  if (db->pg != NULL)
    return db->error_kind;
  switch (sqlite3_errcode (db->sqlite))
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return DB_BUSY;
    case SQLITE_FULL:
      return DB_FULL;
    default:
      return DB_FAILED;
    }
}

const char *
db_error_message (ServerDb *db)
{
  if (db->pg != NULL)
    return db->error_message != NULL ? db->error_message : "no error";
  return sqlite3_errmsg (db->sqlite);
}

/* ---- The PostgreSQL dialect --------------------------------------------------------- */

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* SQLite's dialect as the server writes it, in PostgreSQL's: the one
 * place the two differ.  Placeholders ?N and ? become $N (a bare ? is one
 * more than the highest so far, as in SQLite); nothing inside a string
 * literal is touched.  *@n_params: the highest placeholder. */
static char *
pg_translate (const char *sql,
              int        *n_params)
{
  static const struct { const char *from, *to; } words[] = {
    { "INSERT OR IGNORE INTO", "INSERT INTO" },
    { "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY" },
    { "INTEGER", "BIGINT" },
    { "BLOB", "BYTEA" },
    { "group_concat", "string_agg" },
    { "rowid", "ctid" },
    /* a line is bytea; db_column_text() gives its bytes */
    { "CAST (line AS TEXT)", "line" },
    { "CAST (r.line AS TEXT)", "r.line" },
    { "CAST (response AS TEXT)", "response" },
  };
  GString *out = g_string_sized_new (strlen (sql) + 32);
  gboolean ignore = FALSE, quoted = FALSE;
  int highest = 0;

  for (const char *p = sql; *p != '\0';)
    {
      if (*p == '\'')
        quoted = !quoted;
      if (quoted || *p == '\'')
        {
          g_string_append_c (out, *p++);
          continue;
        }
      if (*p == '?')
        {
          int index;

          p++;
          if (g_ascii_isdigit (*p))
            {
              index = (int) strtol (p, (char **) &p, 10);
              highest = MAX (highest, index);
            }
          else
            index = ++highest;
          g_string_append_printf (out, "$%d", index);
          continue;
        }
      if (p == sql || !is_word_char (p[-1]))
        {
          gboolean replaced = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (words); i++)
            {
              gsize n = strlen (words[i].from);

              if (strncmp (p, words[i].from, n) == 0 && !is_word_char (p[n]))
                {
                  g_string_append (out, words[i].to);
                  if (i == 0)
                    ignore = TRUE;
                  p += n;
                  replaced = TRUE;
                  break;
                }
            }
          if (replaced)
            continue;
        }
      g_string_append_c (out, *p++);
    }
  if (ignore)
    g_string_append (out, " ON CONFLICT DO NOTHING");
  *n_params = highest;
  return g_string_free (out, FALSE);
}

/* ---- Connections ------------------------------------------------------------------- */

static GMutex pool_lock;
static GQueue pool = G_QUEUE_INIT;

static void
quiet_notices (void       *data,
               const char *message)
{
  /* "relation already exists, skipping" and the like: not for the log */
}

/* The URI as it may be shown: no password. */
static char *
pg_display_name (const char *uri)
{
  PQconninfoOption *options = PQconninfoParse (uri, NULL);
  const char *user = NULL, *host = NULL, *port = NULL, *dbname = NULL;
  GString *name;

  if (options == NULL)
    return g_strdup ("postgresql://(unreadable URI)");
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (o->val == NULL)
        continue;
      if (g_str_equal (o->keyword, "user"))
        user = o->val;
      else if (g_str_equal (o->keyword, "host"))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
      else if (g_str_equal (o->keyword, "dbname"))
        dbname = o->val;
    }
  name = g_string_new ("postgresql://");
  if (user != NULL)
    g_string_append_printf (name, "%s@", user);
  if (host != NULL && host[0] != '/')
    g_string_append (name, host);
  if (port != NULL)
    g_string_append_printf (name, ":%s", port);
  g_string_append_printf (name, "/%s", dbname != NULL ? dbname : "");
  if (host != NULL && host[0] == '/')
    g_string_append_printf (name, "?host=%s", host);
  PQconninfoFree (options);
  return g_string_free (name, FALSE);
}

static PGconn *
pg_connect (const char  *uri,
            const char  *dbname,
            const char  *name,
            GError     **error)
{
  /* with expand_dbname the URI's settings come first; a later dbname overrides its database */
  const char *const keywords[] = { "application_name", "connect_timeout", "dbname", "dbname", NULL };
  const char *const values[] = { "clmrs-server", "10", uri, dbname, NULL };
  PGconn *conn;

  conn = PQconnectdbParams (keywords, values, 1);
  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (conn != NULL ? PQerrorMessage (conn) : "out of memory");

      /* libpq's message says what failed: refused, authentication, no such database */
      g_strdelimit (message, "\n\t", ' ');
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "database %s: %s", name, g_strstrip (message));
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, quiet_notices, NULL);
  return conn;
}

/* Tests only: with CLMRS_SERVER_TEST_PG_URI set, every SQLite path the
 * server is given is a PostgreSQL database of that cluster instead, one
 * database a path (made on first use), so the whole sync test suite runs
 * against PostgreSQL unchanged.  Returns its database name, or NULL. */
static char *
test_pg_database (const char *path)
{
  g_autofree char *absolute = NULL;
  g_autofree char *hash = NULL;

  if (g_getenv ("CLMRS_SERVER_TEST_PG_URI") == NULL || *g_getenv ("CLMRS_SERVER_TEST_PG_URI") == '\0')
    return NULL;
  absolute = g_canonicalize_filename (path, NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, absolute, -1);
  hash[24] = '\0';
  return g_strconcat ("clmrs_test_", hash, NULL);
}

static PGconn *
test_pg_connect (const char  *dbname,
                 const char  *name,
                 GError     **error)
{
  const char *uri = g_getenv ("CLMRS_SERVER_TEST_PG_URI");
  g_autoptr(GError) local = NULL;
  g_autofree char *create = NULL;
  PGconn *conn = pg_connect (uri, dbname, name, &local);
  PGconn *admin;

  if (conn != NULL || strstr (local->message, "does not exist") == NULL)
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return conn;
    }
  admin = pg_connect (uri, NULL, name, error);
  if (admin == NULL)
    return NULL;
  create = g_strdup_printf ("CREATE DATABASE %s", dbname);
  PQclear (PQexec (admin, create));   /* another process may have made it meanwhile */
  PQfinish (admin);
  return pg_connect (uri, dbname, name, error);
}

static ServerDb *
pg_open (const char  *location,
         GError     **error)
{
  g_autofree char *test_database = server_store_is_uri (location) ? NULL : test_pg_database (location);
  g_autofree char *name = NULL;
  ServerDb *db = NULL;
  PGconn *conn;
  PGresult *result;

  g_mutex_lock (&pool_lock);
  for (GList *l = pool.head; l != NULL; l = l->next)
    {
      ServerDb *idle = l->data;

      if (g_str_equal (idle->location, location))
        {
          g_queue_delete_link (&pool, l);
          db = idle;
          break;
        }
    }
  g_mutex_unlock (&pool_lock);
  if (db != NULL)
    {
      if (PQstatus (db->pg) == CONNECTION_OK)
        {
          db->reused = TRUE;
          return db;
        }
      PQfinish (db->pg);
      db->pg = NULL;
      server_store_close (db);
    }

  if (test_database != NULL)
    {
      name = g_strdup_printf ("%s (PostgreSQL database %s)", location, test_database);
      conn = test_pg_connect (test_database, name, error);
      /* the file SQLite would have made: the commands that want an
       * existing database look for it, and a path SQLite could not
       * create fails here too */
      if (conn != NULL && !g_file_test (location, G_FILE_TEST_EXISTS)
          && !g_file_set_contents (location, "", 0, error))
        g_clear_pointer (&conn, PQfinish);
    }
  else
    {
      name = pg_display_name (location);
      conn = pg_connect (location, NULL, name, error);
    }
  if (conn == NULL)
    return NULL;
  /* as long as SQLite's busy timeout: then the request is told "busy" */
  result = PQexec (conn, "SET lock_timeout = '10s'");
  PQclear (result);

  db = g_new0 (ServerDb, 1);
  db->location = g_strdup (location);
  db->name = g_steal_pointer (&name);
  db->pg = conn;
  db->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  db->test_path = test_database != NULL;
  return db;
}

static ServerDb *
sqlite_open (const char  *path,
             GError     **error)
{
  sqlite3 *handle = NULL;
  ServerDb *db;

  if (sqlite3_open_v2 (path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INTERNAL, "database %s: %s", path,
                   handle != NULL ? sqlite3_errmsg (handle) : "out of memory");
      sqlite3_close_v2 (handle);
      return NULL;
    }
  sqlite3_busy_timeout (handle, 10000);
  db = g_new0 (ServerDb, 1);
  db->location = g_strdup (path);
  db->name = g_strdup (path);
  db->sqlite = handle;
  return db;
}

ServerDb *
server_store_open (const char  *location,
                   GError     **error)
{
  const char *test_uri = g_getenv ("CLMRS_SERVER_TEST_PG_URI");

  if (server_store_is_uri (location) || (test_uri != NULL && *test_uri != '\0'))
    return pg_open (location, error);
  return sqlite_open (location, error);
}

gboolean
server_store_reused (ServerDb *db)
{
  return db->reused;
}

void
server_store_close (ServerDb *db)
{
  if (db == NULL)
    return;
  if (db->pg != NULL && PQstatus (db->pg) == CONNECTION_OK)
    {
      gboolean pooled = FALSE;

      if (PQtransactionStatus (db->pg) != PQTRANS_IDLE)
        PQclear (PQexec (db->pg, "ROLLBACK"));
      g_mutex_lock (&pool_lock);
      if (PQtransactionStatus (db->pg) == PQTRANS_IDLE && pool.length < POOL_MAX)
        {
          g_queue_push_head (&pool, db);
          pooled = TRUE;
        }
      g_mutex_unlock (&pool_lock);
      if (pooled)
        return;
    }
  if (db->pg != NULL)
    PQfinish (db->pg);
  if (db->sqlite != NULL)
    sqlite3_close_v2 (db->sqlite);
  g_free (db->location);
  g_free (db->name);
  g_free (db->error_message);
  g_clear_pointer (&db->prepared, g_hash_table_unref);
  g_free (db);
}

/* ---- Statements ---------------------------------------------------------------------- */

static gboolean
pg_result_ok (ServerDb *db,
              PGresult *result)
{
  ExecStatusType status = PQresultStatus (result);

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    {
      const char *tuples = PQcmdTuples (result);

      if (tuples != NULL && *tuples != '\0')
        db->changes = g_ascii_strtoll (tuples, NULL, 10);
      return TRUE;
    }
  pg_set_error (db, result);
  return FALSE;
}

gboolean
db_exec (ServerDb    *db,
         const char  *sql,
         GError     **error)
{
  g_autofree char *translated = NULL;
  PGresult *result;
  gboolean ok;
  int n;

  if (db->sqlite != NULL)
    {
      if (sqlite3_exec (db->sqlite, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail (db, sql, error);
      return TRUE;
    }

  if (g_str_has_prefix (sql, "PRAGMA"))
    return TRUE;   /* SQLite's settings: PostgreSQL has its own */
  if (g_str_equal (sql, "BEGIN IMMEDIATE"))
    translated = g_strdup_printf ("BEGIN; SELECT pg_advisory_xact_lock (%d)", WRITE_LOCK_KEY);
  else if (g_str_equal (sql, "BEGIN"))
    translated = g_strdup ("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  else
    translated = pg_translate (sql, &n);
  db->round_trips++;
  result = PQexec (db->pg, translated);
  ok = pg_result_ok (db, result);
  PQclear (result);
  if (!ok)
    return db_fail (db, sql, error);
  return TRUE;
}

void
db_rollback (ServerDb *db)
{
  if (db_in_transaction (db))
    db_exec (db, "ROLLBACK", NULL);
}

gboolean
db_in_transaction (ServerDb *db)
{
  if (db->sqlite != NULL)
    return !sqlite3_get_autocommit (db->sqlite);
  return PQtransactionStatus (db->pg) != PQTRANS_IDLE;
}

guint64
db_round_trips (ServerDb *db)
{
  return db->round_trips;
}

gint64
db_changes (ServerDb *db)
{
  if (db->sqlite != NULL)
    return sqlite3_changes (db->sqlite);
  return db->changes;
}

void
db_set_busy_timeout (ServerDb *db,
                     int       ms)
{
  /* PostgreSQL keeps its lock_timeout: a write waits only on the rows it touches */
  if (db->sqlite != NULL)
    sqlite3_busy_timeout (db->sqlite, ms);
}

static ServerStmt *
prepare (ServerDb    *db,
         const char  *sql,
         gboolean     use_cursor,
         GError     **error)
{
  ServerStmt *stmt = g_new0 (ServerStmt, 1);

  stmt->db = db;
  if (db->sqlite != NULL)
    {
      if (sqlite3_prepare_v2 (db->sqlite, sql, -1, &stmt->sqlite, NULL) != SQLITE_OK)
        {
          db_fail (db, "prepare", error);
          g_free (stmt);
          return NULL;
        }
      return stmt;
    }
  stmt->sql = pg_translate (sql, &stmt->n_params);
  stmt->values = g_new0 (char *, MAX (stmt->n_params, 1));
  stmt->lengths = g_new0 (int, MAX (stmt->n_params, 1));
  stmt->formats = g_new0 (int, MAX (stmt->n_params, 1));
  stmt->types = g_new0 (Oid, MAX (stmt->n_params, 1));
  stmt->use_cursor = use_cursor;
  stmt->decoded = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return stmt;
}

ServerStmt *
db_prepare (ServerDb    *db,
            const char  *sql,
            GError     **error)
{
  return prepare (db, sql, FALSE, error);
}

ServerStmt *
db_prepare_cursor (ServerDb    *db,
                   const char  *sql,
                   GError     **error)
{
  return prepare (db, sql, TRUE, error);
}

static void
pg_clear_row (ServerStmt *stmt)
{
  g_ptr_array_set_size (stmt->decoded, 0);
}

static void
pg_clear_result (ServerStmt *stmt)
{
  pg_clear_row (stmt);
  g_clear_pointer (&stmt->result, PQclear);
  if (stmt->cursor != NULL)
    {
      /* a cursor lives until its transaction ends */
      if (PQtransactionStatus (stmt->db->pg) == PQTRANS_INTRANS)
        {
          g_autofree char *close = g_strdup_printf ("CLOSE %s", stmt->cursor);

          stmt->db->round_trips++;
          PQclear (PQexec (stmt->db->pg, close));
        }
      g_clear_pointer (&stmt->cursor, g_free);
    }
  stmt->executed = FALSE;
  stmt->row = 0;
}

static void
pg_bind (ServerStmt *stmt,
         int         index,
         char       *value,
         int         length,
         gboolean    binary)
{
  if (index < 1 || index > stmt->n_params)
    {
      g_free (value);
      return;
    }
  g_free (stmt->values[index - 1]);
  stmt->values[index - 1] = value;
  stmt->lengths[index - 1] = length;
  stmt->formats[index - 1] = binary ? 1 : 0;
  stmt->types[index - 1] = binary ? BYTEAOID : 0;
}

void
db_bind_text (ServerStmt *stmt,
              int         index,
              const char *text)
{
  if (stmt->sqlite != NULL)
    sqlite3_bind_text (stmt->sqlite, index, text, -1, SQLITE_TRANSIENT);
  else
    pg_bind (stmt, index, g_strdup (text), 0, FALSE);
}

void
db_bind_int64 (ServerStmt *stmt,
               int         index,
               gint64      value)
{
  if (stmt->sqlite != NULL)
    sqlite3_bind_int64 (stmt->sqlite, index, value);
  else
    pg_bind (stmt, index, g_strdup_printf ("%" G_GINT64_FORMAT, value), 0, FALSE);
}

void
db_bind_blob (ServerStmt *stmt,
              int         index,
              const void *data,
              gsize       length)
{
  if (stmt->sqlite != NULL)
    sqlite3_bind_blob64 (stmt->sqlite, index, data, length, SQLITE_TRANSIENT);
  else
    pg_bind (stmt, index, g_memdup2 (data != NULL ? data : "", MAX (length, 1)), (int) length, TRUE);
}

void
db_bind_null (ServerStmt *stmt,
              int         index)
{
  if (stmt->sqlite != NULL)
    sqlite3_bind_null (stmt->sqlite, index);
  else
    pg_bind (stmt, index, NULL, 0, FALSE);
}

static int
pg_fetch (ServerStmt *stmt)
{
  g_autofree char *fetch = g_strdup_printf ("FETCH %d FROM %s", CURSOR_PAGE, stmt->cursor);

  g_clear_pointer (&stmt->result, PQclear);
  stmt->db->round_trips++;
  stmt->result = PQexec (stmt->db->pg, fetch);
  stmt->row = -1;
  if (!pg_result_ok (stmt->db, stmt->result))
    return DB_ERROR;
  return DB_DONE;
}

static int
pg_execute (ServerStmt *stmt)
{
  ServerDb *db = stmt->db;
  const char *name;

  stmt->executed = TRUE;
  stmt->row = -1;
  if (stmt->use_cursor && PQtransactionStatus (db->pg) == PQTRANS_INTRANS)
    {
      g_autofree char *declare = NULL;

      stmt->cursor = g_strdup_printf ("clmrs_cursor_%u", ++db->cursors);
      declare = g_strdup_printf ("DECLARE %s NO SCROLL CURSOR FOR %s", stmt->cursor, stmt->sql);
      db->round_trips++;
      stmt->result = PQexecParams (db->pg, declare, stmt->n_params, stmt->types,
                                   (const char *const *) stmt->values, stmt->lengths, stmt->formats, 0);
      if (!pg_result_ok (db, stmt->result))
        {
          g_clear_pointer (&stmt->cursor, g_free);
          return DB_ERROR;
        }
      return pg_fetch (stmt);
    }
  /* Each text is prepared once a connection (and the pool keeps
   * connections): PostgreSQL parses and plans it once, as SQLite's
   * statements are. */
  name = g_hash_table_lookup (db->prepared, stmt->sql);
  if (name == NULL)
    {
      g_autofree char *new_name = g_strdup_printf ("clmrs_%u", g_hash_table_size (db->prepared) + 1);
      PGresult *prepared;
      gboolean ok;

      db->round_trips++;
      prepared = PQprepare (db->pg, new_name, stmt->sql, stmt->n_params, stmt->types);
      ok = pg_result_ok (db, prepared);

      PQclear (prepared);
      if (!ok)
        return DB_ERROR;
      name = new_name;
      g_hash_table_insert (db->prepared, g_strdup (stmt->sql), g_steal_pointer (&new_name));
    }
  db->round_trips++;
  stmt->result = PQexecPrepared (db->pg, name, stmt->n_params, (const char *const *) stmt->values,
                                 stmt->lengths, stmt->formats, 0);
  if (!pg_result_ok (db, stmt->result))
    return DB_ERROR;
  return DB_DONE;
}

int
db_step (ServerStmt *stmt)
{
  if (stmt->sqlite != NULL)
    {
      int rc = sqlite3_step (stmt->sqlite);

      return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
    }

  if (!stmt->executed && pg_execute (stmt) == DB_ERROR)
    return DB_ERROR;
  if (stmt->result == NULL || PQresultStatus (stmt->result) != PGRES_TUPLES_OK)
    return DB_DONE;
  pg_clear_row (stmt);
  stmt->row++;
  if (stmt->row < PQntuples (stmt->result))
    return DB_ROW;
  if (stmt->cursor != NULL && PQntuples (stmt->result) == CURSOR_PAGE)
    {
      if (pg_fetch (stmt) == DB_ERROR)
        return DB_ERROR;
      stmt->row++;
      if (stmt->row < PQntuples (stmt->result))
        return DB_ROW;
    }
  return DB_DONE;
}

void
db_reset (ServerStmt *stmt)
{
  if (stmt->sqlite != NULL)
    sqlite3_reset (stmt->sqlite);
  else
    pg_clear_result (stmt);
}

void
db_finalize (ServerStmt *stmt)
{
  if (stmt == NULL)
    return;
  if (stmt->sqlite != NULL)
    sqlite3_finalize (stmt->sqlite);
  else
    {
      pg_clear_result (stmt);
      for (int i = 0; i < stmt->n_params; i++)
        g_free (stmt->values[i]);
      g_free (stmt->values);
      g_free (stmt->lengths);
      g_free (stmt->formats);
      g_free (stmt->types);
      g_free (stmt->sql);
      g_ptr_array_unref (stmt->decoded);
    }
  g_free (stmt);
}

/* ---- Columns -------------------------------------------------------------------------- */

static gboolean
pg_has_cell (ServerStmt *stmt,
             int         column)
{
  return stmt->result != NULL && stmt->row >= 0 && stmt->row < PQntuples (stmt->result)
         && column >= 0 && column < PQnfields (stmt->result)
         && !PQgetisnull (stmt->result, stmt->row, column);
}

/* A bytea cell's bytes, decoded once per row, NUL-terminated. */
static GBytes *
pg_bytea (ServerStmt *stmt,
          int         column)
{
  GBytes *bytes;
  unsigned char *raw;
  size_t length = 0;

  if ((guint) column < stmt->decoded->len && g_ptr_array_index (stmt->decoded, column) != NULL)
    return g_ptr_array_index (stmt->decoded, column);
  raw = PQunescapeBytea ((const unsigned char *) PQgetvalue (stmt->result, stmt->row, column), &length);
  if (raw == NULL)
    bytes = g_bytes_new ("", 0);
  else
    {
      char *copy = g_malloc (length + 1);

      memcpy (copy, raw, length);
      copy[length] = '\0';
      PQfreemem (raw);
      bytes = g_bytes_new_take (copy, length);
    }
  if ((guint) column >= stmt->decoded->len)
    g_ptr_array_set_size (stmt->decoded, column + 1);
  g_ptr_array_index (stmt->decoded, column) = bytes;
  return bytes;
}

const char *
db_column_text (ServerStmt *stmt,
                int         column)
{
  if (stmt->sqlite != NULL)
    return (const char *) sqlite3_column_text (stmt->sqlite, column);
  if (!pg_has_cell (stmt, column))
    return NULL;
  if (PQftype (stmt->result, column) == BYTEAOID)
    return g_bytes_get_data (pg_bytea (stmt, column), NULL);
  return PQgetvalue (stmt->result, stmt->row, column);
}

gint64
db_column_int64 (ServerStmt *stmt,
                 int         column)
{
  const char *text;

  if (stmt->sqlite != NULL)
    return sqlite3_column_int64 (stmt->sqlite, column);
  if (!pg_has_cell (stmt, column))
    return 0;
  text = PQgetvalue (stmt->result, stmt->row, column);
  /* a boolean expression (x IS NOT NULL) is 1 or 0, as in SQLite */
  if (g_str_equal (text, "t"))
    return 1;
  if (g_str_equal (text, "f"))
    return 0;
  return g_ascii_strtoll (text, NULL, 10);
}

int
db_column_int (ServerStmt *stmt,
               int         column)
{
  return (int) db_column_int64 (stmt, column);
}

const void *
db_column_blob (ServerStmt *stmt,
                int         column)
{
  if (stmt->sqlite != NULL)
    return sqlite3_column_blob (stmt->sqlite, column);
  return db_column_text (stmt, column);
}

gsize
db_column_bytes (ServerStmt *stmt,
                 int         column)
{
  if (stmt->sqlite != NULL)
    return (gsize) sqlite3_column_bytes (stmt->sqlite, column);
  if (!pg_has_cell (stmt, column))
    return 0;
  if (PQftype (stmt->result, column) == BYTEAOID)
    return g_bytes_get_size (pg_bytea (stmt, column));
  return (gsize) PQgetlength (stmt->result, stmt->row, column);
}

gboolean
db_column_is_null (ServerStmt *stmt,
                   int         column)
{
  if (stmt->sqlite != NULL)
    return sqlite3_column_type (stmt->sqlite, column) == SQLITE_NULL;
  return !pg_has_cell (stmt, column);
}

gboolean
db_column_is_integer (ServerStmt *stmt,
                      int         column)
{
  Oid type;

  if (stmt->sqlite != NULL)
    return sqlite3_column_type (stmt->sqlite, column) == SQLITE_INTEGER;
  if (!pg_has_cell (stmt, column))
    return FALSE;
  type = PQftype (stmt->result, column);
  return type == INT8OID || type == INT4OID || type == INT2OID;
}

/* ---- Schema version -------------------------------------------------------------------- */

gboolean
server_store_get_version (ServerDb    *db,
                          int         *version,
                          GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;

  /* a database the server never opened has no table yet: version 0 */
  if (db->pg != NULL)
    {
      g_autoptr(ServerStmt) exists = db_prepare (db, "SELECT to_regclass ('schema_version') IS NOT NULL", error);

      if (exists == NULL)
        return FALSE;
      if (db_step (exists) != DB_ROW)
        return db_fail (db, "reading the schema version", error);
      if (!db_column_int (exists, 0))
        {
          *version = 0;
          return TRUE;
        }
    }
  stmt = db_prepare (db, db_dialect (db, "PRAGMA user_version", "SELECT coalesce (max (version), 0) FROM schema_version"),
                     error);
  if (stmt == NULL)
    return FALSE;
  if (db_step (stmt) != DB_ROW)
    return db_fail (db, "reading the schema version", error);
  *version = db_column_int (stmt, 0);
  return TRUE;
}

gboolean
server_store_set_version (ServerDb    *db,
                          int          version,
                          GError     **error)
{
  g_autofree char *sql = NULL;

  if (db->pg == NULL)
    {
      sql = g_strdup_printf ("PRAGMA user_version=%d", version);
      return db_exec (db, sql, error);
    }
  sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);"
                         "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)", version);
  return db_exec (db, sql, error);
}
