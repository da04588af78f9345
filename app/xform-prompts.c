/* xform-prompts.c: prompts: labels and choices in the session's language, and the walk of the body that lists the questions. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include <math.h>

/* ------------------------------------------------------------------ */
/* Labels and choices                                                  */

static char *
render_segments (ClmrsFormSession *session,
                 GPtrArray        *segments,
                 xmlNode          *context)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = segments->pdata[i];
      if (segment->text != NULL)
        g_string_append (out, segment->text);
      else if (segment->expr != NULL)
        {
          g_autofree char *value = _xform_evaluate_string (session, segment->expr, context, NULL);
          g_string_append (out, value);
        }
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* The label in the session's language (else the default, else any). */
char *
_xform_render_label (ClmrsFormSession *session,
                     Label            *label,
                     xmlNode          *context)
{
  GPtrArray *segments = NULL;

  if (label == NULL)
    return NULL;
  if (label->by_lang != NULL)
    {
      ClmrsForm *form = session->form;
      if (session->language != NULL)
        segments = g_hash_table_lookup (label->by_lang, session->language);
      if (segments == NULL && form->default_lang != NULL)
        segments = g_hash_table_lookup (label->by_lang, form->default_lang);
      for (guint i = 0; segments == NULL && i + 1 < form->languages->len; i++)
        segments = g_hash_table_lookup (label->by_lang, form->languages->pdata[i]);
    }
  else
    segments = label->plain;
  if (segments == NULL)
    return NULL;
  return render_segments (session, segments, context);
}

static void
choice_free (ClmrsChoice *choice)
{
  g_free (choice->value);
  g_free (choice->label);
  g_free (choice);
}

/* The items an indexed choice filter leaves (_xform_index_itemset()), as the
 * itemset's XPath would give them; NULL when the filter's value is not
 * one node (then XPath decides). */
static xmlXPathObjectPtr
filtered_items (ClmrsFormSession *session,
                BodyNode         *control,
                xmlNode          *node)
{
  xmlXPathObjectPtr value = _xform_evaluate (session, control->filter_value, node, NULL);
  xmlXPathObjectPtr out = NULL;

  if (value != NULL && value->type == XPATH_NODESET)
    {
      int count = value->nodesetval != NULL ? value->nodesetval->nodeNr : 0;

      if (count == 0)
        out = xmlXPathNewNodeSet (NULL);
      else if (count == 1)
        {
          xmlChar *text = xmlXPathCastNodeToString (value->nodesetval->nodeTab[0]);
          GPtrArray *items = g_hash_table_lookup (control->filter_index, (const char *) text);

          out = xmlXPathNewNodeSet (NULL);
          for (guint i = 0; items != NULL && i < items->len; i++)
            xmlXPathNodeSetAddUnique (out->nodesetval, items->pdata[i]);
          xmlFree (text);
        }
    }
  if (value != NULL)
    xmlXPathFreeObject (value);
  return out;
}

/* The choices of a select at @node, in the session's language. */
GPtrArray *
_xform_choices_of (ClmrsFormSession *session,
                   BodyNode         *control,
                   xmlNode          *node)
{
  GPtrArray *choices = g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);

  for (guint i = 0; control->items != NULL && i < control->items->len; i++)
    {
      Item *item = control->items->pdata[i];
      ClmrsChoice *choice = g_new0 (ClmrsChoice, 1);
      choice->value = g_strdup (item->value);
      choice->label = _xform_render_label (session, item->label, node);
      if (choice->label == NULL)
        choice->label = g_strdup (item->value);
      g_ptr_array_add (choices, choice);
    }
  if (control->itemset != NULL && control->item_value != NULL && control->item_label != NULL)
    {
      xmlXPathObjectPtr items = NULL;

      if (control->filter_index != NULL)
        items = filtered_items (session, control, node);
      if (items == NULL)
        items = _xform_evaluate (session, control->itemset, node, NULL);
      if (items != NULL && items->type == XPATH_NODESET && items->nodesetval != NULL)
        {
          /* Copy the node list first: evaluating inside reuses the context. */
          g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
          for (int i = 0; i < items->nodesetval->nodeNr; i++)
            g_ptr_array_add (nodes, items->nodesetval->nodeTab[i]);
          if (control->randomize)
            {
              double seed = 0;
              if (control->randomize_seed != NULL)
                {
                  xmlXPathObjectPtr result = _xform_evaluate (session, control->randomize_seed, node, NULL);
                  seed = result != NULL ? xmlXPathCastToNumber (result) : NAN;
                  if (result != NULL)
                    xmlXPathFreeObject (result);
                }
              _clmrs_xpath_shuffle (nodes->pdata, nodes->len, control->randomize_seed != NULL ? &seed : NULL);
            }
          for (guint i = 0; i < nodes->len; i++)
            {
              ClmrsChoice *choice = g_new0 (ClmrsChoice, 1);
              choice->value = g_strstrip (_xform_evaluate_string (session, control->item_value, nodes->pdata[i], node));
              choice->label = g_strstrip (_xform_evaluate_string (session, control->item_label, nodes->pdata[i], node));
              g_ptr_array_add (choices, choice);
            }
        }
      if (items != NULL)
        xmlXPathFreeObject (items);
    }
  return choices;
}

