/* server-media.c: media files (photos, signatures) received in resumable chunks and kept with their visit. */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "server-store.h"
#include "xform.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

/*
 * A file arrives as chunks, each stored under (media id, offset) in its
 * own transaction, so a link that drops mid-file loses at most the chunk
 * under way, and a chunk sent twice (its answer was lost) is stored once.
 * Once the chunks cover the whole file it is put together, checked
 * against the size and SHA-256 the device announced, and kept in `media`
 * beside its visit (docs/sync-protocol.md, "Media").
 */

/* "2.4 MiB", "310 KiB" */
static char *
size_words (gint64 bytes)
{
  if (bytes >= 1024 * 1024)
    return g_strdup_printf ("%.1f MiB", bytes / (1024.0 * 1024.0));
  return g_strdup_printf ("%" G_GINT64_FORMAT " KiB", (bytes + 1023) / 1024);
}

gboolean
server_media_check_size (const char  *media_id,
                         gint64       size,
                         gsize        max_media,
                         GError     **error)
{
  g_autofree char *have = NULL;
  g_autofree char *limit = NULL;

  if (size >= 0 && (guint64) size <= max_media)
    return TRUE;
  have = size_words (size);
  limit = size_words ((gint64) max_media);
  g_set_error (error, SERVER_ERROR, SERVER_ERROR_TOO_LARGE,
               "media %s: the file is %s, over this server's limit of %s for one file (--max-media); "
               "nothing was stored", media_id, have, limit);
  return FALSE;
}

/* The visit @record_id, pushed by @device_id in its scope: its newest
 * line, or NULL with NOT_FOUND (saying nothing of records out of scope). */
static char *
visit_line (ServerDb    *db,
            const char  *device_id,
            const char  *media_id,
            const char  *record_id,
            GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  stmt = db_prepare (db,
                     "SELECT r.line FROM record_owners o JOIN records r ON r.kind = 'record' AND r.id = o.id"
                     " JOIN devices d ON d.device_id = ?2"
                     " WHERE o.id = ?1 AND o.type = 'visit' AND o.device_id = ?2 AND r.quarantined IS NULL"
                     "   AND (d.all_communities != 0 OR EXISTS (SELECT 1 FROM device_communities c"
                     "        WHERE c.device_id = ?2 AND c.community_id = o.community_id))"
                     " ORDER BY r.rev DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  db_bind_text (stmt, 1, record_id);
  db_bind_text (stmt, 2, device_id);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    return g_strndup (db_column_blob (stmt, 0), db_column_bytes (stmt, 0));
  if (rc != DB_DONE)
    {
      db_fail (db, "media record lookup", error);
      return NULL;
    }
  g_set_error (error, SERVER_ERROR, SERVER_ERROR_NOT_FOUND,
               "media %s: %s is not a visit this device pushed; send the visit first", media_id, record_id);
  return NULL;
}

/* The bytes from 0 that the chunks of @media_id cover without a gap. */
static gboolean
covered (ServerDb    *db,
         const char  *media_id,
         gint64      *out,
         GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db, "SELECT at_byte, length (data) FROM media_chunks"
                                                 " WHERE media_id = ? ORDER BY at_byte", error);
  gint64 position = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, media_id);
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      gint64 offset = db_column_int64 (stmt, 0);

      if (offset > position)
        break;
      position = MAX (position, offset + db_column_int64 (stmt, 1));
    }
  if (rc != DB_ROW && rc != DB_DONE)
    return db_fail (db, "media chunks", error);
  *out = position;
  return TRUE;
}

/* Puts the chunks of @media_id together; FALSE with BAD_REQUEST (and
 * every chunk dropped, so the device sends the file again) when they are
 * not the file announced. */
