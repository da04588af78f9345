/* keyring.c: the device's data key, wrapped per person with Argon2id(PIN), sealed once to the server for recovery. */
#define G_LOG_DOMAIN "clmrs-keyring"

#include "keyring-private.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#define SALT_BYTES    crypto_pwhash_SALTBYTES
#define NONCE_BYTES   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WRAPPED_BYTES (CLMRS_KEYRING_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEALED_BYTES  (CLMRS_KEYRING_KEY_BYTES + crypto_box_SEALBYTES)
#define CHECK_BYTES   16
#define WRAP_AD       "clmrs-keyring-v1:"
#define KEYRING_VERSION 1

G_STATIC_ASSERT (crypto_box_PUBLICKEYBYTES == CLMRS_KEYRING_RECOVERY_KEY_BYTES);
G_STATIC_ASSERT (crypto_box_SECRETKEYBYTES == CLMRS_KEYRING_RECOVERY_KEY_BYTES);

struct _ClmrsDataKey {
  guint8 *bytes;   /* sodium_malloc'd */
};

struct _ClmrsKeyring {
  sqlite3           *db;
  char              *path;
  ClmrsKeyringClock  clock;
  gpointer           clock_data;
};

/* Notes about the device that hold no data of anyone's (e.g. "demo"),
 * readable before anyone signs in; added after version 1, so made when
 * first written. */
#define LABELS_SCHEMA "CREATE TABLE IF NOT EXISTS labels (name TEXT PRIMARY KEY, value TEXT NOT NULL);"

/* The data key wrapped with the server's unlock secret for this device
 * (which the device never keeps), where that server is, and the people
 * who may sign in with the one-time PIN it gave them: see
 * clmrs_keyring_set_unlock().  Made when first written. */
#define UNLOCK_SCHEMA \
  "CREATE TABLE IF NOT EXISTS unlock (" \
  "  id INTEGER PRIMARY KEY CHECK (id = 1)," \
  "  server_url TEXT NOT NULL," \
  "  device_id TEXT NOT NULL," \
  "  ca_pem TEXT," \
  "  nonce BLOB NOT NULL," \
  "  wrapped BLOB NOT NULL);" \
  "CREATE TABLE IF NOT EXISTS arrivals (person_id TEXT PRIMARY KEY, display_name TEXT NOT NULL);"
#define UNLOCK_AD "clmrs-keyring-unlock-v1:"

/* Each person's own key pair: `wrapped` holds their secret key (wrapped
 * with the PIN's key), `sealed` the data key sealed to their public key,
 * so a new data key (clmrs_keyring_rekey()) is sealed to everyone without
 * their PINs.  An entry from before (public_key NULL) wraps the data key
 * itself, and gets its pair at the person's next sign-in. */
