/* xform-body.c: loading an XForm's body: controls, groups, repeats, static choices, itemsets and ranges. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include <math.h>
#include <string.h>

/* TRUE when @source is one call randomize(NODES[, SEED]); its arguments
 * text goes to @nodes and @seed (NULL without one). */
static gboolean
split_randomize (const char  *source,
                 char       **nodes,
                 char       **seed)
{
  g_autofree char *text = g_strstrip (g_strdup (source));
  const char *p = text + strlen ("randomize");
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const char *arg_start;
  int depth = 0;
  char quote = 0;

  if (!g_str_has_prefix (text, "randomize"))
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '(')
    return FALSE;
  arg_start = ++p;
  for (; *p != '\0'; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '\'' || *p == '"')
        quote = *p;
      else if (*p == '(' || *p == '[')
        depth++;
      else if ((*p == ']' || *p == ')') && depth > 0)
        depth--;
      else if (*p == ',' && depth == 0)
        {
          g_ptr_array_add (args, g_strndup (arg_start, p - arg_start));
          arg_start = p + 1;
        }
      else if (*p == ')')
        break;
    }
  if (*p != ')' || p[1] != '\0')
    return FALSE;   /* randomize(...) is only part of the expression */
  g_ptr_array_add (args, g_strndup (arg_start, p - arg_start));
  if (args->len > 2)
    return FALSE;
  *nodes = g_strdup (args->pdata[0]);
  *seed = args->len == 2 ? g_strdup (args->pdata[1]) : NULL;
  return TRUE;
}

/* XLSForm's choice filter on a list, instance('x')/root/item[col = PATH]
 * with PATH a plain path from current() or the root: the items are indexed
 * by col once, at load, so filtering a 10,000-row list looks one value up
 * instead of testing every row (_xform_choices_of()).  Anything else is left to
 * XPath. */
void
_xform_index_itemset (Loader     *loader,
                      BodyNode   *node,
                      const char *source,
                      int         line,
                      const char *desc)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *id = NULL;
  g_autofree char *column = NULL;
  g_autofree char *path = NULL;
  const char *rest;
  xmlNode *instance;
  xmlNode *root = NULL;

  if (node->itemset == NULL)
    return;
  regex = g_regex_new ("^\\s*instance\\(\\s*'([^']+)'\\s*\\)\\s*/\\s*root\\s*/\\s*item\\s*\\["
                       "\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*=\\s*([^][\"']+?)\\s*\\]\\s*$", 0, 0, NULL);
  if (!g_regex_match (regex, source, 0, &match))
    return;
  id = g_match_info_fetch (match, 1);
  column = g_match_info_fetch (match, 2);
  path = g_match_info_fetch (match, 3);
  if (g_str_has_prefix (path, "current()"))
    rest = path + strlen ("current()");
  else if (path[0] == '/')
    rest = path;
  else
    return;
  if (strpbrk (rest, "()=<>!|+*, ") != NULL || strstr (rest, " div ") != NULL)
    return;
  instance = g_hash_table_lookup (loader->form->instances, id);
  for (xmlNode *child = instance != NULL ? instance->children : NULL; child != NULL && root == NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      root = child;
  if (root == NULL || !xmlStrEqual (root->name, (const xmlChar *) "root"))
    return;
  node->filter_value = _xform_compile_expr (loader, path, node->def, NULL, line, desc, "itemset filter");
  if (node->filter_value == NULL)
    return;
  node->filter_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  for (xmlNode *item = root->children; item != NULL; item = item->next)
    {
      if (item->type != XML_ELEMENT_NODE || !xmlStrEqual (item->name, (const xmlChar *) "item"))
        continue;
      for (xmlNode *cell = item->children; cell != NULL; cell = cell->next)
        {
          g_autofree char *value = NULL;
          GPtrArray *items;

          if (cell->type != XML_ELEMENT_NODE || !xmlStrEqual (cell->name, (const xmlChar *) column))
            continue;
          value = _xform_node_text (cell);
          items = g_hash_table_lookup (node->filter_index, value);
          if (items == NULL)
            {
              items = g_ptr_array_new ();
              g_hash_table_insert (node->filter_index, g_strdup (value), items);
            }
          if (items->len == 0 || items->pdata[items->len - 1] != item)
            g_ptr_array_add (items, item);
        }
    }
}

