/* xform-entities.c: the CLMRS entity mapping: what a filled form says about people, households and profiles. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Entities                                                            */

void
clmrs_entity_data_free (ClmrsEntityData *data)
{
  if (data == NULL)
    return;
  g_free (data->ref);
  g_clear_pointer (&data->profile, json_object_unref);
  g_clear_pointer (&data->field_refs, json_object_unref);
  g_clear_pointer (&data->fields, json_object_unref);
  g_free (data);
}

typedef enum { PROFILE_STRING, PROFILE_NUMBER, PROFILE_BOOL, PROFILE_ARRAY } ProfileKind;

static ProfileKind
profile_kind (const char *field,
              ClmrsDataType type)
{
  static const char *bools[] = { "in_school", "night_work_7d", "immediate_danger" };
  static const char *arrays[] = { "tasks_7d", "tasks_12m", "tasks_since_last", "hazard_conditions", "abuse", "wfcl_signals" };
  static const char *numbers[] = { "age", "econ_hours_7d", "chores_hours_7d" };

  for (gsize i = 0; i < G_N_ELEMENTS (bools); i++)
    if (g_str_equal (field, bools[i]))
      return PROFILE_BOOL;
  for (gsize i = 0; i < G_N_ELEMENTS (arrays); i++)
    if (g_str_equal (field, arrays[i]))
      return PROFILE_ARRAY;
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (g_str_equal (field, numbers[i]))
      return PROFILE_NUMBER;
  switch (type)
    {
    case CLMRS_TYPE_INT:
    case CLMRS_TYPE_DECIMAL:
      return PROFILE_NUMBER;
    case CLMRS_TYPE_BOOLEAN:
      return PROFILE_BOOL;
    case CLMRS_TYPE_SELECT:
      return PROFILE_ARRAY;
    default:
      return PROFILE_STRING;
    }
}

/* Sets @field from @value typed as the profile wants; a value that does
 * not convert stays a string, for the rules to report. */
static void
set_profile_member (JsonObject    *profile,
                    const char    *field,
                    ClmrsDataType  type,
                    const char    *value)
{
  switch (profile_kind (field, type))
    {
    case PROFILE_BOOL:
      if (g_str_equal (value, "yes") || g_str_equal (value, "true") || g_str_equal (value, "1"))
        json_object_set_boolean_member (profile, field, TRUE);
      else if (g_str_equal (value, "no") || g_str_equal (value, "false") || g_str_equal (value, "0"))
        json_object_set_boolean_member (profile, field, FALSE);
      else
        json_object_set_string_member (profile, field, value);
      return;
    case PROFILE_NUMBER:
      if (_xform_is_decimal (value))
        {
          double number = g_ascii_strtod (value, NULL);
          if (number == trunc (number) && fabs (number) < 1e15)
            json_object_set_int_member (profile, field, (gint64) number);
          else
            json_object_set_double_member (profile, field, number);
        }
      else
        json_object_set_string_member (profile, field, value);
      return;
    case PROFILE_ARRAY:
      {
        g_auto(GStrv) parts = g_strsplit_set (value, " \t\n", -1);
        JsonArray *array = json_array_new ();
        for (guint i = 0; parts[i] != NULL; i++)
          if (parts[i][0] != '\0')
            json_array_add_string_element (array, parts[i]);
        json_object_set_array_member (profile, field, array);
        return;
      }
    case PROFILE_STRING:
    default:
      json_object_set_string_member (profile, field, value);
      return;
    }
}

