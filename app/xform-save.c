/* xform-save.c: a filling saved and read back: the values of a draft, the answers as JSON, the submission XML. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Drafts                                                              */

void
clmrs_form_value_free (ClmrsFormValue *value)
{
  if (value == NULL)
    return;
  g_free (value->ref);
  g_free (value->value);
  g_free (value);
}

static void
list_subtree (ClmrsFormSession *session,
              xmlNode          *node,
              GPtrArray        *out)
{
  NodeDef *def = _xform_def_of (node);

  if (def == NULL)
    return;
  if (def->repeat)
    {
      ClmrsFormValue *value = g_new0 (ClmrsFormValue, 1);
      value->ref = _xform_ref_of (node);
      g_ptr_array_add (out, value);
    }
  if (_xform_def_is_leaf (def))
    {
      g_autofree char *text = _xform_read_value (session, node);
      if (text[0] != '\0')
        {
          ClmrsFormValue *value = g_new0 (ClmrsFormValue, 1);
          value->ref = _xform_ref_of (node);
          value->value = g_steal_pointer (&text);
          g_ptr_array_add (out, value);
        }
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      list_subtree (session, child, out);
}

/* Every non-empty leaf (calculated ones and instanceID included) and every
 * repeat instance (value NULL), in document order: a draft. */
GPtrArray *
clmrs_form_session_list_values (ClmrsFormSession *session)
{
  GPtrArray *out;

  g_return_val_if_fail (session != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_value_free);
  list_subtree (session, xmlDocGetRootElement (session->doc), out);
  return out;
}

/* Empties every leaf and removes every repeat instance below @node. */
static void
clear_subtree (ClmrsFormSession *session,
               xmlNode          *node)
{
  xmlNode *child = node->children;
  NodeDef *def = _xform_def_of (node);

  if (def != NULL && _xform_def_is_leaf (def))
    {
      _xform_set_node_value (node, NULL);
      return;
    }
  while (child != NULL)
    {
      xmlNode *next = child->next;
      NodeDef *child_def = _xform_def_of (child);
      if (child_def != NULL && child_def->repeat)
        _xform_remove_instance (session, child);
      else if (child->type == XML_ELEMENT_NODE)
        clear_subtree (session, child);
      child = next;
    }
}

/* Restores a draft listed by clmrs_form_session_list_values(): the
 * instance is emptied, then every repeat instance and value put back. */
gboolean
clmrs_form_session_apply_values (ClmrsFormSession  *session,
                                 GPtrArray         *values,
                                 GError           **error)
{
  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  clear_subtree (session, xmlDocGetRootElement (session->doc));
  g_hash_table_remove_all (session->nonrelevant);
  g_hash_table_remove_all (session->stash);
  for (guint i = 0; i < values->len; i++)
    {
      ClmrsFormValue *value = values->pdata[i];
      xmlNode *node;

      if (value->value == NULL)
        {
          g_autofree char *path = NULL;
          const char *bracket = value->ref ? strrchr (value->ref, '[') : NULL;
          guint64 index = bracket ? g_ascii_strtoull (bracket + 1, NULL, 10) : 0;
          NodeDef *def = NULL;
          xmlNode *parent;

          if (bracket == NULL || index == 0 || index > 10000)
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                           "%s names no repeat instance", value->ref ? value->ref : "(null)");
              return FALSE;
            }
          path = g_strndup (value->ref, bracket - value->ref);
          parent = _xform_resolve_repeat (session, path, &def, error);
          if (parent == NULL)
            return FALSE;
          while (_xform_count_instances (parent, def, NULL) < index)
            clear_subtree (session, _xform_create_instance (session, parent, def, FALSE));
          continue;
        }
      node = _xform_resolve_leaf (session, value->ref, error);
      if (node == NULL)
        return FALSE;
      if (!_xform_text_ok (value->value) || !_xform_lexical_ok (_xform_type_of (_xform_def_of (node)), value->value))
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                       "%s: '%s' is not a valid %s", value->ref, value->value,
                       _xform_type_name (_xform_type_of (_xform_def_of (node))));
          return FALSE;
        }
      _xform_store_value (session, node, value->value);
    }
  _xform_recalculate_all (session, FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static JsonNode *
json_of (ClmrsFormSession *session,
         xmlNode          *node)
{
  NodeDef *def = _xform_def_of (node);
  JsonObject *object;
  JsonNode *result;

  if (_xform_def_is_leaf (def))
    {
      g_autofree char *value = _xform_node_value (node);
      result = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (result, value);
      return result;
    }
  object = json_object_new ();
  for (guint i = 0; i < def->children->len; i++)
    {
      NodeDef *child_def = def->children->pdata[i];
      if (child_def->repeat)
        {
          JsonArray *array = json_array_new ();
          for (xmlNode *child = node->children; child != NULL; child = child->next)
            if (_xform_def_of (child) == child_def && !g_hash_table_contains (session->nonrelevant, child))
              json_array_add_element (array, json_of (session, child));
          json_object_set_array_member (object, child_def->name, array);
        }
      else
        {
          xmlNode *child = _xform_find_below (node, child_def);
          if (child != NULL && !g_hash_table_contains (session->nonrelevant, child))
            json_object_set_member (object, child_def->name, json_of (session, child));
        }
    }
  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, object);
  return result;
}