#define PERSON_SEAL_COLUMNS \
  "  public_key BLOB," \
  "  sealed BLOB"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS keyring ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  version INTEGER NOT NULL,"
  "  key_check BLOB NOT NULL,"             /* keyed BLAKE2b of a constant: is this the data key? */
  "  recovery_public_key BLOB NOT NULL,"
  "  recovery_sealed BLOB NOT NULL,"       /* crypto_box_seal (data key, recovery_public_key) */
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE IF NOT EXISTS people ("
  "  person_id TEXT PRIMARY KEY,"
  "  display_name TEXT,"
  "  kdf TEXT NOT NULL,"                   /* 'argon2id13' */
  "  opslimit INTEGER NOT NULL,"
  "  memlimit INTEGER NOT NULL,"
  "  salt BLOB,"                           /* NULL once erased */
  "  nonce BLOB,"
  "  wrapped BLOB,"
  "  failures INTEGER NOT NULL DEFAULT 0,"
  "  last_failure_at INTEGER NOT NULL DEFAULT 0,"
  "  locked_until INTEGER NOT NULL DEFAULT 0,"
  "  erased_at INTEGER,"
  "  added INTEGER NOT NULL,"
  PERSON_SEAL_COLUMNS
  ");"
  LABELS_SCHEMA;

G_DEFINE_QUARK (clmrs-keyring-error-quark, clmrs_keyring_error)

/* ---- the data key ---- */

ClmrsDataKey *
clmrs_data_key_new_from_bytes (const guint8 bytes[CLMRS_KEYRING_KEY_BYTES])
{
  ClmrsDataKey *key;

  g_assert (sodium_init () >= 0);
  key = g_new0 (ClmrsDataKey, 1);
  key->bytes = sodium_malloc (CLMRS_KEYRING_KEY_BYTES);
  g_assert (key->bytes != NULL);
  if (bytes != NULL)
    memcpy (key->bytes, bytes, CLMRS_KEYRING_KEY_BYTES);
  return key;
}

ClmrsDataKey *
clmrs_data_key_new_random (void)
{
  ClmrsDataKey *key = clmrs_data_key_new_from_bytes (NULL);

  randombytes_buf (key->bytes, CLMRS_KEYRING_KEY_BYTES);
  return key;
}

const guint8 *
clmrs_data_key_get_bytes (const ClmrsDataKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return key->bytes;
}

void
clmrs_data_key_free (ClmrsDataKey *key)
{
  if (key == NULL)
    return;
  sodium_free (key->bytes);   /* wipes */
  g_free (key);
}

void
clmrs_keyring_person_free (ClmrsKeyringPerson *person)
{
  if (person == NULL)
    return;
  g_free (person->person_id);
  g_free (person->display_name);
  g_free (person);
}

/* ---- helpers ---- */

static gint64
now_seconds (ClmrsKeyring *keyring)
{
  if (keyring->clock != NULL)
    return keyring->clock (keyring->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
_clmrs_keyring_set_clock (ClmrsKeyring      *keyring,
                          ClmrsKeyringClock  clock,
                          gpointer           user_data)
{
  keyring->clock = clock;
  keyring->clock_data = user_data;
}

static gboolean
sqlite_failed (ClmrsKeyring  *keyring,
               int            rc,
               const char    *what,
               GError       **error)
{
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return FALSE;
  g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED, "%s: %s: %s",
               keyring->path, what, sqlite3_errmsg (keyring->db));
  return TRUE;
}

static gboolean
exec_sql (ClmrsKeyring  *keyring,
          const char    *sql,
          GError       **error)
{
  return !sqlite_failed (keyring, sqlite3_exec (keyring->db, sql, NULL, NULL, NULL), sql, error);
}

static sqlite3_stmt *
prepare (ClmrsKeyring  *keyring,
         const char    *sql,
         GError       **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite_failed (keyring, sqlite3_prepare_v2 (keyring->db, sql, -1, &stmt, NULL), "preparing", error))
    return NULL;
  return stmt;
}

static void
kdf_parameters (unsigned long long *opslimit,
                gsize              *memlimit)
{
  if (g_strcmp0 (g_getenv (CLMRS_KEYRING_FAST_KDF_ENV), "1") == 0)
    {
      *opslimit = crypto_pwhash_OPSLIMIT_MIN;
      *memlimit = crypto_pwhash_MEMLIMIT_MIN;
      return;
    }
  *opslimit = CLMRS_KEYRING_OPSLIMIT;
  *memlimit = CLMRS_KEYRING_MEMLIMIT;
}

static void
key_check (const guint8 *key,
           guint8        check[CHECK_BYTES])
{
  static const char label[] = "clmrs data key check v1";

  crypto_generichash (check, CHECK_BYTES, (const guint8 *) label, sizeof label - 1, key, CLMRS_KEYRING_KEY_BYTES);
}

/* The associated data of a wrap: the person it belongs to. */
static char *
wrap_ad (const char *person_id)
{
  return g_strconcat (WRAP_AD, person_id, NULL);
}

/* Argon2id (pin, salt) into guarded memory, or NULL (out of memory). */
static guint8 *
derive (const char         *pin,
        const guint8       *salt,
        unsigned long long  opslimit,
        gsize               memlimit)
{
  guint8 *kek = sodium_malloc (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

  if (kek == NULL)
    return NULL;
  if (crypto_pwhash (kek, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, pin, strlen (pin), salt,
                     opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      sodium_free (kek);
      return NULL;
    }
  return kek;
}

static gint64
delay_after (guint failures)
{
  if (failures < CLMRS_KEYRING_FREE_FAILURES)
    return 0;
  return (gint64) 1 << MIN (failures, 30);
}

/* ---- the policy ---- */

/* Digits only, at least CLMRS_KEYRING_MIN_PIN_DIGITS: what every wrap
 * needs.  The demo's people keep their published PINs (111111, 999999)
 * with it; a PIN a person chooses must also pass the guessability rule of
 * clmrs_keyring_check_new_pin(). */
static gboolean
check_pin_format (const char  *pin,
                  GError     **error)
{
  gsize n = strlen (pin);

  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN, "A PIN has digits only.");
        return FALSE;
      }
  if (n < CLMRS_KEYRING_MIN_PIN_DIGITS)
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN,
                   "A PIN has at least %d digits.", CLMRS_KEYRING_MIN_PIN_DIGITS);
      return FALSE;
    }
  return TRUE;
}

gboolean
clmrs_keyring_check_new_pin (const char  *pin,
                             GError     **error)
{
  gsize n;
  gboolean same = TRUE, up = TRUE, down = TRUE;

  g_return_val_if_fail (pin != NULL, FALSE);

  if (!check_pin_format (pin, error))
    return FALSE;
  n = strlen (pin);
  for (gsize i = 1; i < n; i++)
    {
      same = same && pin[i] == pin[0];
      up = up && pin[i] == pin[i - 1] + 1;
      down = down && pin[i] == pin[i - 1] - 1;
    }
  if (same || up || down)
    {
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN,
                           "This PIN is too easy to guess (one digit repeated, or a run like 123456).");
      return FALSE;
    }
  return TRUE;
}

/* ---- opening ---- */

/* A keyring made before people had their own key pair gets the columns. */
static gboolean
add_seal_columns (ClmrsKeyring  *keyring,
                  GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean has_people = FALSE, has_column = FALSE;

  if (sqlite3_prepare_v2 (keyring->db, "SELECT name FROM pragma_table_info ('people')", -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return TRUE;   /* not a keyring: clmrs_keyring_open() says so */
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      has_people = TRUE;
      has_column = has_column || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "public_key") == 0;
    }
  sqlite3_finalize (stmt);
  if (!has_people || has_column)
    return TRUE;
  return exec_sql (keyring, "ALTER TABLE people ADD COLUMN public_key BLOB;"
                            "ALTER TABLE people ADD COLUMN sealed BLOB;", error);
}

static ClmrsKeyring *
keyring_open (const char  *path,
              gboolean     create,
              GError     **error)
{
  g_autoptr(ClmrsKeyring) keyring = g_new0 (ClmrsKeyring, 1);
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  int rc;

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED, "libsodium failed to start");
      return NULL;
    }
  keyring->path = g_strdup (path);
  if (create && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED, "%s already exists", path);
      return NULL;
    }
  rc = sqlite3_open_v2 (path, &keyring->db, flags, NULL);
  if (sqlite_failed (keyring, rc, "cannot open", error))
    return NULL;
  sqlite3_busy_timeout (keyring->db, 5000);
  /* erased keys leave no copy in free pages; every change reaches the disk */
  if (!exec_sql (keyring, "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL; PRAGMA journal_mode = DELETE", error))
    return NULL;
  if (create && !exec_sql (keyring, schema, error))
    return NULL;
  if (!create && !add_seal_columns (keyring, error))
    return NULL;
  /* readable by the app's user only: copies of it can be attacked offline */
  if (create)
    g_chmod (path, 0600);
  return g_steal_pointer (&keyring);
}

