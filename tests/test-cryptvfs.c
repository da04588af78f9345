/* test-cryptvfs.c: the encrypting VFS keeps data readable with the key only, detects changes, and survives SIGKILL. */
#define _GNU_SOURCE
#include "cryptvfs.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a stolen device must not give away. */
static const char *secrets[] = {
  "Akosua Mensah-Boateng",
  "Kouadio Yao Emmanuel",
  "Adwoa Frimpong Serwaa",
  "tok_7f3a9c2e51b84d06",
};

typedef struct {
  char   *dir;
  char   *path;
  guint8  key[CLMRS_CRYPTVFS_KEY_BYTES];
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clmrs-cryptvfs-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.db", NULL);
  randombytes_buf (f->key, sizeof f->key);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
scalar (sqlite3    *db,
        const char *sql,
        int        *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc_out != NULL)
    *rc_out = rc;
  else
    g_assert_cmpint (rc, ==, SQLITE_ROW);
  return n;
}

static char *
text (sqlite3    *db,
      const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
assert_integrity (sqlite3 *db)
{
  g_autofree char *check = text (db, "PRAGMA integrity_check");

  g_assert_cmpstr (check, ==, "ok");
}

static sqlite3 *
open_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = clmrs_cryptvfs_open (f->path, f->key, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

/* A device-shaped little database: households, children, visits with
 * JSON answers (several pages, overflow pages, indexes), a token. */
static void
fill (sqlite3 *db,
      guint    households)
{
  exec_ok (db,
      "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
      "CREATE TABLE IF NOT EXISTS households (id INTEGER PRIMARY KEY, head_name TEXT);"
      "CREATE INDEX IF NOT EXISTS households_name ON households (head_name COLLATE NOCASE);"
      "CREATE TABLE IF NOT EXISTS children (id INTEGER PRIMARY KEY, household_id INTEGER, name TEXT);"
      "CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, household_id INTEGER, answers TEXT);");
  exec_ok (db, "BEGIN");
  exec_ok (db, "INSERT OR REPLACE INTO meta VALUES ('token', 'tok_7f3a9c2e51b84d06')");
  for (guint i = 0; i < households; i++)
    {
      const char *name = secrets[i % 3];
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO households (head_name) VALUES ('%s %u');"
          "INSERT INTO children (household_id, name) VALUES (last_insert_rowid (), '%s');"
          "INSERT INTO visits (household_id, answers) VALUES ((SELECT max (id) FROM households),"
          " json_object ('head', '%s', 'notes', printf ('%%.*c', %u, 'x')));",
          name, i, secrets[(i + 1) % 3], name, 200 + (i % 7) * 700);
      exec_ok (db, sql);
    }
  exec_ok (db, "COMMIT");
}

static guint8 *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  *length = 0;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return (guint8 *) contents;
}

/* How many of the secrets occur, byte for byte, in the file at @path. */
static guint
secrets_in_file (const char *path)
{
  gsize length;
  g_autofree guint8 *data = read_file (path, &length);
  guint found = 0;

  for (guint i = 0; data != NULL && i < G_N_ELEMENTS (secrets); i++)
    if (memmem (data, length, secrets[i], strlen (secrets[i])) != NULL)
      found++;
  return found;
}

