/* xform-load.c: loading an XForm: itext, the primary instance, binds, setvalues, external instances, the calculation order. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "assets.h"

#include <libxml/parser.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void append_segments (Loader     *loader,
                             xmlNode    *element,
                             NodeDef    *context,
                             const char *node,
                             GPtrArray  *segments);

static void
append_segments (Loader     *loader,
                 xmlNode    *element,
                 NodeDef    *context,
                 const char *node,
                 GPtrArray  *segments)
{
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
        {
          Segment *segment = g_new0 (Segment, 1);
          segment->text = g_strdup ((const char *) child->content);
          g_ptr_array_add (segments, segment);
        }
      else if (_xform_is_element (child, NULL, "output"))
        {
          g_autofree char *value = _xform_get_attr (child, "value");
          Expr *expr;

          if (value == NULL)
            value = _xform_get_attr (child, "ref");
          expr = _xform_compile_expr (loader, value, context, NULL, _xform_line_of (child), node, "output value");
          if (expr != NULL)
            {
              Segment *segment = g_new0 (Segment, 1);
              segment->expr = expr;
              g_ptr_array_add (segments, segment);
            }
        }
      else if (child->type == XML_ELEMENT_NODE)
        append_segments (loader, child, context, node, segments);
    }
}

/* The id in "jr:itext('id')", or NULL. */
static char *
itext_id_of (const char *ref)
{
  g_autoptr(GRegex) regex = g_regex_new ("^\\s*jr:itext\\(\\s*(['\"])(.*)\\1\\s*\\)\\s*$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (ref == NULL || !g_regex_match (regex, ref, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 2);
}

static Label *
label_new (Loader *loader)
{
  Label *label = g_new0 (Label, 1);

  g_ptr_array_add (loader->form->labels, label);
  return label;
}

/* Fills @label from the itext entries named @id; FALSE if there is none. */
static gboolean
label_from_itext (Loader     *loader,
                  Label      *label,
                  const char *id,
                  NodeDef    *context,
                  const char *node)
{
  label->by_lang = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i + 1 < loader->form->languages->len; i++)
    {
      const char *lang = loader->form->languages->pdata[i];
      GHashTable *texts = g_hash_table_lookup (loader->form->itext, lang);
      xmlNode *value = texts != NULL ? g_hash_table_lookup (texts, id) : NULL;

      if (value != NULL)
        {
          GPtrArray *segments = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_segment_free);
          append_segments (loader, value, context, node, segments);
          g_hash_table_insert (label->by_lang, (gpointer) lang, segments);
        }
    }
  return g_hash_table_size (label->by_lang) > 0;
}

/* A <label> or <hint>: inline text with outputs, or a jr:itext reference. */
Label *
_xform_load_label (Loader     *loader,
                   xmlNode    *element,
                   NodeDef    *context,
                   const char *node)
{
  g_autofree char *ref = _xform_get_attr (element, "ref");
  g_autofree char *id = itext_id_of (ref);
  Label *label = label_new (loader);

  if (id != NULL)
    {
      if (!label_from_itext (loader, label, id, context, node))
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), node,
                            "no itext text has id '%s'", id);
    }
  else if (ref != NULL)
    {
      Expr *expr = _xform_compile_expr (loader, ref, context, NULL, _xform_line_of (element), node, "label ref");
      label->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_segment_free);
      if (expr != NULL)
        {
          Segment *segment = g_new0 (Segment, 1);
          segment->expr = expr;
          g_ptr_array_add (label->plain, segment);
        }
    }
  else
    {
      label->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_segment_free);
      append_segments (loader, element, context, node, label->plain);
    }
  return label;
}

/* A jr:constraintMsg / jr:requiredMsg: literal text or jr:itext('id'). */
static Label *
load_message (Loader     *loader,
              const char *text,
              NodeDef    *context,
              int         line,
              const char *node)
{
  g_autofree char *id = itext_id_of (text);
  Label *label = label_new (loader);

  if (id != NULL)
    {
      if (!label_from_itext (loader, label, id, context, node))
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line, node, "no itext text has id '%s'", id);
    }
  else
    {
      Segment *segment = g_new0 (Segment, 1);
      segment->text = g_strdup (text);
      label->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_segment_free);
      g_ptr_array_add (label->plain, segment);
    }
  return label;
}

