/* form-media.c: the media files published with a form version, found by name. */
#define G_LOG_DOMAIN "clmrs-form-media"

#include "form-media.h"

#include "store.h"

#include <string.h>

struct _ClmrsFormMedia
{
  gint        ref_count;
  GHashTable *files;   /* name -> GBytes */
};

ClmrsFormMedia *
clmrs_form_media_new (void)
{
  ClmrsFormMedia *media = g_new0 (ClmrsFormMedia, 1);

  media->ref_count = 1;
  media->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  return media;
}

ClmrsFormMedia *
clmrs_form_media_ref (ClmrsFormMedia *media)
{
  g_return_val_if_fail (media != NULL, NULL);

  g_atomic_int_inc (&media->ref_count);
  return media;
}

void
clmrs_form_media_unref (ClmrsFormMedia *media)
{
  if (media == NULL || !g_atomic_int_dec_and_test (&media->ref_count))
    return;
  g_hash_table_unref (media->files);
  g_free (media);
}

/* A plain file name: what follows jr://file/ in a form, nothing that
 * could name another folder or a hidden file. */
gboolean
clmrs_form_media_name_is_valid (const char *name)
{
  return name != NULL && *name != '\0' && *name != '.' && strchr (name, '/') == NULL
         && strchr (name, '\\') == NULL && g_utf8_validate (name, -1, NULL);
}

gboolean
clmrs_form_media_add (ClmrsFormMedia *media,
                      const char     *name,
                      GBytes         *content,
                      GError        **error)
{
  g_return_val_if_fail (media != NULL && content != NULL, FALSE);

  if (!clmrs_form_media_name_is_valid (name))
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                   "media file '%s': a media file's name is a plain file name (no folder, not hidden)",
                   name ? name : "");
      return FALSE;
    }
  g_hash_table_replace (media->files, g_strdup (name), g_bytes_ref (content));
  return TRUE;
}

GBytes *
clmrs_form_media_lookup (ClmrsFormMedia *media,
                         const char     *name)
{
  g_return_val_if_fail (media != NULL && name != NULL, NULL);

  return g_hash_table_lookup (media->files, name);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GStrv
clmrs_form_media_list (ClmrsFormMedia *media)
{
  guint n = 0;
  char **names;

  g_return_val_if_fail (media != NULL, NULL);

  names = (char **) g_hash_table_get_keys_as_array (media->files, &n);
  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (names[i]);
  qsort (names, n, sizeof (char *), compare_strings);
  return names;
}

guint
clmrs_form_media_count (ClmrsFormMedia *media)
{
  g_return_val_if_fail (media != NULL, 0);

  return g_hash_table_size (media->files);
}

/* The schemes ODK forms use for the files published with them. */
static const char *const media_schemes[] = {
  "jr://file/", "jr://file-csv/", "jr://images/", "jr://audio/", "jr://video/",
};

GStrv
clmrs_form_media_references (const char *xform,
                             gsize       length)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) text = g_string_new_len (xform, (gssize) length);
  GPtrArray *names = g_ptr_array_new ();

  for (guint s = 0; s < G_N_ELEMENTS (media_schemes); s++)
    {
      const char *at = text->str;

      while ((at = strstr (at, media_schemes[s])) != NULL)
        {
          const char *start = at + strlen (media_schemes[s]);
          gsize n = strcspn (start, "\"'<> \t\r\n)");
          char *name = g_strndup (start, n);

          at = start;
          if (*name == '\0' || g_hash_table_contains (seen, name))
            {
              g_free (name);
              continue;
            }
          g_hash_table_add (seen, name);
          g_ptr_array_add (names, g_strdup (name));
        }
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

JsonNode *
clmrs_form_media_to_json (ClmrsFormMedia *media)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_auto(GStrv) names = clmrs_form_media_list (media);

  json_builder_begin_array (builder);
  for (guint i = 0; names[i] != NULL; i++)
    {
      GBytes *bytes = clmrs_form_media_lookup (media, names[i]);
      gsize size = 0;
      const guchar *data = g_bytes_get_data (bytes, &size);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      g_autofree char *base64 = g_base64_encode (data, size);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, names[i]);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, sha);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) size);
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, base64);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

ClmrsFormMedia *
clmrs_form_media_from_json (JsonNode  *node,
                            GError   **error)
{
  g_autoptr(ClmrsFormMedia) media = clmrs_form_media_new ();
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&media);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID, "media: expected an array");
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      const char *name = o ? member_string (o, "name") : NULL;
      const char *sha = o ? member_string (o, "sha256") : NULL;
      const char *content = o ? member_string (o, "content") : NULL;
      JsonNode *size_node = o ? json_object_get_member (o, "size") : NULL;
      g_autofree guchar *data = NULL;
      g_autofree char *got = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gsize size = 0;

      if (name == NULL || sha == NULL || content == NULL || size_node == NULL
          || !JSON_NODE_HOLDS_VALUE (size_node) || json_node_get_value_type (size_node) != G_TYPE_INT64)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                       "media[%u]: expected name, sha256, size and content", i);
          return NULL;
        }
      data = g_base64_decode (content, &size);
      got = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
      if ((gint64) size != json_node_get_int (size_node) || g_ascii_strcasecmp (got, sha) != 0)
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                       "media file %s: its content does not match its size and SHA-256", name);
          return NULL;
        }
      bytes = g_bytes_new_take (g_steal_pointer (&data), size);
      if (!clmrs_form_media_add (media, name, bytes, error))
        return NULL;
    }
  return g_steal_pointer (&media);
}

/**
 * clmrs_form_media_resolve:
 *
 * Returns: (transfer full): the bytes of the file @name among @media, or
 * %NULL with G_IO_ERROR_NOT_FOUND when it was not published with the form.
 */
GBytes *
clmrs_form_media_resolve (const char  *name,
                          gpointer     media,
                          GError     **error)
{
  GBytes *bytes;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (media != NULL, NULL);

  bytes = clmrs_form_media_lookup (media, name);
  if (bytes == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "not published with the form");
      return NULL;
    }
  return g_bytes_ref (bytes);
}