static void
write_at (const char   *path,
          goffset       offset,
          const guint8 *bytes,
          gsize         n)
{
  FILE *file = fopen (path, "r+b");

  g_assert_nonnull (file);
  g_assert_cmpint (fseeko (file, offset, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (bytes, 1, n, file), ==, n);
  fclose (file);
}

static void
read_at (const char *path,
         goffset     offset,
         guint8     *bytes,
         gsize       n)
{
  FILE *file = fopen (path, "rb");

  g_assert_nonnull (file);
  g_assert_cmpint (fseeko (file, offset, SEEK_SET), ==, 0);
  g_assert_cmpuint (fread (bytes, 1, n, file), ==, n);
  fclose (file);
}

/* ---- tests ---- */

static int read_everything (Fixture *f);

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  sqlite3 *db = open_ok (f);
  g_autofree char *mode = NULL;
  g_autofree char *token = NULL;
  guint8 header[16];

  fill (db, 300);
  mode = text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (scalar (db, "PRAGMA temp_store", NULL), ==, 2);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  g_assert_true (clmrs_cryptvfs_is_encrypted (f->path));
  read_at (f->path, 0, header, sizeof header);
  g_assert_false (memcmp (header, "SQLite format 3", 16) == 0);

  db = open_ok (f);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM households", NULL), ==, 300);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM children WHERE name = 'Kouadio Yao Emmanuel'", NULL), ==, 100);
  g_assert_cmpint (scalar (db, "SELECT sum (length (answers)) FROM visits", NULL), >, 300 * 200);
  token = text (db, "SELECT value FROM meta WHERE key = 'token'");
  g_assert_cmpstr (token, ==, "tok_7f3a9c2e51b84d06");
  /* indexes, temp tables and big sorts (in memory) work as usual */
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM households WHERE head_name LIKE 'ako%'", NULL), ==, 100);
  exec_ok (db, "CREATE TEMP TABLE t AS SELECT * FROM visits ORDER BY answers DESC");
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM t", NULL), ==, 300);
  /* asking for memory-mapped I/O changes nothing: pages are never mapped */
  exec_ok (db, "PRAGMA mmap_size = 268435456");
  g_assert_cmpint (scalar (db, "PRAGMA mmap_size", NULL), ==, 0);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 300);
  /* VACUUM rebuilds the file through an in-memory temporary database */
  exec_ok (db, "DELETE FROM visits WHERE id % 2 = 0; VACUUM");
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 150);
  assert_integrity (db);
  sqlite3_close (db);
  g_assert_cmpint (read_everything (f), ==, SQLITE_OK);
}

static void
test_wal_and_checkpoint (Fixture       *f,
                         gconstpointer  data)
{
  sqlite3 *writer = open_ok (f);
  sqlite3 *reader;
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  GStatBuf st;

  exec_ok (writer, "PRAGMA wal_autocheckpoint = 0");
  fill (writer, 200);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 100000);

  /* a second connection reads pages from a WAL it did not write */
  reader = open_ok (f);
  g_assert_cmpint (scalar (reader, "SELECT count (*) FROM visits", NULL), ==, 200);
  fill (writer, 50);
  g_assert_cmpint (scalar (reader, "SELECT count (*) FROM visits", NULL), ==, 250);
  /* frames overwritten in place within one transaction */
  exec_ok (writer, "BEGIN; UPDATE households SET head_name = head_name || ' x';"
                   " UPDATE households SET head_name = head_name || ' y'; COMMIT");
  g_assert_cmpint (scalar (reader, "SELECT count (*) FROM households WHERE head_name LIKE '% x y'", NULL), ==, 250);
  /* a cache too small for the transaction: pages spill to the WAL and are
   * written again in place, and their checksums rewritten, before COMMIT */
  exec_ok (writer, "PRAGMA cache_size = 5; BEGIN; UPDATE visits SET answers = answers || ' '; UPDATE households SET head_name = head_name || ' z';"
                   " UPDATE visits SET answers = rtrim (answers); UPDATE households SET head_name = head_name || 'z'; COMMIT");
  g_assert_cmpint (scalar (reader, "SELECT count (*) FROM households WHERE head_name LIKE '% x y zz'", NULL), ==, 250);
  assert_integrity (reader);

  g_assert_cmpint (scalar (writer, "PRAGMA wal_checkpoint(TRUNCATE)", NULL), ==, 0);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  g_assert_cmpint (scalar (reader, "SELECT count (*) FROM visits", NULL), ==, 250);
  sqlite3_close (reader);
  sqlite3_close (writer);

  writer = open_ok (f);
  g_assert_cmpint (scalar (writer, "SELECT count (*) FROM households WHERE head_name LIKE '% x y zz'", NULL), ==, 250);
  assert_integrity (writer);
  sqlite3_close (writer);
}