/* A number attribute of <range>; FALSE after adding a problem. */
static gboolean
range_number (Loader     *loader,
              xmlNode    *element,
              const char *desc,
              const char *name,
              double     *out)
{
  g_autofree char *text = _xform_get_attr (element, name);
  char *end = NULL;

  if (text != NULL)
    *out = g_ascii_strtod (g_strstrip (text), &end);
  if (text == NULL || end == text || *end != '\0' || !isfinite (*out))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "a range needs a number in %s, not '%s'", name, text ? text : "");
      return FALSE;
    }
  return TRUE;
}

/* <range start end step>: a number from start to end (either way round)
 * in steps of step; the bind's type says int or decimal. */
static void
load_range (Loader     *loader,
            xmlNode    *element,
            BodyNode   *node,
            const char *desc)
{
  ClmrsDataType type = node->def->bind != NULL ? node->def->bind->type : CLMRS_TYPE_STRING;

  if (!range_number (loader, element, desc, "start", &node->range_start) ||
      !range_number (loader, element, desc, "end", &node->range_end) ||
      !range_number (loader, element, desc, "step", &node->range_step))
    return;
  if (node->range_step <= 0 || node->range_step > fabs (node->range_end - node->range_start))
    _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                        "a range's step must be above 0 and at most end - start");
  if (type != CLMRS_TYPE_INT && type != CLMRS_TYPE_DECIMAL)
    _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                        "a range is bound to an int or a decimal");
}

static BodyNode *
body_node_new (BodyKind  kind,
               xmlNode  *element)
{
  BodyNode *node = g_new0 (BodyNode, 1);

  node->kind = kind;
  node->line = _xform_line_of (element);
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_body_node_free);
  node->appearance = _xform_get_attr (element, "appearance");
  return node;
}