static void
load_itext (Loader  *loader,
            xmlNode *itext)
{
  ClmrsForm *form = loader->form;

  for (xmlNode *translation = itext->children; translation != NULL; translation = translation->next)
    {
      g_autofree char *lang = NULL;
      g_autofree char *is_default = NULL;
      GHashTable *texts;

      if (!_xform_is_element (translation, NULL, "translation"))
        continue;
      lang = _xform_get_attr (translation, "lang");
      if (lang == NULL)
        {
          _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (translation), "translation",
                              "a translation has no lang");
          continue;
        }
      texts = g_hash_table_lookup (form->itext, lang);
      if (texts == NULL)
        {
          char *key = g_strdup (lang);
          texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (form->itext, key, texts);
          g_ptr_array_insert (form->languages, form->languages->len - 1, key);
        }
      is_default = _xform_get_attr (translation, "default");
      if (is_default != NULL && form->default_lang == NULL)
        form->default_lang = g_strdup (lang);

      for (xmlNode *text = translation->children; text != NULL; text = text->next)
        {
          g_autofree char *id = NULL;
          xmlNode *chosen = NULL;

          if (!_xform_is_element (text, NULL, "text"))
            continue;
          id = _xform_get_attr (text, "id");
          for (xmlNode *value = text->children; value != NULL; value = value->next)
            {
              g_autofree char *variant = NULL;
              if (!_xform_is_element (value, NULL, "value"))
                continue;
              variant = _xform_get_attr (value, "form");
              if (variant == NULL || g_str_equal (variant, "long"))
                {
                  chosen = value;
                  break;
                }
            }
          if (id != NULL && chosen != NULL)
            g_hash_table_replace (texts, g_steal_pointer (&id), chosen);
        }
    }
  if (form->default_lang == NULL && form->languages->len > 1)
    form->default_lang = g_strdup (form->languages->pdata[0]);
}

static NodeDef *
add_def (Loader  *loader,
         xmlNode *element,
         NodeDef *parent,
         guint   *order)
{
  ClmrsForm *form = loader->form;
  g_autofree char *name = _xform_qname_of (element);
  g_autofree char *path = g_strdup_printf ("%s/%s", parent ? parent->path : "", name);
  NodeDef *def = g_hash_table_lookup (form->defs, path);
  xmlAttr *template = xmlHasNsProp (element, (const xmlChar *) "template", (const xmlChar *) CLMRS_JR_NS);

  if (def == NULL)
    {
      def = g_new0 (NodeDef, 1);
      def->path = g_steal_pointer (&path);
      def->name = g_steal_pointer (&name);
      def->parent = parent;
      def->children = g_ptr_array_new ();
      def->depth = parent ? parent->depth + 1 : 1;
      def->order = (*order)++;
      def->template = element;
      g_hash_table_insert (form->defs, def->path, def);
      if (parent != NULL)
        g_ptr_array_add (parent->children, def);
    }
  if (template != NULL)
    {
      def->repeat = TRUE;
      def->template = element;
    }
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      add_def (loader, child, def, order);
  return def;
}

/* Normalises a reference (absolute, or relative to @scope) to a generic
 * path: predicates dropped, "." and ".." resolved. */
static char *
normalize_ref (const char *ref,
               NodeDef    *scope)
{
  g_autofree char *text = g_strstrip (g_strdup (ref));
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  int depth = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '[')
        depth++;
      else if (*p == ']')
        depth--;
      else if (depth == 0 && !g_ascii_isspace (*p))
        g_string_append_c (plain, *p);
    }
  if (plain->str[0] != '/' && scope != NULL)
    {
      g_auto(GStrv) base = g_strsplit (scope->path + 1, "/", -1);
      for (guint i = 0; base[i] != NULL; i++)
        g_ptr_array_add (steps, g_strdup (base[i]));
    }
  parts = g_strsplit (plain->str, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          if (steps->len == 0)
            return NULL;
          g_ptr_array_remove_index (steps, steps->len - 1);
        }
      else
        g_ptr_array_add (steps, g_strdup (parts[i]));
    }
  g_string_truncate (plain, 0);
  for (guint i = 0; i < steps->len; i++)
    g_string_append_printf (plain, "/%s", (char *) steps->pdata[i]);
  return g_strdup (plain->str);
}

NodeDef *
_xform_lookup_def (ClmrsForm  *form,
                   const char *ref,
                   NodeDef    *scope)
{
  g_autofree char *path = NULL;

  if (ref == NULL)
    return NULL;
  path = normalize_ref (ref, scope);
  return path != NULL ? g_hash_table_lookup (form->defs, path) : NULL;
}

static gboolean
parse_type (const char    *text,
            ClmrsDataType *out)
{
  static const struct { const char *name; ClmrsDataType type; } types[] = {
    { "string", CLMRS_TYPE_STRING }, { "int", CLMRS_TYPE_INT }, { "integer", CLMRS_TYPE_INT },
    { "decimal", CLMRS_TYPE_DECIMAL }, { "double", CLMRS_TYPE_DECIMAL },
    { "boolean", CLMRS_TYPE_BOOLEAN }, { "date", CLMRS_TYPE_DATE }, { "time", CLMRS_TYPE_TIME },
    { "dateTime", CLMRS_TYPE_DATETIME }, { "select1", CLMRS_TYPE_SELECT1 },
    { "select", CLMRS_TYPE_SELECT }, { "geopoint", CLMRS_TYPE_GEOPOINT },
    { "barcode", CLMRS_TYPE_STRING }, { "odk:rank", CLMRS_TYPE_SELECT }, { "rank", CLMRS_TYPE_SELECT },
    { "binary", CLMRS_TYPE_BINARY }, { "geotrace", CLMRS_TYPE_GEOTRACE }, { "geoshape", CLMRS_TYPE_GEOSHAPE },
  };
  const char *name = text;

  if (g_str_has_prefix (text, "xsd:"))
    name = text + 4;
  else if (g_str_has_prefix (text, "xs:"))
    name = text + 3;
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (types[i].name, name))
      {
        *out = types[i].type;
        return TRUE;
      }
  return FALSE;
}