/* Other page sizes, the database made through a key slot URI by hand. */
static void
test_page_sizes (Fixture       *f,
                 gconstpointer  data)
{
  const int sizes[] = { 1024, 8192, 65536 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/p%d.db", f->dir, sizes[i]);
      g_autofree char *slot = clmrs_cryptvfs_key_slot_add (f->key);
      g_autofree char *uri = clmrs_cryptvfs_uri (path, slot);
      g_autofree char *sql = g_strdup_printf ("PRAGMA page_size = %d; PRAGMA journal_mode = OFF; PRAGMA journal_mode = WAL", sizes[i]);
      g_autoptr(GError) error = NULL;
      int reserve = CLMRS_CRYPTVFS_RESERVE;
      sqlite3 *db;

      char hex[2 * CLMRS_CRYPTVFS_KEY_BYTES + 1];

      /* the URI, which may end up in a log, names a slot, not the key */
      sodium_bin2hex (hex, sizeof hex, f->key, sizeof f->key);
      g_assert_null (strstr (uri, hex));
      g_assert_null (strstr (uri, hex + 48));
      g_assert_cmpint (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL), ==, SQLITE_OK);
      clmrs_cryptvfs_key_slot_remove (slot);
      g_assert_cmpint (sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve), ==, SQLITE_OK);
      exec_ok (db, sql);
      fill (db, 60);
      sqlite3_close (db);

      g_assert_true (clmrs_cryptvfs_is_encrypted (path));
      g_assert_cmpuint (secrets_in_file (path), ==, 0);
      db = clmrs_cryptvfs_open (path, f->key, SQLITE_OPEN_READWRITE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (scalar (db, "PRAGMA page_size", NULL), ==, sizes[i]);
      g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 60);
      assert_integrity (db);
      sqlite3_close (db);
      /* the slot is gone: the same URI opens nothing */
      g_assert_cmpint (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL), !=, SQLITE_OK);
      sqlite3_close (db);
    }
}

static void
test_wrong_key (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plain_path = g_build_filename (f->dir, "plain.db", NULL);
  guint8 other[CLMRS_CRYPTVFS_KEY_BYTES];
  sqlite3 *db = open_ok (f);

  fill (db, 20);
  sqlite3_close (db);

  memcpy (other, f->key, sizeof other);
  other[7] ^= 1;
  db = clmrs_cryptvfs_open (f->path, other, SQLITE_OPEN_READWRITE, &error);
  g_assert_null (db);
  g_assert_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY);
  g_clear_error (&error);

  /* a plain database is named as such */
  g_assert_cmpint (sqlite3_open (plain_path, &db), ==, SQLITE_OK);
  exec_ok (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  sqlite3_close (db);
  db = clmrs_cryptvfs_open (plain_path, f->key, SQLITE_OPEN_READWRITE, &error);
  g_assert_null (db);
  g_assert_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_NOT_ENCRYPTED);
  g_clear_error (&error);

  /* and the encrypted one, opened without the VFS, is not a database */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  {
    int rc;

    scalar (db, "SELECT count (*) FROM households", &rc);
    g_assert_cmpint (rc, ==, SQLITE_NOTADB);
  }
  sqlite3_close (db);

  /* a URI without a key slot is refused */
  {
    g_autofree char *uri = g_strdup_printf ("file:%s?vfs=" CLMRS_CRYPTVFS_NAME, f->path);

    g_assert_cmpint (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL), !=, SQLITE_OK);
    sqlite3_close (db);
  }
}

