/* xform-session.c: sessions: the instance document being filled in, its repeat instances, language and properties. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "xpath-rewrite.h"

#include <libxml/parser.h>
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Sessions: the instance document                                     */

/* Points every element below @node at its NodeDef (NULL if unknown). */
static void
assign_defs (ClmrsForm *form,
             xmlNode   *node,
             NodeDef   *def)
{
  node->_private = def;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      {
        g_autofree char *name = _xform_qname_of (child);
        assign_defs (form, child, def != NULL ? _xform_def_child (def, name) : NULL);
      }
}

/* Removes the jr:template copies below @node. */
void
_xform_remove_templates (xmlNode *node)
{
  xmlNode *child = node->children;

  while (child != NULL)
    {
      xmlNode *next = child->next;
      if (child->type == XML_ELEMENT_NODE)
        {
          if (xmlHasNsProp (child, (const xmlChar *) "template", (const xmlChar *) CLMRS_JR_NS) != NULL)
            {
              xmlUnlinkNode (child);
              xmlFreeNode (child);
            }
          else
            _xform_remove_templates (child);
        }
      child = next;
    }
}

char *
_xform_node_value (xmlNode *node)
{
  if (node->children == NULL)
    return g_strdup ("");
  if (node->children->next == NULL && node->children->type == XML_TEXT_NODE)
    return g_strdup ((const char *) node->children->content);
  return _xform_node_text (node);
}

gboolean
_xform_node_has_value (xmlNode *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
        child->content != NULL && child->content[0] != '\0')
      return TRUE;
  return FALSE;
}

/* Sets a leaf's text; TRUE when it changed. */
gboolean
_xform_set_node_value (xmlNode    *node,
                       const char *value)
{
  g_autofree char *old = _xform_node_value (node);

  if (value == NULL)
    value = "";
  if (g_str_equal (old, value))
    return FALSE;
  xmlNodeSetContent (node, NULL);
  if (value[0] != '\0')
    xmlNodeAddContent (node, (const xmlChar *) value);
  return TRUE;
}

/* The index of a repeat instance among its siblings, from 1. */
static guint
instance_index (xmlNode *node)
{
  guint index = 1;

  for (xmlNode *sibling = node->prev; sibling != NULL; sibling = sibling->prev)
    if (sibling->type == XML_ELEMENT_NODE && sibling->_private == node->_private)
      index++;
  return index;
}

/* "/h/children/child[2]/age": an index on every repeat step. */
char *
_xform_ref_of (xmlNode *node)
{
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  GString *ref = g_string_new (NULL);

  for (; node != NULL && node->type == XML_ELEMENT_NODE; node = node->parent)
    {
      NodeDef *def = _xform_def_of (node);
      g_autofree char *name = _xform_qname_of (node);
      if (def != NULL && def->repeat)
        g_ptr_array_add (steps, g_strdup_printf ("%s[%u]", name, instance_index (node)));
      else
        g_ptr_array_add (steps, g_steal_pointer (&name));
    }
  for (guint i = steps->len; i > 0; i--)
    g_string_append_printf (ref, "/%s", (char *) steps->pdata[i - 1]);
  return g_string_free (ref, FALSE);
}

