/* test-keyring.c: the data key opens with the right PIN only, wrong PINs slow down then erase, the server key recovers. */
#define _GNU_SOURCE
#include "keyring-private.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
  char         *dir;
  char         *path;
  gint64        now;
  guint8        server_public[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  guint8        server_secret[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  ClmrsKeyring *keyring;
  ClmrsDataKey *key;
} Fixture;

static gint64
fixture_clock (gpointer user_data)
{
  return ((Fixture *) user_data)->now;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clmrs-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.keyring", NULL);
  f->now = 1800000000;
  clmrs_keyring_recovery_keypair_new (f->server_public, f->server_secret);
  f->keyring = clmrs_keyring_create (f->path, f->server_public, "fac-awa", "Awa Koné", "284719", &f->key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->keyring);
  g_assert_nonnull (f->key);
  _clmrs_keyring_set_clock (f->keyring, fixture_clock, f);
  g_assert_true (clmrs_keyring_add_person (f->keyring, f->key, "sup-yao", "Yao Kouassi", "905172", &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->keyring, clmrs_keyring_close);
  g_clear_pointer (&f->key, clmrs_data_key_free);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
assert_same_key (const ClmrsDataKey *a,
                 const ClmrsDataKey *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (clmrs_data_key_get_bytes (a), CLMRS_KEYRING_KEY_BYTES,
                   clmrs_data_key_get_bytes (b), CLMRS_KEYRING_KEY_BYTES);
}

static ClmrsKeyringPerson *
person (Fixture    *f,
        const char *id)
{
  g_autoptr(GPtrArray) people = clmrs_keyring_list_people (f->keyring, NULL);

  for (guint i = 0; people != NULL && i < people->len; i++)
    {
      ClmrsKeyringPerson *p = g_ptr_array_index (people, i);

      if (strcmp (p->person_id, id) == 0)
        return g_ptr_array_steal_index (people, i);
    }
  g_assert_not_reached ();
}

/* Tries @pin and returns the error code (-1: unlocked). */
static int
try_pin (Fixture    *f,
         const char *id,
         const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDataKey) key = clmrs_keyring_unlock (f->keyring, id, pin, &error);

  if (key != NULL)
    {
      g_assert_no_error (error);
      assert_same_key (key, f->key);
      return -1;
    }
  g_assert_nonnull (error);
  g_assert_true (error->domain == CLMRS_KEYRING_ERROR);
  g_test_message ("%s", error->message);
  return error->code;
}

static void
test_right_pin (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) people = clmrs_keyring_list_people (f->keyring, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, -1);
  g_assert_cmpint (try_pin (f, "sup-yao", "905172"), ==, -1);
  g_assert_cmpint (try_pin (f, "nobody", "905172"), ==, CLMRS_KEYRING_ERROR_NOT_FOUND);
  g_assert_cmpuint (people->len, ==, 2);
  g_assert_cmpstr (((ClmrsKeyringPerson *) people->pdata[0])->display_name, ==, "Awa Koné");

  /* the file holds neither the key nor a PIN */
  g_file_get_contents (f->path, &contents, &length, NULL);
  g_assert_null (memmem (contents, length, clmrs_data_key_get_bytes (f->key), CLMRS_KEYRING_KEY_BYTES));
  g_assert_null (memmem (contents, length, "284719", 6));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (f->path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  /* and it opens again */
  g_clear_pointer (&f->keyring, clmrs_keyring_close);
  f->keyring = clmrs_keyring_open (f->path, NULL);
  g_assert_nonnull (f->keyring);
  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, -1);
}

static void
test_wrong_pin_delay (Fixture       *f,
                      gconstpointer  data)
{
  gint64 previous_wait = 0;
  g_autoptr(ClmrsKeyringPerson) awa = NULL;

  /* three free tries */
  for (guint i = 1; i <= 2; i++)
    {
      g_assert_cmpint (try_pin (f, "fac-awa", "111222"), ==, CLMRS_KEYRING_ERROR_WRONG_PIN);
      awa = person (f, "fac-awa");
      g_assert_cmpuint (awa->failures, ==, i);
      g_assert_cmpint (awa->locked_until, <=, f->now);
      g_clear_pointer (&awa, clmrs_keyring_person_free);
    }
  /* from the third wrong PIN on, each try waits longer than the last */
  for (guint i = 3; i <= 6; i++)
    {
      gint64 wait;

      g_assert_cmpint (try_pin (f, "fac-awa", "111222"), ==, CLMRS_KEYRING_ERROR_WRONG_PIN);
      awa = person (f, "fac-awa");
      wait = awa->locked_until - f->now;
      g_assert_cmpint (wait, ==, (gint64) 1 << i);
      g_assert_cmpint (wait, >, previous_wait);
      previous_wait = wait;
      g_clear_pointer (&awa, clmrs_keyring_person_free);

      /* too soon: refused without trying, even the right PIN, not counted */
      f->now += wait - 1;
      g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, CLMRS_KEYRING_ERROR_LOCKED);
      awa = person (f, "fac-awa");
      g_assert_cmpuint (awa->failures, ==, i);
      g_clear_pointer (&awa, clmrs_keyring_person_free);

      /* the wait is on disk: a restarted app waits too */
      g_clear_pointer (&f->keyring, clmrs_keyring_close);
      f->keyring = clmrs_keyring_open (f->path, NULL);
      _clmrs_keyring_set_clock (f->keyring, fixture_clock, f);
      g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, CLMRS_KEYRING_ERROR_LOCKED);
      f->now += 1;
    }
  /* other people are not slowed down */
  g_assert_cmpint (try_pin (f, "sup-yao", "905172"), ==, -1);

  /* a clock set back (no clock battery) does not lock for years */
  g_assert_cmpint (try_pin (f, "fac-awa", "111222"), ==, CLMRS_KEYRING_ERROR_WRONG_PIN);   /* 7th: 128 s */
  f->now -= 10 * 365 * 86400;
  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, CLMRS_KEYRING_ERROR_LOCKED);
  awa = person (f, "fac-awa");
  g_assert_cmpint (awa->locked_until - f->now, ==, 128);
  g_clear_pointer (&awa, clmrs_keyring_person_free);
  f->now += 128;
  g_assert_cmpint (try_pin (f, "fac-awa", "111222"), ==, CLMRS_KEYRING_ERROR_WRONG_PIN);   /* 8th: 256 s */
  awa = person (f, "fac-awa");
  g_assert_cmpint (awa->locked_until - f->now, ==, 256);
  g_clear_pointer (&awa, clmrs_keyring_person_free);

  /* the right PIN after the wait unlocks and forgives */
  f->now += 256;
  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, -1);
  awa = person (f, "fac-awa");
  g_assert_cmpuint (awa->failures, ==, 0);
  g_assert_cmpint (awa->locked_until, ==, 0);
}