/* Opens @f's database and reads everything; returns the first error (or SQLITE_OK). */
static int
read_everything (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = clmrs_cryptvfs_open (f->path, f->key, SQLITE_OPEN_READWRITE, &error);
  int rc = SQLITE_OK;

  if (db == NULL)
    return g_error_matches (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY) ? SQLITE_NOTADB : SQLITE_ERROR;
  scalar (db, "SELECT sum (length (answers)) FROM visits", &rc);
  if (rc == SQLITE_ROW)
    scalar (db, "SELECT count (*) FROM children WHERE name LIKE 'A%'", &rc);
  if (rc == SQLITE_ROW)
    scalar (db, "SELECT count (*) FROM households WHERE head_name >= 'B'", &rc);
  if (rc == SQLITE_ROW)
    {
      /* every page of every table and index, and the free list */
      sqlite3_stmt *stmt = NULL;

      rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
      if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW &&
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
        rc = SQLITE_CORRUPT;
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static guint
page_size_of (Fixture *f)
{
  guint8 header[24];

  read_at (f->path, 0, header, sizeof header);
  return ((guint) header[16] << 8) | header[17];
}

static void
test_flipped_byte (Fixture       *f,
                   gconstpointer  data)
{
  sqlite3 *db = open_ok (f);
  g_autofree guint8 *original = NULL;
  gsize length;
  guint size;

  fill (db, 200);
  sqlite3_close (db);
  g_assert_cmpint (read_everything (f), ==, SQLITE_OK);
  original = read_file (f->path, &length);
  size = page_size_of (f);
  g_assert_cmpuint (length / size, >=, 10);

  /* a byte in the ciphertext, in the nonce, in the tag, of pages here and there */
  for (guint page = 2; page <= length / size; page += (length / size) / 5)
    {
      goffset offsets[] = { (goffset) (page - 1) * size + 100,
                            (goffset) page * size - CLMRS_CRYPTVFS_RESERVE + 3,
                            (goffset) page * size - 1 };

      for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
        {
          guint8 byte = original[offsets[i]] ^ 0x20;
          int rc;

          write_at (f->path, offsets[i], &byte, 1);
          rc = read_everything (f);
          if (!(rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB))
            g_error ("page %u offset %ld: rc %d (%s)", page, (long) offsets[i], rc, sqlite3_errstr (rc));
          write_at (f->path, offsets[i], &original[offsets[i]], 1);
        }
    }
  /* page 1: its clear header bytes are authenticated too */
  for (goffset offset = 0; offset < 200; offset += 9)
    {
      guint8 byte = original[offset] ^ 0x01;

      write_at (f->path, offset, &byte, 1);
      g_assert_cmpint (read_everything (f), !=, SQLITE_OK);
      write_at (f->path, offset, &original[offset], 1);
    }
  g_assert_cmpint (read_everything (f), ==, SQLITE_OK);
}

static void
test_swapped_pages (Fixture       *f,
                    gconstpointer  data)
{
  sqlite3 *db = open_ok (f);
  g_autofree guint8 *a = NULL;
  g_autofree guint8 *b = NULL;
  guint size;
  int rc;

  fill (db, 200);
  sqlite3_close (db);
  size = page_size_of (f);
  a = g_malloc (size);
  b = g_malloc (size);
  read_at (f->path, 2 * size, a, size);   /* page 3 */
  read_at (f->path, 5 * size, b, size);   /* page 6 */
  write_at (f->path, 2 * size, b, size);
  write_at (f->path, 5 * size, a, size);
  rc = read_everything (f);
  g_assert_cmpint (rc, ==, SQLITE_CORRUPT);

  /* a page of another database with the same key does not fit either */
  write_at (f->path, 2 * size, a, size);
  write_at (f->path, 5 * size, b, size);
  g_assert_cmpint (read_everything (f), ==, SQLITE_OK);
  {
    g_autofree char *other_path = g_build_filename (f->dir, "other.db", NULL);
    g_autoptr(GError) error = NULL;
    sqlite3 *other = clmrs_cryptvfs_open (other_path, f->key, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &error);

    g_assert_no_error (error);
    fill (other, 200);
    sqlite3_close (other);
    read_at (other_path, 2 * size, b, size);
    write_at (f->path, 2 * size, b, size);
    g_assert_cmpint (read_everything (f), ==, SQLITE_CORRUPT);
  }
}

static void
test_wal_tampering (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *copy_dir = g_build_filename (f->dir, "copy", NULL);
  g_autofree char *copy = g_build_filename (copy_dir, "device.db", NULL);
  g_autofree char *copy_wal = g_strconcat (copy, "-wal", NULL);
  g_autofree guint8 *db_bytes = NULL;
  g_autofree guint8 *wal_bytes = NULL;
  gsize db_length, wal_length, first_length;
  g_autofree char *copy_shm = g_strconcat (copy, "-shm", NULL);
  sqlite3 *live = open_ok (f);
  sqlite3 *db;
  guint size;
  guint8 byte;
  Fixture c = *f;

  exec_ok (live, "PRAGMA wal_autocheckpoint = 0");
  fill (live, 10);
  exec_ok (live, "PRAGMA wal_checkpoint(TRUNCATE)");
  /* two transactions in the WAL, and the files copied as a thief would */
  fill (live, 10);
  g_free (read_file (wal, &first_length));
  fill (live, 10);
  db_bytes = read_file (f->path, &db_length);
  wal_bytes = read_file (wal, &wal_length);
  size = page_size_of (f);
  g_assert_cmpuint (wal_length, >, first_length);
  g_assert_cmpint (g_mkdir (copy_dir, 0700), ==, 0);
  c.path = copy;

  g_file_set_contents (copy, (char *) db_bytes, db_length, NULL);
  g_file_set_contents (copy_wal, (char *) wal_bytes, wal_length, NULL);
  db = open_ok (&c);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 30);
  sqlite3_close (db);

  /* a changed byte in the second transaction's first page: the log ends
   * before it, as after a torn write; the first transaction is all there */
  g_unlink (copy_shm);
  g_file_set_contents (copy, (char *) db_bytes, db_length, NULL);
  g_file_set_contents (copy_wal, (char *) wal_bytes, wal_length, NULL);
  read_at (copy_wal, first_length + 24 + size / 2, &byte, 1);
  byte ^= 0x40;
  write_at (copy_wal, first_length + 24 + size / 2, &byte, 1);
  db = open_ok (&c);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 20);
  assert_integrity (db);
  sqlite3_close (db);
  sqlite3_close (live);
  g_unlink (copy_shm);
  g_unlink (copy_wal);
  g_unlink (copy);
  g_rmdir (copy_dir);
}