typedef struct {
  Bind    *bind;
  xmlNode *element;
} PendingBind;

typedef struct {
  xmlNode *element;
  NodeDef *scope;
} PendingSetValue;

static void
load_bind (Loader    *loader,
           xmlNode   *element,
           GArray    *pending)
{
  ClmrsForm *form = loader->form;
  g_autofree char *nodeset = _xform_get_attr (element, "nodeset");
  g_autofree char *type = _xform_get_attr (element, "type");
  g_autofree char *desc = NULL;
  NodeDef *def;
  Bind *bind;
  PendingBind entry;
  char *value;

  if (nodeset == NULL)
    nodeset = _xform_get_attr (element, "ref");
  desc = g_strdup_printf ("bind[@nodeset='%s']", nodeset ? nodeset : "");
  if (nodeset == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), "bind", "a bind has no nodeset");
      return;
    }
  /* A relative nodeset is read from the primary instance's root (XForms'
   * evaluation context for binds), else from above it ("data/age") */
  if (g_str_has_prefix (g_strstrip (nodeset), "/"))
    def = _xform_lookup_def (form, nodeset, NULL);
  else
    {
      g_autofree char *rooted = g_strconcat ("/", nodeset, NULL);
      def = _xform_lookup_def (form, nodeset, form->root);
      if (def == NULL)
        def = _xform_lookup_def (form, rooted, NULL);
    }
  if (def == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "%s is not a node of the primary instance", nodeset);
      return;
    }
  bind = def->bind;
  if (bind == NULL)
    {
      bind = g_new0 (Bind, 1);
      bind->def = def;
      bind->line = _xform_line_of (element);
      bind->desc = g_steal_pointer (&desc);
      def->bind = bind;
      g_ptr_array_add (form->binds, bind);
    }
  if (type != NULL)
    {
      if (!parse_type (g_strstrip (type), &bind->type))
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (element), bind->desc,
                            "type '%s' is not supported", type);
      bind->typed = TRUE;
    }
#define TAKE(field, value_expr) \
  if ((value = (value_expr)) != NULL) { g_free (bind->field); bind->field = value; }
  TAKE (preload, _xform_get_ns_attr (element, "preload", CLMRS_JR_NS));
  TAKE (preload_params, _xform_get_ns_attr (element, "preloadParams", CLMRS_JR_NS));
  TAKE (entity, _xform_get_ns_attr (element, "entity", CLMRS_CLMRS_NS));
  TAKE (profile, _xform_get_ns_attr (element, "profile", CLMRS_CLMRS_NS));
  TAKE (field, _xform_get_ns_attr (element, "field", CLMRS_CLMRS_NS));
  TAKE (id, _xform_get_attr (element, "id"));
#undef TAKE
  if (bind->id != NULL)
    g_hash_table_replace (form->binds_by_id, bind->id, bind);
  {
    g_autofree char *max_pixels = _xform_get_ns_attr (element, "max-pixels", CLMRS_ORX_NS);
    guint64 pixels = 0;

    if (max_pixels != NULL && !g_ascii_string_to_unsigned (g_strstrip (max_pixels), 10, 1, 65535, &pixels, NULL))
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), bind->desc,
                          "orx:max-pixels '%s' is not a number of pixels from 1 to 65535", max_pixels);
    else if (max_pixels != NULL)
      bind->max_pixels = (guint) pixels;
  }
  /* the spec's preloads are uid, timestamp, date and property; JavaRosa
   * leaves any other (its old "patient", "user", "context") empty */
  if (bind->preload != NULL && !g_str_equal (bind->preload, "uid") &&
      !g_str_equal (bind->preload, "timestamp") && !g_str_equal (bind->preload, "date") &&
      !g_str_equal (bind->preload, "property"))
    _xform_add_warning (loader, _xform_line_of (element), bind->desc,
                        "jr:preload '%s' is not an ODK preload; %s stays empty", bind->preload, def->path);
  else if (bind->preload != NULL && g_str_equal (bind->preload, "property") &&
           (bind->preload_params == NULL ||
            !g_strv_contains ((const char * const[]) { "deviceid", "email", "username", "phonenumber",
                                                       "subscriberid", "simserial", "uri:deviceid",
                                                       "uri:email", "uri:username", "uri:phonenumber",
                                                       "uri:subscriberid", "uri:simserial", NULL },
                              bind->preload_params)))
    _xform_add_warning (loader, _xform_line_of (element), bind->desc,
                        "jr:preload 'property' with jr:preloadParams '%s' is not an ODK property; %s stays empty",
                        bind->preload_params ? bind->preload_params : "", def->path);
  entry.bind = bind;
  entry.element = element;
  g_array_append_val (pending, entry);
}

