/* server-publish.c: forms and rule sets published to every device.
 *
 * A publication is a line of the records table (kind 'form' or
 * 'rule_set'), so devices receive it in the pull stream in server order.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "wire.h"

#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

/* Reads the id and version of an XForm: the attributes of the primary
 * instance's root element (/h:html/h:head/model/instance[1]/ *[1]). */
static gboolean
read_form_identity (const char  *path,
                    const char  *content,
                    gsize        length,
                    char       **id,
                    char       **version,
                    GError     **error)
{
  xmlDocPtr doc;
  xmlXPathContextPtr ctx;
  xmlXPathObjectPtr result;
  xmlNodePtr root = NULL;
  xmlChar *id_attr = NULL, *version_attr = NULL;
  gboolean ok = FALSE;

  doc = xmlReadMemory (content, (int) length, path, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *xerr = xmlGetLastError ();

      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "%s:%d: not well-formed XML: %s",
                   path, xerr != NULL ? xerr->line : 0,
                   xerr != NULL && xerr->message != NULL ? g_strchomp (xerr->message) : "?");
      return FALSE;
    }
  ctx = xmlXPathNewContext (doc);
  xmlXPathRegisterNs (ctx, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
  xmlXPathRegisterNs (ctx, BAD_CAST "xf", BAD_CAST "http://www.w3.org/2002/xforms");
  result = xmlXPathEvalExpression (BAD_CAST "/h:html/h:head/xf:model/xf:instance[1]/*[1]", ctx);
  if (result != NULL && result->nodesetval != NULL && result->nodesetval->nodeNr > 0)
    root = result->nodesetval->nodeTab[0];
  if (root == NULL)
    g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                 "%s: not an XForm: no /h:html/h:head/model/instance[1]/* element", path);
  else
    {
      id_attr = xmlGetProp (root, BAD_CAST "id");
      version_attr = xmlGetProp (root, BAD_CAST "version");
      if (id_attr == NULL || *id_attr == '\0')
        g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                     "%s:%ld: <%s>: the primary instance has no id attribute", path,
                     xmlGetLineNo (root), (const char *) root->name);
      else if (version_attr == NULL || *version_attr == '\0')
        g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                     "%s:%ld: <%s>: the primary instance has no version attribute", path,
                     xmlGetLineNo (root), (const char *) root->name);
      else
        {
          *id = g_strdup ((const char *) id_attr);
          *version = g_strdup ((const char *) version_attr);
          ok = TRUE;
        }
    }
  xmlFree (id_attr);
  xmlFree (version_attr);
  xmlXPathFreeObject (result);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return ok;
}

/* Reads "id" and "version" (string or integer) of a rule set. */
static gboolean
read_rules_identity (const char  *path,
                     const char  *content,
                     gsize        length,
                     char       **id,
                     char       **version,
                     GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *node;

  root = clmrs_wire_parse_json (content, length, 1, &local_error);
  if (root == NULL)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: a rule set is a JSON object", path);
      return FALSE;
    }
  object = json_node_get_object (root);
  node = json_object_get_member (object, "id");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING
      || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: id: expected a non-empty string", path);
      return FALSE;
    }
  *id = g_strdup (json_node_get_string (node));
  node = json_object_get_member (object, "version");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
      && *json_node_get_string (node) != '\0')
    *version = g_strdup (json_node_get_string (node));
  else if (node != NULL && json_node_get_value_type (node) == G_TYPE_INT64)
    *version = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else
    {
      g_clear_pointer (id, g_free);
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: version: expected a non-empty string or an integer", path);
      return FALSE;
    }
  return TRUE;
}

/**
 * server_db_publish:
 * @path: a form (.xml, ODK XForms) or a rule set (.json)
 *
 * Adds the file to the pull stream of every device as a publication line
 * `{"v":1,"type":"form"|"rule_set","id","version","rev","sha256",
 * "published","content"}`.  Publishing the same id and version again with
 * the same content does nothing; with other content it is refused.
 *
 * Returns: (transfer full): a one-line summary, or %NULL and an error.
 */
char *
server_db_publish (sqlite3     *db,
                   const char  *path,
                   GError     **error)
{
  g_autofree char *content = NULL;
  g_autofree char *id = NULL;
  g_autofree char *version = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *now = now_rfc3339 ();
  g_autofree char *line = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *kind;
  gsize length;
  gint64 rev = 1;

  g_return_val_if_fail (db != NULL && path != NULL, NULL);

  if (!g_file_get_contents (path, &content, &length, error))
    return NULL;
  if (g_str_has_suffix (path, ".xml"))
    {
      kind = "form";
      if (!read_form_identity (path, content, length, &id, &version, error))
        return NULL;
    }
  else if (g_str_has_suffix (path, ".json"))
    {
      kind = "rule_set";
      if (!read_rules_identity (path, content, length, &id, &version, error))
        return NULL;
    }
  else
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                   "%s: expected a form (.xml) or a rule set (.json)", path);
      return NULL;
    }
  if (!g_utf8_validate_len (content, length, NULL))
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE, "%s: not valid UTF-8", path);
      return NULL;
    }
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) content, length);

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  stmt = db_prepare (db, "SELECT line, rev FROM records WHERE kind = ? AND id = ? ORDER BY rev", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) old = clmrs_wire_parse_json (sqlite3_column_blob (stmt, 0),
                                                       (gsize) sqlite3_column_bytes (stmt, 0), 1, NULL);
      JsonObject *o = old != NULL && JSON_NODE_HOLDS_OBJECT (old) ? json_node_get_object (old) : NULL;

      rev = sqlite3_column_int64 (stmt, 1) + 1;
      if (o != NULL && g_strcmp0 (json_object_get_string_member_with_default (o, "version", ""), version) == 0)
        {
          if (g_strcmp0 (json_object_get_string_member_with_default (o, "sha256", ""), sha) == 0)
            {
              db_rollback (db);
              return g_strdup_printf ("%s %s@%s is already published", kind, id, version);
            }
          g_set_error (error, SERVER_ERROR, SERVER_ERROR_INVALID_FILE,
                       "%s: %s %s version %s is already published with other content; "
                       "change its version", path, kind, id, version);
          goto fail;
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

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
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = clmrs_json_canonical (root, &length);

  stmt = db_prepare (db, "INSERT INTO records (kind, id, rev, type, sha256, line, received) "
                         "VALUES (?1, ?2, ?3, ?1, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, rev);
  sqlite3_bind_text (stmt, 4, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, line, (int) length, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      db_fail (db, "publishing", error);
      goto fail;
    }
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  return g_strdup_printf ("published %s %s@%s (rev %" G_GINT64_FORMAT ")", kind, id, version, rev);

fail:
  db_rollback (db);
  return NULL;
}
