/* media.c: media answers kept in the device's store with their visit; scaled images; what sync sends of them. */
#define G_LOG_DOMAIN "clmrs-media"

#include "media.h"

#include "util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-media-error-quark, clmrs_media_error)

void
clmrs_media_info_free (ClmrsMediaInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->visit_id);
  g_free (info->ref);
  g_free (info->name);
  g_free (info->mime);
  g_free (info->sha256);
  g_free (info);
}

/* "2.4 MiB", "310 KiB": sizes as a facilitator reads them. */
static char *
size_words (gsize bytes)
{
  if (bytes >= 1024 * 1024)
    return g_strdup_printf ("%.1f MiB", bytes / (1024.0 * 1024.0));
  return g_strdup_printf ("%" G_GSIZE_FORMAT " KiB", (bytes + 1023) / 1024);
}

static gboolean
check_size (gsize        size,
            gsize        max_bytes,
            const char  *what,
            GError     **error)
{
  g_autofree char *have = NULL;
  g_autofree char *limit = NULL;

  if (size <= max_bytes)
    return TRUE;
  have = size_words (size);
  limit = size_words (max_bytes);
  g_set_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_TOO_LARGE,
               "%s is %s, over the programme's limit of %s for one file", what, have, limit);
  return FALSE;
}

GBytes *
clmrs_media_prepare_image (GBytes      *input,
                           guint        max_edge,
                           gboolean     png,
                           gsize        max_bytes,
                           char       **mime,
                           GError     **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;
  g_autoptr(GError) local = NULL;
  GdkPixbuf *kept;
  gchar *buffer = NULL;
  gsize length = 0;
  int width, height;
  gboolean saved;

  g_return_val_if_fail (input != NULL, NULL);

  if (max_edge == 0)
    max_edge = CLMRS_MEDIA_MAX_EDGE;
  if (max_bytes == 0)
    max_bytes = CLMRS_MEDIA_MAX_BYTES;
  stream = g_memory_input_stream_new_from_bytes (input);
  decoded = gdk_pixbuf_new_from_stream (stream, NULL, &local);
  if (decoded == NULL)
    {
      g_set_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_IMAGE,
                   "the file is not a picture this device can read (%s)", local->message);
      return NULL;
    }
  /* a camera writes its pictures sideways and says so in EXIF */
  upright = gdk_pixbuf_apply_embedded_orientation (decoded);
  kept = upright != NULL ? upright : decoded;
  width = gdk_pixbuf_get_width (kept);
  height = gdk_pixbuf_get_height (kept);
  if ((guint) MAX (width, height) > max_edge)
    {
      double scale = (double) max_edge / MAX (width, height);

      scaled = gdk_pixbuf_scale_simple (kept, MAX (1, (int) (width * scale + 0.5)),
                                        MAX (1, (int) (height * scale + 0.5)), GDK_INTERP_BILINEAR);
      if (scaled == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "out of memory scaling the picture");
          return NULL;
        }
      kept = scaled;
    }
  if (png)
    saved = gdk_pixbuf_save_to_buffer (kept, &buffer, &length, "png", &local, "compression", "9", NULL);
  else if (gdk_pixbuf_get_has_alpha (kept))
    {
      /* JPEG has no transparency: the picture is laid on white */
      g_autoptr(GdkPixbuf) flat = gdk_pixbuf_composite_color_simple (kept, gdk_pixbuf_get_width (kept),
                                                                     gdk_pixbuf_get_height (kept),
                                                                     GDK_INTERP_NEAREST, 255, 8,
                                                                     0xffffffff, 0xffffffff);
      saved = gdk_pixbuf_save_to_buffer (flat, &buffer, &length, "jpeg", &local, "quality", "85", NULL);
    }
  else
    saved = gdk_pixbuf_save_to_buffer (kept, &buffer, &length, "jpeg", &local, "quality", "85", NULL);
  if (!saved)
    {
      g_set_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_IMAGE,
                   "the picture could not be encoded: %s", local->message);
      return NULL;
    }
  if (!check_size (length, max_bytes, "the picture, scaled down,", error))
    {
      g_free (buffer);
      return NULL;
    }
  if (mime != NULL)
    *mime = g_strdup (png ? "image/png" : "image/jpeg");
  return g_bytes_new_take (buffer, length);
}