static void
compile_bind (Loader  *loader,
              Bind    *bind,
              xmlNode *element)
{
  static const char *names[] = { "relevant", "required", "constraint", "calculate", "readonly" };
  Expr **slots[] = { &bind->relevant, &bind->required, &bind->constraint, &bind->calculate, &bind->readonly };
  g_autofree char *constraint_msg = _xform_get_ns_attr (element, "constraintMsg", CLMRS_JR_NS);
  g_autofree char *required_msg = _xform_get_ns_attr (element, "requiredMsg", CLMRS_JR_NS);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *source = _xform_get_attr (element, names[i]);
      if (source != NULL)
        {
          Expr *expr = _xform_compile_expr (loader, source, bind->def, NULL, _xform_line_of (element),
                                            bind->desc, names[i]);
          if (expr != NULL)
            *slots[i] = expr;
        }
    }
  if (constraint_msg != NULL)
    bind->constraint_msg = load_message (loader, constraint_msg, bind->def, _xform_line_of (element), bind->desc);
  if (required_msg != NULL)
    bind->required_msg = load_message (loader, required_msg, bind->def, _xform_line_of (element), bind->desc);
  if (bind->calculate != NULL && !_xform_def_is_leaf (bind->def))
    _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), bind->desc,
                        "calculate on %s, which is a group", bind->def->path);
}

void
_xform_load_setvalue (Loader  *loader,
                      xmlNode *element,
                      NodeDef *scope,
                      NodeDef *control)
{
  ClmrsForm *form = loader->form;
  g_autofree char *ref = _xform_get_attr (element, "ref");
  g_autofree char *event = _xform_get_attr (element, "event");
  g_autofree char *value = _xform_get_attr (element, "value");
  gboolean geopoint = xmlStrEqual (element->name, (const xmlChar *) "setgeopoint");
  const char *action = geopoint ? "setgeopoint" : "setvalue";
  g_autofree char *desc = g_strdup_printf ("%s[@ref='%s']", action, ref ? ref : "");
  g_auto(GStrv) events = NULL;
  SetValue *setvalue;
  NodeDef *target;

  if (ref == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), action,
                          "a %s has no ref", action);
      return;
    }
  target = _xform_lookup_def (form, ref, scope);
  if (target == NULL || !_xform_def_is_leaf (target))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "%s is not a leaf of the primary instance", ref);
      return;
    }
  setvalue = g_new0 (SetValue, 1);
  setvalue->target = target;
  setvalue->geopoint = geopoint;
  for (NodeDef *up = scope; up != NULL && setvalue->repeat == NULL; up = up->parent)
    if (up->repeat)
      setvalue->repeat = up;
  events = g_strsplit_set (event ? event : "", " \t\n", -1);
  for (guint i = 0; events[i] != NULL; i++)
    {
      if (events[i][0] == '\0')
        continue;
      if (g_str_equal (events[i], "odk-instance-first-load") || g_str_equal (events[i], "xforms-ready") ||
          g_str_equal (events[i], "odk-instance-load"))
        setvalue->first_load = TRUE;
      else if (g_str_equal (events[i], "odk-new-repeat"))
        setvalue->new_repeat = TRUE;
      else if (g_str_equal (events[i], "xforms-value-changed") && control != NULL)
        setvalue->trigger = control;
      else if (g_str_equal (events[i], "xforms-value-changed"))
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (element), desc,
                            "event 'xforms-value-changed' is only supported inside a control");
      else
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (element), desc,
                            "event '%s' is not supported", events[i]);
    }
  if (!setvalue->first_load && !setvalue->new_repeat && setvalue->trigger == NULL)
    _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (element), desc,
                        "a %s has no supported event", action);
  if (geopoint)
    ;
  else if (value != NULL)
    setvalue->value = _xform_compile_expr (loader, value, target, NULL, _xform_line_of (element), desc, "value");
  else
    setvalue->literal = _xform_node_text (element);
  g_ptr_array_add (form->setvalues, setvalue);
}