static void
test_no_plaintext_on_disk (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *plain_path = g_build_filename (f->dir, "plain.db", NULL);
  g_autofree char *plain_wal = g_strconcat (plain_path, "-wal", NULL);
  sqlite3 *db = open_ok (f);
  gsize length;

  /* the same writes to a plain database: the search does find them */
  {
    sqlite3 *plain;

    g_assert_cmpint (sqlite3_open (plain_path, &plain), ==, SQLITE_OK);
    exec_ok (plain, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
    fill (plain, 50);
    g_assert_cmpuint (secrets_in_file (plain_wal), ==, G_N_ELEMENTS (secrets));
    exec_ok (plain, "PRAGMA wal_checkpoint(TRUNCATE)");
    g_assert_cmpuint (secrets_in_file (plain_path), ==, G_N_ELEMENTS (secrets));
    sqlite3_close (plain);
  }

  /* encrypted: not in the WAL while the connection is open ... */
  exec_ok (db, "PRAGMA wal_autocheckpoint = 0");
  fill (db, 50);
  g_free (read_file (wal, &length));
  g_assert_cmpuint (length, >, 50000);
  g_assert_cmpuint (secrets_in_file (wal), ==, 0);
  g_assert_cmpuint (secrets_in_file (f->path), ==, 0);
  /* ... nor in the database after a checkpoint, nor anywhere in the directory */
  exec_ok (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  fill (db, 50);
  g_assert_cmpuint (secrets_in_file (f->path), ==, 0);
  g_assert_cmpuint (secrets_in_file (wal), ==, 0);
  {
    g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

    g_assert_cmpuint (secrets_in_file (shm), ==, 0);
  }
  sqlite3_close (db);
  g_assert_cmpuint (secrets_in_file (f->path), ==, 0);
}

static void
test_no_rollback_journal (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *journal = g_strconcat (f->path, "-journal", NULL);
  g_autofree char *mode = NULL;
  sqlite3 *db = open_ok (f);
  int rc;

  fill (db, 10);
  /* leaving WAL would need a rollback journal of plaintext pages: refused */
  mode = text (db, "PRAGMA journal_mode = DELETE");
  g_assert_cmpstr (mode, !=, "delete");
  rc = sqlite3_exec (db, "INSERT INTO households (head_name) VALUES ('x')", NULL, NULL, NULL);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  if (rc == SQLITE_OK)
    {
      g_free (mode);
      mode = text (db, "PRAGMA journal_mode");
      g_assert_cmpstr (mode, ==, "wal");
    }
  sqlite3_close (db);
  g_assert_cmpint (read_everything (f), ==, SQLITE_OK);
}

/* The child: commits one visit per transaction forever, writing each id
 * to @fd once COMMIT returned. */
static void G_GNUC_NORETURN
crash_writer (Fixture *f,
              int      fd)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = clmrs_cryptvfs_open (f->path, f->key, SQLITE_OPEN_READWRITE, &error);
  sqlite3_stmt *stmt = NULL;

  if (db == NULL)
    _exit (3);
  sqlite3_exec (db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO log (n, body) VALUES (?1, printf ('%.*c', ?1 % 9000, 'v'))",
                      -1, &stmt, NULL);
  for (gint64 i = 1;; i++)
    {
      char line[32];
      int n;

      sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      for (int j = 0; j < 3; j++)
        {
          sqlite3_bind_int64 (stmt, 1, i * 10 + j);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            _exit (4);
          sqlite3_reset (stmt);
        }
      if (i % 7 == 0)
        sqlite3_exec (db, "UPDATE households SET head_name = head_name || '.' WHERE id % 50 = 0", NULL, NULL, NULL);
      if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        _exit (5);
      n = g_snprintf (line, sizeof line, "%" G_GINT64_FORMAT "\n", i);
      if (write (fd, line, n) != n)
        _exit (6);
    }
}

static void
test_sigkill (Fixture       *f,
              gconstpointer  data)
{
  sqlite3 *db = open_ok (f);
  gint64 promised = 0;
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint rounds = g_test_slow () ? 60 : 20;

  fill (db, 100);
  exec_ok (db, "CREATE TABLE log (id INTEGER PRIMARY KEY, n INTEGER, body TEXT)");
  sqlite3_close (db);

  for (guint round = 0; round < rounds; round++)
    {
      int fds[2];
      pid_t pid;
      int status;
      g_autoptr(GString) out = g_string_new (NULL);
      char buffer[4096];
      gssize n;
      gint64 last = 0, rows;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          crash_writer (f, fds[1]);
        }
      close (fds[1]);
      g_usleep (g_rand_int_range (rand, 20, 400) * 1000);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      while ((n = read (fds[0], buffer, sizeof buffer)) > 0)
        g_string_append_len (out, buffer, n);
      close (fds[0]);
      {
        g_auto(GStrv) lines = g_strsplit (out->str, "\n", -1);

        for (guint i = 0; lines[i] != NULL; i++)
          if (*lines[i] != '\0')
            last = g_ascii_strtoll (lines[i], NULL, 10);
      }

      /* every transaction reported committed is there, whole; nothing is garbage */
      db = open_ok (f);
      assert_integrity (db);
      if (last > 0)
        {
          g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM log WHERE n BETWEEN 10 AND %" G_GINT64_FORMAT,
                                                  last * 10 + 2);

          g_assert_cmpint (scalar (db, sql, NULL), ==, last * 3);
        }
      /* transactions are all or nothing */
      rows = scalar (db, "SELECT count (*) FROM log", NULL);
      g_assert_cmpint (rows % 3, ==, 0);
      g_assert_cmpint (rows, >=, last * 3);
      g_assert_cmpint (scalar (db, "SELECT count (*) FROM log WHERE length (body) != n % 9000", NULL), ==, 0);
      promised = MAX (promised, last);
      /* start the next round from the committed state */
      exec_ok (db, "DELETE FROM log");
      sqlite3_close (db);
    }
  g_test_message ("%u kills, last round committed %" G_GINT64_FORMAT " transactions", rounds, promised);
  g_rand_free (rand);
}