static void
load_control (Loader   *loader,
              xmlNode  *element,
              BodyKind  kind,
              BodyNode *parent,
              NodeDef  *scope)
{
  ClmrsForm *form = loader->form;
  g_autofree char *ref = _xform_get_attr (element, "ref");
  g_autofree char *bind_id = _xform_get_attr (element, "bind");
  g_autofree char *desc = NULL;
  NodeDef *def = NULL;
  BodyNode *node;

  if (ref == NULL && bind_id != NULL)
    {
      Bind *bind = g_hash_table_lookup (form->binds_by_id, bind_id);
      if (bind != NULL)
        def = bind->def;
    }
  else if (ref != NULL)
    def = _xform_lookup_def (form, ref, scope);
  desc = g_strdup_printf ("%s[@ref='%s']", element->name, ref ? ref : (bind_id ? bind_id : ""));
  if (def == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          ref || bind_id ? "%s is not a node of the primary instance" : "the control has no ref%s",
                          ref ? ref : (bind_id ? bind_id : ""));
      return;
    }
  if (!_xform_def_is_leaf (def))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "%s is a group, not a question", def->path);
      return;
    }
  node = body_node_new (kind, element);
  node->def = def;
  if (def->control == NULL)
    def->control = node;
  g_ptr_array_add (parent->children, node);

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE)
        continue;
      if (_xform_is_element (child, NULL, "label"))
        node->label = _xform_load_label (loader, child, def, desc);
      else if (_xform_is_element (child, NULL, "hint"))
        node->hint = _xform_load_label (loader, child, def, desc);
      else if (_xform_is_element (child, NULL, "setvalue") || _xform_is_element (child, CLMRS_ODK_NS, "setgeopoint"))
        _xform_load_setvalue (loader, child, scope, def);
      else if (_xform_is_element (child, NULL, "item") && IS_CHOICE_KIND (kind))
        {
          Item *item = g_new0 (Item, 1);
          for (xmlNode *part = child->children; part != NULL; part = part->next)
            if (_xform_is_element (part, NULL, "value"))
              item->value = g_strstrip (_xform_node_text (part));
            else if (_xform_is_element (part, NULL, "label"))
              item->label = _xform_load_label (loader, part, def, desc);
          if (node->items == NULL)
            node->items = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_item_free);
          g_ptr_array_add (node->items, item);
          if (item->value == NULL || item->value[0] == '\0' || strchr (item->value, ' ') != NULL)
            _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (child), desc,
                                "a choice value must be one word, not '%s'", item->value ? item->value : "");
        }
      else if (_xform_is_element (child, NULL, "itemset") && IS_CHOICE_KIND (kind))
        {
          g_autofree char *nodeset = _xform_get_attr (child, "nodeset");
          g_autofree char *shuffled = NULL;
          g_autofree char *seed = NULL;

          /* randomize() around an itemset is the engine's (as JavaRosa's
           * ItemsetBinding): libxml2 returns node-sets in document order */
          if (nodeset != NULL && split_randomize (nodeset, &shuffled, &seed))
            {
              node->randomize = TRUE;
              node->itemset = _xform_compile_expr (loader, shuffled, def, NULL, _xform_line_of (child), desc,
                                                   "itemset nodeset");
              _xform_index_itemset (loader, node, shuffled, _xform_line_of (child), desc);
              if (seed != NULL)
                node->randomize_seed = _xform_compile_expr (loader, seed, def, NULL, _xform_line_of (child),
                                                            desc, "randomize seed");
            }
          else
            {
              node->itemset = _xform_compile_expr (loader, nodeset, def, NULL, _xform_line_of (child), desc,
                                                   "itemset nodeset");
              _xform_index_itemset (loader, node, nodeset, _xform_line_of (child), desc);
            }
          for (xmlNode *part = child->children; part != NULL; part = part->next)
            {
              g_autofree char *part_ref = NULL;
              if (part->type != XML_ELEMENT_NODE)
                continue;
              part_ref = _xform_get_attr (part, "ref");
              if (_xform_is_element (part, NULL, "value"))
                node->item_value = _xform_compile_expr (loader, part_ref, NULL, def, _xform_line_of (part),
                                                        desc, "itemset value");
              else if (_xform_is_element (part, NULL, "label"))
                node->item_label = _xform_compile_expr (loader, part_ref, NULL, def, _xform_line_of (part),
                                                        desc, "itemset label");
            }
          if (node->item_value == NULL || node->item_label == NULL)
            _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (child), desc,
                                "an itemset needs a value ref and a label ref");
        }
      else if (!_xform_is_element (child, NULL, "help") && !_xform_is_element (child, NULL, "alert"))
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (child), desc,
                            "<%s> inside a control is not supported", child->name);
    }
  if (IS_CHOICE_KIND (kind) && node->items == NULL && node->itemset == NULL)
    _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc, "a select has no choices");
  if (kind == BODY_RANGE)
    load_range (loader, element, node, desc);
  if (kind == BODY_UPLOAD)
    {
      g_autofree char *accept = _xform_get_attr (element, "accept");

      /* the spec: accept, when given, wins over mediatype */
      node->mediatype = accept != NULL ? g_steal_pointer (&accept) : _xform_get_attr (element, "mediatype");
      if (def->bind == NULL || def->bind->type != CLMRS_TYPE_BINARY)
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                            "an <upload> needs a bind of type binary on %s", def->path);
    }
}

