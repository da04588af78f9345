/* device.h: the device's own database and its keyring: made encrypted, signed in to, migrated from plain. */
#pragma once

#include <glib.h>

#include "keyring.h"
#include "store.h"

G_BEGIN_DECLS

/*
 * A device's database (device.db) is encrypted page by page
 * (app/cryptvfs.c) with a random data key, wrapped per person in the
 * keyring beside it (device.db.keyring, app/keyring.c).  Signing in
 * unwraps the key and holds it for the process (clmrs_store_hold_key()),
 * so every connection the app or a sync thread opens by path can use it;
 * signing out or locking releases it.  docs/security-at-rest.md.
 */

#define CLMRS_DEVICE_ERROR (clmrs_device_error_quark ())

typedef enum {
  CLMRS_DEVICE_ERROR_FAILED,
  CLMRS_DEVICE_ERROR_EXISTS,         /* a database or keyring is there already */
  CLMRS_DEVICE_ERROR_NOT_ENCRYPTED,  /* a plain device database: the first sign-in migrates it */
  CLMRS_DEVICE_ERROR_NO_KEYRING,     /* an encrypted database without its keyring */
  CLMRS_DEVICE_ERROR_NEW_PIN,        /* migrating: the old PIN is too short, a new one is needed */
} ClmrsDeviceError;

GQuark       clmrs_device_error_quark          (void);

/* @db_path + ".keyring" (owned). */
char        *clmrs_device_keyring_path         (const char          *db_path);
/* TRUE when @db_path's keyring file exists. */
gboolean     clmrs_device_has_keyring          (const char          *db_path);

/* The recovery public key a device made offline seals its key to: the
 * shipped asset (assets/recovery/recovery-public.key). */
gboolean     clmrs_device_default_recovery_key (guint8               key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                                GError             **error);
/* A recovery public key from base64 text (the asset's format, and the
 * files `clmrs-server recovery-keygen` writes). */
gboolean     clmrs_device_parse_recovery_key   (const char          *text,
                                                guint8               key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                                GError             **error);

/* The key a new keyring seals to: the server's, given at enrolment (the
 * store's meta "recovery_public_key"), else the shipped default. */
gboolean     clmrs_device_recovery_key_for     (ClmrsStore          *store,
                                                guint8               key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                                GError             **error);

typedef struct {
  const char *id;
  const char *name;
  const char *pin;
} ClmrsDevicePerson;

/* A new encrypted database at @db_path (nothing may be there, nor a
 * keyring) under a new random data key, returned in @out_key and held. */
ClmrsStore  *clmrs_device_create               (const char          *db_path,
                                                ClmrsDataKey       **out_key,
                                                GError             **error);
/* The keyring of a database made by clmrs_device_create(): @people[0]
 * creates it (sealed to @recovery_key, or the default when NULL), the
 * others are added; when it exists, they are all added (@key must be its). */
gboolean     clmrs_device_write_keyring        (const char          *db_path,
                                                const ClmrsDataKey  *key,
                                                const guint8        *recovery_key,
                                                const ClmrsDevicePerson *people,
                                                guint                n_people,
                                                GError             **error);
/* Removes the database, its WAL and -shm and the keyring (a creation
 * that failed half-way). */
void         clmrs_device_remove_files         (const char          *db_path);

/* The people of the keyring (ClmrsKeyringPerson), for the sign-in list,
 * then those who may sign in online with a one-time PIN (one_time set). */
GPtrArray   *clmrs_device_list_people          (const char          *db_path,
                                                GError             **error);
/* The keyring id of @who: a person id of the keyring, or their exact name
 * when only one has it. */
char        *clmrs_device_find_person          (const char          *db_path,
                                                const char          *who,
                                                GError             **error);

/* Signs @person_id in with @pin (clmrs_keyring_unlock(): Argon2id, about
 * a second: never on the main loop), holds the key, and opens the store;
 * finishes a migration a crash interrupted.  @out_key (optional) gets a
 * copy of the key. */
ClmrsStore  *clmrs_device_sign_in              (const char          *db_path,
                                                const char          *person_id,
                                                const char          *pin,
                                                ClmrsDataKey       **out_key,
                                                GError             **error);
/* Support's recovery of a device nobody can sign in to: the data key
 * from the copy sealed to the server's recovery key, with its secret key. */
ClmrsDataKey *clmrs_device_recover             (const char          *db_path,
                                                const guint8         server_secret_key[CLMRS_KEYRING_RECOVERY_KEY_BYTES],
                                                GError             **error);
/* Gives @person_id (a person of @store) a keyring entry with @pin (the
 * policy checked), whatever their entry was: after recovery. */
gboolean     clmrs_device_give_pin             (ClmrsStore          *store,
                                                const ClmrsDataKey  *key,
                                                const char          *person_id,
                                                const char          *pin,
                                                GError             **error);
/* Signs out: the held key is wiped (close the stores too). */
void         clmrs_device_sign_out             (const char          *db_path);

/* The first sign-in on a plain database (made before encryption): checks
 * @old_pin against the person's PIN in the database, creates the keyring
 * with @new_pin (NULL: keep @old_pin, which must then have 6 digits, else
 * CLMRS_DEVICE_ERROR_NEW_PIN), encrypts the database in place (the plain
 * file is overwritten and removed), holds the key and returns the store. */