static void
test_encrypt_in_place (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old = g_strconcat (f->path, ".plain-old", NULL);
  g_autofree char *copy_path = g_build_filename (f->dir, "copy.db", NULL);
  g_autofree char *schema_before = NULL;
  g_autofree char *schema_after = NULL;
  sqlite3 *db;

  /* a plain device database in WAL mode, as the app keeps it today */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  exec_ok (db, "PRAGMA journal_mode = WAL; PRAGMA user_version = 2");
  /* more than the page cache holds: VACUUM INTO spills pages before page 1 */
  fill (db, 1500);
  exec_ok (db, "CREATE VIEW named AS SELECT head_name FROM households;"
               "CREATE TRIGGER keep AFTER DELETE ON households BEGIN SELECT 1; END;");
  schema_before = text (db, "SELECT group_concat (sql, ';') FROM (SELECT sql FROM sqlite_schema ORDER BY name)");
  sqlite3_close (db);
  g_assert_cmpuint (secrets_in_file (f->path), ==, G_N_ELEMENTS (secrets));

  /* a copy leaves the source alone and refuses to overwrite */
  g_assert_true (clmrs_cryptvfs_encrypt_copy (f->path, copy_path, f->key, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_cryptvfs_is_encrypted (copy_path));
  g_assert_false (clmrs_cryptvfs_is_encrypted (f->path));
  g_assert_false (clmrs_cryptvfs_encrypt_copy (f->path, copy_path, f->key, &error));
  g_clear_error (&error);

  g_assert_true (clmrs_cryptvfs_encrypt_in_place (f->path, f->key, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_cryptvfs_is_encrypted (f->path));
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (secrets_in_file (f->path), ==, 0);
  /* a second call has nothing to do */
  g_assert_true (clmrs_cryptvfs_encrypt_in_place (f->path, f->key, &error));
  g_assert_no_error (error);

  db = open_ok (f);
  g_assert_cmpint (scalar (db, "PRAGMA user_version", NULL), ==, 2);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM households", NULL), ==, 1500);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM named", NULL), ==, 1500);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits WHERE json_extract (answers, '$.head') = 'Adwoa Frimpong Serwaa'", NULL), ==, 500);
  schema_after = text (db, "SELECT group_concat (sql, ';') FROM (SELECT sql FROM sqlite_schema ORDER BY name)");
  g_assert_cmpstr (schema_after, ==, schema_before);
  assert_integrity (db);
  /* and it is an ordinary encrypted database from now on */
  fill (db, 10);
  sqlite3_close (db);
  g_assert_cmpint (read_everything (f), ==, SQLITE_OK);
  g_assert_cmpuint (secrets_in_file (f->path), ==, 0);
}