ClmrsKeyring *
clmrs_keyring_open (const char  *path,
                    GError     **error)
{
  g_autoptr(ClmrsKeyring) keyring = NULL;
  sqlite3_stmt *stmt;
  int version = -1;

  g_return_val_if_fail (path != NULL, NULL);

  keyring = keyring_open (path, FALSE, error);
  if (keyring == NULL)
    return NULL;
  stmt = prepare (keyring, "SELECT version FROM keyring WHERE id = 1", error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (version != KEYRING_VERSION)
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED,
                   "%s: not a keyring this program knows (version %d)", path, version);
      return NULL;
    }
  return g_steal_pointer (&keyring);
}

void
clmrs_keyring_close (ClmrsKeyring *keyring)
{
  if (keyring == NULL)
    return;
  sqlite3_close_v2 (keyring->db);
  g_free (keyring->path);
  g_free (keyring);
}

/* ---- people ---- */

static gboolean
check_key (ClmrsKeyring        *keyring,
           const guint8        *key,
           GError             **error)
{
  sqlite3_stmt *stmt = prepare (keyring, "SELECT key_check FROM keyring WHERE id = 1", error);
  guint8 check[CHECK_BYTES];
  gboolean same = FALSE;

  if (stmt == NULL)
    return FALSE;
  key_check (key, check);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == CHECK_BYTES)
    same = sodium_memcmp (sqlite3_column_blob (stmt, 0), check, CHECK_BYTES) == 0;
  sqlite3_finalize (stmt);
  if (!same)
    g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_KEY,
                 "%s: this is not the device's data key", keyring->path);
  return same;
}

/* A new key pair for @person_id: its secret key wrapped with @kek into
 * @wrapped (with a new @nonce), the data key @key sealed to its public key. */
static gboolean
seal_for_person (const guint8 *key,
                 const char   *person_id,
                 const guint8 *kek,
                 guint8        nonce[NONCE_BYTES],
                 guint8        wrapped[WRAPPED_BYTES],
                 guint8        public_key[crypto_box_PUBLICKEYBYTES],
                 guint8        sealed[SEALED_BYTES])
{
  g_autofree char *ad = wrap_ad (person_id);
  guint8 *secret_key = sodium_malloc (crypto_box_SECRETKEYBYTES);
  gboolean ok;

  G_STATIC_ASSERT (crypto_box_SECRETKEYBYTES == CLMRS_KEYRING_KEY_BYTES);
  if (secret_key == NULL)
    return FALSE;
  crypto_box_keypair (public_key, secret_key);
  randombytes_buf (nonce, NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (wrapped, NULL, secret_key, crypto_box_SECRETKEYBYTES,
                                              (const guint8 *) ad, strlen (ad), NULL, nonce, kek);
  ok = crypto_box_seal (sealed, key, CLMRS_KEYRING_KEY_BYTES, public_key) == 0;
  sodium_free (secret_key);
  return ok;
}

gboolean
clmrs_keyring_add_person (ClmrsKeyring        *keyring,
                          const ClmrsDataKey  *key,
                          const char          *person_id,
                          const char          *display_name,
                          const char          *pin,
                          GError             **error)
{
  unsigned long long opslimit;
  gsize memlimit;
  guint8 salt[SALT_BYTES], nonce[NONCE_BYTES], wrapped[WRAPPED_BYTES];
  guint8 public_key[crypto_box_PUBLICKEYBYTES], sealed[SEALED_BYTES];
  guint8 *kek;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL && key != NULL && person_id != NULL && pin != NULL, FALSE);

  if (!check_pin_format (pin, error) || !check_key (keyring, key->bytes, error))
    return FALSE;

  kdf_parameters (&opslimit, &memlimit);
  randombytes_buf (salt, sizeof salt);
  randombytes_buf (nonce, sizeof nonce);
  kek = derive (pin, salt, opslimit, memlimit);
  if (kek == NULL)
    {
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED,
                           "not enough memory to derive a key from the PIN");
      return FALSE;
    }
  if (!seal_for_person (key->bytes, person_id, kek, nonce, wrapped, public_key, sealed))
    {
      sodium_free (kek);
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED, "cannot seal the key for this person");
      return FALSE;
    }
  sodium_free (kek);

  stmt = prepare (keyring,
      "INSERT INTO people (person_id, display_name, kdf, opslimit, memlimit, salt, nonce, wrapped, added,"
      "  public_key, sealed)"
      " VALUES (?1, ?2, 'argon2id13', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
      " ON CONFLICT (person_id) DO UPDATE SET display_name = excluded.display_name, kdf = excluded.kdf,"
      "  opslimit = excluded.opslimit, memlimit = excluded.memlimit, salt = excluded.salt,"
      "  nonce = excluded.nonce, wrapped = excluded.wrapped, failures = 0, last_failure_at = 0,"
      "  locked_until = 0, erased_at = NULL, public_key = excluded.public_key, sealed = excluded.sealed", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, display_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) opslimit);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) memlimit);
  sqlite3_bind_blob (stmt, 5, salt, sizeof salt, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 6, nonce, sizeof nonce, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 7, wrapped, sizeof wrapped, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, g_get_real_time ());
  sqlite3_bind_blob (stmt, 9, public_key, sizeof public_key, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 10, sealed, sizeof sealed, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return !sqlite_failed (keyring, rc, "adding a person", error);
}

