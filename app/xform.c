/* xform.c: the ODK XForms engine's form: its parts, ref-counting, load problems and the XML helpers loading uses. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

G_DEFINE_QUARK (clmrs-xform-error-quark, clmrs_xform_error)

void
_xform_segment_free (Segment *segment)
{
  g_free (segment->text);
  g_free (segment);
}

void
_xform_expr_free (Expr *expr)
{
  g_free (expr->source);
  if (expr->comp != NULL)
    xmlXPathFreeCompExpr (expr->comp);
  g_clear_pointer (&expr->deps, g_ptr_array_unref);
  g_free (expr);
}

void
_xform_label_free (Label *label)
{
  g_clear_pointer (&label->plain, g_ptr_array_unref);
  g_clear_pointer (&label->by_lang, g_hash_table_unref);
  g_free (label);
}

void
_xform_node_def_free (NodeDef *def)
{
  g_free (def->path);
  g_free (def->name);
  g_ptr_array_unref (def->children);
  g_free (def);
}

void
_xform_bind_free (Bind *bind)
{
  g_free (bind->desc);
  g_free (bind->preload);
  g_free (bind->preload_params);
  g_free (bind->entity);
  g_free (bind->profile);
  g_free (bind->field);
  g_free (bind->id);
  g_free (bind);
}

void
_xform_setvalue_free (SetValue *setvalue)
{
  g_free (setvalue->literal);
  g_free (setvalue);
}

void
_xform_item_free (Item *item)
{
  g_free (item->value);
  g_free (item);
}

void
_xform_body_node_free (BodyNode *node)
{
  if (node == NULL)
    return;
  g_free (node->appearance);
  g_free (node->mediatype);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->items, g_ptr_array_unref);
  g_clear_pointer (&node->filter_index, g_hash_table_unref);
  g_free (node);
}

NodeDef *
_xform_def_child (NodeDef    *def,
                  const char *name)
{
  for (guint i = 0; def != NULL && i < def->children->len; i++)
    {
      NodeDef *child = def->children->pdata[i];
      if (g_str_equal (child->name, name))
        return child;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Problems                                                            */

void
clmrs_form_problem_free (ClmrsFormProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->node);
  g_free (problem->reason);
  g_free (problem);
}

/* Returns: (transfer full): "file:line: node: reason" (no line part when unknown). */
char *
clmrs_form_problem_to_string (const ClmrsFormProblem *problem)
{
  const char *kind;

  g_return_val_if_fail (problem != NULL, NULL);

  kind = problem->warning ? "warning: " : "";
  if (problem->line > 0)
    return g_strdup_printf ("%s:%d: %s: %s%s", problem->file, problem->line,
                            problem->node, kind, problem->reason);
  return g_strdup_printf ("%s: %s: %s%s", problem->file, problem->node, kind, problem->reason);
}


static void
add_problem_va (Loader     *loader,
                int         code,
                gboolean    warning,
                int         line,
                const char *node,
                const char *format,
                va_list     args)
{
  ClmrsFormProblem *problem = g_new0 (ClmrsFormProblem, 1);

  problem->file = g_strdup (loader->form->origin);
  problem->line = line;
  problem->node = g_strdup (node);
  problem->reason = g_strdup_vprintf (format, args);
  problem->warning = warning;
  g_ptr_array_add (loader->problems, problem);
  g_array_append_val (loader->codes, code);
}

/* A problem that refuses the form. */
void
_xform_add_problem (Loader     *loader,
                    int         code,
                    int         line,
                    const char *node,
                    const char *format,
                    ...)
{
  va_list args;

  va_start (args, format);
  add_problem_va (loader, code, FALSE, line, node, format, args);
  va_end (args);
}

/* Something `clmrs forms check` reports but ODK runs anyway (the form loads). */
void
_xform_add_warning (Loader     *loader,
                    int         line,
                    const char *node,
                    const char *format,
                    ...)
{
  va_list args;

  va_start (args, format);
  add_problem_va (loader, -1, TRUE, line, node, format, args);
  va_end (args);
}

int
_xform_line_of (xmlNode *node)
{
  long line = node != NULL ? xmlGetLineNo (node) : 0;

  return line > 0 && line < G_MAXINT ? (int) line : 0;
}

char *
_xform_get_attr (xmlNode    *node,
                 const char *name)
{
  xmlChar *value = xmlGetNoNsProp (node, (const xmlChar *) name);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

char *
_xform_get_ns_attr (xmlNode    *node,
                    const char *name,
                    const char *ns)
{
  xmlChar *value = xmlGetNsProp (node, (const xmlChar *) name, (const xmlChar *) ns);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

gboolean
_xform_is_element (xmlNode    *node,
                   const char *ns,
                   const char *name)
{
  if (node == NULL || node->type != XML_ELEMENT_NODE || !xmlStrEqual (node->name, (const xmlChar *) name))
    return FALSE;
  if (ns == NULL)
    return TRUE;
  return node->ns != NULL && xmlStrEqual (node->ns->href, (const xmlChar *) ns);
}

char *
_xform_qname_of (xmlNode *node)
{
  if (node->ns != NULL && node->ns->prefix != NULL)
    return g_strdup_printf ("%s:%s", node->ns->prefix, node->name);
  return g_strdup ((const char *) node->name);
}

gboolean
_xform_is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

char *
_xform_node_text (xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent (node);
  char *copy = g_strdup (content != NULL ? (const char *) content : "");

  xmlFree (content);
  return copy;
}

/* Forms are immutable once loaded, so they are shared by reference. */
ClmrsForm *
clmrs_form_ref (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);

  g_atomic_int_inc (&form->ref_count);
  return form;
}

/* Drops a reference; the last one frees the form. */
void
clmrs_form_unref (ClmrsForm *form)
{
  if (form == NULL || !g_atomic_int_dec_and_test (&form->ref_count))
    return;
  g_free (form->origin);
  g_free (form->id);
  g_free (form->version);
  g_free (form->title);
  g_free (form->default_lang);
  g_free (form->last_saved_id);
  g_ptr_array_unref (form->languages);
  g_hash_table_unref (form->itext);
  g_hash_table_unref (form->instances);
  g_ptr_array_unref (form->calc_order);
  g_ptr_array_unref (form->relevance);
  g_hash_table_unref (form->calc_dependents);
  g_hash_table_unref (form->relevant_dependents);
  g_ptr_array_unref (form->setvalues);
  g_ptr_array_unref (form->counted);
  _xform_body_node_free (form->body);
  g_ptr_array_unref (form->labels);
  g_ptr_array_unref (form->exprs);
  g_hash_table_unref (form->binds_by_id);
  g_ptr_array_unref (form->binds);
  g_hash_table_unref (form->defs);
  g_ptr_array_unref (form->namespaces);
  if (form->doc != NULL)
    xmlFreeDoc (form->doc);
  g_free (form);
}

/* The instance root's @id (its element name when it has none). */
const char *
clmrs_form_get_id (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->id;
}

/* The instance root's @version, "" when it has none. */
const char *
clmrs_form_get_version (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->version;
}

/* The h:title, "" when it has none. */
const char *
clmrs_form_get_title (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->title;
}

/* The itext languages as written ("English (en)"), NULL-terminated. */
const char * const *
clmrs_form_get_languages (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return (const char * const *) form->languages->pdata;
}
