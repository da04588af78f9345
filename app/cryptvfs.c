/* cryptvfs.c: the "clmrs-crypt" SQLite VFS: every page of the database and of its WAL sealed with XChaCha20-Poly1305. */
#define G_LOG_DOMAIN "clmrs-cryptvfs"

#include "cryptvfs-private.h"

#include <sodium.h>
#include <string.h>
#include <unistd.h>

/*
 * Page layout (page size P, usable size U = P - 40, SQLite's reserve = 40):
 *
 *   [0, U)      ciphertext of the page's first U bytes
 *   [U, U+24)   nonce, random for every write
 *   [U+24, P)   Poly1305 tag
 *
 * Page 1 differs: its bytes [0, 16) hold the database's random salt in
 * place of "SQLite format 3\0", and bytes [16, 24) (page size, file format
 * versions, reserve, payload fractions) stay in the clear, so the VFS can
 * learn the page size before it can decrypt anything; they are
 * authenticated as associated data.  Only [24, U) is encrypted.
 *
 * Associated data: "CLMRScv1" || salt (16) || page number (4, big-endian)
 * [|| page 1's bytes 16..23].
 *
 * SQLite sees plaintext with its reserved bytes always zero: it computes the
 * WAL frame checksums over the page image it holds, so a page read back
 * must be byte for byte what it wrote.
 *
 * The WAL keeps SQLite's layout (32-byte header, then frames of a 24-byte
 * header and a page); only the page part of a frame is sealed, the same way
 * as in the database file.  A frame that fails authentication while SQLite
 * recovers the WAL reads as an invalid frame (as a torn write does), so the
 * log ends before it; anywhere else a failure is an error.
 */

#define SALT_BYTES   16
#define NONCE_BYTES  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES    crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_PARAM    "clmrs-key"
#define WAL_HDR      32
#define FRAME_HDR    24
#define AD_MAGIC     "CLMRScv1"
#define MAX_PAGE     65536

G_STATIC_ASSERT (NONCE_BYTES + TAG_BYTES == CLMRS_CRYPTVFS_RESERVE);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == CLMRS_CRYPTVFS_KEY_BYTES);

static const char sqlite_magic[16] = "SQLite format 3";

typedef enum {
  FILE_MAIN,     /* the database: pages sealed */
  FILE_WAL,      /* its write-ahead log: frames' pages sealed */
  FILE_PASS,     /* anything else SQLite keeps on disk (super-journals: file names only) */
} FileKind;

typedef struct _CryptFile CryptFile;
struct _CryptFile {
  sqlite3_file    base;
  FileKind        kind;
  sqlite3_file   *real;          /* the unix VFS's file, allocated right after this struct */
  CryptFile      *db;            /* the database this file belongs to (itself for FILE_MAIN) */

  /* FILE_MAIN */
  guint8         *key;           /* sodium_malloc'd, wiped and freed on close */
  guint8          salt[SALT_BYTES];
  gboolean        salt_fixed;    /* read from the file, or written to it */
  guint           page_size;     /* 0 until known from the file or the first write */
  gboolean        reserve_ok;    /* page 1 says 40 reserved bytes */
  gboolean        new_file;      /* empty when opened, and page 1 not written yet */
  char           *name;          /* for messages */

  /* FILE_WAL */
  guint           wal_page_size;
  sqlite3_int64   last_header_offset;
  guint32         last_header_pgno;

  guint8         *scratch;       /* one frame: a header and a page */
};

/* Temporary files, statement journals and (only while a new database gets
 * its first page) the rollback journal live in memory. */
typedef struct {
  sqlite3_file  base;
  guint8       *data;
  gsize         size;
  gsize         allocated;
} MemFile;

static sqlite3_vfs crypt_vfs;
static const sqlite3_io_methods crypt_io_methods;
static const sqlite3_io_methods mem_io_methods;

#define ORIG_VFS(vfs) ((sqlite3_vfs *) (vfs)->pAppData)

/* ---- key slots ---- */

static GMutex      slots_lock;
static GHashTable *slots;   /* name -> sodium_malloc'd key */