static void
test_ten_wrong_erase (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsKeyringPerson) awa = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt;

  for (guint i = 1; i <= 9; i++)
    {
      g_assert_cmpint (try_pin (f, "fac-awa", "000111"), ==, CLMRS_KEYRING_ERROR_WRONG_PIN);
      f->now += 1 << 10;
    }
  awa = person (f, "fac-awa");
  g_assert_false (awa->erased);
  g_clear_pointer (&awa, clmrs_keyring_person_free);

  key = clmrs_keyring_unlock (f->keyring, "fac-awa", "000111", &error);
  g_assert_null (key);
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_ERASED);
  g_assert_nonnull (strstr (error->message, "erased"));
  g_clear_error (&error);
  awa = person (f, "fac-awa");
  g_assert_true (awa->erased);
  g_clear_pointer (&awa, clmrs_keyring_person_free);

  /* gone from the file, not just flagged */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT salt IS NULL AND nonce IS NULL AND wrapped IS NULL"
                                           " FROM people WHERE person_id = 'fac-awa'", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* the right PIN no longer helps; the supervisor still unlocks */
  f->now += 1 << 12;
  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, CLMRS_KEYRING_ERROR_ERASED);
  key = clmrs_keyring_unlock (f->keyring, "sup-yao", "905172", &error);
  g_assert_no_error (error);

  /* and, signed in, gives Awa a new PIN */
  g_assert_true (clmrs_keyring_add_person (f->keyring, key, "fac-awa", "Awa Koné", "730418", &error));
  g_assert_no_error (error);
  g_assert_cmpint (try_pin (f, "fac-awa", "730418"), ==, -1);
}