gboolean
clmrs_keyring_remove_person (ClmrsKeyring  *keyring,
                             const char    *person_id,
                             GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL && person_id != NULL, FALSE);

  stmt = prepare (keyring, "DELETE FROM people WHERE person_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (sqlite_failed (keyring, rc, "removing a person", error))
    return FALSE;
  if (sqlite3_changes (keyring->db) == 0)
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_NOT_FOUND, "no person %s in the keyring", person_id);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
clmrs_keyring_list_people (ClmrsKeyring  *keyring,
                           GError       **error)
{
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_keyring_person_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL, NULL);

  stmt = prepare (keyring,
      "SELECT person_id, display_name, failures, locked_until, wrapped IS NULL FROM people ORDER BY added, person_id",
      error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsKeyringPerson *person = g_new0 (ClmrsKeyringPerson, 1);

      person->person_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      person->display_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      person->failures = sqlite3_column_int (stmt, 2);
      person->locked_until = sqlite3_column_int64 (stmt, 3);
      person->erased = sqlite3_column_int (stmt, 4);
      g_ptr_array_add (people, person);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (keyring, rc, "listing people", error))
    return NULL;
  return g_steal_pointer (&people);
}

/* Makes the keyring at @path around @key (a new random one when NULL),
 * the key returned in @out_key; no file left at @path on failure (unless
 * one was there before). */
static ClmrsKeyring *
keyring_create (const char          *path,
                const guint8        *server_public_key,
                const ClmrsDataKey  *given,
                const char          *person_id,
                const char          *display_name,
                const char          *pin,
                ClmrsDataKey       **out_key,
                GError             **error);

/**
 * clmrs_keyring_create:
 *
 * Returns: (transfer full): the keyring, or %NULL with @error and no file
 * left at @path (unless one was there before).
 */
ClmrsKeyring *
clmrs_keyring_create (const char          *path,
                      const guint8         server_public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                      const char          *person_id,
                      const char          *display_name,
                      const char          *pin,
                      ClmrsDataKey       **out_key,
                      GError             **error)
{
  g_return_val_if_fail (path != NULL && server_public_key != NULL && person_id != NULL && pin != NULL, NULL);
  g_return_val_if_fail (out_key != NULL && *out_key == NULL, NULL);

  return keyring_create (path, server_public_key, NULL, person_id, display_name, pin, out_key, error);
}

/**
 * clmrs_keyring_create_for_key:
 *
 * As clmrs_keyring_create(), around a data key made before (a database
 * created, or filled, before its first person was known: `clmrs demo`,
 * enrolment).
 */
ClmrsKeyring *
clmrs_keyring_create_for_key (const char          *path,
                              const guint8         server_public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                              const ClmrsDataKey  *key,
                              const char          *person_id,
                              const char          *display_name,
                              const char          *pin,
                              GError             **error)
{
  g_autoptr(ClmrsDataKey) copy = NULL;

  g_return_val_if_fail (path != NULL && server_public_key != NULL && key != NULL, NULL);
  g_return_val_if_fail (person_id != NULL && pin != NULL, NULL);

  return keyring_create (path, server_public_key, key, person_id, display_name, pin, &copy, error);
}

static ClmrsKeyring *
keyring_create_file (const char          *path,
                     const guint8        *server_public_key,
                     const ClmrsDataKey  *given,
                     const char          *person_id,
                     const char          *display_name,
                     const char          *pin,
                     ClmrsDataKey       **out_key,
                     GError             **error)
{
  g_autoptr(ClmrsKeyring) keyring = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  guint8 check[CHECK_BYTES], sealed[SEALED_BYTES];
  sqlite3_stmt *stmt;
  int rc;

  if (!check_pin_format (pin, error))
    return NULL;
  keyring = keyring_open (path, TRUE, error);
  if (keyring == NULL)
    return NULL;

  key = given != NULL ? clmrs_data_key_new_from_bytes (given->bytes) : clmrs_data_key_new_random ();
  key_check (key->bytes, check);
  if (crypto_box_seal (sealed, key->bytes, CLMRS_KEYRING_KEY_BYTES, server_public_key) != 0)
    {
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_RECOVERY, "cannot seal the key to the server's key");
      return NULL;
    }
  if (!exec_sql (keyring, "BEGIN IMMEDIATE", error))
    return NULL;
  stmt = prepare (keyring,
      "INSERT INTO keyring (id, version, key_check, recovery_public_key, recovery_sealed, created_at)"
      " VALUES (1, ?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, KEYRING_VERSION);
  sqlite3_bind_blob (stmt, 2, check, sizeof check, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, server_public_key, CLMRS_KEYRING_RECOVERY_KEY_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, sealed, sizeof sealed, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, now_seconds (keyring));
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (sqlite_failed (keyring, rc, "creating the keyring", error) ||
      !clmrs_keyring_add_person (keyring, key, person_id, display_name, pin, error) ||
      !exec_sql (keyring, "COMMIT", error))
    return NULL;
  *out_key = g_steal_pointer (&key);
  return g_steal_pointer (&keyring);
}

static ClmrsKeyring *
keyring_create (const char          *path,
                const guint8        *server_public_key,
                const ClmrsDataKey  *given,
                const char          *person_id,
                const char          *display_name,
                const char          *pin,
                ClmrsDataKey       **out_key,
                GError             **error)
{
  ClmrsKeyring *keyring;
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);

  keyring = keyring_create_file (path, server_public_key, given, person_id, display_name, pin, out_key, error);
  if (keyring == NULL && !existed)
    {
      g_autofree char *journal = g_strconcat (path, "-journal", NULL);

      g_unlink (path);
      g_unlink (journal);
    }
  return keyring;
}

