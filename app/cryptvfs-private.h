/* cryptvfs-private.h: what the clmrs-crypt VFS shares with its opening and migration helpers. */
#pragma once

#include "cryptvfs.h"

G_BEGIN_DECLS

/* The first 16 bytes are SQLite's "SQLite format 3\0": a plain database. */
gboolean _clmrs_cryptvfs_header_is_plain     (const guint8 *header);
/* The first 24 bytes are those of a database this VFS wrote: a salt, a
 * valid page size and a 40-byte reserve. */
gboolean _clmrs_cryptvfs_header_is_encrypted (const guint8 *header);

/* fsync (2) of a file (@directory FALSE) or a directory. */
gboolean _clmrs_cryptvfs_fsync_path          (const char   *path,
                                              gboolean      directory,
                                              GError      **error);
/* rename (2), then the directory synced: the new name survives a power cut. */
gboolean _clmrs_cryptvfs_rename_durably      (const char   *from,
                                              const char   *to,
                                              GError      **error);
/* Removes @path and its -wal, -shm and -journal. */
void     _clmrs_cryptvfs_unlink_database     (const char   *path);

G_END_DECLS