static void
test_recovery (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDataKey) recovered = NULL;
  guint8 other_public[CLMRS_KEYRING_RECOVERY_KEY_BYTES], other_secret[CLMRS_KEYRING_RECOVERY_KEY_BYTES];

  /* everyone locked out */
  for (guint i = 0; i < CLMRS_KEYRING_MAX_FAILURES; i++)
    {
      try_pin (f, "fac-awa", "999000");
      try_pin (f, "sup-yao", "999000");
      f->now += 1 << 10;
    }
  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, CLMRS_KEYRING_ERROR_ERASED);
  g_assert_cmpint (try_pin (f, "sup-yao", "905172"), ==, CLMRS_KEYRING_ERROR_ERASED);

  /* another server's key, or the public key itself, opens nothing */
  clmrs_keyring_recovery_keypair_new (other_public, other_secret);
  g_assert_null (clmrs_keyring_recover (f->keyring, other_secret, &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_RECOVERY);
  g_clear_error (&error);
  g_assert_null (clmrs_keyring_recover (f->keyring, f->server_public, &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_RECOVERY);
  g_clear_error (&error);

  /* the server's secret key does */
  recovered = clmrs_keyring_recover (f->keyring, f->server_secret, &error);
  g_assert_no_error (error);
  assert_same_key (recovered, f->key);
  g_assert_true (clmrs_keyring_add_person (f->keyring, recovered, "sup-yao", "Yao Kouassi", "613907", &error));
  g_assert_no_error (error);
  g_assert_cmpint (try_pin (f, "sup-yao", "613907"), ==, -1);
}

static void
test_pin_policy (Fixture       *f,
                 gconstpointer  data)
{
  const char *weak[] = { "", "12345", "28471", "123456", "987654", "111111", "12a456", "284 719", "٢٨٤٧١٩" };
  const char *fine[] = { "284719", "102938", "1234567890123", "000001" };
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.keyring", NULL);
  ClmrsDataKey *key = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      g_assert_false (clmrs_keyring_check_new_pin (weak[i], &error));
      g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fine); i++)
    {
      g_assert_true (clmrs_keyring_check_new_pin (fine[i], &error));
      g_assert_no_error (error);
    }
  g_assert_false (clmrs_keyring_add_person (f->keyring, f->key, "fac-kofi", "Kofi", "1000", &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN);
  g_clear_error (&error);
  g_assert_null (clmrs_keyring_create (other, f->server_public, "fac-kofi", "Kofi", "9999", &key, &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
}

static void
test_bindings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDataKey) stranger = clmrs_data_key_new_random ();
  sqlite3 *db;

  /* only the device's own key may be wrapped for someone */
  g_assert_false (clmrs_keyring_add_person (f->keyring, stranger, "fac-kofi", "Kofi", "502817", &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_KEY);

  /* Awa's wrap copied onto Yao's entry does not open with Awa's PIN: the
   * person id is bound to the wrap */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
      "UPDATE people SET (salt, nonce, wrapped, opslimit, memlimit) = "
      " (SELECT salt, nonce, wrapped, opslimit, memlimit FROM people WHERE person_id = 'fac-awa')"
      " WHERE person_id = 'sup-yao'", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (try_pin (f, "sup-yao", "284719"), ==, CLMRS_KEYRING_ERROR_WRONG_PIN);
  g_assert_cmpint (try_pin (f, "fac-awa", "284719"), ==, -1);
}

/* The shipped parameters: at least 64 MiB, and the time one unlock takes here. */
static void
test_default_parameters (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gint64 t0;

  g_assert_cmpuint (CLMRS_KEYRING_MEMLIMIT, >=, 64 * 1024 * 1024);
  g_unsetenv (CLMRS_KEYRING_FAST_KDF_ENV);
  g_assert_true (clmrs_keyring_add_person (f->keyring, f->key, "fac-kofi", "Kofi", "502817", &error));
  g_setenv (CLMRS_KEYRING_FAST_KDF_ENV, "1", TRUE);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT kdf, opslimit, memlimit FROM people WHERE person_id = 'fac-kofi'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "argon2id13");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, CLMRS_KEYRING_OPSLIMIT);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, CLMRS_KEYRING_MEMLIMIT);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  t0 = g_get_monotonic_time ();
  key = clmrs_keyring_unlock (f->keyring, "fac-kofi", "502817", &error);
  g_assert_no_error (error);
  assert_same_key (key, f->key);
  g_test_message ("Argon2id unlock with the shipped parameters: %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);
}

/* Rewrites @id's entry as keyrings wrote it before people had key pairs:
 * the data key itself wrapped with the PIN's key. */