/* ---- unlocking ---- */

typedef struct {
  unsigned long long opslimit;
  gsize              memlimit;
  guint8             salt[SALT_BYTES];
  guint8             nonce[NONCE_BYTES];
  guint8             wrapped[WRAPPED_BYTES];
  gboolean           has_pair;     /* wrapped is the person's secret key, sealed the data key */
  guint8             public_key[crypto_box_PUBLICKEYBYTES];
  guint8             sealed[SEALED_BYTES];
  gboolean           erased;
  guint              failures;
  gint64             last_failure_at;
  gint64             locked_until;
} Entry;

static gboolean
load_entry (ClmrsKeyring  *keyring,
            const char    *person_id,
            Entry         *entry,
            GError       **error)
{
  sqlite3_stmt *stmt = prepare (keyring,
      "SELECT kdf, opslimit, memlimit, salt, nonce, wrapped, failures, last_failure_at, locked_until,"
      "  public_key, sealed FROM people WHERE person_id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      if (!sqlite_failed (keyring, rc, "reading a person", error))
        g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_NOT_FOUND, "no person %s in the keyring", person_id);
      return FALSE;
    }
  memset (entry, 0, sizeof *entry);
  entry->opslimit = sqlite3_column_int64 (stmt, 1);
  entry->memlimit = sqlite3_column_int64 (stmt, 2);
  entry->failures = sqlite3_column_int (stmt, 6);
  entry->last_failure_at = sqlite3_column_int64 (stmt, 7);
  entry->locked_until = sqlite3_column_int64 (stmt, 8);
  entry->erased = sqlite3_column_type (stmt, 5) == SQLITE_NULL;
  if (!entry->erased &&
      (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "argon2id13") != 0 ||
       sqlite3_column_bytes (stmt, 3) != SALT_BYTES || sqlite3_column_bytes (stmt, 4) != NONCE_BYTES ||
       sqlite3_column_bytes (stmt, 5) != WRAPPED_BYTES))
    {
      sqlite3_finalize (stmt);
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED, "%s: the entry of %s is damaged",
                   keyring->path, person_id);
      return FALSE;
    }
  if (!entry->erased)
    {
      memcpy (entry->salt, sqlite3_column_blob (stmt, 3), SALT_BYTES);
      memcpy (entry->nonce, sqlite3_column_blob (stmt, 4), NONCE_BYTES);
      memcpy (entry->wrapped, sqlite3_column_blob (stmt, 5), WRAPPED_BYTES);
      entry->has_pair = sqlite3_column_bytes (stmt, 9) == crypto_box_PUBLICKEYBYTES &&
                        sqlite3_column_bytes (stmt, 10) == SEALED_BYTES;
      if (entry->has_pair)
        {
          memcpy (entry->public_key, sqlite3_column_blob (stmt, 9), crypto_box_PUBLICKEYBYTES);
          memcpy (entry->sealed, sqlite3_column_blob (stmt, 10), SEALED_BYTES);
        }
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
store_failures (ClmrsKeyring  *keyring,
                const char    *person_id,
                guint          failures,
                gint64         last_failure_at,
                gint64         locked_until,
                GError       **error)
{
  sqlite3_stmt *stmt = prepare (keyring,
      "UPDATE people SET failures = ?2, last_failure_at = ?3, locked_until = ?4 WHERE person_id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, failures);
  sqlite3_bind_int64 (stmt, 3, last_failure_at);
  sqlite3_bind_int64 (stmt, 4, locked_until);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return !sqlite_failed (keyring, rc, "counting a PIN attempt", error);
}

static gboolean
erase_entry (ClmrsKeyring  *keyring,
             const char    *person_id,
             gint64         now,
             GError       **error)
{
  sqlite3_stmt *stmt = prepare (keyring,
      "UPDATE people SET salt = NULL, nonce = NULL, wrapped = NULL, public_key = NULL, sealed = NULL,"
      "  erased_at = ?2, locked_until = 0"
      " WHERE person_id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return !sqlite_failed (keyring, rc, "erasing a key", error);
}

/* Writes @person_id's entry as a key pair around the data key @key, the
 * secret key wrapped with @kek (their PIN's key, kept: same salt). */
static gboolean
give_pair (ClmrsKeyring  *keyring,
           const guint8  *key,
           const char    *person_id,
           const guint8  *kek,
           GError       **error)
{
  guint8 nonce[NONCE_BYTES], wrapped[WRAPPED_BYTES], public_key[crypto_box_PUBLICKEYBYTES], sealed[SEALED_BYTES];
  sqlite3_stmt *stmt;
  int rc;

  if (!seal_for_person (key, person_id, kek, nonce, wrapped, public_key, sealed))
    return FALSE;
  stmt = prepare (keyring, "UPDATE people SET nonce = ?2, wrapped = ?3, public_key = ?4, sealed = ?5 "
                           "WHERE person_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, nonce, sizeof nonce, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, wrapped, sizeof wrapped, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, public_key, sizeof public_key, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, sealed, sizeof sealed, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return !sqlite_failed (keyring, rc, "giving a person a key pair", error);
}

static void
set_erased_error (const char  *person_id,
                  GError     **error)
{
  g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_ERASED,
               "The PIN of %s was wrong %d times: their key was erased from this device. "
               "Someone signed in can give them a new PIN, or the device can be recovered with the server.",
               person_id, CLMRS_KEYRING_MAX_FAILURES);
}

ClmrsDataKey *
clmrs_keyring_unlock (ClmrsKeyring  *keyring,
                      const char    *person_id,
                      const char    *pin,
                      GError       **error)
{
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autoptr(ClmrsDataKey) unwrapped = NULL;
  g_autofree char *ad = NULL;
  Entry entry;
  gint64 now;
  guint failures;
  guint8 *kek;
  gboolean opened;

  g_return_val_if_fail (keyring != NULL && person_id != NULL && pin != NULL, NULL);

  if (!exec_sql (keyring, "BEGIN IMMEDIATE", error))
    return NULL;
  if (!load_entry (keyring, person_id, &entry, error))
    goto fail;
  if (entry.erased)
    {
      set_erased_error (person_id, error);
      goto fail;
    }
  now = now_seconds (keyring);
  if (now < entry.last_failure_at)
    {
      /* the clock went back (a handheld without a clock battery): the
       * wait starts again from now rather than lasting for years */
      entry.locked_until = now + MAX (entry.locked_until - entry.last_failure_at, 0);
      entry.last_failure_at = now;
    }
  if (now < entry.locked_until)
    {
      gint64 wait = entry.locked_until - now;

      store_failures (keyring, person_id, entry.failures, entry.last_failure_at, entry.locked_until, NULL);
      exec_sql (keyring, "COMMIT", NULL);
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_LOCKED,
                   "Too many wrong PINs: try again in %" G_GINT64_FORMAT " s.", wait);
      return NULL;
    }

  /* count the attempt before trying it */
  failures = entry.failures + 1;
  if (!store_failures (keyring, person_id, failures, now, now + delay_after (failures), error) ||
      !exec_sql (keyring, "COMMIT", error))
    goto fail;

  kek = derive (pin, entry.salt, entry.opslimit, entry.memlimit);
  if (kek == NULL)
    {
      /* not the person's fault: give the attempt back */
      store_failures (keyring, person_id, entry.failures, entry.last_failure_at, entry.locked_until, NULL);
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED,
                           "not enough memory to derive the key from the PIN");
      return NULL;
    }
  key = clmrs_data_key_new_from_bytes (NULL);
  ad = wrap_ad (person_id);
  /* the person's secret key (or, in an entry from before, the data key) */
  unwrapped = clmrs_data_key_new_from_bytes (NULL);
  opened = crypto_aead_xchacha20poly1305_ietf_decrypt (unwrapped->bytes, NULL, NULL, entry.wrapped, WRAPPED_BYTES,
                                                       (const guint8 *) ad, strlen (ad), entry.nonce, kek) == 0;
  if (opened && entry.has_pair)
    opened = crypto_box_seal_open (key->bytes, entry.sealed, SEALED_BYTES, entry.public_key, unwrapped->bytes) == 0;
  else if (opened)
    memcpy (key->bytes, unwrapped->bytes, CLMRS_KEYRING_KEY_BYTES);
  /* an entry from before gets its key pair now that its PIN is known */
  if (opened && !entry.has_pair && !give_pair (keyring, key->bytes, person_id, kek, NULL))
    g_message ("%s: could not give %s a key pair; the old entry stays", keyring->path, person_id);
  sodium_free (kek);
  sodium_memzero (&entry, sizeof entry);

  if (opened)
    {
      if (!store_failures (keyring, person_id, 0, 0, 0, error))
        return NULL;
      return g_steal_pointer (&key);
    }
  if (failures >= CLMRS_KEYRING_MAX_FAILURES)
    {
      if (erase_entry (keyring, person_id, now, error))
        set_erased_error (person_id, error);
      return NULL;
    }
  {
    guint left = CLMRS_KEYRING_MAX_FAILURES - failures;
    g_autofree char *wait = delay_after (failures) > 0
      ? g_strdup_printf (" The next try in %" G_GINT64_FORMAT " s.", delay_after (failures)) : g_strdup ("");

    g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_PIN,
                 "Wrong PIN. %u %s left before this person's key is erased.%s",
                 left, left == 1 ? "try" : "tries", wait);
  }
  return NULL;

fail:
  exec_sql (keyring, "ROLLBACK", NULL);
  return NULL;
}