/* The node @ref names, or NULL.  A repeat step without an index is [1]. */
xmlNode *
_xform_resolve_ref (ClmrsFormSession *session,
                    const char       *ref)
{
  g_auto(GStrv) steps = NULL;
  xmlNode *node = xmlDocGetRootElement (session->doc);

  if (ref == NULL || ref[0] != '/')
    return NULL;
  steps = g_strsplit (ref + 1, "/", -1);
  for (guint i = 0; steps[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup (steps[i]);
      char *bracket = strchr (name, '[');
      guint64 index = 1;

      if (bracket != NULL)
        {
          char *end = NULL;
          index = g_ascii_strtoull (bracket + 1, &end, 10);
          if (end == NULL || end[0] != ']' || end[1] != '\0' || index == 0)
            return NULL;
          *bracket = '\0';
        }
      if (i == 0)
        {
          NodeDef *def = _xform_def_of (node);
          if (def == NULL || !g_str_equal (def->name, name) || index != 1)
            return NULL;
          continue;
        }
      {
        xmlNode *found = NULL;
        for (xmlNode *child = node->children; child != NULL && found == NULL; child = child->next)
          {
            NodeDef *def = _xform_def_of (child);
            if (def != NULL && g_str_equal (def->name, name) && --index == 0)
              found = child;
          }
        if (found == NULL)
          return NULL;
        node = found;
      }
    }
  return node;
}

/* The node of @def below @scope (whose def is an ancestor), first instances
 * of any repeat on the way. */
xmlNode *
_xform_find_below (xmlNode *scope,
                   NodeDef *def)
{
  NodeDef *scope_def = _xform_def_of (scope);
  NodeDef *chain[512];
  guint n = 0;
  xmlNode *node = scope;

  if (scope_def == def)
    return scope;
  if (scope_def != NULL && _xform_is_ancestor_or_self (def, scope_def))
    {
      while (node != NULL && node->type == XML_ELEMENT_NODE && _xform_def_of (node) != def)
        node = node->parent;
      return node != NULL && node->type == XML_ELEMENT_NODE ? node : NULL;
    }
  for (NodeDef *d = def; d != NULL && d != scope_def && n < G_N_ELEMENTS (chain); d = d->parent)
    chain[n++] = d;
  while (n > 0 && node != NULL)
    {
      NodeDef *want = chain[--n];
      xmlNode *child;
      for (child = node->children; child != NULL; child = child->next)
        if (_xform_def_of (child) == want)
          break;
      node = child;
    }
  return node;
}

void
_xform_collect_nodes (xmlNode   *node,
                      NodeDef   *target,
                      GPtrArray *out)
{
  NodeDef *def = _xform_def_of (node);

  if (def == target)
    {
      g_ptr_array_add (out, node);
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      NodeDef *child_def = _xform_def_of (child);
      if (child_def != NULL && child_def->depth <= target->depth && _xform_is_ancestor_or_self (child_def, target))
        _xform_collect_nodes (child, target, out);
    }
}

/* Every node of @def in the session, in document order. */
GPtrArray *
_xform_nodes_of (ClmrsFormSession *session,
                 NodeDef          *def)
{
  GPtrArray *nodes = g_ptr_array_new ();

  _xform_collect_nodes (xmlDocGetRootElement (session->doc), def, nodes);
  return nodes;
}

static void
forget_subtree (ClmrsFormSession *session,
                xmlNode          *node)
{
  g_hash_table_remove (session->nonrelevant, node);
  g_hash_table_remove (session->stash, node);
  g_hash_table_remove (session->awaiting_location, node);
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      forget_subtree (session, child);
}

gboolean
_xform_is_relevant (ClmrsFormSession *session,
                    xmlNode          *node)
{
  if (g_hash_table_size (session->nonrelevant) == 0)
    return TRUE;
  for (; node != NULL && node->type == XML_ELEMENT_NODE; node = node->parent)
    if (g_hash_table_contains (session->nonrelevant, node))
      return FALSE;
  return TRUE;
}

/* A leaf's value as the user and the API see it: a non-relevant leaf keeps
 * its answer aside (expressions see it empty, as in ODK Collect). */
char *
_xform_read_value (ClmrsFormSession *session,
                   xmlNode          *node)
{
  const char *stashed = g_hash_table_lookup (session->stash, node);

  return stashed != NULL ? g_strdup (stashed) : _xform_node_value (node);
}

/* Stores a leaf's value (aside when it is not relevant); TRUE if changed. */
gboolean
_xform_store_value (ClmrsFormSession *session,
                    xmlNode          *node,
                    const char       *value)
{
  const char *stashed = g_hash_table_lookup (session->stash, node);

  if (stashed == NULL)
    return _xform_set_node_value (node, value);
  if (g_str_equal (stashed, value ? value : ""))
    return FALSE;
  g_hash_table_insert (session->stash, node, g_strdup (value ? value : ""));
  return TRUE;
}

/* Puts aside the values of leaves below @node that are not relevant and
 * restores those that are again; adds the defs of leaves whose visible
 * value changed to @changed (when given).  TRUE if any changed. */
gboolean
_xform_sync_stash (ClmrsFormSession *session,
                   xmlNode          *node,
                   gboolean          parent_relevant,
                   GPtrArray        *changed)
{
  NodeDef *def = _xform_def_of (node);
  gboolean relevant = parent_relevant && !g_hash_table_contains (session->nonrelevant, node);
  gboolean any = FALSE;

  if (def == NULL)
    return FALSE;
  if (_xform_def_is_leaf (def))
    {
      gboolean stashed = g_hash_table_contains (session->stash, node);
      gboolean visible_change = FALSE;

      if (!relevant && !stashed)
        {
          visible_change = _xform_node_has_value (node);
          g_hash_table_insert (session->stash, node, _xform_node_value (node));
          _xform_set_node_value (node, NULL);
        }
      else if (relevant && stashed)
        {
          char *value = g_strdup (g_hash_table_lookup (session->stash, node));
          g_hash_table_remove (session->stash, node);
          visible_change = _xform_set_node_value (node, value);
          g_free (value);
        }
      if (visible_change && changed != NULL && !g_ptr_array_find (changed, def, NULL))
        g_ptr_array_add (changed, def);
      return visible_change;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      any |= _xform_sync_stash (session, child, relevant, changed);
  return any;
}


static gboolean
ns_used (xmlNode *node,
         xmlNs   *ns)
{
  if (node->ns == ns)
    return TRUE;
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    if (attr->ns == ns)
      return TRUE;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && ns_used (child, ns))
      return TRUE;
  return FALSE;
}

/* Removes the namespace declarations a copied instance no longer uses
 * (the jr: of its jr:template), so the submission stays clean. */
static void
drop_unused_namespaces (xmlNode *node)
{
  xmlNs **link = &node->nsDef;

  while (*link != NULL)
    {
      xmlNs *ns = *link;
      if (!ns_used (node, ns))
        {
          *link = ns->next;
          ns->next = NULL;
          xmlFreeNs (ns);
        }
      else
        link = &ns->next;
    }
}

/* A new repeat instance after the last one of @def under @parent (or where
 * the template sits), filled from the template with its defaults. */
xmlNode *
_xform_create_instance (ClmrsFormSession *session,
                        xmlNode          *parent,
                        NodeDef          *def,
                        gboolean          events)
{
  ClmrsForm *form = session->form;
  xmlNode *copy = xmlDocCopyNode (def->template, session->doc, 1);
  xmlNode *after = NULL;
  xmlNode *before = NULL;

  xmlUnsetNsProp (copy, xmlSearchNsByHref (session->doc, copy, (const xmlChar *) CLMRS_JR_NS),
                  (const xmlChar *) "template");
  _xform_remove_templates (copy);
  drop_unused_namespaces (copy);
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    {
      NodeDef *child_def = _xform_def_of (child);
      if (child_def == def)
        after = child;
      else if (child_def != NULL && child_def->order > def->order && before == NULL && after == NULL)
        before = child;
    }
  if (after != NULL)
    xmlAddNextSibling (after, copy);
  else if (before != NULL)
    xmlAddPrevSibling (before, copy);
  else
    xmlAddChild (parent, copy);
  assign_defs (form, copy, def);
  if (events)
    {
      _xform_preload_subtree (session, copy, FALSE);
      for (guint i = 0; i < form->setvalues->len; i++)
        {
          SetValue *setvalue = form->setvalues->pdata[i];
          g_autoptr(GPtrArray) targets = NULL;

          if (!setvalue->new_repeat)
            continue;
          targets = g_ptr_array_new ();
          if (_xform_is_ancestor_or_self (def, setvalue->target))
            _xform_collect_nodes (copy, setvalue->target, targets);
          else if (setvalue->repeat == def)
            {
              /* an action in the repeat's body may set a node outside it
               * (a counter of the instances added): the one nearest */
              xmlNode *scope = parent;
              xmlNode *target = NULL;

              while (scope != NULL && scope->type == XML_ELEMENT_NODE &&
                     !_xform_is_ancestor_or_self (_xform_def_of (scope), setvalue->target))
                scope = scope->parent;
              if (scope != NULL && scope->type == XML_ELEMENT_NODE)
                target = _xform_find_below (scope, setvalue->target);
              if (target != NULL)
                g_ptr_array_add (targets, target);
            }
          for (guint j = 0; j < targets->len; j++)
            _xform_run_setvalue (session, setvalue, targets->pdata[j]);
        }
      for (guint i = 0; i < form->calc_order->len; i++)
        {
          Bind *bind = form->calc_order->pdata[i];
          if (_xform_is_ancestor_or_self (def, bind->def))
            _xform_calculate_in (session, bind, copy);
        }
    }
  return copy;
}

guint
_xform_count_instances (xmlNode *parent,
                        NodeDef *def,
                        xmlNode **last)
{
  guint count = 0;

  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (_xform_def_of (child) == def)
      {
        count++;
        if (last != NULL)
          *last = child;
      }
  return count;
}

void
_xform_remove_instance (ClmrsFormSession *session,
                        xmlNode          *node)
{
  forget_subtree (session, node);
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

/* Makes every jr:count repeat hold as many instances as its count says.
 * TRUE when any instance was added or removed. */
gboolean
_xform_sync_counts (ClmrsFormSession *session)
{
  ClmrsForm *form = session->form;
  gboolean changed = FALSE;

  for (guint i = 0; i < form->counted->len; i++)
    {
      BodyNode *repeat = form->counted->pdata[i];
      g_autoptr(GPtrArray) parents = _xform_nodes_of (session, repeat->def->parent);

      for (guint p = 0; p < parents->len; p++)
        {
          xmlNode *parent = parents->pdata[p];
          xmlXPathObjectPtr result = _xform_evaluate (session, repeat->count, parent, NULL);
          double wanted = result != NULL ? xmlXPathCastToNumber (result) : NAN;
          guint target = isfinite (wanted) && wanted > 0 ? (guint) MIN (wanted, 500) : 0;
          xmlNode *last = NULL;
          guint have;

          if (result != NULL)
            xmlXPathFreeObject (result);
          have = _xform_count_instances (parent, repeat->def, &last);
          for (; have < target; have++, changed = TRUE)
            _xform_create_instance (session, parent, repeat->def, TRUE);
          for (; have > target; have--, changed = TRUE)
            {
              _xform_count_instances (parent, repeat->def, &last);
              _xform_remove_instance (session, last);
            }
        }
    }
  return changed;
}

/**
 * clmrs_form_session_new:
 *
 * Returns: (transfer full): a fresh filling of @form: defaults, preloads and
 * first-load setvalues applied, meta/instanceID set, all computed.
 */
ClmrsFormSession *
clmrs_form_session_new (ClmrsForm  *form,
                        GError    **error)
{
  return clmrs_form_session_new_full (form, NULL, error);
}

/* The last saved submission as the session's jr://instance/last-saved;
 * FALSE with @error when it is not XML of this form. */
static gboolean
set_last_saved (ClmrsFormSession  *session,
                const char        *xml,
                GError           **error)
{
  ClmrsForm *form = session->form;
  xmlDoc *doc;
  xmlNode *root;
  xmlNode *element;

  doc = xmlReadMemory (xml, (int) MIN (strlen (xml), G_MAXINT), "last-saved", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  if (root == NULL || !xmlStrEqual (root->name, form->primary->name))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_INVALID,
                   "the last saved submission is not a filling of %s (its root must be <%s>)",
                   form->id, (const char *) form->primary->name);
      if (doc != NULL)
        xmlFreeDoc (doc);
      return FALSE;
    }
  _clmrs_xml_strip_default_namespace (root);
  xmlUnlinkNode (root);
  element = xmlNewDocNode (doc, NULL, (const xmlChar *) "instance", NULL);
  xmlDocSetRootElement (doc, element);
  xmlAddChild (element, root);
  session->last_saved = doc;
  g_hash_table_replace (session->instances, g_strdup (form->last_saved_id), element);
  return TRUE;
}

/**
 * clmrs_form_session_new_full:
 * @last_saved: (nullable): the submission XML of the last filling of this
 *   form saved on the device, read by the form's jr://instance/last-saved
 *   instance (XLSForm's ${last-saved#name}); NULL when there is none, then
 *   that instance is the blank form
 *
 * Returns: (transfer full): a fresh filling of @form, or %NULL when
 * @last_saved is not XML of this form.
 */
ClmrsFormSession *
clmrs_form_session_new_full (ClmrsForm   *form,
                             const char  *last_saved,
                             GError     **error)
{
  ClmrsFormSession *session;
  xmlNode *root;

  g_return_val_if_fail (form != NULL, NULL);

  session = g_new0 (ClmrsFormSession, 1);
  session->form = clmrs_form_ref (form);
  session->nonrelevant = g_hash_table_new (NULL, NULL);
  session->stash = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  session->awaiting_location = g_hash_table_new (NULL, NULL);
  session->properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  session->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  session->language = g_strdup (form->default_lang);
  session->doc = xmlNewDoc ((const xmlChar *) "1.0");
  root = xmlDocCopyNode (form->primary, session->doc, 1);
  xmlDocSetRootElement (session->doc, root);
  _xform_remove_templates (root);
  assign_defs (form, root, form->root);

  session->xpath = xmlXPathNewContext (session->doc);
  _xform_register_namespaces (form, session->xpath);
  _clmrs_xpath_register_functions (session->xpath);
  clmrs_xpath_register_comparisons (session->xpath);
  session->xpath->userData = session;
  session->xpath->error = _xform_silent_xpath_error;

  if (last_saved != NULL && form->last_saved_id != NULL && !set_last_saved (session, last_saved, error))
    {
      clmrs_form_session_free (session);
      return NULL;
    }

  _xform_preload_subtree (session, root, FALSE);
  for (guint i = 0; i < form->setvalues->len; i++)
    {
      SetValue *setvalue = form->setvalues->pdata[i];
      g_autoptr(GPtrArray) targets = NULL;

      if (!setvalue->first_load)
        continue;
      targets = _xform_nodes_of (session, setvalue->target);
      for (guint j = 0; j < targets->len; j++)
        _xform_run_setvalue (session, setvalue, targets->pdata[j]);
    }
  _xform_recalculate_all (session, TRUE);
  return session;
}

/* Every node bound jr:preload="property" with jr:preloadParams @name. */
static GPtrArray *
property_nodes (ClmrsFormSession *session,
                const char       *name)
{
  GPtrArray *nodes = g_ptr_array_new ();

  for (guint i = 0; i < session->form->binds->len; i++)
    {
      Bind *bind = session->form->binds->pdata[i];
      const char *param = bind->preload_params;
      g_autoptr(GPtrArray) found = NULL;

      if (g_strcmp0 (bind->preload, "property") != 0 || param == NULL)
        continue;
      if (g_str_has_prefix (param, "uri:"))
        param += 4;
      if (!g_str_equal (param, name))
        continue;
      found = _xform_nodes_of (session, bind->def);
      g_ptr_array_extend (nodes, found, NULL, NULL);
    }
  return nodes;
}

/**
 * clmrs_form_session_set_property:
 * @name: an ODK property: "deviceid", "username", "email", "phonenumber", ...
 *
 * What the device knows of @name: the questions bound jr:preload="property"
 * jr:preloadParams="@name" still empty take @value, and so do those of repeat
 * instances added later.
 */
void
clmrs_form_session_set_property (ClmrsFormSession *session,
                                 const char       *name,
                                 const char       *value)
{
  g_autoptr(GPtrArray) nodes = NULL;

  g_return_if_fail (session != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  g_hash_table_replace (session->properties, g_strdup (name), g_strdup (value));
  nodes = property_nodes (session, name);
  for (guint i = 0; i < nodes->len; i++)
    {
      g_autofree char *old = _xform_read_value (session, nodes->pdata[i]);
      if (old[0] == '\0')
        _xform_store_value (session, nodes->pdata[i], value);
    }
  if (nodes->len > 0)
    _xform_recalculate_all (session, FALSE);
}

/**
 * clmrs_form_session_set_location:
 * @geopoint: "latitude longitude altitude accuracy"
 *
 * The device's location, for odk:setgeopoint: the targets of actions whose
 * event came before it was known take it now; later events take it at once.
 */
void
clmrs_form_session_set_location (ClmrsFormSession *session,
                                 const char       *geopoint)
{
  GHashTableIter iter;
  gpointer node;

  g_return_if_fail (session != NULL);
  g_return_if_fail (geopoint != NULL);

  g_free (session->location);
  session->location = g_strdup (geopoint);
  if (g_hash_table_size (session->awaiting_location) == 0)
    return;
  g_hash_table_iter_init (&iter, session->awaiting_location);
  while (g_hash_table_iter_next (&iter, &node, NULL))
    _xform_store_value (session, node, geopoint);
  g_hash_table_remove_all (session->awaiting_location);
  _xform_recalculate_all (session, FALSE);
}

/* Frees the session and its instance; the form keeps living while referenced. */
void
clmrs_form_session_free (ClmrsFormSession *session)
{
  if (session == NULL)
    return;
  xmlXPathFreeContext (session->xpath);
  xmlFreeDoc (session->doc);
  g_hash_table_unref (session->nonrelevant);
  g_hash_table_unref (session->stash);
  g_hash_table_unref (session->awaiting_location);
  g_hash_table_unref (session->properties);
  g_hash_table_unref (session->instances);
  if (session->last_saved != NULL)
    xmlFreeDoc (session->last_saved);
  g_free (session->location);
  g_free (session->language);
  g_free (session->instance_id);
  clmrs_form_unref (session->form);
  g_free (session);
}

/* Returns: (transfer none): the session's form. */
ClmrsForm *
clmrs_form_session_get_form (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->form;
}

/* meta/instanceID ("uuid:..."), or NULL if the form has none. */
const char *
clmrs_form_session_get_instance_id (ClmrsFormSession *session)
{
  g_autoptr(GPtrArray) nodes = NULL;

  g_return_val_if_fail (session != NULL, NULL);

  if (session->form->instance_id == NULL)
    return NULL;
  nodes = _xform_nodes_of (session, session->form->instance_id);
  if (nodes->len == 0)
    return NULL;
  g_free (session->instance_id);
  session->instance_id = _xform_read_value (session, nodes->pdata[0]);
  return session->instance_id;
}

/* Chooses the itext language: as written ("French (fr)"), its code ("fr")
 * or its name ("French"); an unknown one leaves the language unchanged. */
void
clmrs_form_session_set_language (ClmrsFormSession *session,
                                 const char       *language)
{
  ClmrsForm *form;

  g_return_if_fail (session != NULL);
  g_return_if_fail (language != NULL);

  form = session->form;
  for (int pass = 0; pass < 3; pass++)
    for (guint i = 0; i + 1 < form->languages->len; i++)
      {
        const char *lang = form->languages->pdata[i];
        g_autofree char *code = g_strdup_printf ("(%s)", language);
        gboolean match = pass == 0 ? g_str_equal (lang, language)
                       : pass == 1 ? g_str_has_suffix (lang, code)
                       : (g_ascii_strncasecmp (lang, language, strlen (language)) == 0 &&
                          (lang[strlen (language)] == '\0' || lang[strlen (language)] == ' '));
        if (match)
          {
            g_free (session->language);
            session->language = g_strdup (lang);
            return;
          }
      }
}

/* The itext language in use, as written ("French (fr)"); NULL when the
 * form has no itext. */
const char *
clmrs_form_session_get_language (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->language;
}

/**
 * clmrs_form_session_dup_title:
 *
 * The form's title in the session's language: the itext text with id
 * `clmrs:form-title` when the form has one (XForms gives h:title no
 * translation), else h:title.
 *
 * Returns: (transfer full): the title.
 */
char *
clmrs_form_session_dup_title (ClmrsFormSession *session)
{
  char *title;

  g_return_val_if_fail (session != NULL, NULL);

  title = _clmrs_form_session_itext (session, "clmrs:form-title");
  if (title != NULL && *title != '\0')
    return title;
  g_free (title);
  return g_strdup (clmrs_form_get_title (session->form));
}

/* For the XPath functions. */
xmlNode *
_clmrs_form_session_current_node (ClmrsFormSession *session)
{
  return session != NULL ? session->current : NULL;
}

xmlNode *
_clmrs_form_session_instance (ClmrsFormSession *session,
                              const char       *id)
{
  xmlNode *own;

  if (session == NULL)
    return NULL;
  own = g_hash_table_lookup (session->instances, id);
  return own != NULL ? own : g_hash_table_lookup (session->form->instances, id);
}

static xmlNode *
itext_value (ClmrsFormSession *session,
             const char       *id)
{
  ClmrsForm *form = session->form;
  const char *langs[] = { session->language, form->default_lang };

  for (gsize i = 0; i < G_N_ELEMENTS (langs); i++)
    {
      GHashTable *texts = langs[i] ? g_hash_table_lookup (form->itext, langs[i]) : NULL;
      xmlNode *value = texts ? g_hash_table_lookup (texts, id) : NULL;
      if (value != NULL)
        return value;
    }
  return NULL;
}

char *
_clmrs_form_session_itext (ClmrsFormSession *session,
                           const char       *id)
{
  xmlNode *value;

  if (session == NULL)
    return NULL;
  value = itext_value (session, id);
  return value != NULL ? g_strstrip (_xform_node_text (value)) : NULL;
}

/* ------------------------------------------------------------------ */
/* Repeats                                                             */

/* The parent node and repeat def for "/h/children/child" (outer repeat
 * steps indexed), or NULL with NO_SUCH_NODE. */
xmlNode *
_xform_resolve_repeat (ClmrsFormSession  *session,
                       const char        *repeat_path,
                       NodeDef          **def_out,
                       GError           **error)
{
  g_autofree char *parent_ref = NULL;
  const char *slash = repeat_path ? strrchr (repeat_path, '/') : NULL;
  xmlNode *parent;
  NodeDef *def;

  if (slash == NULL || slash == repeat_path)
    goto fail;
  parent_ref = g_strndup (repeat_path, slash - repeat_path);
  parent = _xform_resolve_ref (session, parent_ref);
  def = _xform_def_child (_xform_def_of (parent), slash + 1);
  if (parent == NULL || def == NULL || !def->repeat)
    goto fail;
  *def_out = def;
  return parent;

fail:
  g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
               "%s names no repeat of form %s", repeat_path ? repeat_path : "(null)", session->form->id);
  return NULL;
}

/* Returns: (transfer full): the new instance's ref, "/h/children/child[3]". */
char *
clmrs_form_session_add_repeat (ClmrsFormSession  *session,
                               const char        *repeat_path,
                               GError           **error)
{
  NodeDef *def = NULL;
  xmlNode *parent, *instance;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parent = _xform_resolve_repeat (session, repeat_path, &def, error);
  if (parent == NULL)
    return NULL;
  if (def->repeat_body != NULL && (def->repeat_body->count != NULL || def->repeat_body->no_add_remove))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY,
                   "%s: its instances are %s", repeat_path,
                   def->repeat_body->count ? "counted by jr:count" : "fixed (jr:noAddRemove)");
      return NULL;
    }
  instance = _xform_create_instance (session, parent, def, TRUE);
  _xform_settle_new_instance (session, def, instance);
  return _xform_ref_of (instance);
}

