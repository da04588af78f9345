/* server-publish.c: forms and rule sets published to every device.
 *
 * A publication is a line of the records table (kind 'form' or
 * 'rule_set'), so devices receive it in the pull stream in server order.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "wire.h"

#include "form-media.h"
#include "rules.h"
#include "xform.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Before the media files are looked at: an empty list for each of the
 * form's CSV and XML instances, so that the form's own problems (and a
 * missing id or version) are reported first. */
static GBytes *
placeholder_media (const char  *name,
                   gpointer     user_data,
                   GError     **error)
{
  const char *empty = g_str_has_suffix (name, ".csv") ? "name\n" : "<root/>";

  return g_bytes_new_static (empty, strlen (empty));
}

/* Checks a form with the core's loader, as `clmrs forms check` and a
 * device do: every problem, one "file:line: node: reason" a line.  With
 * @media NULL, the form's own problems only (placeholder_media()). */
static gboolean
check_form (const char      *path,
            const char      *content,
            gsize            length,
            ClmrsFormMedia  *media,
            char           **id,
            char           **version,
            GError         **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(ClmrsForm) form = NULL;

  /* with its media files, as a device loads it: its CSV and XML lists */
  form = clmrs_form_load_full (content, length, path, media ? clmrs_form_media_resolve : placeholder_media,
                               media, &problems, NULL);
  if (form == NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, "%s: refused: %u problem%s (as `clmrs forms check` reports them):", path,
                              problems->len, problems->len == 1 ? "" : "s");
      for (guint i = 0; i < problems->len; i++)
        {
          g_autofree char *line = clmrs_form_problem_to_string (problems->pdata[i]);
          g_string_append_printf (text, "\n%s", line);
        }
      g_set_error_literal (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, text->str);
      return FALSE;
    }
  if (*clmrs_form_get_id (form) == '\0' || *clmrs_form_get_version (form) == '\0')
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: the primary instance's root needs an id and a version attribute to be published "
                   "(devices tell versions apart by them)", path);
      return FALSE;
    }
  *id = g_strdup (clmrs_form_get_id (form));
  *version = g_strdup (clmrs_form_get_version (form));
  return TRUE;
}

/* Checks a rule set with the core's loader, as a device does. */
static gboolean
check_rules (const char  *path,
             char       **id,
             char       **version,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ClmrsRuleSet) rules = clmrs_rule_set_load_file (path, &local_error);

  if (rules == NULL)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "%s: refused: %s", path, local_error->message);
      return FALSE;
    }
  *id = g_strdup (clmrs_rule_set_get_id (rules));
  *version = g_strdup (clmrs_rule_set_get_version (rules));
  return TRUE;
}

/* Adds the file at @path to @media under its base name. */
static gboolean
add_media_file (ClmrsFormMedia  *media,
                const char      *path,
                GError         **error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  if (clmrs_form_media_lookup (media, name) != NULL)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "--media %s: another media file is named %s too", path, name);
      return FALSE;
    }
  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "--media: %s", local_error->message);
      return FALSE;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&data), length);
  if (!clmrs_form_media_add (media, name, bytes, &local_error))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "--media %s: %s", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The files of @paths (a folder gives each file in it, not hidden ones,
 * not sub-folders) checked against what the form at @path refers to:
 * every file it names is given, and no file it does not name. */
static ClmrsFormMedia *
read_media (const char          *path,
            const char          *content,
            gsize                length,
            const char * const  *paths,
            GError             **error)
{
  g_autoptr(ClmrsFormMedia) media = clmrs_form_media_new ();
  g_auto(GStrv) wanted = clmrs_form_media_references (content, length);
  g_auto(GStrv) given = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      if (g_file_test (paths[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (paths[i], 0, error);
          g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            return NULL;
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *file = g_build_filename (paths[i], name, NULL);

              if (*name != '.' && g_file_test (file, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add (files, g_steal_pointer (&file));
            }
          for (guint f = 0; f < files->len; f++)
            if (!add_media_file (media, files->pdata[f], error))
              return NULL;
        }
      else if (!add_media_file (media, paths[i], error))
        return NULL;
    }
  given = clmrs_form_media_list (media);
  for (guint i = 0; given[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) wanted, given[i]))
      {
        g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                     "%s: the form does not refer to the media file %s (as jr://file/%s or jr://images/%s); "
                     "a misspelt name?", path, given[i], given[i], given[i]);
        return NULL;
      }
  for (guint i = 0; wanted[i] != NULL; i++)
    if (clmrs_form_media_lookup (media, wanted[i]) == NULL)
      g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", wanted[i]);
  if (missing->len > 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: the form refers to media files not given with --media: %s", path, missing->str);
      return NULL;
    }
  return g_steal_pointer (&media);
}

