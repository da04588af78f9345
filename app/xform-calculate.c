/* xform-calculate.c: evaluation: XPath over the instance, relevance, calculations, preloads and setvalues. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "util.h"

#include <math.h>

void
_xform_silent_xpath_error (void        *data,
                           xmlErrorPtr  error)
{
}

/* Evaluates @expr at @node; NULL when evaluation fails. */
xmlXPathObjectPtr
_xform_evaluate (ClmrsFormSession *session,
                 Expr             *expr,
                 xmlNode          *node,
                 xmlNode          *current)
{
  xmlXPathObjectPtr result;
  xmlNode *saved = session->current;

  session->xpath->node = node;
  session->xpath->contextSize = 1;
  session->xpath->proximityPosition = 1;
  session->current = current != NULL ? current : node;
  result = xmlXPathCompiledEval (expr->comp, session->xpath);
  session->current = saved;
  return result;
}

gboolean
_xform_evaluate_boolean (ClmrsFormSession *session,
                         Expr             *expr,
                         xmlNode          *node,
                         gboolean          fallback)
{
  xmlXPathObjectPtr result = _xform_evaluate (session, expr, node, NULL);
  gboolean value;

  if (result == NULL)
    return fallback;
  value = xmlXPathCastToBoolean (result);
  xmlXPathFreeObject (result);
  return value;
}

static char *
object_to_string (xmlXPathObjectPtr result)
{
  xmlChar *text;
  char *copy;

  if (result == NULL)
    return g_strdup ("");
  if (result->type == XPATH_NUMBER && isnan (result->floatval))
    return g_strdup ("");
  text = xmlXPathCastToString (result);
  copy = g_strdup ((const char *) text);
  xmlFree (text);
  return copy;
}

char *
_xform_evaluate_string (ClmrsFormSession *session,
                        Expr             *expr,
                        xmlNode          *node,
                        xmlNode          *current)
{
  xmlXPathObjectPtr result = _xform_evaluate (session, expr, node, current);
  char *text = object_to_string (result);

  if (result != NULL)
    xmlXPathFreeObject (result);
  return text;
}

/* A computed value in the lexical form of @type. */
static char *
evaluate_value (ClmrsFormSession *session,
                Expr             *expr,
                xmlNode          *node,
                ClmrsDataType     type)
{
  xmlXPathObjectPtr result = _xform_evaluate (session, expr, node, NULL);
  char *text;

  if (result != NULL && result->type == XPATH_NUMBER && isfinite (result->floatval))
    {
      if (type == CLMRS_TYPE_INT)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) trunc (result->floatval));
      else if (type == CLMRS_TYPE_DATE)
        {
          g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
          g_autoptr(GDateTime) day = g_date_time_add_days (epoch, (int) floor (result->floatval));
          text = day != NULL ? g_date_time_format (day, "%Y-%m-%d") : g_strdup ("");
        }
      else
        text = object_to_string (result);
    }
  else
    text = object_to_string (result);
  if (result != NULL)
    xmlXPathFreeObject (result);
  return text;
}

void
_xform_calculate_in (ClmrsFormSession *session,
                     Bind             *bind,
                     xmlNode          *within)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();

  if (within != NULL)
    _xform_collect_nodes (within, bind->def, nodes);
  else
    _xform_collect_nodes (xmlDocGetRootElement (session->doc), bind->def, nodes);
  for (guint i = 0; i < nodes->len; i++)
    {
      g_autofree char *value = evaluate_value (session, bind->calculate, nodes->pdata[i], bind->type);
      _xform_store_value (session, nodes->pdata[i], value);
    }
}

/* Re-evaluates a relevant expression; the nodes whose flag flipped go to
 * @flipped (when given). */
static void
update_relevance (ClmrsFormSession *session,
                  Bind             *bind,
                  GPtrArray        *flipped)
{
  g_autoptr(GPtrArray) nodes = _xform_nodes_of (session, bind->def);

  for (guint i = 0; i < nodes->len; i++)
    {
      gboolean changed;

      if (_xform_evaluate_boolean (session, bind->relevant, nodes->pdata[i], TRUE))
        changed = g_hash_table_remove (session->nonrelevant, nodes->pdata[i]);
      else
        changed = g_hash_table_add (session->nonrelevant, nodes->pdata[i]);
      if (changed && flipped != NULL)
        g_ptr_array_add (flipped, nodes->pdata[i]);
    }
}

static GPtrArray *recalculate_round (ClmrsFormSession *session,
                                     GPtrArray        *frontier);