char *
clmrs_cryptvfs_key_slot_add (const guint8 key[CLMRS_CRYPTVFS_KEY_BYTES])
{
  guint8 id[12];
  char *name;
  guint8 *copy;

  g_return_val_if_fail (key != NULL, NULL);

  if (!clmrs_cryptvfs_register (NULL))
    return NULL;
  randombytes_buf (id, sizeof id);
  name = g_malloc (sizeof id * 2 + 1);
  sodium_bin2hex (name, sizeof id * 2 + 1, id, sizeof id);
  copy = sodium_malloc (CLMRS_CRYPTVFS_KEY_BYTES);
  g_assert (copy != NULL);
  memcpy (copy, key, CLMRS_CRYPTVFS_KEY_BYTES);

  g_mutex_lock (&slots_lock);
  if (slots == NULL)
    slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, sodium_free);
  g_hash_table_insert (slots, g_strdup (name), copy);
  g_mutex_unlock (&slots_lock);
  return name;
}

void
clmrs_cryptvfs_key_slot_remove (const char *slot)
{
  if (slot == NULL)
    return;
  g_mutex_lock (&slots_lock);
  if (slots != NULL)
    g_hash_table_remove (slots, slot);
  g_mutex_unlock (&slots_lock);
}

/* Copies the slot's key into fresh guarded memory, or NULL. */
static guint8 *
key_slot_copy (const char *slot)
{
  guint8 *copy = NULL;
  const guint8 *key;

  if (slot == NULL)
    return NULL;
  g_mutex_lock (&slots_lock);
  key = slots != NULL ? g_hash_table_lookup (slots, slot) : NULL;
  if (key != NULL && (copy = sodium_malloc (CLMRS_CRYPTVFS_KEY_BYTES)) != NULL)
    memcpy (copy, key, CLMRS_CRYPTVFS_KEY_BYTES);
  g_mutex_unlock (&slots_lock);
  return copy;
}

char *
clmrs_cryptvfs_uri (const char *path,
                    const char *slot)
{
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);

  return g_strdup_printf ("file:%s?vfs=" CLMRS_CRYPTVFS_NAME "&" KEY_PARAM "=%s", escaped, slot);
}

/* ---- pages ---- */

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
valid_page_size (guint size)
{
  return size >= 512 && size <= MAX_PAGE && (size & (size - 1)) == 0;
}

/* The page size stored at bytes 16-17 of a database header (1 means 65536). */
static guint
header_page_size (const guint8 *header)
{
  guint size = ((guint) header[16] << 8) | header[17];

  return size == 1 ? MAX_PAGE : size;
}

static gsize
make_ad (guint8 *ad, const guint8 *salt, guint32 pgno, const guint8 *page1_header)
{
  gsize n = 0;

  memcpy (ad, AD_MAGIC, 8), n += 8;
  memcpy (ad + n, salt, SALT_BYTES), n += SALT_BYTES;
  ad[n++] = pgno >> 24;
  ad[n++] = pgno >> 16;
  ad[n++] = pgno >> 8;
  ad[n++] = pgno;
  if (page1_header != NULL)
    memcpy (ad + n, page1_header + 16, 8), n += 8;
  return n;
}

/* Seals the plaintext page @in (@size bytes, page @pgno) into @out. */
static void
seal_page (CryptFile    *db,
           guint32       pgno,
           const guint8 *in,
           guint8       *out,
           guint         size)
{
  guint usable = size - CLMRS_CRYPTVFS_RESERVE;
  guint start = pgno == 1 ? 24 : 0;
  guint8 ad[8 + SALT_BYTES + 4 + 8];
  gsize ad_len;
  guint8 *nonce = out + usable;

  if (pgno == 1)
    {
      db->salt_fixed = TRUE;
      memcpy (out, db->salt, SALT_BYTES);
      memcpy (out + 16, in + 16, 8);
    }
  ad_len = make_ad (ad, db->salt, pgno, pgno == 1 ? in : NULL);
  randombytes_buf (nonce, NONCE_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached (out + start, nonce + NONCE_BYTES, NULL,
                                                       in + start, usable - start,
                                                       ad, ad_len, NULL, nonce, db->key);
}

/* Opens the sealed page in @buf in place.  On page 1 the salt it carries
 * becomes the database's.  FALSE when it does not authenticate. */
static gboolean
open_page (CryptFile *db,
           guint32    pgno,
           guint8    *buf,
           guint      size)
{
  guint usable = size - CLMRS_CRYPTVFS_RESERVE;
  guint start = pgno == 1 ? 24 : 0;
  guint8 ad[8 + SALT_BYTES + 4 + 8];
  guint8 nonce[NONCE_BYTES], tag[TAG_BYTES];
  gsize ad_len;

  if (pgno == 1)
    {
      if (header_page_size (buf) != size || buf[20] != CLMRS_CRYPTVFS_RESERVE ||
          (db->salt_fixed && memcmp (buf, db->salt, SALT_BYTES) != 0))
        return FALSE;
      ad_len = make_ad (ad, buf, pgno, buf);
    }
  else
    ad_len = make_ad (ad, db->salt, pgno, NULL);
  memcpy (nonce, buf + usable, NONCE_BYTES);
  memcpy (tag, buf + usable + NONCE_BYTES, TAG_BYTES);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached (buf + start, NULL, buf + start, usable - start,
                                                           tag, ad, ad_len, nonce, db->key) != 0)
    return FALSE;
  if (pgno == 1)
    {
      memcpy (db->salt, buf, SALT_BYTES);
      db->salt_fixed = TRUE;
      memcpy (buf, sqlite_magic, SALT_BYTES);
      db->reserve_ok = TRUE;
    }
  memset (buf + usable, 0, CLMRS_CRYPTVFS_RESERVE);
  return TRUE;
}