/* ---- recovery ---- */

void
clmrs_keyring_recovery_keypair_new (guint8 public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                    guint8 secret_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES])
{
  g_assert (sodium_init () >= 0);
  crypto_box_keypair (public_key, secret_key);
}

ClmrsDataKey *
clmrs_keyring_recover (ClmrsKeyring  *keyring,
                       const guint8   server_secret_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                       GError       **error)
{
  g_autoptr(ClmrsDataKey) key = NULL;
  guint8 public_key[crypto_box_PUBLICKEYBYTES];
  guint8 sealed[SEALED_BYTES];
  gboolean have = FALSE;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (keyring != NULL && server_secret_key != NULL, NULL);

  stmt = prepare (keyring, "SELECT recovery_public_key, recovery_sealed FROM keyring WHERE id = 1", error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == sizeof public_key &&
      sqlite3_column_bytes (stmt, 1) == sizeof sealed)
    {
      memcpy (public_key, sqlite3_column_blob (stmt, 0), sizeof public_key);
      memcpy (sealed, sqlite3_column_blob (stmt, 1), sizeof sealed);
      have = TRUE;
    }
  sqlite3_finalize (stmt);
  if (!have)
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_FAILED, "%s has no recovery copy", keyring->path);
      return NULL;
    }

  key = clmrs_data_key_new_from_bytes (NULL);
  if (crypto_box_seal_open (key->bytes, sealed, sizeof sealed, public_key, server_secret_key) != 0 ||
      !check_key (keyring, key->bytes, NULL))
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_RECOVERY,
                   "%s: this is not the server key the device's key was sealed to", keyring->path);
      return NULL;
    }
  return g_steal_pointer (&key);
}