/* Recomputes everything: all calculations with dependencies (or all, with
 * @constants), all relevance, the values put aside, jr:count repeats; again
 * while anything moves (bounded). */
void
_xform_recalculate_all (ClmrsFormSession *session,
                        gboolean          constants)
{
  ClmrsForm *form = session->form;

  for (int round = 0; round < 8; round++)
    {
      gboolean moved;

      for (guint i = 0; i < form->calc_order->len; i++)
        {
          Bind *bind = form->calc_order->pdata[i];
          if (constants || bind->calculate->deps->len > 0 || bind->calculate->depends_all)
            _xform_calculate_in (session, bind, NULL);
        }
      for (guint i = 0; i < form->relevance->len; i++)
        update_relevance (session, form->relevance->pdata[i], NULL);
      moved = _xform_sync_stash (session, xmlDocGetRootElement (session->doc), TRUE, NULL);
      moved |= _xform_sync_counts (session);
      if (!moved)
        break;
      constants = FALSE;
    }
}

static void
mark_dependents (GHashTable *map,
                 NodeDef    *changed,
                 GHashTable *marked,
                 GQueue     *queue)
{
  for (NodeDef *def = changed; def != NULL; def = def->parent)
    {
      GPtrArray *list = g_hash_table_lookup (map, def);
      for (guint i = 0; list != NULL && i < list->len; i++)
        if (g_hash_table_add (marked, list->pdata[i]) && queue != NULL)
          g_queue_push_tail (queue, ((Bind *) list->pdata[i])->def);
    }
}

/* Recomputes what depends on @changed: calculations in dependency order,
 * then the relevance that reads any changed node. */
static void
recalculate_from_defs (ClmrsFormSession *session,
                       GPtrArray        *changed)
{
  g_autoptr(GPtrArray) frontier = g_ptr_array_copy (changed, NULL, NULL);

  for (int round = 0; round < 8 && frontier->len > 0; round++)
    {
      GPtrArray *next = recalculate_round (session, frontier);

      if (next == NULL)
        {
          _xform_recalculate_all (session, FALSE);
          return;
        }
      g_ptr_array_unref (frontier);
      frontier = next;
    }
}

void
_xform_recalculate_from (ClmrsFormSession *session,
                         NodeDef          *changed)
{
  g_autoptr(GPtrArray) frontier = g_ptr_array_new ();

  g_ptr_array_add (frontier, changed);
  recalculate_from_defs (session, frontier);
}

static void
collect_defs (NodeDef   *def,
              GPtrArray *out)
{
  g_ptr_array_add (out, def);
  for (guint i = 0; i < def->children->len; i++)
    collect_defs (def->children->pdata[i], out);
}

/* After the repeat instance @instance (of @def) was added: the relevance
 * of its nodes, then what reads any of them (a count, a sum, a position
 * elsewhere), not the whole form again. */
void
_xform_settle_new_instance (ClmrsFormSession *session,
                            NodeDef          *def,
                            xmlNode          *instance)
{
  ClmrsForm *form = session->form;
  g_autoptr(GPtrArray) defs = g_ptr_array_new ();

  for (guint i = 0; i < form->relevance->len; i++)
    {
      Bind *bind = form->relevance->pdata[i];
      g_autoptr(GPtrArray) nodes = NULL;

      if (!_xform_is_ancestor_or_self (def, bind->def))
        continue;
      nodes = g_ptr_array_new ();
      _xform_collect_nodes (instance, bind->def, nodes);
      for (guint n = 0; n < nodes->len; n++)
        if (_xform_evaluate_boolean (session, bind->relevant, nodes->pdata[n], TRUE))
          g_hash_table_remove (session->nonrelevant, nodes->pdata[n]);
        else
          g_hash_table_add (session->nonrelevant, nodes->pdata[n]);
    }
  _xform_sync_stash (session, instance, _xform_is_relevant (session, instance->parent), NULL);
  collect_defs (def, defs);
  for (guint i = 0; i < form->setvalues->len; i++)
    {
      SetValue *setvalue = form->setvalues->pdata[i];
      if (setvalue->new_repeat && setvalue->repeat == def && !_xform_is_ancestor_or_self (def, setvalue->target))
        g_ptr_array_add (defs, setvalue->target);
    }
  recalculate_from_defs (session, defs);
}

/* One round of _xform_recalculate_from(): returns the defs whose visible values
 * moved because relevance changed (the next round's start), or NULL when
 * jr:count repeats changed (then everything is recomputed). */