static int
page_failed (CryptFile *file,
             guint32    pgno)
{
  sqlite3_log (pgno == 1 ? SQLITE_NOTADB : SQLITE_CORRUPT,
               "clmrs-crypt: page %u of %s does not authenticate (wrong key or changed on disk)",
               pgno, file->db->name ? file->db->name : "?");
  return pgno == 1 ? SQLITE_NOTADB : SQLITE_CORRUPT;
}

static gboolean
all_zero (const guint8 *p,
          gsize         n)
{
  for (gsize i = 0; i < n; i++)
    if (p[i] != 0)
      return FALSE;
  return TRUE;
}

/* Learns the page size, salt and reserve from the clear bytes of page 1 on
 * disk, if there is a page 1. */
static int
main_read_header (CryptFile *p)
{
  guint8 header[24];
  int rc;

  rc = p->real->pMethods->xRead (p->real, header, sizeof header, 0);
  if (rc == SQLITE_IOERR_SHORT_READ)
    {
      sqlite3_int64 size = -1;

      /* a new, empty database */
      p->new_file = p->real->pMethods->xFileSize (p->real, &size) == SQLITE_OK && size == 0;
      return SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    return rc;
  if (valid_page_size (header_page_size (header)))
    {
      p->page_size = header_page_size (header);
      memcpy (p->salt, header, SALT_BYTES);
      p->salt_fixed = TRUE;
      p->reserve_ok = header[20] == CLMRS_CRYPTVFS_RESERVE;
    }
  return SQLITE_OK;
}

gboolean
_clmrs_cryptvfs_header_is_plain (const guint8 *header)
{
  return memcmp (header, sqlite_magic, 16) == 0;
}

gboolean
_clmrs_cryptvfs_header_is_encrypted (const guint8 *header)
{
  return !_clmrs_cryptvfs_header_is_plain (header) && valid_page_size (header_page_size (header)) &&
         header[20] == CLMRS_CRYPTVFS_RESERVE;
}

/* ---- the database file ---- */

static int
main_read (CryptFile           *p,
           guint8              *out,
           int                  amount,
           sqlite3_int64        offset)
{
  gboolean short_read = FALSE;
  int rc;

  if (p->page_size == 0 && (rc = main_read_header (p)) != SQLITE_OK)
    return rc;
  if (p->page_size == 0)
    {
      /* nothing written yet, or not a database this VFS can read */
      guint8 probe[1];

      rc = p->real->pMethods->xRead (p->real, probe, 1, 0);
      if (rc == SQLITE_IOERR_SHORT_READ)
        {
          memset (out, 0, amount);
          return SQLITE_IOERR_SHORT_READ;
        }
      return rc == SQLITE_OK ? SQLITE_NOTADB : rc;
    }

  while (amount > 0)
    {
      guint size = p->page_size;
      guint32 pgno = (guint32) (offset / size) + 1;
      sqlite3_int64 page_offset = (sqlite3_int64) (pgno - 1) * size;
      guint within = (guint) (offset - page_offset);
      guint n = MIN ((guint) amount, size - within);
      guint8 *page = (within == 0 && n == size) ? out : p->scratch;

      rc = p->real->pMethods->xRead (p->real, page, size, page_offset);
      if (rc == SQLITE_IOERR_SHORT_READ && all_zero (page, size))
        {
          /* past the end of the file: SQLite reads zeros */
          memset (out, 0, n);
          short_read = TRUE;
        }
      else if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
        return rc;
      else if (rc == SQLITE_IOERR_SHORT_READ || !open_page (p, pgno, page, size))
        return page_failed (p, pgno);
      else if (page != out)
        memcpy (out, page + within, n);
      out += n;
      offset += n;
      amount -= n;
    }
  return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static int
main_write (CryptFile     *p,
            const guint8  *in,
            int            amount,
            sqlite3_int64  offset)
{
  guint32 pgno;

  if (offset == 0 && amount >= 100 && valid_page_size ((guint) amount))
    {
      /* page 1: the reserve must have been set before the first write
       * (clmrs_cryptvfs_open does it), or the seal would overwrite data */
      if (header_page_size (in) != (guint) amount || in[20] != CLMRS_CRYPTVFS_RESERVE)
        {
          sqlite3_log (SQLITE_IOERR_WRITE, "clmrs-crypt: %s has %u reserved bytes a page, not %d",
                       p->name, in[20], CLMRS_CRYPTVFS_RESERVE);
          return SQLITE_IOERR_WRITE;
        }
      p->page_size = (guint) amount;
      p->reserve_ok = TRUE;
      p->new_file = FALSE;
    }
  else if (p->page_size == 0 && p->new_file && valid_page_size ((guint) amount))
    {
      /* a new database whose cache spilled before page 1 was written (a
       * big first transaction: VACUUM INTO); page 1, written at the end of
       * the transaction, is still checked for the reserve */
      p->page_size = (guint) amount;
    }
  if (p->page_size == 0 || !(p->reserve_ok || p->new_file) ||
      (guint) amount != p->page_size || offset % p->page_size != 0)
    {
      sqlite3_log (SQLITE_IOERR_WRITE, "clmrs-crypt: refusing a write of %d bytes at %lld to %s",
                   amount, (long long) offset, p->name);
      return SQLITE_IOERR_WRITE;
    }
  pgno = (guint32) (offset / p->page_size) + 1;
  seal_page (p, pgno, in, p->scratch, p->page_size);
  return p->real->pMethods->xWrite (p->real, p->scratch, amount, offset);
}

/* ---- the WAL ---- */

static guint
wal_page_size (CryptFile *p)
{
  guint8 header[WAL_HDR];

  if (p->wal_page_size == 0 &&
      p->real->pMethods->xRead (p->real, header, sizeof header, 0) == SQLITE_OK &&
      valid_page_size (get_be32 (header + 8)))
    p->wal_page_size = get_be32 (header + 8);
  return p->wal_page_size != 0 ? p->wal_page_size : p->db->page_size;
}

static int
wal_read (CryptFile     *p,
          guint8        *out,
          int            amount,
          sqlite3_int64  offset)
{
  guint size, frame;
  sqlite3_int64 frame_offset;
  guint within;
  int rc;

  if (offset + amount <= WAL_HDR)
    {
      rc = p->real->pMethods->xRead (p->real, out, amount, offset);
      if (rc == SQLITE_OK && offset == 0 && amount >= WAL_HDR && valid_page_size (get_be32 (out + 8)))
        p->wal_page_size = get_be32 (out + 8);
      return rc;
    }
  size = wal_page_size (p);
  if (!valid_page_size (size) || offset < WAL_HDR)
    return SQLITE_IOERR_READ;
  frame = FRAME_HDR + size;
  within = (guint) ((offset - WAL_HDR) % frame);
  frame_offset = offset - within;

  if (within + (guint) amount <= FRAME_HDR)
    return p->real->pMethods->xRead (p->real, out, amount, offset);

  if (within == 0 && (guint) amount == frame)
    {
      /* a whole frame: SQLite recovering the log, or rewriting checksums */
      rc = p->real->pMethods->xRead (p->real, out, amount, offset);
      if (rc != SQLITE_OK)
        return rc;
      if (get_be32 (out) == 0 || !open_page (p->db, get_be32 (out), out + FRAME_HDR, size))
        memset (out, 0, frame);   /* an invalid frame: the log ends here */
      return SQLITE_OK;
    }

  if (within >= FRAME_HDR && within + (guint) amount <= frame)
    {
      /* (part of) a page: the frame was checked when the log was recovered */
      rc = p->real->pMethods->xRead (p->real, p->scratch, frame, frame_offset);
      if (rc != SQLITE_OK)
        return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_CORRUPT : rc;
      if (!open_page (p->db, get_be32 (p->scratch), p->scratch + FRAME_HDR, size))
        return page_failed (p, get_be32 (p->scratch));
      memcpy (out, p->scratch + within, amount);
      return SQLITE_OK;
    }
  sqlite3_log (SQLITE_IOERR_READ, "clmrs-crypt: unexpected WAL read of %d bytes at %lld", amount, (long long) offset);
  return SQLITE_IOERR_READ;
}

static int
wal_write (CryptFile     *p,
           const guint8  *in,
           int            amount,
           sqlite3_int64  offset)
{
  guint size, frame, within;
  sqlite3_int64 frame_offset;
  guint32 pgno;

  if (offset + amount <= WAL_HDR)
    {
      if (offset == 0 && amount >= WAL_HDR && valid_page_size (get_be32 (in + 8)))
        p->wal_page_size = get_be32 (in + 8);
      return p->real->pMethods->xWrite (p->real, in, amount, offset);
    }
  size = wal_page_size (p);
  if (!valid_page_size (size) || offset < WAL_HDR)
    return SQLITE_IOERR_WRITE;
  frame = FRAME_HDR + size;
  within = (guint) ((offset - WAL_HDR) % frame);
  frame_offset = offset - within;

  if (within == 0 && amount == FRAME_HDR)
    {
      p->last_header_offset = offset;
      p->last_header_pgno = get_be32 (in);
      return p->real->pMethods->xWrite (p->real, in, amount, offset);
    }
  if (within == 0 && (guint) amount == frame)
    {
      memcpy (p->scratch, in, FRAME_HDR);
      seal_page (p->db, get_be32 (in), in + FRAME_HDR, p->scratch + FRAME_HDR, size);
      return p->real->pMethods->xWrite (p->real, p->scratch, amount, offset);
    }
  if (within == FRAME_HDR && (guint) amount == size)
    {
      if (p->last_header_offset == frame_offset && frame_offset != 0)
        pgno = p->last_header_pgno;
      else
        {
          /* a page overwritten in place: its header is already on disk */
          guint8 header[4];
          int rc = p->real->pMethods->xRead (p->real, header, sizeof header, frame_offset);

          if (rc != SQLITE_OK)
            return SQLITE_IOERR_WRITE;
          pgno = get_be32 (header);
        }
      if (pgno == 0)
        return SQLITE_IOERR_WRITE;
      seal_page (p->db, pgno, in, p->scratch, size);
      return p->real->pMethods->xWrite (p->real, p->scratch, amount, offset);
    }
  sqlite3_log (SQLITE_IOERR_WRITE, "clmrs-crypt: refusing a WAL write of %d bytes at %lld", amount, (long long) offset);
  return SQLITE_IOERR_WRITE;
}

/* ---- io methods ---- */

static int
crypt_close (sqlite3_file *file)
{
  CryptFile *p = (CryptFile *) file;
  int rc = p->real->pMethods ? p->real->pMethods->xClose (p->real) : SQLITE_OK;

  g_clear_pointer (&p->key, sodium_free);
  if (p->scratch != NULL)
    {
      sodium_memzero (p->scratch, FRAME_HDR + MAX_PAGE);
      g_clear_pointer (&p->scratch, g_free);
    }
  g_clear_pointer (&p->name, g_free);
  return rc;
}

static int
crypt_read (sqlite3_file  *file,
            void          *buf,
            int            amount,
            sqlite3_int64  offset)
{
  CryptFile *p = (CryptFile *) file;

  switch (p->kind)
    {
    case FILE_MAIN:
      return main_read (p, buf, amount, offset);
    case FILE_WAL:
      return wal_read (p, buf, amount, offset);
    case FILE_PASS:
    default:
      return p->real->pMethods->xRead (p->real, buf, amount, offset);
    }
}

static int
crypt_write (sqlite3_file  *file,
             const void    *buf,
             int            amount,
             sqlite3_int64  offset)
{
  CryptFile *p = (CryptFile *) file;

  switch (p->kind)
    {
    case FILE_MAIN:
      return main_write (p, buf, amount, offset);
    case FILE_WAL:
      return wal_write (p, buf, amount, offset);
    case FILE_PASS:
    default:
      return p->real->pMethods->xWrite (p->real, buf, amount, offset);
    }
}

#define REAL(file) (((CryptFile *) (file))->real)

static int crypt_truncate (sqlite3_file *f, sqlite3_int64 size) { return REAL (f)->pMethods->xTruncate (REAL (f), size); }
static int crypt_sync (sqlite3_file *f, int flags) { return REAL (f)->pMethods->xSync (REAL (f), flags); }
static int crypt_file_size (sqlite3_file *f, sqlite3_int64 *size) { return REAL (f)->pMethods->xFileSize (REAL (f), size); }
static int crypt_lock (sqlite3_file *f, int lock) { return REAL (f)->pMethods->xLock (REAL (f), lock); }
static int crypt_unlock (sqlite3_file *f, int lock) { return REAL (f)->pMethods->xUnlock (REAL (f), lock); }
static int crypt_check_reserved_lock (sqlite3_file *f, int *out) { return REAL (f)->pMethods->xCheckReservedLock (REAL (f), out); }
static int crypt_sector_size (sqlite3_file *f) { return REAL (f)->pMethods->xSectorSize (REAL (f)); }
static int crypt_shm_map (sqlite3_file *f, int region, int size, int extend, void volatile **pp) { return REAL (f)->pMethods->xShmMap (REAL (f), region, size, extend, pp); }
static int crypt_shm_lock (sqlite3_file *f, int offset, int n, int flags) { return REAL (f)->pMethods->xShmLock (REAL (f), offset, n, flags); }
static void crypt_shm_barrier (sqlite3_file *f) { REAL (f)->pMethods->xShmBarrier (REAL (f)); }
static int crypt_shm_unmap (sqlite3_file *f, int delete_flag) { return REAL (f)->pMethods->xShmUnmap (REAL (f), delete_flag); }

/* Writes are whole pages or WAL frames and nothing outside a write changes
 * when power fails: SQLite then never splits a frame at a sector boundary
 * (which would leave half a page to seal). */
static int
crypt_device_characteristics (sqlite3_file *f)
{
  return REAL (f)->pMethods->xDeviceCharacteristics (REAL (f)) | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static int
crypt_file_control (sqlite3_file *f,
                    int           op,
                    void         *arg)
{
  CryptFile *p = (CryptFile *) f;

  if (op == SQLITE_FCNTL_MMAP_SIZE)
    {
      /* memory-mapped pages would be ciphertext: never map */
      *(sqlite3_int64 *) arg = 0;
      return SQLITE_OK;
    }
  if (op == SQLITE_FCNTL_VFSNAME)
    {
      *(char **) arg = sqlite3_mprintf ("%s", CLMRS_CRYPTVFS_NAME);
      return SQLITE_OK;
    }
  return p->real->pMethods->xFileControl (p->real, op, arg);
}

static int
crypt_fetch (sqlite3_file   *f,
             sqlite3_int64   offset,
             int             amount,
             void          **pp)
{
  *pp = NULL;   /* SQLite falls back to xRead */
  return SQLITE_OK;
}

static int
crypt_unfetch (sqlite3_file  *f,
               sqlite3_int64  offset,
               void          *p)
{
  return SQLITE_OK;
}

static const sqlite3_io_methods crypt_io_methods = {
  3,
  crypt_close,
  crypt_read,
  crypt_write,
  crypt_truncate,
  crypt_sync,
  crypt_file_size,
  crypt_lock,
  crypt_unlock,
  crypt_check_reserved_lock,
  crypt_file_control,
  crypt_sector_size,
  crypt_device_characteristics,
  crypt_shm_map,
  crypt_shm_lock,
  crypt_shm_barrier,
  crypt_shm_unmap,
  crypt_fetch,
  crypt_unfetch,
};

/* ---- in-memory files ---- */

static int
mem_close (sqlite3_file *f)
{
  MemFile *m = (MemFile *) f;

  if (m->data != NULL)
    sodium_memzero (m->data, m->allocated);
  g_clear_pointer (&m->data, g_free);
  return SQLITE_OK;
}

static int
mem_read (sqlite3_file *f, void *buf, int amount, sqlite3_int64 offset)
{
  MemFile *m = (MemFile *) f;
  gsize have = offset < (sqlite3_int64) m->size ? MIN ((gsize) amount, m->size - (gsize) offset) : 0;

  if (have > 0)
    memcpy (buf, m->data + offset, have);
  if (have < (gsize) amount)
    {
      memset ((guint8 *) buf + have, 0, amount - have);
      return SQLITE_IOERR_SHORT_READ;
    }
  return SQLITE_OK;
}

static int
mem_write (sqlite3_file *f, const void *buf, int amount, sqlite3_int64 offset)
{
  MemFile *m = (MemFile *) f;
  gsize end = (gsize) offset + amount;

  if (end > m->allocated)
    {
      gsize allocated = MAX (end, m->allocated * 2);
      guint8 *data = g_try_malloc0 (allocated);

      if (data == NULL)
        return SQLITE_IOERR_NOMEM;
      if (m->data != NULL)
        {
          memcpy (data, m->data, m->size);
          sodium_memzero (m->data, m->allocated);
          g_free (m->data);
        }
      m->data = data;
      m->allocated = allocated;
    }
  if ((gsize) offset > m->size)
    memset (m->data + m->size, 0, offset - m->size);
  memcpy (m->data + offset, buf, amount);
  m->size = MAX (m->size, end);
  return SQLITE_OK;
}

static int
mem_truncate (sqlite3_file *f, sqlite3_int64 size)
{
  MemFile *m = (MemFile *) f;

  if ((gsize) size < m->size)
    {
      sodium_memzero (m->data + size, m->size - size);
      m->size = size;
    }
  return SQLITE_OK;
}

static int mem_sync (sqlite3_file *f, int flags) { return SQLITE_OK; }
static int mem_file_size (sqlite3_file *f, sqlite3_int64 *size) { *size = ((MemFile *) f)->size; return SQLITE_OK; }
static int mem_lock (sqlite3_file *f, int lock) { return SQLITE_OK; }
static int mem_check_reserved_lock (sqlite3_file *f, int *out) { *out = 0; return SQLITE_OK; }
static int mem_file_control (sqlite3_file *f, int op, void *arg) { return SQLITE_NOTFOUND; }
static int mem_sector_size (sqlite3_file *f) { return 4096; }
static int mem_device_characteristics (sqlite3_file *f) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

static const sqlite3_io_methods mem_io_methods = {
  1,
  mem_close,
  mem_read,
  mem_write,
  mem_truncate,
  mem_sync,
  mem_file_size,
  mem_lock,
  mem_lock,
  mem_check_reserved_lock,
  mem_file_control,
  mem_sector_size,
  mem_device_characteristics,
};

static int
mem_open (sqlite3_file *file,
          int           flags,
          int          *out_flags)
{
  MemFile *m = (MemFile *) file;

  memset (m, 0, sizeof *m);
  m->base.pMethods = &mem_io_methods;
  if (out_flags != NULL)
    *out_flags = flags;
  return SQLITE_OK;
}

/* ---- the VFS ---- */

/* The database file a WAL or journal belongs to, when it is ours. */
static CryptFile *
database_of (const char *name)
{
  sqlite3_file *f = name != NULL ? sqlite3_database_file_object (name) : NULL;

  return f != NULL && f->pMethods == &crypt_io_methods ? (CryptFile *) f : NULL;
}

static int
crypt_open (sqlite3_vfs  *vfs,
            const char   *name,
            sqlite3_file *file,
            int           flags,
            int          *out_flags)
{
  sqlite3_vfs *orig = ORIG_VFS (vfs);
  CryptFile *p = (CryptFile *) file;
  int rc;

  if (name == NULL ||
      (flags & (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TRANSIENT_DB)) != 0)
    return mem_open (file, flags, out_flags);

  memset (p, 0, sizeof *p);
  p->real = (sqlite3_file *) (p + 1);
  if (flags & SQLITE_OPEN_MAIN_JOURNAL)
    {
      CryptFile *db = database_of (name);
      sqlite3_int64 size = -1;

      /* a rollback journal would hold plaintext pages: only the one
       * transaction that writes a new database's first page may have one
       * (in memory); afterwards the database runs in WAL mode */
      if (db != NULL && db->real->pMethods->xFileSize (db->real, &size) == SQLITE_OK && size == 0)
        return mem_open (file, flags, out_flags);
      sqlite3_log (SQLITE_CANTOPEN, "clmrs-crypt: no rollback journal for %s: use journal_mode=WAL",
                   db != NULL ? db->name : name);
      return SQLITE_CANTOPEN;
    }
  if (flags & SQLITE_OPEN_WAL)
    {
      p->kind = FILE_WAL;
      p->db = database_of (name);
      if (p->db == NULL)
        return SQLITE_CANTOPEN;
    }
  else if (flags & SQLITE_OPEN_MAIN_DB)
    {
      p->kind = FILE_MAIN;
      p->db = p;
      p->key = key_slot_copy (sqlite3_uri_parameter (name, KEY_PARAM));
      if (p->key == NULL)
        {
          sqlite3_log (SQLITE_CANTOPEN, "clmrs-crypt: %s opened without a key slot", name);
          return SQLITE_CANTOPEN;
        }
      p->name = g_strdup (name);
      randombytes_buf (p->salt, SALT_BYTES);   /* kept only if the file is new */
    }
  else
    p->kind = FILE_PASS;

  rc = orig->xOpen (orig, name, p->real, flags, out_flags);
  if (rc != SQLITE_OK)
    {
      g_clear_pointer (&p->key, sodium_free);
      g_clear_pointer (&p->name, g_free);
      return rc;
    }
  if (p->kind != FILE_PASS)
    p->scratch = g_malloc (FRAME_HDR + MAX_PAGE);
  p->base.pMethods = &crypt_io_methods;
  if (p->kind == FILE_MAIN)
    return main_read_header (p);
  return SQLITE_OK;
}

static int
crypt_delete (sqlite3_vfs *vfs,
              const char  *name,
              int          sync_dir)
{
  sqlite3_vfs *orig = ORIG_VFS (vfs);
  int rc = orig->xDelete (orig, name, sync_dir);

  /* the in-memory journal of a new database was never on disk */
  if (rc == SQLITE_IOERR_DELETE_NOENT && g_str_has_suffix (name, "-journal"))
    return SQLITE_OK;
  return rc;
}

static int crypt_access (sqlite3_vfs *v, const char *n, int f, int *out) { return ORIG_VFS (v)->xAccess (ORIG_VFS (v), n, f, out); }
static int crypt_full_pathname (sqlite3_vfs *v, const char *n, int size, char *out) { return ORIG_VFS (v)->xFullPathname (ORIG_VFS (v), n, size, out); }
static void *crypt_dl_open (sqlite3_vfs *v, const char *n) { return ORIG_VFS (v)->xDlOpen (ORIG_VFS (v), n); }
static void crypt_dl_error (sqlite3_vfs *v, int n, char *msg) { ORIG_VFS (v)->xDlError (ORIG_VFS (v), n, msg); }
static void (*crypt_dl_sym (sqlite3_vfs *v, void *h, const char *s)) (void) { return ORIG_VFS (v)->xDlSym (ORIG_VFS (v), h, s); }
static void crypt_dl_close (sqlite3_vfs *v, void *h) { ORIG_VFS (v)->xDlClose (ORIG_VFS (v), h); }
static int crypt_randomness (sqlite3_vfs *v, int n, char *out) { return ORIG_VFS (v)->xRandomness (ORIG_VFS (v), n, out); }
static int crypt_sleep (sqlite3_vfs *v, int us) { return ORIG_VFS (v)->xSleep (ORIG_VFS (v), us); }
static int crypt_current_time (sqlite3_vfs *v, double *out) { return ORIG_VFS (v)->xCurrentTime (ORIG_VFS (v), out); }
static int crypt_get_last_error (sqlite3_vfs *v, int n, char *out) { return ORIG_VFS (v)->xGetLastError (ORIG_VFS (v), n, out); }
static int crypt_current_time_int64 (sqlite3_vfs *v, sqlite3_int64 *out) { return ORIG_VFS (v)->xCurrentTimeInt64 (ORIG_VFS (v), out); }

static gsize register_result;   /* 1 = registered, 2 = failed */

gboolean
clmrs_cryptvfs_register (GError **error)
{
  if (g_once_init_enter (&register_result))
    {
      sqlite3_vfs *orig;
      gsize result = 2;

      if (sodium_init () >= 0 && (orig = sqlite3_vfs_find (NULL)) != NULL)
        {
          crypt_vfs = (sqlite3_vfs) {
            .iVersion = 2,
            .szOsFile = (int) (MAX (sizeof (CryptFile), sizeof (MemFile)) + orig->szOsFile),
            .mxPathname = orig->mxPathname,
            .zName = CLMRS_CRYPTVFS_NAME,
            .pAppData = orig,
            .xOpen = crypt_open,
            .xDelete = crypt_delete,
            .xAccess = crypt_access,
            .xFullPathname = crypt_full_pathname,
            .xDlOpen = crypt_dl_open,
            .xDlError = crypt_dl_error,
            .xDlSym = crypt_dl_sym,
            .xDlClose = crypt_dl_close,
            .xRandomness = crypt_randomness,
            .xSleep = crypt_sleep,
            .xCurrentTime = crypt_current_time,
            .xGetLastError = crypt_get_last_error,
            .xCurrentTimeInt64 = crypt_current_time_int64,
          };
          if (sqlite3_vfs_register (&crypt_vfs, 0) == SQLITE_OK)
            result = 1;
        }
      g_once_init_leave (&register_result, result);
    }
  if (register_result != 1)
    {
      g_set_error_literal (error, CLMRS_CRYPTVFS_ERROR, CLMRS_CRYPTVFS_ERROR_FAILED,
                           "cannot register the " CLMRS_CRYPTVFS_NAME " SQLite VFS (libsodium or SQLite failed to start)");
      return FALSE;
    }
  return TRUE;
}