/* A new data key: VACUUM INTO a key slot holding it, from a connection
 * opened with the old one. */
static void
test_new_key (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *next_path = g_build_filename (f->dir, "next.db", NULL);
  guint8 next_key[CLMRS_CRYPTVFS_KEY_BYTES];
  g_autofree char *slot = NULL;
  g_autofree char *uri = NULL;
  sqlite3_stmt *stmt;
  sqlite3 *db = open_ok (f);

  fill (db, 300);
  randombytes_buf (next_key, sizeof next_key);
  slot = clmrs_cryptvfs_key_slot_add (next_key);
  uri = clmrs_cryptvfs_uri (next_path, slot);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "VACUUM INTO ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  clmrs_cryptvfs_key_slot_remove (slot);
  sqlite3_close (db);

  g_assert_true (clmrs_cryptvfs_is_encrypted (next_path));
  g_assert_cmpuint (secrets_in_file (next_path), ==, 0);
  db = clmrs_cryptvfs_open (next_path, f->key, SQLITE_OPEN_READWRITE, &error);
  g_assert_error (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_WRONG_KEY);
  g_assert_null (db);
  g_clear_error (&error);
  db = clmrs_cryptvfs_open (next_path, next_key, SQLITE_OPEN_READWRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 300);
  assert_integrity (db);
  sqlite3_close (db);
}