static gboolean
assemble (ServerDb             *db,
          const ServerMediaChunk *chunk,
          GError              **error)
{
  g_autoptr(GByteArray) file = g_byte_array_sized_new ((guint) chunk->size);
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *now = now_rfc3339 ();
  int rc;

  stmt = db_prepare (db, "SELECT at_byte, data FROM media_chunks WHERE media_id = ? ORDER BY at_byte", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  while ((rc = db_step (stmt)) == DB_ROW && (gint64) file->len < chunk->size)
    {
      gint64 offset = db_column_int64 (stmt, 0);
      gint64 length = db_column_bytes (stmt, 1);
      const guint8 *data = db_column_blob (stmt, 1);
      gint64 skip = (gint64) file->len - offset;

      if (skip < length)
        g_byte_array_append (file, data + skip, (guint) MIN (length - skip, chunk->size - (gint64) file->len));
    }
  if (rc != DB_ROW && rc != DB_DONE)
    return db_fail (db, "media chunks", error);
  g_clear_pointer (&stmt, db_finalize);
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, file->data, file->len);
  if ((gint64) file->len != chunk->size || g_ascii_strcasecmp (sha, chunk->sha256) != 0)
    {
      stmt = db_prepare (db, "DELETE FROM media_chunks WHERE media_id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      db_bind_text (stmt, 1, chunk->media_id);
      if (db_step (stmt) != DB_DONE)
        return db_fail (db, "dropping media chunks", error);
      g_clear_pointer (&stmt, db_finalize);
      stmt = db_prepare (db, "UPDATE media SET received = 0 WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      db_bind_text (stmt, 1, chunk->media_id);
      if (db_step (stmt) != DB_DONE)
        return db_fail (db, "media", error);
      /* the caller commits the reset, then answers with the error */
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "media %s: the bytes received do not have the announced sha256; send the file again from offset 0",
                   chunk->media_id);
      return FALSE;
    }
  stmt = db_prepare (db, "UPDATE media SET content = ?1, received = ?2, completed = ?3 WHERE id = ?4", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_blob (stmt, 1, file->len > 0 ? (const void *) file->data : "", file->len);
  db_bind_int64 (stmt, 2, chunk->size);
  db_bind_text (stmt, 3, now);
  db_bind_text (stmt, 4, chunk->media_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "storing media", error);
  g_clear_pointer (&stmt, db_finalize);
  stmt = db_prepare (db, "DELETE FROM media_chunks WHERE media_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "dropping media chunks", error);
  return TRUE;
}

/* The media row for @chunk: made on its first chunk; every later chunk
 * must announce the same file.  Sets @completed when it is already whole. */
static gboolean
note_media (ServerDb               *db,
            const char             *device_id,
            const ServerMediaChunk *chunk,
            gboolean               *completed,
            GError                **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autofree char *now = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT record_id, name, size, sha256, device_id, completed IS NOT NULL"
                         " FROM media WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    {
      if (g_strcmp0 (db_column_text (stmt, 4), device_id) != 0)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_NOT_FOUND,
                       "media %s: another device sent this file", chunk->media_id);
          return FALSE;
        }
      if (g_strcmp0 (db_column_text (stmt, 0), chunk->record_id) != 0 ||
          g_strcmp0 (db_column_text (stmt, 1), chunk->name) != 0 ||
          db_column_int64 (stmt, 2) != chunk->size ||
          g_ascii_strcasecmp (db_column_text (stmt, 3), chunk->sha256) != 0)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                       "media %s: announced before with another record, name, size or sha256",
                       chunk->media_id);
          return FALSE;
        }
      *completed = db_column_int (stmt, 5) != 0;
      return TRUE;
    }
  if (rc != DB_DONE)
    return db_fail (db, "media lookup", error);
  g_clear_pointer (&stmt, db_finalize);
  now = now_rfc3339 ();
  stmt = db_prepare (db, "INSERT INTO media (id, record_id, ref, name, mime, size, sha256, device_id, created)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  db_bind_text (stmt, 2, chunk->record_id);
  db_bind_text (stmt, 3, chunk->ref);
  db_bind_text (stmt, 4, chunk->name);
  db_bind_text (stmt, 5, chunk->mime);
  db_bind_int64 (stmt, 6, chunk->size);
  db_bind_text (stmt, 7, chunk->sha256);
  db_bind_text (stmt, 8, device_id);
  db_bind_text (stmt, 9, now);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "noting media", error);
  *completed = FALSE;
  return TRUE;
}

/* Stores @chunk at its offset; an identical chunk there already is fine,
 * a different one is refused. */
static gboolean
store_chunk (ServerDb               *db,
             const ServerMediaChunk *chunk,
             GError                **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT data FROM media_chunks WHERE media_id = ? AND at_byte = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  db_bind_int64 (stmt, 2, chunk->offset);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    {
      gsize length = (gsize) db_column_bytes (stmt, 0);
      const void *data = db_column_blob (stmt, 0);

      if (length == chunk->length && (length == 0 || memcmp (data, chunk->data, length) == 0))
        return TRUE;
      /* a longer chunk at the same place (the device sends bigger ones
       * now) keeps the longer; a different byte is refused */
      if (memcmp (data, chunk->data, MIN (length, chunk->length)) != 0)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                       "media %s: other bytes were received at offset %" G_GINT64_FORMAT,
                       chunk->media_id, chunk->offset);
          return FALSE;
        }
      if (length >= chunk->length)
        return TRUE;
    }
  else if (rc != DB_DONE)
    return db_fail (db, "media chunk lookup", error);
  g_clear_pointer (&stmt, db_finalize);
  /* a longer chunk at the same place replaces the shorter (both stores' SQL) */
  stmt = db_prepare (db, "DELETE FROM media_chunks WHERE media_id = ? AND at_byte = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  db_bind_int64 (stmt, 2, chunk->offset);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "replacing a media chunk", error);
  g_clear_pointer (&stmt, db_finalize);
  stmt = db_prepare (db, "INSERT INTO media_chunks (media_id, at_byte, data) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, chunk->media_id);
  db_bind_int64 (stmt, 2, chunk->offset);
  db_bind_blob (stmt, 3, chunk->length > 0 ? chunk->data : "", chunk->length);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "storing a media chunk", error);
  return TRUE;
}

