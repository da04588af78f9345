/* cryptvfs.h: a SQLite VFS that encrypts every page of a database and of its WAL (XChaCha20-Poly1305). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/*
 * The "clmrs-crypt" VFS wraps the default (unix) VFS.  Every page of the
 * main database file and every page in its WAL is sealed with
 * XChaCha20-Poly1305 under a 32-byte key; the 40 bytes SQLite reserves at
 * the end of each page hold the page's random nonce (24) and tag (16).  The
 * associated data binds a page to its number and to the database's random
 * salt, so pages cannot be moved, swapped or mixed between databases.  A
 * wrong key, or a page changed on disk, gives SQLITE_NOTADB (page 1) or
 * SQLITE_CORRUPT, never other data.  Temporary files and statement journals
 * stay in memory; the database must run in WAL mode (clmrs_cryptvfs_open
 * sets it).  docs/security-at-rest.md describes the formats.
 */

#define CLMRS_CRYPTVFS_NAME      "clmrs-crypt"
#define CLMRS_CRYPTVFS_KEY_BYTES 32
#define CLMRS_CRYPTVFS_RESERVE   40   /* per-page reserved bytes: nonce (24) + tag (16) */

#define CLMRS_CRYPTVFS_ERROR (clmrs_cryptvfs_error_quark ())

typedef enum {
  CLMRS_CRYPTVFS_ERROR_FAILED,         /* SQLite or the file system said no: the message says why */
  CLMRS_CRYPTVFS_ERROR_WRONG_KEY,      /* an encrypted database, but not this key (or damaged) */
  CLMRS_CRYPTVFS_ERROR_NOT_ENCRYPTED,  /* a plain SQLite database: migrate it first */
  CLMRS_CRYPTVFS_ERROR_MISMATCH,       /* a migrated copy differs from its source */
} ClmrsCryptvfsError;

GQuark    clmrs_cryptvfs_error_quark     (void);

/* Registers the VFS (once; also initialises libsodium).  Safe from any thread. */
gboolean  clmrs_cryptvfs_register        (GError       **error);

/* Opens (@flags has SQLITE_OPEN_CREATE: creates, atomically) an encrypted
 * database with @key.  The connection has journal_mode=WAL, temp_store=MEMORY
 * and mmap off; the key is checked (CLMRS_CRYPTVFS_ERROR_WRONG_KEY) before
 * returning.  The VFS keeps its own copy of the key in guarded memory and
 * wipes it when the connection closes (sqlite3_close_v2). */
sqlite3  *clmrs_cryptvfs_open            (const char    *path,
                                          const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES],
                                          int            flags,       /* SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE ... */
                                          GError       **error);

/* TRUE when @path starts like a database this VFS wrote (not a plain
 * SQLite file, the right reserve); FALSE for a plain, empty or missing file. */
gboolean  clmrs_cryptvfs_is_encrypted    (const char    *path);

/* Writes an encrypted copy of the plain database @plain_path to
 * @encrypted_path (which must not exist), verified table by table against
 * the source and put in place with an atomic rename.  The source is left
 * as it is. */
gboolean  clmrs_cryptvfs_encrypt_copy    (const char    *plain_path,
                                          const char    *encrypted_path,
                                          const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES],
                                          GError       **error);

/* Writes a copy of the encrypted database @path (under @old_key) to
 * @new_path under @new_key, verified and renamed into place: a new data
 * key (clmrs_device_rekey()).  The source is left as it is. */
gboolean  clmrs_cryptvfs_rekey_copy      (const char    *path,
                                          const guint8   old_key[CLMRS_CRYPTVFS_KEY_BYTES],
                                          const char    *new_path,
                                          const guint8   new_key[CLMRS_CRYPTVFS_KEY_BYTES],
                                          GError       **error);

/* Replaces the plain database at @path by its encrypted copy (atomic
 * rename), then overwrites the old plain file with zeros and unlinks it.
 * Nobody may have @path open.  A crash at any instant leaves either the
 * plain or the encrypted database at @path, complete. */
gboolean  clmrs_cryptvfs_encrypt_in_place (const char   *path,
                                           const guint8  key[CLMRS_CRYPTVFS_KEY_BYTES],
                                           GError      **error);

/* Key slots, for opening through a URI yourself (ATTACH, VACUUM INTO): the
 * URI names a slot, never the key, so it can be logged.  The VFS copies the
 * key when SQLite opens the file; remove the slot right after.  Returns the
 * slot's name (random). */
char     *clmrs_cryptvfs_key_slot_add    (const guint8   key[CLMRS_CRYPTVFS_KEY_BYTES]);
void      clmrs_cryptvfs_key_slot_remove (const char    *slot);
/* "file:/path?vfs=clmrs-crypt&clmrs-key=SLOT", for SQLITE_OPEN_URI connections. */
char     *clmrs_cryptvfs_uri             (const char    *path,
                                          const char    *slot);

G_END_DECLS