static void
visit_calculation (Loader     *loader,
                   GHashTable *by_def,
                   Bind       *bind,
                   GPtrArray  *stack)
{
  bind->state = 1;
  g_ptr_array_add (stack, bind);
  for (guint i = 0; i < bind->calculate->deps->len; i++)
    {
      Bind *dep = g_hash_table_lookup (by_def, bind->calculate->deps->pdata[i]);

      if (dep == NULL)
        continue;
      if (dep->state == 1)
        {
          g_autoptr(GString) cycle = g_string_new (NULL);
          guint from = 0;

          g_ptr_array_find (stack, dep, &from);
          for (guint j = from; j < stack->len; j++)
            g_string_append_printf (cycle, "%s -> ", ((Bind *) stack->pdata[j])->def->path);
          g_string_append (cycle, dep->def->path);
          if (dep == bind)
            _xform_add_problem (loader, CLMRS_XFORM_ERROR_CYCLE, dep->line, dep->desc,
                                "calculate of %s refers to itself", dep->def->path);
          else
            _xform_add_problem (loader, CLMRS_XFORM_ERROR_CYCLE, dep->line, dep->desc,
                                "calculations form a cycle: %s", cycle->str);
        }
      else if (dep->state == 0)
        visit_calculation (loader, by_def, dep, stack);
    }
  g_ptr_array_remove_index (stack, stack->len - 1);
  bind->state = 2;
  if (!bind->calculate->depends_all)
    g_ptr_array_add (loader->form->calc_order, bind);
}

static void
add_dependents (GHashTable *map,
                Expr       *expr,
                Bind       *bind)
{
  for (guint i = 0; expr != NULL && i < expr->deps->len; i++)
    {
      GPtrArray *list = g_hash_table_lookup (map, expr->deps->pdata[i]);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (map, expr->deps->pdata[i], list);
        }
      if (!g_ptr_array_find (list, bind, NULL))
        g_ptr_array_add (list, bind);
    }
}

static int
compare_bind_order (gconstpointer a,
                    gconstpointer b)
{
  const Bind *x = *(Bind * const *) a;
  const Bind *y = *(Bind * const *) b;

  return (int) x->def->order - (int) y->def->order;
}

static void
order_binds (Loader *loader)
{
  ClmrsForm *form = loader->form;
  g_autoptr(GHashTable) by_def = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GPtrArray) sorted = g_ptr_array_copy (form->binds, NULL, NULL);

  g_ptr_array_set_free_func (sorted, NULL);
  g_ptr_array_sort (sorted, compare_bind_order);
  for (guint i = 0; i < sorted->len; i++)
    {
      Bind *bind = sorted->pdata[i];
      if (bind->calculate != NULL)
        g_hash_table_insert (by_def, bind->def, bind);
    }
  for (guint i = 0; i < sorted->len; i++)
    {
      Bind *bind = sorted->pdata[i];
      if (bind->calculate != NULL && bind->state == 0)
        visit_calculation (loader, by_def, bind, stack);
    }
  for (guint i = 0; i < sorted->len; i++)
    {
      Bind *bind = sorted->pdata[i];
      if (bind->calculate != NULL && bind->calculate->depends_all)
        g_ptr_array_add (form->calc_order, bind);
      if (bind->calculate != NULL)
        add_dependents (form->calc_dependents, bind->calculate, bind);
      if (bind->relevant != NULL)
        {
          g_ptr_array_add (form->relevance, bind);
          add_dependents (form->relevant_dependents, bind->relevant, bind);
          if (g_ptr_array_find (bind->relevant->deps, bind->def, NULL))
            _xform_add_problem (loader, CLMRS_XFORM_ERROR_CYCLE, bind->line, bind->desc,
                                "relevant of %s refers to itself", bind->def->path);
        }
    }
}

static ClmrsForm *
form_new (const char *origin)
{
  ClmrsForm *form = g_new0 (ClmrsForm, 1);

  form->ref_count = 1;
  form->origin = g_strdup (origin);
  form->version = g_strdup ("");
  form->title = g_strdup ("");
  form->languages = g_ptr_array_new ();
  g_ptr_array_add (form->languages, NULL);
  form->itext = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  form->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  form->defs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) _xform_node_def_free);
  form->binds = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_bind_free);
  form->binds_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  form->calc_order = g_ptr_array_new ();
  form->relevance = g_ptr_array_new ();
  form->calc_dependents = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  form->relevant_dependents = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  form->setvalues = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_setvalue_free);
  form->counted = g_ptr_array_new ();
  form->namespaces = g_ptr_array_new_with_free_func (g_free);
  form->exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_expr_free);
  form->labels = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_label_free);
  return form;
}

static void
collect_namespaces (ClmrsForm *form,
                    xmlNode   *node)
{
  for (xmlNs *ns = node != NULL ? node->nsDef : NULL; ns != NULL; ns = ns->next)
    {
      gboolean known = FALSE;
      if (ns->prefix == NULL)
        continue;
      for (guint i = 0; i + 1 < form->namespaces->len; i += 2)
        known |= g_str_equal (form->namespaces->pdata[i], (const char *) ns->prefix);
      if (known)
        continue;
      g_ptr_array_add (form->namespaces, g_strdup ((const char *) ns->prefix));
      g_ptr_array_add (form->namespaces, g_strdup ((const char *) ns->href));
    }
}