static char *
answer (const char *media_id,
        gint64      received,
        gint64      size)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"received\":%" G_GINT64_FORMAT ",\"size\":%" G_GINT64_FORMAT
                          ",\"complete\":%s}", media_id, received, size, received >= size ? "true" : "false");
}

char *
server_media_put_chunk (ServerDb               *db,
                        const char             *device_id,
                        const ServerMediaChunk *chunk,
                        gsize                   max_media,
                        GError                **error)
{
  g_autofree char *line = NULL;
  g_autofree char *quoted = NULL;
  g_autoptr(GError) local = NULL;
  gboolean completed = FALSE;
  gint64 received = 0;

  g_return_val_if_fail (db != NULL && device_id != NULL && chunk != NULL, NULL);

  if (!server_media_check_size (chunk->media_id, chunk->size, max_media, error))
    return NULL;
  if (!clmrs_form_binary_name_is_valid (chunk->name))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "X-Clmrs-Name: expected a file name with an extension and no folder");
      return NULL;
    }
  if (chunk->offset < 0 || chunk->offset + (gint64) chunk->length > chunk->size)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "media %s: a chunk of %" G_GSIZE_FORMAT " bytes at offset %" G_GINT64_FORMAT
                   " runs past the file's %" G_GINT64_FORMAT " bytes",
                   chunk->media_id, chunk->length, chunk->offset, chunk->size);
      return NULL;
    }
  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  line = visit_line (db, device_id, chunk->media_id, chunk->record_id, error);
  if (line == NULL)
    goto fail;
  /* the visit's answers name the file: a file is never kept that no record points at */
  quoted = g_strdup_printf ("\"%s\"", chunk->name);
  if (strstr (line, quoted) == NULL)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "media %s: visit %s names no file %s", chunk->media_id, chunk->record_id, chunk->name);
      goto fail;
    }
  if (!note_media (db, device_id, chunk, &completed, error))
    goto fail;
  if (completed)
    {
      if (!db_exec (db, "COMMIT", error))
        goto fail;
      return answer (chunk->media_id, chunk->size, chunk->size);
    }
  if (!store_chunk (db, chunk, error) || !covered (db, chunk->media_id, &received, error))
    goto fail;
  if (received >= chunk->size && !assemble (db, chunk, &local))
    {
      /* a file that is not what was announced is forgotten (committed),
       * so the device's next try starts it afresh */
      if (!g_error_matches (local, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST) || !db_exec (db, "COMMIT", NULL))
        db_rollback (db);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (received < chunk->size)
    {
      g_autoptr(ServerStmt) stmt = db_prepare (db, "UPDATE media SET received = ? WHERE id = ?", error);

      if (stmt == NULL)
        goto fail;
      db_bind_int64 (stmt, 1, received);
      db_bind_text (stmt, 2, chunk->media_id);
      if (db_step (stmt) != DB_DONE)
        {
          db_fail (db, "media", error);
          goto fail;
        }
    }
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  return answer (chunk->media_id, MIN (received, chunk->size), chunk->size);

fail:
  db_rollback (db);
  return NULL;
}

/* Writes every whole file into @dir/<record id>/<name>. */
gboolean
server_media_export (ServerDb    *db,
                     const char  *dir,
                     guint       *count,
                     GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  *count = 0;
  stmt = db_prepare (db, "SELECT record_id, name, content FROM media WHERE completed IS NOT NULL"
                         " ORDER BY record_id, name", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      const char *record = db_column_text (stmt, 0);
      const char *name = db_column_text (stmt, 1);
      g_autofree char *folder = NULL;
      g_autofree char *path = NULL;

      /* names were checked when received; a record id is a UUID */
      if (!g_uuid_string_is_valid (record) || !clmrs_form_binary_name_is_valid (name))
        continue;
      folder = g_build_filename (dir, record, NULL);
      path = g_build_filename (folder, name, NULL);
      if (g_mkdir_with_parents (folder, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", folder, g_strerror (saved));
          return FALSE;
        }
      if (!g_file_set_contents_full (path, db_column_blob (stmt, 2), db_column_bytes (stmt, 2),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return FALSE;
      (*count)++;
    }
  if (rc != DB_DONE)
    return db_fail (db, "media export", error);
  return TRUE;
}