static void
load_group (Loader   *loader,
            xmlNode  *element,
            BodyKind  kind,
            BodyNode *parent,
            NodeDef  *scope)
{
  ClmrsForm *form = loader->form;
  g_autofree char *ref = _xform_get_attr (element, kind == BODY_REPEAT ? "nodeset" : "ref");
  g_autofree char *desc = NULL;
  NodeDef *def = NULL;
  BodyNode *node;

  desc = g_strdup_printf ("%s[@%s='%s']", element->name, kind == BODY_REPEAT ? "nodeset" : "ref", ref ? ref : "");
  if (ref != NULL)
    {
      def = _xform_lookup_def (form, ref, scope);
      if (def == NULL)
        {
          _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                              "%s is not a node of the primary instance", ref);
          return;
        }
    }
  else if (kind == BODY_REPEAT)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), "repeat",
                          "a repeat has no nodeset");
      return;
    }
  node = body_node_new (kind, element);
  node->def = def;
  g_ptr_array_add (parent->children, node);
  if (kind == BODY_REPEAT)
    {
      g_autofree char *count = _xform_get_ns_attr (element, "count", CLMRS_JR_NS);
      g_autofree char *fixed = _xform_get_ns_attr (element, "noAddRemove", CLMRS_JR_NS);

      if (def->parent == NULL)
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                            "the instance root cannot repeat");
      def->repeat = TRUE;
      def->repeat_body = node;
      if (count != NULL && def->parent != NULL)
        {
          node->count = _xform_compile_expr_lifted (loader, count, def, def->parent, def,
                                                    _xform_line_of (element), desc, "jr:count");
          if (node->count != NULL)
            g_ptr_array_add (form->counted, node);
        }
      node->no_add_remove = fixed != NULL && (g_str_has_prefix (fixed, "true") || g_str_equal (fixed, "1"));
    }
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (_xform_is_element (child, NULL, "label"))
        node->label = _xform_load_label (loader, child, def ? def : scope, desc);
      else if (_xform_is_element (child, NULL, "hint"))
        node->hint = _xform_load_label (loader, child, def ? def : scope, desc);
    }
  _xform_load_body_children (loader, element, node, def ? def : scope);
}

void
_xform_load_body_children (Loader   *loader,
                           xmlNode  *element,
                           BodyNode *parent,
                           NodeDef  *scope)
{
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      const char *name = (const char *) child->name;
      gboolean xforms;

      if (child->type != XML_ELEMENT_NODE)
        continue;
      xforms = child->ns == NULL || xmlStrEqual (child->ns->href, (const xmlChar *) CLMRS_XFORMS_NS);
      if (_xform_is_element (child, CLMRS_ODK_NS, "setvalue") || _xform_is_element (child, CLMRS_ODK_NS, "setgeopoint"))
        _xform_load_setvalue (loader, child, scope, NULL);
      else if (_xform_is_element (child, CLMRS_ODK_NS, "rank"))
        load_control (loader, child, BODY_RANK, parent, scope);
      else if (!xforms)
        {
          g_autofree char *qname = _xform_qname_of (child);
          _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (child), qname,
                              "the control <%s> is not supported", qname);
        }
      else if (g_str_equal (name, "label") || g_str_equal (name, "hint"))
        {
          if (parent->kind != BODY_GROUP && parent->kind != BODY_REPEAT)
            _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (child), name,
                                "a <%s> outside a control", name);
        }
      else if (g_str_equal (name, "group"))
        load_group (loader, child, BODY_GROUP, parent, scope);
      else if (g_str_equal (name, "repeat"))
        load_group (loader, child, BODY_REPEAT, parent, scope);
      else if (g_str_equal (name, "input"))
        load_control (loader, child, BODY_INPUT, parent, scope);
      else if (g_str_equal (name, "select1"))
        load_control (loader, child, BODY_SELECT1, parent, scope);
      else if (g_str_equal (name, "select"))
        load_control (loader, child, BODY_SELECT, parent, scope);
      else if (g_str_equal (name, "trigger"))
        load_control (loader, child, BODY_TRIGGER, parent, scope);
      else if (g_str_equal (name, "range"))
        load_control (loader, child, BODY_RANGE, parent, scope);
      else if (g_str_equal (name, "upload"))
        load_control (loader, child, BODY_UPLOAD, parent, scope);
      else if (g_str_equal (name, "setvalue"))
        _xform_load_setvalue (loader, child, scope, NULL);
      else
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (child), name,
                            "the control <%s> is not supported", name);
    }
}