static char *
sha256_hex (GBytes *content)
{
  gsize length;
  const guchar *data = g_bytes_get_data (content, &length);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data != NULL ? data : (const guchar *) "", length);
}

static gboolean
extension_ok (const char *extension)
{
  if (extension == NULL || extension[0] == '\0' || strlen (extension) > 10)
    return FALSE;
  for (const char *p = extension; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

char *
clmrs_media_attach (ClmrsStore   *store,
                    const char   *visit_id,
                    const char   *ref,
                    const char   *mime,
                    const char   *extension,
                    GBytes       *content,
                    gsize         max_bytes,
                    GError      **error)
{
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *now = NULL;
  g_autofree char *state = NULL;
  sqlite3_stmt *stmt;
  gsize length;
  const void *data;

  g_return_val_if_fail (store != NULL && visit_id != NULL && ref != NULL && content != NULL, NULL);

  if (!extension_ok (extension))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "a media file's extension is 1 to 10 letters or digits, not '%s'", extension ? extension : "");
      return NULL;
    }
  data = g_bytes_get_data (content, &length);
  if (!check_size (length, max_bytes ? max_bytes : CLMRS_MEDIA_MAX_BYTES, "the file", error))
    return NULL;
  id = clmrs_uuid_new ();
  name = g_strdup_printf ("%s.%s", id, extension);
  sha = sha256_hex (content);
  now = clmrs_now_rfc3339 ();

  if (!clmrs_store_begin (store, error))
    return NULL;
  stmt = clmrs_store_prepare (store, "SELECT state FROM visits WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW:
      state = clmrs_store_column_dup (stmt, 0);
      sqlite3_finalize (stmt);
      break;
    case CLMRS_STEP_DONE:
      sqlite3_finalize (stmt);
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no visit %s", visit_id);
      goto fail;
    default:
      sqlite3_finalize (stmt);
      goto fail;
    }
  if (g_strcmp0 (state, "draft") != 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s is finalised: its files cannot change", visit_id);
      goto fail;
    }
  /* one file a question: a photo taken again replaces the first */
  stmt = clmrs_store_prepare (store, "DELETE FROM media WHERE visit_id = ? AND ref = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ref, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;
  stmt = clmrs_store_prepare (store,
                              "INSERT INTO media (id, visit_id, ref, name, mime, size, sha256, content, created)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, mime != NULL ? mime : "application/octet-stream", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) length);
  sqlite3_bind_text (stmt, 7, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob64 (stmt, 8, length > 0 ? data : "", length, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (store, stmt, error))
    goto fail;
  if (!clmrs_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&name);

fail:
  clmrs_store_rollback (store);
  return NULL;
}

GBytes *
clmrs_media_read_file (ClmrsStore  *store,
                       const char  *visit_id,
                       const char  *name,
                       char       **mime,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GBytes *bytes;

  g_return_val_if_fail (store != NULL && visit_id != NULL && name != NULL, NULL);

  stmt = clmrs_store_prepare (store, "SELECT content, mime FROM media WHERE visit_id = ? AND name = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW:
      break;
    case CLMRS_STEP_DONE:
      g_set_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_FOUND,
                   "visit %s has no file named %s", visit_id, name);
      return NULL;
    default:
      return NULL;
    }
  bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  if (mime != NULL)
    *mime = clmrs_store_column_dup (stmt, 1);
  return bytes;
}

/* Every string anywhere in @node. */
static void
collect_strings (JsonNode   *node,
                 GHashTable *out)
{
  if (node == NULL)
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_hash_table_add (out, (gpointer) json_node_get_string (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_strings (json_array_get_element (array, i), out);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        collect_strings (member, out);
    }
}

gboolean
clmrs_media_drop_unanswered (ClmrsStore  *store,
                             const char  *visit_id,
                             JsonNode    *answers,
                             GError     **error)
{
  g_autoptr(GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) unused = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  g_return_val_if_fail (clmrs_store_in_transaction (store), FALSE);

  collect_strings (answers, named);
  stmt = clmrs_store_prepare (store, "SELECT id, name FROM media WHERE visit_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, visit_id, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    if (!g_hash_table_contains (named, sqlite3_column_text (stmt, 1)))
      g_ptr_array_add (unused, clmrs_store_column_dup (stmt, 0));
  if (step == CLMRS_STEP_ERROR)
    return FALSE;
  for (guint i = 0; i < unused->len; i++)
    {
      sqlite3_stmt *drop = clmrs_store_prepare (store, "DELETE FROM media WHERE id = ?", error);

      if (drop == NULL)
        return FALSE;
      sqlite3_bind_text (drop, 1, g_ptr_array_index (unused, i), -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (store, drop, error))
        return FALSE;
    }
  return TRUE;
}

/* A finalised visit's files wait for its record: the server checks a
 * file against the record it belongs to. */
#define UNSENT_WHERE \
  " FROM media m JOIN visits v ON v.id = m.visit_id" \
  " WHERE m.acked IS NULL AND v.state = 'final'"

GPtrArray *
clmrs_media_list_unsent (ClmrsStore  *store,
                         GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_media_info_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsStep step;

  stmt = clmrs_store_prepare (store,
                              "SELECT m.id, m.visit_id, m.ref, m.name, m.mime, m.size, m.sha256, m.sent"
                              UNSENT_WHERE
                              " AND EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = m.visit_id AND o.state = 'sent')"
                              " ORDER BY m.created, m.id", error);
  if (stmt == NULL)
    return NULL;
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      ClmrsMediaInfo *info = g_new0 (ClmrsMediaInfo, 1);

      info->id = clmrs_store_column_dup (stmt, 0);
      info->visit_id = clmrs_store_column_dup (stmt, 1);
      info->ref = clmrs_store_column_dup (stmt, 2);
      info->name = clmrs_store_column_dup (stmt, 3);
      info->mime = clmrs_store_column_dup (stmt, 4);
      info->size = sqlite3_column_int64 (stmt, 5);
      info->sha256 = clmrs_store_column_dup (stmt, 6);
      info->sent = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (list, info);
    }
  if (step == CLMRS_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&list);
}

gboolean
clmrs_media_count_unsent (ClmrsStore  *store,
                          gint64      *count,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (count != NULL, FALSE);

  *count = -1;
  stmt = clmrs_store_prepare (store, "SELECT count(*)" UNSENT_WHERE, error);
  if (stmt == NULL || clmrs_store_step (store, stmt, error) != CLMRS_STEP_ROW)
    {
      g_prefix_error (error, "counting the media files waiting to leave: ");
      return FALSE;
    }
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

GBytes *
clmrs_media_read_chunk (ClmrsStore  *store,
                        const char  *id,
                        gint64       offset,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (offset >= 0, NULL);

  /* substr() on a blob counts bytes, from 1 */
  stmt = clmrs_store_prepare (store, "SELECT substr (content, ? + 1, ?) FROM media WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, offset);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) length);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  switch (clmrs_store_step (store, stmt, error))
    {
    case CLMRS_STEP_ROW:
      return g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
    case CLMRS_STEP_DONE:
      g_set_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_FOUND, "no media file %s", id);
      return NULL;
    default:
      return NULL;
    }
}

gboolean
clmrs_media_note_sent (ClmrsStore  *store,
                       const char  *id,
                       gint64       received,
                       gboolean     complete,
                       GError     **error)
{
  g_autofree char *now = complete ? clmrs_now_rfc3339 () : NULL;
  sqlite3_stmt *stmt;

  stmt = clmrs_store_prepare (store, "UPDATE media SET sent = min (?, size), acked = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, received);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  return clmrs_store_step_done (store, stmt, error);
}

gboolean
clmrs_media_prune_sent (ClmrsStore  *store,
                        guint        days,
                        gint64      *pruned,
                        GError     **error)
{
  return clmrs_store_exec_older_than (store, "UPDATE media SET content = x'' "
                                             "WHERE acked IS NOT NULL AND acked < ? AND length (content) > 0",
                                      days, pruned, error);
}