/* The most a publication line may weigh: a device takes at most 8 MiB of
 * compressed answer (sync/client.c), and a line goes whole into one pull
 * page; media files as base64 grow by a third and a picture does not
 * compress, so 7 MiB leaves the page's gzip room. */
#define PUBLICATION_MAX_BYTES (7 * 1024 * 1024)

/* Whether a stored publication line holds the same media as @media_json. */
static gboolean
same_media (JsonObject *old,
            JsonNode   *media_json)
{
  JsonNode *old_media = json_object_get_member (old, "media");
  g_autofree char *a = old_media != NULL ? clmrs_json_canonical (old_media, NULL) : g_strdup ("[]");
  g_autofree char *b = clmrs_json_canonical (media_json, NULL);

  return g_str_equal (a, b);
}

/**
 * server_db_publish:
 * @path: a form (.xml, ODK XForms) or a rule set (.json)
 * @media: the form's media files (see server.h), or %NULL
 *
 * Checks the file with the core's own loaders (a device runs what the
 * server accepts) and adds it to the pull stream of every device as a
 * publication line `{"v":1,"type":"form"|"rule_set","id","version","rev",
 * "sha256","published","content"[,"media"]}`.  Publishing the same id and
 * version again with the same content and media does nothing; with other
 * content it is refused.  Every version stays: records made with an old
 * one still read with its labels.
 *
 * Returns: (transfer full): a one-line summary, or %NULL and an error.
 */
char *
server_db_publish (ServerDb            *db,
                   const char          *path,
                   const char * const  *media_paths,
                   GError             **error)
{
  g_autofree char *content = NULL;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *now = now_rfc3339 ();
  g_autofree char *line = NULL;
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) media_json = NULL;
  g_autoptr(ClmrsFormMedia) media = NULL;
  const char *kind;
  gsize length;
  gint64 rev = 1;

  g_return_val_if_fail (db != NULL && path != NULL, NULL);

  if (!g_file_get_contents (path, &content, &length, error))
    return NULL;
  if (!g_utf8_validate_len (content, length, NULL))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "%s: not valid UTF-8", path);
      return NULL;
    }
  if (g_str_has_suffix (path, ".xml"))
    {
      kind = "form";
      if (!check_form (path, content, length, NULL, &id, &version, error))
        return NULL;
      media = read_media (path, content, length, media_paths, error);
      if (media == NULL)
        return NULL;
      g_clear_pointer (&id, g_free);
      g_clear_pointer (&version, g_free);
      if (!check_form (path, content, length, media, &id, &version, error))
        return NULL;
    }
  else if (g_str_has_suffix (path, ".json"))
    {
      kind = "rule_set";
      if (media_paths != NULL && media_paths[0] != NULL)
        {
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                       "%s: a rule set has no media files (--media is for forms)", path);
          return NULL;
        }
      if (!check_rules (path, &id, &version, error))
        return NULL;
      media = clmrs_form_media_new ();
    }
  else
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: expected a form (.xml) or a rule set (.json)", path);
      return NULL;
    }
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) content, length);
  media_json = clmrs_form_media_to_json (media);

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  stmt = db_prepare (db, "SELECT line, rev FROM records WHERE kind = ? AND id = ? ORDER BY rev", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, kind);
  db_bind_text (stmt, 2, id);
  while (db_step (stmt) == DB_ROW)
    {
      g_autoptr(JsonNode) old = clmrs_wire_parse_json (db_column_blob (stmt, 0),
                                                       (gsize) db_column_bytes (stmt, 0), 1, NULL);
      JsonObject *o = old != NULL && JSON_NODE_HOLDS_OBJECT (old) ? json_node_get_object (old) : NULL;

      rev = db_column_int64 (stmt, 1) + 1;
      if (o != NULL && g_strcmp0 (json_object_get_string_member_with_default (o, "version", ""), version) == 0)
        {
          if (g_strcmp0 (json_object_get_string_member_with_default (o, "sha256", ""), sha) == 0
              && same_media (o, media_json))
            {
              db_rollback (db);
              return g_strdup_printf ("%s %s@%s is already published", kind, id, version);
            }
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                       "%s: %s %s version %s is already published with other content%s; "
                       "change its version", path, kind, id, version,
                       g_strcmp0 (json_object_get_string_member_with_default (o, "sha256", ""), sha) == 0
                       ? " (other media files)" : "");
          goto fail;
        }
    }
  g_clear_pointer (&stmt, db_finalize);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "v");
  json_builder_add_int_value (builder, CLMRS_WIRE_VERSION);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, version);
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, rev);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha);
  json_builder_set_member_name (builder, "published");
  json_builder_add_string_value (builder, now);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  if (clmrs_form_media_count (media) > 0)
    {
      json_builder_set_member_name (builder, "media");
      json_builder_add_value (builder, json_node_ref (media_json));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = clmrs_json_canonical (root, &length);
  if (length > PUBLICATION_MAX_BYTES)
    {
      g_autofree char *size = g_format_size (length);
      g_autofree char *max = g_format_size (PUBLICATION_MAX_BYTES);

      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: with its media files the publication is %s, more than the %s a device takes in one "
                   "piece; make the lists or pictures smaller", path, size, max);
      goto fail;
    }

  stmt = db_prepare (db, "INSERT INTO records (kind, id, rev, type, sha256, line, received) "
                         "VALUES (?1, ?2, ?3, ?1, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, kind);
  db_bind_text (stmt, 2, id);
  db_bind_int64 (stmt, 3, rev);
  db_bind_text (stmt, 4, sha);
  db_bind_blob (stmt, 5, line, (int) length);
  db_bind_text (stmt, 6, now);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "publishing", error);
      goto fail;
    }
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  if (clmrs_form_media_count (media) > 0)
    return g_strdup_printf ("published %s %s@%s with %u media file%s (rev %" G_GINT64_FORMAT ")", kind, id,
                            version, clmrs_form_media_count (media),
                            clmrs_form_media_count (media) == 1 ? "" : "s", rev);
  return g_strdup_printf ("published %s %s@%s (rev %" G_GINT64_FORMAT ")", kind, id, version, rev);

