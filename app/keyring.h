/* keyring.h: the device's data key, wrapped once per person with a key derived from their PIN (Argon2id). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The keyring is a small plain SQLite file beside the encrypted database.
 * It holds, per person: their id and display name (staff, never children),
 * the Argon2id salt and parameters, the data key wrapped with the
 * PIN-derived key (XChaCha20-Poly1305, the person id as associated data),
 * the count of wrong PINs and the time before which no PIN is tried.  Once:
 * the data key sealed to the server's recovery public key (crypto_box_seal)
 * and a check value of the key.  docs/security-at-rest.md has the formats.
 *
 * Policy: a new PIN has at least 6 digits, not all the same nor a run
 * (123456, 987654).  After 3 wrong PINs in a row each further try waits
 * 2^n seconds (n wrong so far), enforced with stored times; the 10th wrong
 * PIN erases that person's wrapped key (CLMRS_KEYRING_ERROR_ERASED).  The
 * attempt is counted on disk before the PIN is tried, so killing the app
 * mid-try does not give a free guess.
 */

#define CLMRS_KEYRING_KEY_BYTES        32
#define CLMRS_KEYRING_RECOVERY_KEY_BYTES 32   /* crypto_box public and secret keys */

/* Argon2id: about 0.5-1 s and 64 MiB on a slow handheld (docs/benchmarks.md). */
#define CLMRS_KEYRING_OPSLIMIT         3
#define CLMRS_KEYRING_MEMLIMIT         ((gsize) 64 * 1024 * 1024)
/* Set to 1 in tests only: new wraps use libsodium's minimum parameters. */
#define CLMRS_KEYRING_FAST_KDF_ENV     "CLMRS_KEYRING_TEST_FAST_KDF"

#define CLMRS_KEYRING_MIN_PIN_DIGITS   6
#define CLMRS_KEYRING_FREE_FAILURES    3
#define CLMRS_KEYRING_MAX_FAILURES     10

#define CLMRS_KEYRING_ERROR (clmrs_keyring_error_quark ())

typedef enum {
  CLMRS_KEYRING_ERROR_FAILED,     /* the file or SQLite said no */
  CLMRS_KEYRING_ERROR_WEAK_PIN,   /* a new PIN that breaks the policy */
  CLMRS_KEYRING_ERROR_NOT_FOUND,  /* no such person */
  CLMRS_KEYRING_ERROR_WRONG_PIN,  /* the message says how many tries are left */
  CLMRS_KEYRING_ERROR_LOCKED,     /* too soon after wrong PINs: the message says how long to wait */
  CLMRS_KEYRING_ERROR_ERASED,     /* this person's key was erased after 10 wrong PINs */
  CLMRS_KEYRING_ERROR_WRONG_KEY,  /* a data key that is not this keyring's */
  CLMRS_KEYRING_ERROR_RECOVERY,   /* not the server key the data key was sealed to */
} ClmrsKeyringError;

GQuark clmrs_keyring_error_quark (void);

/* The data key, in guarded memory (sodium_malloc: locked, wiped on free). */
typedef struct _ClmrsDataKey ClmrsDataKey;

ClmrsDataKey *clmrs_data_key_new_random (void);
ClmrsDataKey *clmrs_data_key_new_from_bytes (const guint8 bytes[CLMRS_KEYRING_KEY_BYTES]);
const guint8 *clmrs_data_key_get_bytes  (const ClmrsDataKey *key);   /* CLMRS_KEYRING_KEY_BYTES, for clmrs_cryptvfs_open */
void          clmrs_data_key_free       (ClmrsDataKey       *key);

typedef struct {
  char    *person_id;
  char    *display_name;
  guint    failures;        /* wrong PINs in a row */
  gint64   locked_until;    /* UNIX seconds; 0 = may try now */
  gboolean erased;          /* 10 wrong PINs: needs a new PIN from someone signed in, or recovery */
  gboolean one_time;        /* no wrap yet: signs in once online with the server's one-time PIN
                             * (clmrs_keyring_list_arrivals(); clmrs_device_list_people() adds them) */
} ClmrsKeyringPerson;

void          clmrs_keyring_person_free (ClmrsKeyringPerson *person);

typedef struct _ClmrsKeyring ClmrsKeyring;

/* A new keyring at @path (must not exist) with a new random data key,
 * sealed to @server_public_key and wrapped for its first person.  Returns
 * the keyring and, in @out_key, the data key (to create the database). */
ClmrsKeyring *clmrs_keyring_create        (const char          *path,
                                           const guint8         server_public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                           const char          *person_id,
                                           const char          *display_name,
                                           const char          *pin,
                                           ClmrsDataKey       **out_key,
                                           GError             **error);
/* The same around an existing data key (a database made before its first
 * person was known). */
ClmrsKeyring *clmrs_keyring_create_for_key (const char         *path,
                                           const guint8         server_public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                           const ClmrsDataKey  *key,
                                           const char          *person_id,
                                           const char          *display_name,
                                           const char          *pin,
                                           GError             **error);
ClmrsKeyring *clmrs_keyring_open          (const char          *path,
                                           GError             **error);
void          clmrs_keyring_close         (ClmrsKeyring        *keyring);

/* Adds a person, or gives an existing one a new PIN (their failures and an
 * erased key are cleared).  Needs the unwrapped data key: someone is signed
 * in, or the device was recovered. */