gboolean
clmrs_keyring_reseal (ClmrsKeyring        *keyring,
                      const ClmrsDataKey  *key,
                      const guint8         server_public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                      gboolean            *changed,
                      GError             **error)
{
  guint8 sealed[SEALED_BYTES];
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL && key != NULL && server_public_key != NULL, FALSE);

  if (changed != NULL)
    *changed = FALSE;
  if (!check_key (keyring, key->bytes, error))
    return FALSE;
  if (crypto_box_seal (sealed, key->bytes, CLMRS_KEYRING_KEY_BYTES, server_public_key) != 0)
    {
      g_set_error_literal (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_RECOVERY, "cannot seal the key to the server's key");
      return FALSE;
    }
  stmt = prepare (keyring,
      "UPDATE keyring SET recovery_public_key = ?1, recovery_sealed = ?2 WHERE id = 1 AND recovery_public_key IS NOT ?1",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, server_public_key, CLMRS_KEYRING_RECOVERY_KEY_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, sealed, sizeof sealed, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (sqlite_failed (keyring, rc, "sealing the key again", error))
    return FALSE;
  if (changed != NULL)
    *changed = sqlite3_changes (keyring->db) > 0;
  return TRUE;
}

/* ---- labels ---- */

gboolean
clmrs_keyring_set_label (ClmrsKeyring  *keyring,
                         const char    *name,
                         const char    *value,
                         GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL && name != NULL && value != NULL, FALSE);

  if (!exec_sql (keyring, LABELS_SCHEMA, error))
    return FALSE;
  stmt = prepare (keyring, "INSERT OR REPLACE INTO labels (name, value) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return !sqlite_failed (keyring, rc, "setting a label", error);
}

char *
clmrs_keyring_get_label (ClmrsKeyring *keyring,
                         const char   *name)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_return_val_if_fail (keyring != NULL && name != NULL, NULL);

  if (sqlite3_prepare_v2 (keyring->db, "SELECT value FROM labels WHERE name = ?1", -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return NULL;   /* a keyring that never had a label */
    }
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* ---- first sign-in with the server's one-time PIN ---- */

/* Whether the keyring has @table (those added after version 1 are made
 * when first written). */
static gboolean
has_table (ClmrsKeyring *keyring,
           const char   *table)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (keyring->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
      found = sqlite3_step (stmt) == SQLITE_ROW;
    }
  sqlite3_finalize (stmt);
  return found;
}

gboolean
clmrs_keyring_set_unlock (ClmrsKeyring        *keyring,
                          const ClmrsDataKey  *key,
                          const guint8         secret[CLMRS_KEYRING_KEY_BYTES],
                          const char          *server_url,
                          const char          *device_id,
                          const char          *ca_pem,
                          GError             **error)
{
  guint8 nonce[NONCE_BYTES], wrapped[WRAPPED_BYTES];
  g_autofree char *ad = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL && key != NULL && secret != NULL, FALSE);
  g_return_val_if_fail (server_url != NULL && device_id != NULL, FALSE);

  if (!check_key (keyring, key->bytes, error) || !exec_sql (keyring, UNLOCK_SCHEMA, error))
    return FALSE;
  randombytes_buf (nonce, sizeof nonce);
  ad = g_strconcat (UNLOCK_AD, device_id, NULL);
  crypto_aead_xchacha20poly1305_ietf_encrypt (wrapped, NULL, key->bytes, CLMRS_KEYRING_KEY_BYTES,
                                              (const guint8 *) ad, strlen (ad), NULL, nonce, secret);
  stmt = prepare (keyring, "INSERT OR REPLACE INTO unlock (id, server_url, device_id, ca_pem, nonce, wrapped) "
                           "VALUES (1, ?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, server_url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, ca_pem, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, nonce, sizeof nonce, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, wrapped, sizeof wrapped, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return !sqlite_failed (keyring, rc, "writing the unlock entry", error);
}

gboolean
clmrs_keyring_get_unlock_server (ClmrsKeyring  *keyring,
                                 char         **server_url,
                                 char         **device_id,
                                 char         **ca_pem)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (keyring != NULL, FALSE);

  if (!has_table (keyring, "unlock") ||
      (stmt = prepare (keyring, "SELECT server_url, device_id, ca_pem FROM unlock WHERE id = 1", NULL)) == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      if (server_url != NULL)
        *server_url = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (device_id != NULL)
        *device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      if (ca_pem != NULL)
        *ca_pem = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_finalize (stmt);
  return found;
}

ClmrsDataKey *
clmrs_keyring_unlock_with_secret (ClmrsKeyring  *keyring,
                                  const guint8   secret[CLMRS_KEYRING_KEY_BYTES],
                                  GError       **error)
{
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autofree char *ad = NULL;
  sqlite3_stmt *stmt;
  gboolean opened = FALSE;

  g_return_val_if_fail (keyring != NULL && secret != NULL, NULL);

  if (!has_table (keyring, "unlock") ||
      (stmt = prepare (keyring, "SELECT device_id, nonce, wrapped FROM unlock WHERE id = 1", error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_NOT_FOUND,
                     "%s: no unlock entry (the device has not synced since it was enrolled)", keyring->path);
      return NULL;
    }
  key = clmrs_data_key_new_from_bytes (NULL);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_bytes (stmt, 1) == NONCE_BYTES &&
      sqlite3_column_bytes (stmt, 2) == WRAPPED_BYTES)
    {
      ad = g_strconcat (UNLOCK_AD, (const char *) sqlite3_column_text (stmt, 0), NULL);
      opened = crypto_aead_xchacha20poly1305_ietf_decrypt (key->bytes, NULL, NULL, sqlite3_column_blob (stmt, 2),
                                                           WRAPPED_BYTES, (const guint8 *) ad, strlen (ad),
                                                           sqlite3_column_blob (stmt, 1), secret) == 0;
    }
  sqlite3_finalize (stmt);
  if (!opened || !check_key (keyring, key->bytes, NULL))
    {
      g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_KEY,
                   "%s: the server's unlock secret does not open this device's key", keyring->path);
      return NULL;
    }
  return g_steal_pointer (&key);
}