ClmrsStore  *clmrs_device_migrate              (const char          *db_path,
                                                const char          *person_id,
                                                const char          *old_pin,
                                                const char          *new_pin,
                                                ClmrsDataKey       **out_key,
                                                GError             **error);

/* Gives @person_id (a person in the store) a keyring entry with @pin, by
 * someone signed in (@key): a colleague arriving on this device, or one
 * whose key was erased after 10 wrong PINs.  When the server gave them a
 * one-time PIN, @one_time_pin must match it. */
gboolean     clmrs_device_add_person           (ClmrsStore          *store,
                                                const ClmrsDataKey  *key,
                                                const char          *person_id,
                                                const char          *one_time_pin,
                                                const char          *pin,
                                                GError             **error);

/* Someone of the device's people (received from the server, or made by
 * `clmrs init`) who cannot sign in here yet: no keyring entry, or one
 * erased after 10 wrong PINs. */
typedef struct {
  char          *id;
  char          *name;
  gboolean       supervisor;
  gboolean       needs_one_time_pin;  /* the server gave them one: clmrs_device_add_person() needs it */
  gboolean       erased;              /* in the keyring, their key erased */
} ClmrsDeviceArrival;

void         clmrs_device_arrival_free         (ClmrsDeviceArrival  *arrival);
/* (element-type ClmrsDeviceArrival): the active people of @store who have
 * no usable keyring entry, by name.  For "Add someone to this device". */
GPtrArray   *clmrs_device_list_arrivals        (ClmrsStore          *store,
                                                GError             **error);

/*
 * First sign-in online with the server's one-time PIN, on a device where
 * the person has no wrap and nobody signed in adds them: the sync (while
 * someone is signed in) writes the keyring's unlock entry with the
 * device's unlock secret from the server and the list of those people;
 * then the person types the one-time PIN, the server answers the secret
 * once, and their own PIN wraps the key (docs/security-at-rest.md).
 */
/* TRUE when the keyring has no unlock entry for the device's current
 * enrolment (none yet, or one for a device id the server replaced). */
gboolean     clmrs_device_needs_unlock_secret  (ClmrsStore          *store);
/* The unlock entry, @secret wrapping @key, for the store's enrolment
 * (its server, device id and CA). */
gboolean     clmrs_device_set_unlock_secret    (ClmrsStore          *store,
                                                const ClmrsDataKey  *key,
                                                const guint8         secret[CLMRS_KEYRING_KEY_BYTES],
                                                GError             **error);
/* The keyring's list of people who may sign in with a one-time PIN: the
 * store's active people holding one, without a keyring entry. */
gboolean     clmrs_device_write_arrivals       (ClmrsStore          *store,
                                                GError             **error);
/* The server to ask for @person_id's first sign-in: TRUE with its
 * address, this device's id there and its CA (nullable), when
 * @person_id is listed for one; else CLMRS_KEYRING_ERROR_NOT_FOUND. */
gboolean     clmrs_device_arrival_server       (const char          *db_path,
                                                const char          *person_id,
                                                char               **server_url,
                                                char               **device_id,
                                                char               **ca_pem,
                                                GError             **error);
/* @secret (the server's answer to @one_time_pin) opens the key; @new_pin
 * (the policy checked: check it before asking the server, which spends
 * the one-time PIN) wraps it for @person_id, whose one-time PIN is spent
 * on this device too; the key is held and the store returned. */
ClmrsStore  *clmrs_device_first_sign_in        (const char          *db_path,
                                                const char          *person_id,
                                                const char          *one_time_pin,
                                                const char          *new_pin,
                                                const guint8         secret[CLMRS_KEYRING_KEY_BYTES],
                                                ClmrsDataKey       **out_key,
                                                GError             **error);

/* A new data key (after a leak of the old one, or of the recovery
 * secret): the database copied page by page under a new random key, every
 * person's entry and the recovery copy resealed to it, then switched in
 * place so that a crash at any point leaves the old key and database, or
 * the new ones (device-rekey.c).  Close every connection to @db_path
 * first; the new key is held and returned.  People whose entries predate
 * per-person key pairs are erased (@n_erased): someone gives them a PIN. */
gboolean     clmrs_device_rekey                (const char          *db_path,
                                                const ClmrsDataKey  *old_key,
                                                ClmrsDataKey       **out_key,
                                                guint               *n_erased,
                                                GError             **error);
/* At sign-in with @key: finishes a change of key a crash cut after its
 * commit, or removes what one left before. */
gboolean     clmrs_device_finish_rekey         (const char          *db_path,
                                                const ClmrsDataKey  *key,
                                                GError             **error);

/* The demo's people, each {id, name, PIN, role} in the order `clmrs demo`
 * prints them (the supervisor first). */
GPtrArray   *clmrs_device_demo_people          (ClmrsStore          *store,
                                                GError             **error);
/* TRUE when the keyring says the database holds demo data (known before
 * anyone signs in, for the demo banner). */
gboolean     clmrs_device_is_demo              (const char          *db_path);
/* Every demo person can sign in with the PIN printed for them; the
 * keyring is labelled as a demo's. */
gboolean     clmrs_device_write_demo_keyring   (ClmrsStore          *store,
                                                const char          *db_path,
                                                const ClmrsDataKey  *key,
                                                GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsDeviceArrival, clmrs_device_arrival_free)

G_END_DECLS