gboolean      clmrs_keyring_add_person    (ClmrsKeyring        *keyring,
                                           const ClmrsDataKey  *key,
                                           const char          *person_id,
                                           const char          *display_name,
                                           const char          *pin,
                                           GError             **error);
gboolean      clmrs_keyring_remove_person (ClmrsKeyring        *keyring,
                                           const char          *person_id,
                                           GError             **error);
/* (element-type ClmrsKeyringPerson), in the order they were added. */
GPtrArray    *clmrs_keyring_list_people   (ClmrsKeyring        *keyring,
                                           GError             **error);

/* The data key, or NULL with WRONG_PIN, LOCKED, ERASED or NOT_FOUND.  Takes
 * about as long as the person's Argon2id parameters say (not when LOCKED). */
ClmrsDataKey *clmrs_keyring_unlock        (ClmrsKeyring        *keyring,
                                           const char          *person_id,
                                           const char          *pin,
                                           GError             **error);

/* Recovery of a device whose people are all locked out: the server's
 * secret key opens the sealed copy.  No other key can. */
ClmrsDataKey *clmrs_keyring_recover       (ClmrsKeyring        *keyring,
                                           const guint8         server_secret_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                           GError             **error);
/* Seals the data key (@key, checked) to @server_public_key instead of the
 * key it was sealed to (a device made offline, then enrolled); *@changed
 * says whether it was another key. */
gboolean      clmrs_keyring_reseal        (ClmrsKeyring        *keyring,
                                           const ClmrsDataKey  *key,
                                           const guint8         server_public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                           gboolean            *changed,
                                           GError             **error);
/* A new recovery key pair, for the server (crypto_box_keypair). */
void          clmrs_keyring_recovery_keypair_new (guint8 public_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                                  guint8 secret_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES]);

/*
 * First sign-in with the one-time PIN, online: a person the server lists
 * for this device, with a one-time PIN, and nobody on the device to add
 * them.  The keyring holds the data key wrapped with the device's unlock
 * secret (32 random bytes the server keeps for the device and the device
 * never stores), the server's address, the device's id there and its CA,
 * and the names of those people.  The server answers the secret to the
 * right one-time PIN, once (docs/security-at-rest.md).
 */
/* Wraps @key (checked) with @secret for @device_id of @server_url. */
gboolean      clmrs_keyring_set_unlock    (ClmrsKeyring        *keyring,
                                           const ClmrsDataKey  *key,
                                           const guint8         secret[CLMRS_KEYRING_KEY_BYTES],
                                           const char          *server_url,
                                           const char          *device_id,
                                           const char          *ca_pem,
                                           GError             **error);
/* TRUE with the server of the unlock entry, FALSE when there is none.
 * Each out argument is optional; @ca_pem may come back NULL. */
gboolean      clmrs_keyring_get_unlock_server (ClmrsKeyring  *keyring,
                                           char               **server_url,
                                           char               **device_id,
                                           char               **ca_pem);
/* The data key from the unlock entry, or NULL (NOT_FOUND, WRONG_KEY). */
ClmrsDataKey *clmrs_keyring_unlock_with_secret (ClmrsKeyring   *keyring,
                                           const guint8         secret[CLMRS_KEYRING_KEY_BYTES],
                                           GError             **error);
/* Replaces the people who may sign in with a one-time PIN
 * (ClmrsKeyringPerson: id and name), in one transaction. */
gboolean      clmrs_keyring_set_arrivals  (ClmrsKeyring        *keyring,
                                           GPtrArray           *people,
                                           GError             **error);
/* (element-type ClmrsKeyringPerson): those of them without a wrap yet. */
GPtrArray    *clmrs_keyring_list_arrivals (ClmrsKeyring        *keyring,
                                           GError             **error);

/* A new data key: @new_key sealed to every person's public key (no PIN
 * needed) and to the recovery key, its check written, the unlock entry
 * dropped (the next sync wraps the new key); one transaction.  An entry
 * from before key pairs (its person has not signed in since) cannot
 * follow and is erased, counted in @n_erased.  Write it to a copy of the
 * keyring: clmrs_device_rekey() makes the switch crash-safe. */
gboolean      clmrs_keyring_rekey         (ClmrsKeyring        *keyring,
                                           const ClmrsDataKey  *old_key,
                                           const ClmrsDataKey  *new_key,
                                           guint               *n_erased,
                                           GError             **error);

/* Plain notes about the device, readable before anyone signs in; never
 * anyone's data (the app marks a demo device "demo"). */
gboolean      clmrs_keyring_set_label     (ClmrsKeyring        *keyring,
                                           const char          *name,
                                           const char          *value,
                                           GError             **error);
char         *clmrs_keyring_get_label     (ClmrsKeyring        *keyring,
                                           const char          *name);   /* NULL when unset */

/* TRUE when @pin may be chosen as a new PIN: at least 6 digits (what every
 * wrap needs), not one digit repeated nor a run.  Called where a person
 * chooses a PIN; the demo's published PINs (111111, 999999) pass only the
 * length rule, which clmrs_keyring_create() and _add_person() check. */
gboolean      clmrs_keyring_check_new_pin (const char          *pin,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsDataKey, clmrs_data_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsKeyringPerson, clmrs_keyring_person_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsKeyring, clmrs_keyring_close)

G_END_DECLS