gboolean
clmrs_keyring_set_arrivals (ClmrsKeyring  *keyring,
                            GPtrArray     *people,
                            GError       **error)
{
  g_return_val_if_fail (keyring != NULL && people != NULL, FALSE);

  if (!exec_sql (keyring, UNLOCK_SCHEMA "BEGIN IMMEDIATE; DELETE FROM arrivals;", error))
    return FALSE;
  for (guint i = 0; i < people->len; i++)
    {
      const ClmrsKeyringPerson *person = g_ptr_array_index (people, i);
      sqlite3_stmt *stmt = prepare (keyring, "INSERT OR REPLACE INTO arrivals (person_id, display_name) "
                                             "VALUES (?1, ?2)", error);
      int rc;

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, person->person_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, person->display_name, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (sqlite_failed (keyring, rc, "writing the arrivals", error))
        goto fail;
    }
  return exec_sql (keyring, "COMMIT", error);

fail:
  sqlite3_exec (keyring->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

GPtrArray *
clmrs_keyring_list_arrivals (ClmrsKeyring  *keyring,
                             GError       **error)
{
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_keyring_person_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (keyring != NULL, NULL);

  if (!has_table (keyring, "arrivals"))
    return g_steal_pointer (&people);
  stmt = prepare (keyring, "SELECT person_id, display_name FROM arrivals "
                           "WHERE person_id NOT IN (SELECT person_id FROM people) ORDER BY display_name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClmrsKeyringPerson *person = g_new0 (ClmrsKeyringPerson, 1);

      person->person_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      person->display_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (people, person);
    }
  sqlite3_finalize (stmt);
  if (sqlite_failed (keyring, rc, "listing the arrivals", error))
    return NULL;
  return g_steal_pointer (&people);
}

/* ---- a new data key ---- */

gboolean
clmrs_keyring_rekey (ClmrsKeyring        *keyring,
                     const ClmrsDataKey  *old_key,
                     const ClmrsDataKey  *new_key,
                     guint               *n_erased,
                     GError             **error)
{
  g_autoptr(GPtrArray) without_pair = g_ptr_array_new_with_free_func (g_free);
  guint8 check[CHECK_BYTES], sealed[SEALED_BYTES];
  sqlite3_stmt *stmt = NULL;
  gint64 now;
  int rc;

  g_return_val_if_fail (keyring != NULL && old_key != NULL && new_key != NULL, FALSE);

  if (n_erased != NULL)
    *n_erased = 0;
  if (!check_key (keyring, old_key->bytes, error) || !exec_sql (keyring, "BEGIN IMMEDIATE", error))
    return FALSE;
  now = now_seconds (keyring);
  stmt = prepare (keyring, "SELECT person_id, public_key FROM people WHERE wrapped IS NOT NULL", error);
  if (stmt == NULL)
    goto fail;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *person_id = (const char *) sqlite3_column_text (stmt, 0);
      sqlite3_stmt *update;

      if (sqlite3_column_bytes (stmt, 1) != crypto_box_PUBLICKEYBYTES)
        {
          g_ptr_array_add (without_pair, g_strdup (person_id));
          continue;
        }
      if (crypto_box_seal (sealed, new_key->bytes, CLMRS_KEYRING_KEY_BYTES, sqlite3_column_blob (stmt, 1)) != 0 ||
          (update = prepare (keyring, "UPDATE people SET sealed = ?2 WHERE person_id = ?1", error)) == NULL)
        goto fail;
      sqlite3_bind_text (update, 1, person_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (update, 2, sealed, sizeof sealed, SQLITE_TRANSIENT);
      rc = sqlite3_step (update);
      sqlite3_finalize (update);
      if (sqlite_failed (keyring, rc, "sealing the new key for a person", error))
        goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (sqlite_failed (keyring, rc, "reading the people", error))
    goto fail;
  /* an entry from before key pairs wraps the old key itself: it cannot
   * follow without its PIN, so it is erased (a colleague gives a new PIN) */
  for (guint i = 0; i < without_pair->len; i++)
    if (!erase_entry (keyring, g_ptr_array_index (without_pair, i), now, error))
      goto fail;

  stmt = prepare (keyring, "SELECT recovery_public_key FROM keyring WHERE id = 1", error);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW ||
      sqlite3_column_bytes (stmt, 0) != crypto_box_PUBLICKEYBYTES ||
      crypto_box_seal (sealed, new_key->bytes, CLMRS_KEYRING_KEY_BYTES, sqlite3_column_blob (stmt, 0)) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_RECOVERY,
                     "%s: cannot seal the new key to the recovery key", keyring->path);
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  key_check (new_key->bytes, check);
  stmt = prepare (keyring, "UPDATE keyring SET key_check = ?1, recovery_sealed = ?2 WHERE id = 1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_blob (stmt, 1, check, sizeof check, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, sealed, sizeof sealed, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (sqlite_failed (keyring, rc, "writing the new key's check", error))
    goto fail;
  /* the unlock entry wraps the old key: the next sync makes it again */
  if (has_table (keyring, "unlock") && !exec_sql (keyring, "DELETE FROM unlock", error))
    goto fail;
  if (!exec_sql (keyring, "COMMIT", error))
    goto fail;
  if (n_erased != NULL)
    *n_erased = without_pair->len;
  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  exec_sql (keyring, "ROLLBACK", NULL);
  return FALSE;
}
