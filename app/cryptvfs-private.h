/* cryptvfs-private.h: what the clmrs-crypt VFS shares with its opening and migration helpers. */
#pragma once

#include "cryptvfs.h"

G_BEGIN_DECLS

/* The first 16 bytes are SQLite's "SQLite format 3\0": a plain database. */
gboolean _clmrs_cryptvfs_header_is_plain     (const guint8 *header);
/* The first 24 bytes are those of a database this VFS wrote: a salt, a
 * valid page size and a 40-byte reserve. */
gboolean _clmrs_cryptvfs_header_is_encrypted (const guint8 *header);

G_END_DECLS