fail:
  db_rollback (db);
  return NULL;
}

/**
 * server_db_publications:
 *
 * Every version of every form and rule set ever published, by type, id
 * and rev: `[{"type","id","version","rev","published","sha256","media":
 * [names]}]`.  Nothing published is ever removed: a record's `schema`
 * or `rules` names one of them.
 *
 * Returns: (transfer full): the JSON array, or %NULL and an error.
 */
JsonNode *
server_db_publications (ServerDb *db,
                        GError  **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  int rc;

  g_return_val_if_fail (db != NULL, NULL);

  stmt = db_prepare (db, "SELECT line FROM records WHERE kind IN ('form', 'rule_set') ORDER BY kind, id, rev", error);
  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      g_autoptr(JsonNode) line = clmrs_wire_parse_json (db_column_blob (stmt, 0),
                                                        (gsize) db_column_bytes (stmt, 0), 1, NULL);
      JsonObject *o = line != NULL && JSON_NODE_HOLDS_OBJECT (line) ? json_node_get_object (line) : NULL;
      JsonArray *media;

      if (o == NULL)
        continue;
      json_builder_begin_object (b);
      for (guint i = 0; i < 5; i++)
        {
          static const char *const members[] = { "type", "id", "version", "published", "sha256" };

          json_builder_set_member_name (b, members[i]);
          json_builder_add_string_value (b, json_object_get_string_member_with_default (o, members[i], ""));
        }
      json_builder_set_member_name (b, "rev");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (o, "rev", 0));
      json_builder_set_member_name (b, "media");
      json_builder_begin_array (b);
      media = json_object_has_member (o, "media") ? json_object_get_array_member (o, "media") : NULL;
      for (guint i = 0; media != NULL && i < json_array_get_length (media); i++)
        json_builder_add_string_value (b, json_object_get_string_member_with_default (
                                              json_array_get_object_element (media, i), "name", ""));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  if (rc != DB_DONE)
    {
      db_fail (db, "listing publications", error);
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/**
 * server_db_publication_content:
 * @kind: "form" or "rule_set"
 *
 * Returns: (transfer full): the file published as @id version @version,
 * or %NULL and SERVER_ERROR_NOT_FOUND naming it.
 */
char *
server_db_publication_content (ServerDb    *db,
                               const char  *kind,
                               const char  *id,
                               const char  *version,
                               GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (db != NULL && kind != NULL && id != NULL && version != NULL, NULL);

  stmt = db_prepare (db, db_dialect (db,
                                     "SELECT json_extract (line, '$.content') FROM records WHERE kind = ?1 AND id = ?2"
                                     " AND json_extract (line, '$.version') = ?3",
                                     "SELECT convert_from (line, 'UTF8')::jsonb ->> 'content' FROM records"
                                     " WHERE kind = ?1 AND id = ?2"
                                     " AND convert_from (line, 'UTF8')::jsonb ->> 'version' = ?3"), error);
  if (stmt == NULL)
    return NULL;
  db_bind_text (stmt, 1, kind);
  db_bind_text (stmt, 2, id);
  db_bind_text (stmt, 3, version);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    return g_strdup ((const char *) db_column_text (stmt, 0));
  if (rc != DB_DONE)
    db_fail (db, "reading a publication", error);
  else
    g_set_error (error, SERVER_ERROR, SERVER_ERROR_NOT_FOUND, "no %s %s version %s was published",
                 g_str_equal (kind, "form") ? "form" : "rule set", id, version);
  return NULL;
}