static GPtrArray *
recalculate_round (ClmrsFormSession *session,
                   GPtrArray        *frontier)
{
  ClmrsForm *form = session->form;
  g_autoptr(GHashTable) calcs = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) relevants = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) changed_defs = g_ptr_array_new ();
  g_autoptr(GPtrArray) flipped = g_ptr_array_new ();
  GPtrArray *next = g_ptr_array_new ();
  GQueue queue = G_QUEUE_INIT;

  for (guint i = 0; i < frontier->len; i++)
    g_queue_push_tail (&queue, frontier->pdata[i]);
  while (!g_queue_is_empty (&queue))
    {
      NodeDef *def = g_queue_pop_head (&queue);
      g_ptr_array_add (changed_defs, def);
      mark_dependents (form->calc_dependents, def, calcs, &queue);
    }
  for (guint i = 0; i < form->calc_order->len; i++)
    {
      Bind *bind = form->calc_order->pdata[i];
      if (bind->calculate->depends_all || g_hash_table_contains (calcs, bind))
        _xform_calculate_in (session, bind, NULL);
      if (bind->calculate->depends_all)
        g_ptr_array_add (changed_defs, bind->def);
    }
  for (guint i = 0; i < changed_defs->len; i++)
    mark_dependents (form->relevant_dependents, changed_defs->pdata[i], relevants, NULL);
  for (guint i = 0; i < form->relevance->len; i++)
    {
      Bind *bind = form->relevance->pdata[i];
      if (bind->relevant->depends_all || g_hash_table_contains (relevants, bind))
        update_relevance (session, bind, flipped);
    }
  for (guint i = 0; i < flipped->len; i++)
    {
      xmlNode *node = flipped->pdata[i];
      _xform_sync_stash (session, node, _xform_is_relevant (session, node->parent), next);
    }
  if (_xform_sync_counts (session))
    {
      g_ptr_array_unref (next);
      return NULL;
    }
  return next;
}

static void
set_preload (ClmrsFormSession *session,
             xmlNode          *node,
             Bind             *bind,
             gboolean          at_end)
{
  if (bind == NULL || bind->preload == NULL)
    return;
  if (g_str_equal (bind->preload, "uid") && !at_end)
    {
      g_autofree char *uuid = clmrs_uuid_new ();
      g_autofree char *value = g_strconcat ("uuid:", uuid, NULL);
      _xform_store_value (session, node, value);
    }
  else if (g_str_equal (bind->preload, "property") && !at_end && bind->preload_params != NULL)
    {
      const char *name = bind->preload_params;
      const char *value;

      if (g_str_has_prefix (name, "uri:"))
        name += 4;
      value = g_hash_table_lookup (session->properties, name);
      if (value != NULL)
        _xform_store_value (session, node, value);
    }
  else if (g_str_equal (bind->preload, "timestamp"))
    {
      gboolean end = g_strcmp0 (bind->preload_params, "end") == 0;
      if (end == at_end)
        {
          g_autoptr(GDateTime) now = clmrs_now ();
          g_autofree char *value = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.000%:z");
          _xform_store_value (session, node, value);
        }
    }
  else if (g_str_equal (bind->preload, "date") && !at_end)
    {
      GDate today;
      g_autofree char *value = NULL;
      clmrs_date_today (&today);
      value = clmrs_date_format (&today);
      _xform_store_value (session, node, value);
    }
}

void
_xform_preload_subtree (ClmrsFormSession *session,
                        xmlNode          *node,
                        gboolean          at_end)
{
  NodeDef *def = _xform_def_of (node);

  if (def != NULL)
    set_preload (session, node, def->bind, at_end);
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      _xform_preload_subtree (session, child, at_end);
}

void
_xform_run_setvalue (ClmrsFormSession *session,
                     SetValue         *setvalue,
                     xmlNode          *node)
{
  if (setvalue->geopoint)
    {
      /* the location known now; clmrs_form_session_set_location() fills
       * the targets whose event came before the device had one */
      if (session->location != NULL)
        _xform_store_value (session, node, session->location);
      else
        g_hash_table_add (session->awaiting_location, node);
    }
  else if (setvalue->value != NULL)
    {
      g_autofree char *value = evaluate_value (session, setvalue->value, node,
                                               setvalue->target->bind ? setvalue->target->bind->type
                                                                      : CLMRS_TYPE_STRING);
      _xform_store_value (session, node, value);
    }
  else
    _xform_store_value (session, node, setvalue->literal);
}