/* Killed at any instant, the migration leaves a whole database at the
 * path, plain or encrypted; run again, it finishes. */
static void
test_encrypt_in_place_killed (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *old = g_strconcat (f->path, ".plain-old", NULL);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint plain_seen = 0, encrypted_seen = 0;

  for (guint round = 0; round < 12; round++)
    {
      sqlite3 *db;
      pid_t pid;
      int status;

      unlink (f->path);
      unlink (old);
      g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
      exec_ok (db, "PRAGMA journal_mode = WAL");
      fill (db, 2000);
      sqlite3_close (db);

      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        _exit (clmrs_cryptvfs_encrypt_in_place (f->path, f->key, NULL) ? 0 : 1);
      g_usleep (g_rand_int_range (rand, 0, 250) * 1000);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

      if (clmrs_cryptvfs_is_encrypted (f->path))
        encrypted_seen++;
      else
        {
          /* still the plain database, whole */
          g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
          assert_integrity (db);
          g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 2000);
          sqlite3_close (db);
          plain_seen++;
        }
      g_assert_true (clmrs_cryptvfs_encrypt_in_place (f->path, f->key, NULL));
      g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
      db = open_ok (f);
      g_assert_cmpint (scalar (db, "SELECT count (*) FROM visits", NULL), ==, 2000);
      assert_integrity (db);
      sqlite3_close (db);
      g_assert_cmpuint (secrets_in_file (f->path), ==, 0);
    }
  g_test_message ("killed with the plain database in place %u times, the encrypted one %u times",
                  plain_seen, encrypted_seen);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (clmrs_cryptvfs_register (NULL));

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/cryptvfs/round-trip", test_round_trip);
  ADD ("/cryptvfs/wal-and-checkpoint", test_wal_and_checkpoint);
  ADD ("/cryptvfs/page-sizes", test_page_sizes);
  ADD ("/cryptvfs/wrong-key", test_wrong_key);
  ADD ("/cryptvfs/flipped-byte", test_flipped_byte);
  ADD ("/cryptvfs/swapped-pages", test_swapped_pages);
  ADD ("/cryptvfs/wal-tampering", test_wal_tampering);
  ADD ("/cryptvfs/no-plaintext-on-disk", test_no_plaintext_on_disk);
  ADD ("/cryptvfs/no-rollback-journal", test_no_rollback_journal);
  ADD ("/cryptvfs/sigkill", test_sigkill);
  ADD ("/cryptvfs/encrypt-in-place", test_encrypt_in_place);
  ADD ("/cryptvfs/encrypt-in-place-killed", test_encrypt_in_place_killed);
  ADD ("/cryptvfs/new-key", test_new_key);
#undef ADD
  return g_test_run ();
}