void
_xform_register_namespaces (ClmrsForm       *form,
                            xmlXPathContext *context)
{
  xmlXPathRegisterNs (context, (const xmlChar *) "jr", (const xmlChar *) CLMRS_JR_NS);
  for (guint i = 0; i + 1 < form->namespaces->len; i += 2)
    xmlXPathRegisterNs (context, form->namespaces->pdata[i], form->namespaces->pdata[i + 1]);
}

static xmlNode *
first_child (xmlNode    *parent,
             const char *name)
{
  for (xmlNode *child = parent != NULL ? parent->children : NULL; child != NULL; child = child->next)
    if (_xform_is_element (child, NULL, name))
      return child;
  return NULL;
}

/* An <instance src="..."> of the model: jr://file/NAME and
 * jr://file-csv/NAME through the loader's media resolver,
 * jr://instance/last-saved a blank copy of the primary instance (a session
 * given the last saved submission reads that instead).  Returns FALSE after
 * adding a problem. */
static gboolean
load_external_instance (Loader     *loader,
                        xmlNode    *element,
                        const char *id,
                        const char *src)
{
  ClmrsForm *form = loader->form;
  g_autofree char *desc = g_strdup_printf ("instance[@id='%s']", id);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = NULL;
  gboolean csv = FALSE;
  xmlNode *root;

  if (g_str_equal (src, "jr://instance/last-saved"))
    {
      g_free (form->last_saved_id);
      form->last_saved_id = g_strdup (id);
      return TRUE;   /* filled once the primary instance is known */
    }
  if (g_str_has_prefix (src, "jr://file-csv/"))
    {
      name = src + strlen ("jr://file-csv/");
      csv = TRUE;
    }
  else if (g_str_has_prefix (src, "jr://file/"))
    name = src + strlen ("jr://file/");
  if (name == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (element), desc,
                          "src \"%s\" is not supported: an external instance is jr://file/NAME.xml, "
                          "jr://file-csv/NAME.csv or jr://instance/last-saved", src);
      return FALSE;
    }
  if (name[0] == '\0' || name[0] == '.' || strchr (name, '/') != NULL || strchr (name, '\\') != NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "src \"%s\" does not name a media file (a plain file name)", src);
      return FALSE;
    }
  if (g_str_has_suffix (name, ".geojson"))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, _xform_line_of (element), desc,
                          "GeoJSON instances (%s) are not supported", name);
      return FALSE;
    }
  if (loader->media == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "the form needs the media file %s, and none was given with it", name);
      return FALSE;
    }
  bytes = loader->media (name, loader->media_data, &error);
  if (bytes == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "the media file %s cannot be read: %s", name, error ? error->message : "not found");
      return FALSE;
    }
  root = _clmrs_xform_media_instance (form->doc, name, csv, bytes, &error);
  if (root == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (element), desc,
                          "the media file %s: %s", name, error->message);
      return FALSE;
    }
  while (element->children != NULL)
    {
      xmlNode *old = element->children;
      xmlUnlinkNode (old);
      xmlFreeNode (old);
    }
  xmlAddChild (element, root);
  return TRUE;
}

/* The blank form as jr://instance/last-saved reads it when the device has
 * no saved submission of the form yet. */
static void
fill_last_saved (ClmrsForm *form)
{
  xmlNode *element;
  xmlNode *copy;

  if (form->last_saved_id == NULL)
    return;
  element = g_hash_table_lookup (form->instances, form->last_saved_id);
  if (element == NULL || form->primary == NULL)
    return;
  copy = xmlDocCopyNode (form->primary, form->doc, 1);
  _xform_remove_templates (copy);
  xmlAddChild (element, copy);
}

typedef struct {
  char *message;
  int   line;
} ParseError;

/* Keeps the parser's first error (the later ones follow from it), silently. */
static void
keep_first_parse_error (void        *data,
                        xmlErrorPtr  error)
{
  xmlParserCtxt *parser = data;
  ParseError *first = parser != NULL ? parser->_private : NULL;

  if (first == NULL || first->message != NULL || error == NULL || error->level < XML_ERR_ERROR)
    return;
  first->message = g_strdup (error->message ? error->message : "error");
  first->line = error->line;
}