/* Removes a repeat instance; later instances move up one index.  Refused
 * for jr:count and jr:noAddRemove repeats (READONLY). */
gboolean
clmrs_form_session_remove_repeat (ClmrsFormSession  *session,
                                  const char        *instance_ref,
                                  GError           **error)
{
  xmlNode *node;
  NodeDef *def;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  node = _xform_resolve_ref (session, instance_ref);
  def = _xform_def_of (node);
  if (node == NULL || def == NULL || !def->repeat)
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                   "%s names no repeat instance of form %s", instance_ref ? instance_ref : "(null)",
                   session->form->id);
      return FALSE;
    }
  if (def->repeat_body != NULL && (def->repeat_body->count != NULL || def->repeat_body->no_add_remove))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY,
                   "%s: its instances are %s", instance_ref,
                   def->repeat_body->count ? "counted by jr:count" : "fixed (jr:noAddRemove)");
      return FALSE;
    }
  _xform_remove_instance (session, node);
  _xform_recalculate_all (session, FALSE);
  return TRUE;
}

/* The number of instances of @repeat_path (0 when it names no repeat). */
guint
clmrs_form_session_count_repeat (ClmrsFormSession *session,
                                 const char       *repeat_path)
{
  NodeDef *def = NULL;
  xmlNode *parent;

  g_return_val_if_fail (session != NULL, 0);

  parent = _xform_resolve_repeat (session, repeat_path, &def, NULL);
  return parent != NULL ? _xform_count_instances (parent, def, NULL) : 0;
}

/* The relevant instances of @repeat_path in document order, each with the
 * clmrs:field answers that name it (empty when it names no repeat). */
GPtrArray *
clmrs_form_session_list_repeat_instances (ClmrsFormSession *session,
                                          const char       *repeat_path)
{
  GPtrArray *out;
  NodeDef *def = NULL;
  xmlNode *parent;
  guint position = 0;

  g_return_val_if_fail (session != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_repeat_instance_free);
  parent = _xform_resolve_repeat (session, repeat_path, &def, NULL);
  for (xmlNode *child = parent != NULL ? parent->children : NULL; child != NULL; child = child->next)
    {
      ClmrsRepeatInstance *instance;

      if (_xform_def_of (child) != def || !_xform_is_relevant (session, child))
        continue;
      instance = g_new0 (ClmrsRepeatInstance, 1);
      instance->ref = _xform_ref_of (child);
      instance->position = ++position;
      instance->name = _xform_instance_field (session, child, "name");
      instance->sex = _xform_instance_field (session, child, "sex");
      instance->age = _xform_instance_field (session, child, "age");
      g_ptr_array_add (out, instance);
    }
  return out;
}