static void
gather_entity (ClmrsFormSession *session,
               xmlNode          *node,
               ClmrsEntityData  *data,
               gboolean          top,
               gboolean          relevant)
{
  NodeDef *def = _xform_def_of (node);
  Bind *bind;

  if (def == NULL)
    return;
  /* below a question not asked yet the refs are still known (to prefill
     them), the values are not */
  relevant = relevant && !g_hash_table_contains (session->nonrelevant, node);
  bind = def->bind;
  if (!top && bind != NULL && bind->entity != NULL)
    return;
  if (_xform_def_is_leaf (def))
    {
      g_autofree char *value = NULL;
      if (bind == NULL || (bind->profile == NULL && bind->field == NULL))
        return;
      if (!relevant && bind->field == NULL)
        return;
      value = g_strstrip (_xform_node_value (node));
      if (bind->field != NULL)
        {
          g_autofree char *leaf = _xform_ref_of (node);
          json_object_set_string_member (data->field_refs, bind->field, leaf);
        }
      if (!relevant || value[0] == '\0')
        {
          /* a relevant list left empty is a list with nothing in it (the
           * child did no hazardous task): XForms has no other way to say so */
          if (bind->profile != NULL && profile_kind (bind->profile, _xform_type_of (def)) == PROFILE_ARRAY)
            json_object_set_array_member (data->profile, bind->profile, json_array_new ());
          return;
        }
      if (bind->profile != NULL)
        set_profile_member (data->profile, bind->profile, _xform_type_of (def), value);
      if (bind->field != NULL)
        json_object_set_string_member (data->fields, bind->field, value);
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      gather_entity (session, child, data, FALSE, relevant);
}

static void
gather_field_paths (NodeDef    *def,
                    NodeDef    *top,
                    JsonObject *field_paths)
{
  if (def != top && (def->repeat || (def->bind != NULL && def->bind->entity != NULL)))
    return;   /* a nested repeat or entity has fields of its own */
  if (_xform_def_is_leaf (def))
    {
      if (def != top && def->bind != NULL && def->bind->field != NULL &&
          !json_object_has_member (field_paths, def->bind->field))
        json_object_set_string_member (field_paths, def->bind->field, def->path + strlen (top->path) + 1);
      return;
    }
  for (guint i = 0; def->children != NULL && i < def->children->len; i++)
    gather_field_paths (def->children->pdata[i], top, field_paths);
}

/* One ClmrsEntityData per repeat bound with clmrs:entity=@entity (so also
 * while it has no instance), in document order: ref is the repeat's path
 * without indices ("/h/children/child"), field_refs maps each clmrs:field
 * below it (not below a nested repeat or entity) to its leaf's path
 * relative to one instance ("identity/name"); profile and fields are empty. */
GPtrArray *
clmrs_form_get_entity_repeats (ClmrsForm  *form,
                               const char *entity)
{
  GPtrArray *out;

  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_entity_data_free);
  for (guint i = 0; i < form->binds->len; i++)
    {
      Bind *bind = form->binds->pdata[i];
      ClmrsEntityData *data;

      if (g_strcmp0 (bind->entity, entity) != 0 || !bind->def->repeat)
        continue;
      data = g_new0 (ClmrsEntityData, 1);
      data->ref = g_strdup (bind->def->path);
      data->profile = json_object_new ();
      data->fields = json_object_new ();
      data->field_refs = json_object_new ();
      gather_field_paths (bind->def, bind->def, data->field_refs);
      g_ptr_array_add (out, data);
    }
  return out;
}

/* One ClmrsEntityData per relevant instance of each group or repeat bound
 * with clmrs:entity=@entity, in document order: its clmrs:profile values
 * typed for the rules, its clmrs:field values as strings; empty and
 * non-relevant values are left out (their field refs are given), nested
 * entities keep their own. */
GPtrArray *
clmrs_form_session_get_entities (ClmrsFormSession *session,
                                 const char       *entity)
{
  GPtrArray *out;
  ClmrsForm *form;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  form = session->form;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_entity_data_free);
  for (guint i = 0; i < form->binds->len; i++)
    {
      Bind *bind = form->binds->pdata[i];
      g_autoptr(GPtrArray) nodes = NULL;

      if (g_strcmp0 (bind->entity, entity) != 0)
        continue;
      nodes = _xform_nodes_of (session, bind->def);
      for (guint n = 0; n < nodes->len; n++)
        {
          ClmrsEntityData *data;
          if (!_xform_is_relevant (session, nodes->pdata[n]))
            continue;
          data = g_new0 (ClmrsEntityData, 1);
          data->ref = _xform_ref_of (nodes->pdata[n]);
          data->profile = json_object_new ();
          data->fields = json_object_new ();
          data->field_refs = json_object_new ();
          gather_entity (session, nodes->pdata[n], data, TRUE, TRUE);
          g_ptr_array_add (out, data);
        }
    }
  return out;
}