static void
load_form (Loader     *loader,
           const char *data,
           gsize       length)
{
  ClmrsForm *form = loader->form;
  xmlParserCtxt *parser;
  xmlNode *html, *head, *model, *body, *title, *itext;
  xmlNode *primary_instance = NULL;
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (PendingBind));
  g_autoptr(GArray) model_setvalues = g_array_new (FALSE, FALSE, sizeof (PendingSetValue));
  ParseError first_error = { NULL, 0 };
  guint order = 0;

  if (length > G_MAXINT)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_PARSE, 0, "xml", "the file is too large");
      return;
    }
  parser = xmlNewParserCtxt ();
  if (parser == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_PARSE, 0, "xml", "out of memory");
      return;
    }
  parser->sax->serror = keep_first_parse_error;
  parser->_private = &first_error;
  form->doc = xmlCtxtReadMemory (parser, data, (int) length, form->origin, NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOWARNING);
  if (form->doc == NULL || !parser->wellFormed)
    {
      xmlErrorPtr error = xmlCtxtGetLastError (parser);
      const char *text = first_error.message ? first_error.message
                       : error && error->message ? error->message : "no document";
      g_autofree char *message = g_strstrip (g_strdup (text));
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_PARSE,
                          first_error.message ? first_error.line : error ? error->line : 0,
                          "xml", "the XML is not well formed: %s", message);
      g_free (first_error.message);
      xmlFreeParserCtxt (parser);
      return;
    }
  g_free (first_error.message);
  xmlFreeParserCtxt (parser);

  html = xmlDocGetRootElement (form->doc);
  if (!_xform_is_element (html, NULL, "html"))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (html),
                          html ? (const char *) html->name : "xml",
                          "the root element is not h:html");
      return;
    }
  head = first_child (html, "head");
  body = first_child (html, "body");
  model = first_child (head, "model");
  title = first_child (head, "title");
  if (title != NULL)
    {
      g_free (form->title);
      form->title = g_strstrip (_xform_node_text (title));
    }
  if (model == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (head ? head : html), "h:head",
                          "the form has no model");
      return;
    }
  collect_namespaces (form, html);
  collect_namespaces (form, head);
  collect_namespaces (form, model);

  for (xmlNode *child = model->children; child != NULL; child = child->next)
    {
      g_autofree char *id = NULL;
      g_autofree char *src = NULL;
      if (!_xform_is_element (child, NULL, "instance"))
        continue;
      _clmrs_xml_strip_default_namespace (child->children);
      id = _xform_get_attr (child, "id");
      src = _xform_get_attr (child, "src");
      if (src != NULL && primary_instance != NULL && id != NULL)
        {
          if (load_external_instance (loader, child, id, src))
            g_hash_table_replace (form->instances, g_steal_pointer (&id), child);
        }
      else if (src != NULL)
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (child), "instance",
                            "an external instance (src=\"%s\") needs an id and cannot be the primary instance", src);
      else if (primary_instance == NULL)
        primary_instance = child;
      else if (id == NULL)
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (child), "instance",
                            "a secondary instance has no id");
      else
        g_hash_table_replace (form->instances, g_steal_pointer (&id), child);
    }
  if (primary_instance == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (model), "model",
                          "the model has no instance");
      return;
    }
  for (xmlNode *child = primary_instance->children; child != NULL && form->primary == NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      form->primary = child;
  if (form->primary == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (primary_instance), "instance",
                          "the primary instance is empty");
      return;
    }
  collect_namespaces (form, form->primary);
  {
    char *id = _xform_get_attr (form->primary, "id");
    char *version = _xform_get_attr (form->primary, "version");
    form->id = id != NULL ? id : g_strdup ((const char *) form->primary->name);
    if (version != NULL)
      {
        g_free (form->version);
        form->version = version;
      }
  }
  fill_last_saved (form);
  form->root = add_def (loader, form->primary, NULL, &order);
  if (form->root->repeat)
    _xform_add_problem (loader, CLMRS_XFORM_ERROR_INVALID, _xform_line_of (form->primary), form->root->path,
                        "the instance root cannot be a repeat template");

  loader->xpath = xmlXPathNewContext (form->doc);
  _xform_register_namespaces (form, loader->xpath);
  loader->xpath->userData = loader;
  loader->xpath->error = _xform_capture_xpath_error;

  itext = first_child (model, "itext");
  if (itext != NULL)
    load_itext (loader, itext);

  for (xmlNode *child = model->children; child != NULL; child = child->next)
    {
      if (_xform_is_element (child, NULL, "bind"))
        load_bind (loader, child, pending);
      else if (_xform_is_element (child, NULL, "setvalue") || _xform_is_element (child, CLMRS_ODK_NS, "setvalue") ||
               _xform_is_element (child, CLMRS_ODK_NS, "setgeopoint"))
        {
          PendingSetValue entry = { child, NULL };
          g_array_append_val (model_setvalues, entry);
        }
    }

  form->body = g_new0 (BodyNode, 1);
  form->body->kind = BODY_GROUP;
  form->body->children = g_ptr_array_new_with_free_func ((GDestroyNotify) _xform_body_node_free);
  if (body != NULL)
    _xform_load_body_children (loader, body, form->body, form->root);

  for (guint i = 0; i < pending->len; i++)
    {
      PendingBind *entry = &g_array_index (pending, PendingBind, i);
      compile_bind (loader, entry->bind, entry->element);
    }
  for (guint i = 0; i < model_setvalues->len; i++)
    _xform_load_setvalue (loader, g_array_index (model_setvalues, PendingSetValue, i).element, NULL, NULL);

  order_binds (loader);

  {
    NodeDef *meta = _xform_def_child (form->root, "meta");
    if (meta == NULL)
      meta = _xform_def_child (form->root, "orx:meta");
    form->instance_id = _xform_def_child (meta, "instanceID");
    if (form->instance_id == NULL)
      form->instance_id = _xform_def_child (meta, "orx:instanceID");
  }
}