/* The answers as one JSON object: the instance root's children by element
 * name, groups as objects, repeats as arrays, leaves as strings (in their
 * lexical form, "" when empty), non-relevant nodes left out. */
JsonNode *
clmrs_form_session_to_json (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  _xform_preload_subtree (session, xmlDocGetRootElement (session->doc), TRUE);
  return json_of (session, xmlDocGetRootElement (session->doc));
}

/* Removes from @copy (a full copy of @from) what is not relevant in @from. */
static void
prune_copy (ClmrsFormSession *session,
            xmlNode          *from,
            xmlNode          *copy)
{
  xmlNode *source = from->children;
  xmlNode *target = copy->children;

  while (source != NULL && target != NULL)
    {
      xmlNode *next_source = source->next;
      xmlNode *next_target = target->next;

      if (source->type == XML_ELEMENT_NODE)
        {
          if (g_hash_table_contains (session->nonrelevant, source))
            {
              xmlUnlinkNode (target);
              xmlFreeNode (target);
            }
          else
            prune_copy (session, source, target);
        }
      source = next_source;
      target = next_target;
    }
}

/* The submission XML: the primary instance without non-relevant nodes. */
char *
clmrs_form_session_to_xml (ClmrsFormSession *session)
{
  xmlDoc *doc;
  xmlNode *root;
  xmlChar *buffer = NULL;
  int size = 0;
  char *text;

  g_return_val_if_fail (session != NULL, NULL);

  _xform_preload_subtree (session, xmlDocGetRootElement (session->doc), TRUE);
  doc = xmlNewDoc ((const xmlChar *) "1.0");
  root = xmlDocCopyNode (xmlDocGetRootElement (session->doc), doc, 1);
  xmlDocSetRootElement (doc, root);
  prune_copy (session, xmlDocGetRootElement (session->doc), root);
  xmlDocDumpFormatMemoryEnc (doc, &buffer, &size, "UTF-8", 1);
  text = g_strndup ((const char *) buffer, size);
  xmlFree (buffer);
  xmlFreeDoc (doc);
  return text;
}

static char *
json_scalar (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

static gboolean
load_json_into (ClmrsFormSession  *session,
                xmlNode           *node,
                JsonNode          *json,
                GError           **error)
{
  NodeDef *def = _xform_def_of (node);
  g_autofree char *ref = _xform_ref_of (node);
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (_xform_def_is_leaf (def))
    {
      Bind *bind = def->bind;
      g_autofree char *text = NULL;
      g_autofree char *normalized = NULL;

      if (bind != NULL && (bind->calculate != NULL || bind->preload != NULL))
        return TRUE;
      if (def == session->form->instance_id)
        return TRUE;
      if (!JSON_NODE_HOLDS_VALUE (json) && !JSON_NODE_HOLDS_NULL (json))
        goto bad_shape;
      text = json_scalar (json);
      if (text == NULL)
        goto bad_shape;
      normalized = _xform_normalize_value (session, node, ref, text, FALSE, error);
      if (normalized == NULL)
        return FALSE;
      _xform_store_value (session, node, normalized);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json))
    goto bad_shape;
  object = json_node_get_object (json);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      NodeDef *child_def = _xform_def_child (def, name);
      JsonNode *member = json_object_get_member (object, name);

      if (child_def == NULL)
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                       "%s/%s: unknown key '%s' for form %s", ref, name, name, session->form->id);
          return FALSE;
        }
      if (child_def->repeat)
        {
          JsonArray *array;
          guint wanted;
          guint index = 0;

          if (!JSON_NODE_HOLDS_ARRAY (member))
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                           "%s/%s: a repeat must be an array", ref, name);
              return FALSE;
            }
          array = json_node_get_array (member);
          wanted = json_array_get_length (array);
          while (_xform_count_instances (node, child_def, NULL) < wanted)
            _xform_create_instance (session, node, child_def, TRUE);
          for (xmlNode *child = node->children; child != NULL;)
            {
              xmlNode *next = child->next;
              if (_xform_def_of (child) == child_def)
                {
                  if (index < wanted)
                    {
                      if (!load_json_into (session, child, json_array_get_element (array, index), error))
                        return FALSE;
                    }
                  else
                    _xform_remove_instance (session, child);
                  index++;
                }
              child = next;
            }
        }
      else
        {
          xmlNode *child = _xform_find_below (node, child_def);
          if (child == NULL || !load_json_into (session, child, member, error))
            {
              if (child == NULL)
                g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                             "%s/%s is missing from the instance", ref, name);
              return FALSE;
            }
        }
    }
  return TRUE;

bad_shape:
  g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
               "%s: the JSON value has the wrong shape for %s", ref,
               _xform_def_is_leaf (def) ? "a question" : "a group");
  return FALSE;
}

/* Pre-fills from the shape clmrs_form_session_to_json() gives.  Calculated
 * and preloaded nodes and meta/instanceID are skipped; an unknown key
 * (NO_SUCH_NODE) or a value of the wrong type or shape (TYPE) is an error
 * naming it.  Repeats get as many instances as the arrays have. */
gboolean
clmrs_form_session_load_json (ClmrsFormSession  *session,
                              JsonNode          *answers,
                              GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (answers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = load_json_into (session, xmlDocGetRootElement (session->doc), answers, error);
  _xform_recalculate_all (session, FALSE);
  return ok;
}