static void
make_entry_of_before (Fixture    *f,
                      const char *id,
                      const char *pin)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint8 salt[crypto_pwhash_SALTBYTES], kek[32], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  guint8 wrapped[32 + crypto_aead_xchacha20poly1305_ietf_ABYTES];
  g_autofree char *ad = g_strconcat ("clmrs-keyring-v1:", id, NULL);
  unsigned long long opslimit;
  gsize memlimit;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT salt, opslimit, memlimit FROM people WHERE person_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  memcpy (salt, sqlite3_column_blob (stmt, 0), sizeof salt);
  opslimit = sqlite3_column_int64 (stmt, 1);
  memlimit = sqlite3_column_int64 (stmt, 2);
  sqlite3_finalize (stmt);
  g_assert_cmpint (crypto_pwhash (kek, sizeof kek, pin, strlen (pin), salt, opslimit, memlimit,
                                  crypto_pwhash_ALG_ARGON2ID13), ==, 0);
  randombytes_buf (nonce, sizeof nonce);
  crypto_aead_xchacha20poly1305_ietf_encrypt (wrapped, NULL, clmrs_data_key_get_bytes (f->key), 32,
                                              (const guint8 *) ad, strlen (ad), NULL, nonce, kek);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE people SET nonce = ?2, wrapped = ?3, public_key = NULL, sealed = NULL "
                                       "WHERE person_id = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, nonce, sizeof nonce, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, wrapped, sizeof wrapped, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static gboolean
has_pair (Fixture    *f,
          const char *id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean has;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT public_key IS NOT NULL FROM people WHERE person_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  has = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return has;
}

/* A new data key is sealed to each person's key pair, so they unlock it
 * with their own PIN, nobody's PIN asked; the old key is no longer taken
 * for the keyring's; an entry from before key pairs gets one at its
 * person's sign-in, and one whose person never signed in since cannot
 * follow a new key: it is erased and counted. */
static void
test_rekey (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDataKey) new_key = clmrs_data_key_new_random ();
  g_autoptr(ClmrsDataKey) unlocked = NULL;
  g_autoptr(ClmrsKeyringPerson) ama = NULL;
  guint n_erased = 99;

  g_assert_true (clmrs_keyring_add_person (f->keyring, f->key, "fac-ama", "Ama Owusu", "617283", &error));
  g_assert_no_error (error);
  make_entry_of_before (f, "sup-yao", "905172");
  make_entry_of_before (f, "fac-ama", "617283");
  g_assert_false (has_pair (f, "sup-yao"));
  /* Yao signs in: his entry of before opens, and gets its pair */
  unlocked = clmrs_keyring_unlock (f->keyring, "sup-yao", "905172", &error);
  g_assert_no_error (error);
  assert_same_key (unlocked, f->key);
  g_clear_pointer (&unlocked, clmrs_data_key_free);
  g_assert_true (has_pair (f, "sup-yao"));

  /* a key that is not the keyring's is refused */
  g_assert_false (clmrs_keyring_rekey (f->keyring, new_key, new_key, NULL, &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_KEY);
  g_clear_error (&error);
  g_assert_true (clmrs_keyring_rekey (f->keyring, f->key, new_key, &n_erased, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_erased, ==, 1);
  for (guint i = 0; i < 2; i++)
    {
      unlocked = clmrs_keyring_unlock (f->keyring, i == 0 ? "fac-awa" : "sup-yao", i == 0 ? "284719" : "905172",
                                       &error);
      g_assert_no_error (error);
      assert_same_key (unlocked, new_key);
      g_clear_pointer (&unlocked, clmrs_data_key_free);
    }
  ama = person (f, "fac-ama");
  g_assert_true (ama->erased);
  g_assert_null (clmrs_keyring_unlock (f->keyring, "fac-ama", "617283", &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_ERASED);
  g_clear_error (&error);
  /* the old key is not this keyring's any more; the recovery copy is the new key */
  g_assert_false (clmrs_keyring_add_person (f->keyring, f->key, "fac-ama", "Ama Owusu", "617283", &error));
  g_assert_error (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WRONG_KEY);
  g_clear_error (&error);
  unlocked = clmrs_keyring_recover (f->keyring, f->server_secret, &error);
  g_assert_no_error (error);
  assert_same_key (unlocked, new_key);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv (CLMRS_KEYRING_FAST_KDF_ENV, "1", TRUE);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/keyring/right-pin", test_right_pin);
  ADD ("/keyring/wrong-pin-delay", test_wrong_pin_delay);
  ADD ("/keyring/ten-wrong-erase", test_ten_wrong_erase);
  ADD ("/keyring/recovery", test_recovery);
  ADD ("/keyring/pin-policy", test_pin_policy);
  ADD ("/keyring/bindings", test_bindings);
  ADD ("/keyring/default-parameters", test_default_parameters);
  ADD ("/keyring/rekey", test_rekey);
#undef ADD
  return g_test_run ();
}