char *
_clmrs_form_session_choice_name (ClmrsFormSession *session,
                                 const char       *value,
                                 const char       *ref)
{
  NodeDef *def = NULL;
  xmlNode *node = NULL;
  g_autoptr(GPtrArray) choices = NULL;

  if (session == NULL || ref == NULL || ref[0] == '\0')
    return NULL;
  if (ref[0] == '/')
    {
      def = _xform_lookup_def (session->form, ref, NULL);
      if (def != NULL)
        {
          g_autoptr(GPtrArray) nodes = _xform_nodes_of (session, def);
          node = nodes->len > 0 ? nodes->pdata[0] : NULL;
        }
    }
  else if (session->current != NULL)
    {
      xmlXPathObjectPtr found;
      xmlNode *saved_node = session->xpath->node;

      session->xpath->node = session->current;
      found = xmlXPathEval ((const xmlChar *) ref, session->xpath);
      session->xpath->node = saved_node;
      if (found != NULL && found->type == XPATH_NODESET && found->nodesetval != NULL &&
          found->nodesetval->nodeNr > 0)
        {
          node = found->nodesetval->nodeTab[0];
          def = _xform_def_of (node);
        }
      if (found != NULL)
        xmlXPathFreeObject (found);
    }
  if (def == NULL || def->control == NULL || node == NULL)
    return NULL;
  choices = _xform_choices_of (session, def->control, node);
  for (guint i = 0; i < choices->len; i++)
    {
      ClmrsChoice *choice = choices->pdata[i];
      if (g_str_equal (choice->value, value))
        return g_strdup (choice->label);
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Prompts                                                             */

void
clmrs_prompt_free (ClmrsPrompt *prompt)
{
  if (prompt == NULL)
    return;
  g_free (prompt->ref);
  g_free (prompt->label);
  g_free (prompt->hint);
  g_free (prompt->appearance);
  g_free (prompt->value);
  g_clear_pointer (&prompt->choices, g_ptr_array_unref);
  g_free (prompt->screen);
  g_free (prompt->repeat);
  g_free (prompt->section);
  g_free (prompt->repeat_label);
  g_free (prompt->repeat_name);
  g_free (prompt->mediatype);
  g_free (prompt);
}

void
clmrs_repeat_instance_free (ClmrsRepeatInstance *instance)
{
  if (instance == NULL)
    return;
  g_free (instance->ref);
  g_free (instance->name);
  g_free (instance->sex);
  g_free (instance->age);
  g_free (instance);
}

/* The leaf bound clmrs:field=@field in the instance @node, or NULL: a
 * nested repeat or entity names its own instances, not this one. */
static xmlNode *
find_field_leaf (xmlNode    *node,
                 const char *field,
                 gboolean    top)
{
  NodeDef *def = _xform_def_of (node);

  if (def == NULL)
    return NULL;
  if (!top && (def->repeat || (def->bind != NULL && def->bind->entity != NULL)))
    return NULL;
  if (_xform_def_is_leaf (def))
    return def->bind != NULL && g_strcmp0 (def->bind->field, field) == 0 ? node : NULL;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      xmlNode *found;

      if (child->type == XML_ELEMENT_NODE && (found = find_field_leaf (child, field, FALSE)) != NULL)
        return found;
    }
  return NULL;
}

/* The answer to @instance's clmrs:field=@field leaf, in words for a
 * choice (a roster says "Female", not "female"); NULL when empty or not
 * relevant. */
char *
_xform_instance_field (ClmrsFormSession *session,
                       xmlNode          *instance,
                       const char       *field)
{
  xmlNode *leaf = find_field_leaf (instance, field, TRUE);
  g_autofree char *value = NULL;
  NodeDef *def;

  if (leaf == NULL || !_xform_is_relevant (session, leaf))
    return NULL;
  value = g_strstrip (_xform_node_value (leaf));
  if (value[0] == '\0')
    return NULL;
  def = _xform_def_of (leaf);
  if (def->control != NULL && (def->control->kind == BODY_SELECT1 || def->control->kind == BODY_SELECT))
    {
      g_autoptr(GPtrArray) choices = _xform_choices_of (session, def->control, leaf);

      for (guint i = 0; i < choices->len; i++)
        {
          ClmrsChoice *choice = choices->pdata[i];

          if (g_str_equal (choice->value, value))
            return g_strdup (choice->label);
        }
    }
  return g_steal_pointer (&value);
}

ClmrsDataType
_xform_type_of (NodeDef *def)
{
  if (def->control != NULL && def->control->kind == BODY_SELECT1)
    return CLMRS_TYPE_SELECT1;
  if (def->control != NULL && (def->control->kind == BODY_SELECT || def->control->kind == BODY_RANK))
    return CLMRS_TYPE_SELECT;
  return def->bind != NULL ? def->bind->type : CLMRS_TYPE_STRING;
}

gboolean
_xform_is_required (ClmrsFormSession *session,
                    xmlNode          *node)
{
  Bind *bind = _xform_def_of (node)->bind;

  return bind != NULL && bind->required != NULL && _xform_evaluate_boolean (session, bind->required, node, FALSE);
}

/* Calculated, or readonly here or on an enclosing group. */
gboolean
_xform_is_readonly (ClmrsFormSession *session,
                    xmlNode          *node)
{
  for (xmlNode *n = node; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent)
    {
      NodeDef *def = _xform_def_of (n);
      Bind *bind = def != NULL ? def->bind : NULL;
      if (bind == NULL)
        continue;
      if (n == node && bind->calculate != NULL)
        return TRUE;
      if (bind->readonly != NULL && _xform_evaluate_boolean (session, bind->readonly, n, FALSE))
        return TRUE;
    }
  return FALSE;
}

static ClmrsPrompt *
make_prompt (ClmrsFormSession *session,
             BodyNode         *control,
             xmlNode          *node,
             gboolean          outline)
{
  ClmrsPrompt *prompt = g_new0 (ClmrsPrompt, 1);

  prompt->kind = CLMRS_PROMPT_QUESTION;
  prompt->ref = _xform_ref_of (node);
  prompt->control = control->kind == BODY_SELECT1 ? CLMRS_CONTROL_SELECT1
                  : control->kind == BODY_SELECT ? CLMRS_CONTROL_SELECT
                  : control->kind == BODY_TRIGGER ? CLMRS_CONTROL_TRIGGER
                  : control->kind == BODY_RANGE ? CLMRS_CONTROL_RANGE
                  : control->kind == BODY_RANK ? CLMRS_CONTROL_RANK
                  : control->kind == BODY_UPLOAD ? CLMRS_CONTROL_UPLOAD
                  : CLMRS_CONTROL_INPUT;
  prompt->type = _xform_type_of (control->def);
  if (outline)
    {
      prompt->label = g_strdup (control->def->name);
      return prompt;
    }
  {
    g_autofree char *value = _xform_node_value (node);

    prompt->label = _xform_render_label (session, control->label, node);
    if (prompt->label == NULL)
      prompt->label = g_strdup (control->def->name);
    prompt->hint = _xform_render_label (session, control->hint, node);
    prompt->appearance = g_strdup (control->appearance);
    prompt->value = value[0] != '\0' ? g_steal_pointer (&value) : NULL;
  }
  prompt->required = _xform_is_required (session, node);
  prompt->readonly = _xform_is_readonly (session, node);
  if (IS_CHOICE_KIND (control->kind))
    prompt->choices = _xform_choices_of (session, control, node);
  if (control->kind == BODY_RANGE)
    {
      prompt->range_start = control->range_start;
      prompt->range_end = control->range_end;
      prompt->range_step = control->range_step;
    }
  if (control->kind == BODY_UPLOAD)
    {
      prompt->mediatype = g_strdup (control->mediatype);
      prompt->max_pixels = control->def->bind != NULL ? control->def->bind->max_pixels : 0;
    }
  return prompt;
}

/* Where the walk is: the screen and repeat instance it is in, and the
 * labels a heading names them by. */
typedef struct {
  const char *screen;          /* ref of the outermost field-list group, or NULL */
  const char *repeat;          /* ref of the innermost repeat instance, or NULL */
  Label      *repeat_label;    /* its label */
  xmlNode    *repeat_node;
  guint       repeat_position; /* 1-based among its siblings */
  guint       repeat_total;
  const char *repeat_name;     /* its name answer, or NULL */
  Label      *section_label;   /* the innermost labelled group */
  xmlNode    *section_node;
  gboolean    everything;      /* relevant or not (clmrs_form_session_get_outline) */
} Walk;

static void
walk_body (ClmrsFormSession *session,
           BodyNode         *body,
           xmlNode          *scope,
           const Walk       *walk,
           Label            *group_label,
           GPtrArray        *out);

static void
walk_children (ClmrsFormSession *session,
               BodyNode         *body,
               xmlNode          *scope,
               const Walk       *walk,
               GPtrArray        *out)
{
  for (guint i = 0; i < body->children->len; i++)
    walk_body (session, body->children->pdata[i], scope, walk,
               body->kind == BODY_GROUP ? body->label : NULL, out);
}

static gboolean
walk_enters (ClmrsFormSession *session,
             const Walk       *walk,
             xmlNode          *node)
{
  return node != NULL && (walk->everything || _xform_is_relevant (session, node));
}

static void
set_place (ClmrsFormSession *session,
           ClmrsPrompt      *prompt,
           const Walk       *walk)
{
  prompt->screen = g_strdup (walk->screen);
  prompt->repeat = g_strdup (walk->repeat);
  if (walk->everything)
    return;
  prompt->section = _xform_render_label (session, walk->section_label, walk->section_node);
  if (walk->repeat != NULL)
    {
      prompt->repeat_label = _xform_render_label (session, walk->repeat_label, walk->repeat_node);
      prompt->repeat_position = walk->repeat_position;
      prompt->repeat_total = walk->repeat_total;
      prompt->repeat_name = g_strdup (walk->repeat_name);
    }
}

/* The questions of one instance of a repeat that has none, for the
 * outline: refs are NULL (no node exists), screens stand for the groups. */
static void
walk_template (BodyNode   *body,
               const char *screen,
               GPtrArray  *out)
{
  g_autofree char *own_screen = NULL;

  if (body->kind == BODY_GROUP || body->kind == BODY_REPEAT)
    {
      if (screen == NULL && g_strcmp0 (body->appearance, "field-list") == 0)
        screen = own_screen = g_strdup_printf ("#template%d", body->line);
      for (guint i = 0; i < body->children->len; i++)
        walk_template (body->children->pdata[i], screen, out);
    }
  else
    {
      ClmrsPrompt *prompt = g_new0 (ClmrsPrompt, 1);

      prompt->kind = CLMRS_PROMPT_QUESTION;
      prompt->label = g_strdup (body->def->name);
      prompt->screen = g_strdup (screen);
      g_ptr_array_add (out, prompt);
    }
}

static void
walk_body (ClmrsFormSession *session,
           BodyNode         *body,
           xmlNode          *scope,
           const Walk       *walk,
           Label            *group_label,
           GPtrArray        *out)
{
  g_autofree char *own_screen = NULL;

  switch (body->kind)
    {
    case BODY_GROUP:
      {
        Walk inner = *walk;
        xmlNode *node;

        /* pyxform wraps a repeat in a group with the same ref: that group
         * stands for all instances, so it stays at the repeat's parent. */
        if (body->def != NULL && body->def->repeat)
          node = _xform_find_below (scope, body->def->parent);
        else
          node = body->def != NULL ? _xform_find_below (scope, body->def) : scope;
        if (!walk_enters (session, walk, node))
          return;
        if (walk->screen == NULL && g_strcmp0 (body->appearance, "field-list") == 0)
          {
            g_autofree char *base = _xform_ref_of (node);
            own_screen = body->def != NULL ? g_steal_pointer (&base)
                                           : g_strdup_printf ("%s#%d", base, body->line);
            inner.screen = own_screen;
          }
        /* the wrapper of a repeat names its instances, not a section */
        if (body->label != NULL && !(body->def != NULL && body->def->repeat))
          {
            inner.section_label = body->label;
            inner.section_node = node;
          }
        walk_children (session, body, node, &inner, out);
        return;
      }
    case BODY_REPEAT:
      {
        xmlNode *parent = _xform_find_below (scope, body->def->parent);
        Walk inner = *walk;

        if (!walk_enters (session, walk, parent))
          return;
        inner.repeat_label = body->label ? body->label : group_label;
        inner.repeat_position = 0;
        inner.repeat_total = 0;
        for (xmlNode *child = parent->children; child != NULL; child = child->next)
          if (_xform_def_of (child) == body->def && walk_enters (session, walk, child))
            inner.repeat_total++;
        for (xmlNode *child = parent->children; child != NULL; child = child->next)
          {
            g_autofree char *instance_ref = NULL;
            g_autofree char *name = NULL;
            if (_xform_def_of (child) != body->def || !walk_enters (session, walk, child))
              continue;
            instance_ref = _xform_ref_of (child);
            /* once an instance, not for each of its prompts */
            if (!walk->everything)
              name = _xform_instance_field (session, child, "name");
            inner.repeat = instance_ref;
            inner.repeat_name = name;
            inner.repeat_node = child;
            inner.repeat_position++;
            /* a section outside the repeat does not name what is inside an instance */
            inner.section_label = NULL;
            inner.section_node = NULL;
            walk_children (session, body, child, &inner, out);
          }
        if (body->count == NULL && !body->no_add_remove)
          {
            ClmrsPrompt *prompt = g_new0 (ClmrsPrompt, 1);
            g_autofree char *parent_ref = _xform_ref_of (parent);
            prompt->kind = CLMRS_PROMPT_REPEAT_ADD;
            prompt->ref = g_strdup_printf ("%s/%s", parent_ref, body->def->name);
            prompt->control = CLMRS_CONTROL_TRIGGER;
            prompt->type = CLMRS_TYPE_STRING;
            if (!walk->everything)
              prompt->label = _xform_render_label (session, body->label ? body->label : group_label, parent);
            if (prompt->label == NULL)
              prompt->label = g_strdup (body->def->name);
            prompt->appearance = g_strdup (body->appearance);
            set_place (session, prompt, walk);
            g_ptr_array_add (out, prompt);
            /* a roster not started yet will hold one instance at least,
             * added from this screen: the outline counts its screens after
             * it, or the household's questions would look like most of
             * the visit */
            if (walk->everything && inner.repeat_total == 0)
              walk_template (body, walk->screen, out);
          }
        return;
      }
    default:
      {
        xmlNode *node = _xform_find_below (scope, body->def);
        ClmrsPrompt *prompt;

        if (!walk_enters (session, walk, node))
          return;
        prompt = make_prompt (session, body, node, walk->everything);
        set_place (session, prompt, walk);
        g_ptr_array_add (out, prompt);
        return;
      }
    }
}

static GPtrArray *
walk_form (ClmrsFormSession *session,
           gboolean          everything)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_prompt_free);
  Walk walk = { .everything = everything };

  walk_children (session, session->form->body, xmlDocGetRootElement (session->doc), &walk, out);
  return out;
}

/* The relevant questions in body order, groups entered, every repeat
 * instance expanded, plus a REPEAT_ADD prompt after each user-sized repeat.
 * Labels are in the session's language with outputs substituted. */
GPtrArray *
clmrs_form_session_get_prompts (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  return walk_form (session, FALSE);
}

/* Every question the form could still ask with the repeat instances it has
 * now, relevant or not, in the order of clmrs_form_session_get_prompts(),
 * and one instance's questions for a repeat that has none yet (their ref is
 * NULL): the whole length of the filling, for measuring how far along it
 * is. Only kind, ref, control, type, screen and repeat are set; the label is
 * the node's name and nothing is evaluated, so it stays cheap. */
GPtrArray *
clmrs_form_session_get_outline (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  return walk_form (session, TRUE);
}
