/* server-store.h: the server's store interface, with two implementations: SQLite (a file) and PostgreSQL (libpq).
 *
 * Every server-*.c file reaches its database through these calls, never
 * through sqlite3_* or PQ* directly, so one statement text serves both
 * stores.  Statements are written in SQLite's dialect with `?` or `?N`
 * placeholders; the PostgreSQL side translates them in one place
 * (server-store.c: placeholders to $N, INSERT OR IGNORE, group_concat,
 * rowid, the schema's types, PRAGMAs and transactions).  Where a statement
 * cannot be written for both, the caller gives each store its own text
 * with db_dialect().
 *
 * Transactions: "BEGIN IMMEDIATE" is a write transaction.  On SQLite it
 * takes the database's write lock; on PostgreSQL it takes one
 * transaction-level advisory lock that every write transaction takes, so
 * writers are serialised across processes exactly as on SQLite, and the
 * records' seq (given inside that lock) grows in commit order: a pull
 * cursor never passes a record another process has yet to commit.  A
 * plain "BEGIN" is a read snapshot (REPEATABLE READ on PostgreSQL).
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _ServerDb   ServerDb;
typedef struct _ServerStmt ServerStmt;

/* What db_step() returns. */
enum {
  DB_ERROR = 1,
  DB_ROW = 100,
  DB_DONE = 101,
};

/* Why the last call failed (db_error_kind()). */
typedef enum {
  DB_FAILED,
  DB_BUSY,        /* locked, or a lock wait timed out */
  DB_FULL,        /* the disk or the database is full */
} DbErrorKind;

/* Whether @location names a PostgreSQL database (postgresql:// or postgres://). */
gboolean     server_store_is_uri       (const char  *location);

/* Opens a connection: a SQLite file (made when missing) or a PostgreSQL
 * URI.  Errors name the database and what went wrong (the URI's password
 * is never shown).  server_store_close() gives a PostgreSQL connection
 * back to a pool this process keeps (a new connection costs a process on
 * the PostgreSQL server). */
ServerDb    *server_store_open         (const char  *location,
                                        GError     **error);
void         server_store_close        (ServerDb    *db);
gboolean     server_store_is_postgres  (ServerDb    *db);
/* Whether server_store_open() took a PostgreSQL connection from the pool. */
gboolean     server_store_reused       (ServerDb    *db);
/* The database as it may be shown: the SQLite path, or the URI without its password. */
const char  *server_store_name         (ServerDb    *db);
/* Tests only: the SQLite path this PostgreSQL database stands for (CLMRS_SERVER_TEST_PG_URI), else NULL. */
const char  *server_store_test_path    (ServerDb    *db);
/* The SQLite connection (backup, the main file's path); NULL on PostgreSQL. */
sqlite3     *server_store_sqlite       (ServerDb    *db);

/* The schema version (SQLite's user_version; a one-row table on
 * PostgreSQL), read and written inside a write transaction. */
gboolean     server_store_get_version  (ServerDb    *db,
                                        int         *version,
                                        GError     **error);
gboolean     server_store_set_version  (ServerDb    *db,
                                        int          version,
                                        GError     **error);

/* @sqlite on SQLite, @postgres on PostgreSQL. */
const char  *db_dialect                (ServerDb    *db,
                                        const char  *sqlite,
                                        const char  *postgres);

/* Sets @error from @db's last error (see server-db.c); returns %FALSE. */
gboolean     db_fail                   (ServerDb    *db,
                                        const char  *what,
                                        GError     **error);
DbErrorKind  db_error_kind             (ServerDb    *db);
const char  *db_error_message          (ServerDb    *db);
gboolean     db_exec                   (ServerDb    *db,
                                        const char  *sql,
                                        GError     **error);
ServerStmt  *db_prepare                (ServerDb    *db,
                                        const char  *sql,
                                        GError     **error);
/* A statement whose rows are read a page at a time on PostgreSQL (a
 * cursor; only inside a transaction), so memory does not grow with a
 * result of a million rows.  On SQLite, db_prepare(). */
ServerStmt  *db_prepare_cursor         (ServerDb    *db,
                                        const char  *sql,
                                        GError     **error);
/* Rolls back the transaction under way, if any. */
void         db_rollback               (ServerDb    *db);
gboolean     db_in_transaction         (ServerDb    *db);
/* Rows the last INSERT, UPDATE or DELETE changed. */
gint64       db_changes                (ServerDb    *db);
/* PostgreSQL: the requests this connection has sent and waited for (each
 * a round trip to the PostgreSQL process) since it was opened; 0 on
 * SQLite, whose statements are calls in this process. */
guint64      db_round_trips            (ServerDb    *db);
/* How long a write waits for a lock before failing with DB_BUSY (SQLite). */
void         db_set_busy_timeout       (ServerDb    *db,
                                        int          ms);

/* Binding (1-based, copied: the caller's buffers may go at once). */
void         db_bind_text              (ServerStmt  *stmt,
                                        int          index,
                                        const char  *text);
void         db_bind_int64             (ServerStmt  *stmt,
                                        int          index,
                                        gint64       value);
void         db_bind_blob              (ServerStmt  *stmt,
                                        int          index,
                                        const void  *data,
                                        gsize        length);
void         db_bind_null              (ServerStmt  *stmt,
                                        int          index);
int          db_step                   (ServerStmt  *stmt);
/* Ready to step again from the start, its bindings kept. */
void         db_reset                  (ServerStmt  *stmt);
void         db_finalize               (ServerStmt  *stmt);

/* Columns of the current row (0-based).  Text and blobs stay valid until
 * the next step, reset or finalize. */
const char  *db_column_text            (ServerStmt  *stmt,
                                        int          column);
gint64       db_column_int64           (ServerStmt  *stmt,
                                        int          column);
int          db_column_int             (ServerStmt  *stmt,
                                        int          column);
const void  *db_column_blob            (ServerStmt  *stmt,
                                        int          column);
gsize        db_column_bytes           (ServerStmt  *stmt,
                                        int          column);
gboolean     db_column_is_null         (ServerStmt  *stmt,
                                        int          column);
gboolean     db_column_is_integer      (ServerStmt  *stmt,
                                        int          column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServerStmt, db_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServerDb, server_store_close)

G_END_DECLS