/* Loads @data, returning the form when it has no error.  Every problem
 * goes to @problems (if given), the first error to @error. */
static ClmrsForm *
load_checked (const char          *data,
              gsize                length,
              const char          *origin,
              ClmrsFormMediaFunc   media,
              gpointer             media_data,
              GPtrArray          **problems,
              GError             **error)
{
  Loader loader = { 0 };

  loader.form = form_new (origin);
  loader.problems = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_problem_free);
  loader.codes = g_array_new (FALSE, FALSE, sizeof (int));
  loader.xpath_error = g_string_new (NULL);
  loader.media = media;
  loader.media_data = media_data;

  load_form (&loader, data, length);

  if (loader.xpath != NULL)
    xmlXPathFreeContext (loader.xpath);
  g_string_free (loader.xpath_error, TRUE);
  for (guint i = 0; i < loader.problems->len; i++)
    {
      ClmrsFormProblem *problem = loader.problems->pdata[i];
      g_autofree char *text = NULL;

      if (problem->warning)
        continue;
      text = clmrs_form_problem_to_string (problem);
      g_set_error_literal (error, CLMRS_XFORM_ERROR, g_array_index (loader.codes, int, i), text);
      g_clear_pointer (&loader.form, clmrs_form_unref);
      break;
    }
  g_array_unref (loader.codes);
  if (problems != NULL)
    *problems = loader.problems;
  else
    g_ptr_array_unref (loader.problems);
  return loader.form;
}

/**
 * clmrs_form_load_full:
 *
 * Returns: (transfer full): the form, or %NULL with @error naming the first
 * error as "origin:line: node: reason".  Never a half-loaded form.
 */
ClmrsForm *
clmrs_form_load_full (const char          *data,
                      gsize                length,
                      const char          *origin,
                      ClmrsFormMediaFunc   media,
                      gpointer             media_data,
                      GPtrArray          **problems,
                      GError             **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_checked (data, length, origin ? origin : "<form>", media, media_data, problems, error);
}

/**
 * clmrs_form_load_data:
 *
 * Returns: (transfer full): the form, or %NULL with @error naming the first
 * problem as "origin:line: node: reason".  Never a half-loaded form.
 */
ClmrsForm *
clmrs_form_load_data (const char  *data,
                      gsize        length,
                      const char  *origin,
                      GError     **error)
{
  return clmrs_form_load_full (data, length, origin, NULL, NULL, NULL, error);
}

/* Reads @name in the directory @user_data. */
GBytes *
clmrs_form_media_from_dir (const char  *name,
                           gpointer     user_data,
                           GError     **error)
{
  const char *dir = user_data;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  path = g_build_filename (dir, name, NULL);
  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), length);
}

/* Loads the form at @path; see clmrs_form_load_data(). */
ClmrsForm *
clmrs_form_load_file (const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return load_checked (data, length, path, NULL, NULL, NULL, error);
}

/* Loads @form: the file when it names a path (holds a '/'), as forms
 * loaded from a file are recorded, else the embedded form of that name. */
ClmrsForm *
clmrs_form_load (const char  *form,
                 GError     **error)
{
  g_return_val_if_fail (form != NULL, NULL);

  if (strchr (form, '/') != NULL)
    return clmrs_form_load_file (form, error);
  return clmrs_form_load_builtin (form, error);
}

/* Loads the embedded assets/forms/@name.xml. */
ClmrsForm *
clmrs_form_load_builtin (const char  *name,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (name != NULL, NULL);

  path = g_strdup_printf ("forms/%s.xml", name);
  bytes = clmrs_assets_lookup (path, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  return load_checked (data, length, path, NULL, NULL, NULL, error);
}

/* Returns TRUE when the form at @path loads; @problems holds every
 * problem found, warnings included (an unreadable file is one problem,
 * line 0). */
gboolean
clmrs_form_check_file (const char  *path,
                       GPtrArray  **problems)
{
  return clmrs_form_check_file_full (path, NULL, problems);
}

/* clmrs_form_check_file() with the form's media files in @media_dir. */
gboolean
clmrs_form_check_file_full (const char  *path,
                            const char  *media_dir,
                            GPtrArray  **problems)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      ClmrsFormProblem *problem = g_new0 (ClmrsFormProblem, 1);
      problem->file = g_strdup (path);
      problem->node = g_strdup ("file");
      problem->reason = g_strdup (error->message);
      found = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_problem_free);
      g_ptr_array_add (found, problem);
    }
  else
    form = load_checked (data, length, path, media_dir ? clmrs_form_media_from_dir : NULL,
                         (gpointer) media_dir, &found, NULL);
  if (problems != NULL)
    *problems = g_ptr_array_ref (found);
  return form != NULL;
}
